/// The report's columns: their keys in the query language (and in `--json`'s `row`), their
/// headers, and how they compare. A key is its header in lower case.
public enum ReportColumn: String, CaseIterable, Sendable {
    case host, os, role
    case vltSHA = "vlt_sha"
    /// OVR_BCH: the override's branch and SHA prefix.
    case sha = "ovr_bch"
    case uptime
    case ppLast = "pp_last"
    case ppSHA = "pp_sha"
    case ppExp = "pp_exp"
    case ppMatch = "pp_match"
    case applied
    case tcAct = "tc_act"
    case tcTaskDuration = "tc_t_dur"
    case tcQuar = "tc_quar"
    case data, healthy, status, note
    // Filter-only.
    case pool
    case wtOvr = "wt_ovr"
    // Shown after TC_QUAR (`displayed`); last here so the ordinals above stay as they were.
    /// TC_JOBS, TC_OK%: the worker's jobs over `JobStats.reportWindow` and the share that succeeded.
    case tcJobs = "tc_jobs"
    case tcOkPct = "tc_ok_pct"
    /// ROLLOUT: the rollout holding the host and its stage there (`ro-20261202-ab12:0`).
    case rollout

    public var header: String {
        switch self {
        case .sha: return "OVR_BCH"
        case .tcTaskDuration: return "TC_T_DUR"
        case .tcOkPct: return "TC_OK%"
        default: return rawValue.uppercased()
        }
    }

    /// The column's place in `allCases` (rows keep their cells in that order).
    public var ordinal: Int {
        switch self {
        case .host: 0
        case .os: 1
        case .role: 2
        case .vltSHA: 3
        case .sha: 4
        case .uptime: 5
        case .ppLast: 6
        case .ppSHA: 7
        case .ppExp: 8
        case .ppMatch: 9
        case .applied: 10
        case .tcAct: 11
        case .tcTaskDuration: 12
        case .tcQuar: 13
        case .data: 14
        case .healthy: 15
        case .status: 16
        case .note: 17
        case .pool: 18
        case .wtOvr: 19
        case .tcJobs: 20
        case .tcOkPct: 21
        case .rollout: 22
        }
    }

    /// The columns a table shows, in order.
    public static let displayed: [ReportColumn] = [
        .host, .os, .role, .vltSHA, .sha, .uptime, .ppLast, .ppSHA, .ppExp, .ppMatch, .applied,
        .tcAct, .tcTaskDuration, .tcQuar, .tcJobs, .tcOkPct, .data, .healthy, .status, .rollout, .note,
    ]

    /// The values a column with a fixed set of them can hold, in lower case (nil: any text).
    public var allowedValues: [String]? {
        switch self {
        case .os: return ["l", "m", "w"]
        case .ppMatch, .applied, .healthy: return ["y", "n"]
        case .tcQuar: return ["yes"]
        case .status: return ["ok", "unk"] + ErrorClass.allCases.map(\.rawValue)
        default: return nil
        }
    }

    /// Columns whose values are whole numbers (compared and sorted as numbers).
    public var isCount: Bool { self == .tcJobs || self == .tcOkPct }

    /// Columns whose values are durations.
    public var isDuration: Bool { [.ppLast, .tcAct, .uptime, .tcTaskDuration].contains(self) }

    /// Earlier names, still accepted in queries and `--columns` (README: changes): `sha` and
    /// `tc_j_sf` were the row keys before they were made the query language's.
    static let aliases: [String: ReportColumn] = [
        "sha": .sha, "ovr_sha": .sha, "tc_j_sf": .tcTaskDuration, "health": .healthy,
    ]

    /// A column by key, header or alias, case-insensitively.
    public static func named(_ name: String) -> ReportColumn? {
        let key = name.lowercased()
        return ReportColumn(rawValue: key) ?? aliases[key] ?? allCases.first { $0.header.lowercased() == key }
    }
}
