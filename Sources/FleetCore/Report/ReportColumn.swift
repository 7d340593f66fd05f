/// The report's columns: their keys in the query language, their headers, and how they compare.
public enum ReportColumn: String, CaseIterable, Sendable {
    case host, os, role
    case vltSHA = "vlt_sha"
    case sha
    case uptime
    case ppLast = "pp_last"
    case ppSHA = "pp_sha"
    case ppExp = "pp_exp"
    case ppMatch = "pp_match"
    case applied
    case tcAct = "tc_act"
    case tcTaskDuration = "tc_j_sf"
    case tcQuar = "tc_quar"
    case data, healthy, status, note
    // Filter-only.
    case pool
    case wtOvr = "wt_ovr"

    public var header: String {
        switch self {
        case .sha: return "OVR_BCH"
        case .tcTaskDuration: return "TC_T_DUR"
        default: return rawValue.uppercased()
        }
    }

    /// The columns a table shows, in order.
    public static let displayed: [ReportColumn] = [
        .host, .os, .role, .vltSHA, .sha, .uptime, .ppLast, .ppSHA, .ppExp, .ppMatch, .applied,
        .tcAct, .tcTaskDuration, .tcQuar, .data, .healthy, .status, .note,
    ]

    /// Columns whose values are durations.
    public var isDuration: Bool { [.ppLast, .tcAct, .uptime, .tcTaskDuration].contains(self) }

    static let aliases: [String: ReportColumn] = [
        "ovr_bch": .sha, "ovr_sha": .sha, "tc_t_dur": .tcTaskDuration, "health": .healthy,
    ]

    /// A column by key, header or alias, case-insensitively.
    public static func named(_ name: String) -> ReportColumn? {
        let key = name.lowercased()
        return ReportColumn(rawValue: key) ?? aliases[key] ?? allCases.first { $0.header.lowercased() == key }
    }
}
