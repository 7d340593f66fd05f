import FleetCore

/// What a cell says to an operator, so every view colours it the same way: the table and the
/// live view map it to terminal colours, the web page to CSS classes. One rule, one place.
public enum CellVerdict: String, Sendable, Codable, CaseIterable {
    /// As it should be (green).
    case good
    /// Worth a look (yellow).
    case watch
    /// Something to act on (red).
    case act
    /// Nothing to say.
    case neutral

    /// The verdict on `column`'s cell of `row`.
    public static func of(_ column: ReportColumn, _ row: HostRow) -> CellVerdict {
        let value = row[column]
        let v = row.values
        switch column {
        case .healthy: return value == "Y" ? .good : value == "N" ? .act : .neutral
        case .ppMatch, .applied: return value == "Y" ? .good : value == "N" ? .watch : .neutral
        // A failing host's name says so too, whichever columns are in view.
        case .status, .host: return row.status == "OK" ? .neutral : row.status == "UNK" ? .watch : .act
        case .tcQuar: return value == "YES" ? .act : .neutral
        // Hosts reboot between tasks: a long uptime is a host that stopped doing so.
        case .uptime: return age(v.uptimeS, good: 3600, watch: 6 * 3600)
        case .ppLast: return v.ppFailed == true ? .act : age(v.ppLastS, good: 3600, watch: 6 * 3600)
        case .tcAct: return age(v.tcActS, good: 300, watch: 3600)
        case .tcTaskDuration:
            switch v.tcTaskState?.uppercased() {
            case "COMPLETED": return .good
            case "EXCEPTION": return .watch
            case "FAILED": return .act
            default: return .neutral
            }
        // Below 90% of finished jobs completed is a worker to act on; any failure is worth a look.
        case .tcOkPct:
            guard let pct = v.tcOkPct else { return .neutral }
            return pct < 90 ? .act : pct < 100 ? .watch : .good
        // A found worker that ran nothing all day is worth a look.
        case .tcJobs: return v.tcJobs == 0 ? .watch : .neutral
        // A host whose rollout write failed wants action.
        case .rollout:
            guard v.rolloutID != nil else { return .neutral }
            return v.rolloutHostState == RolloutHost.State.failed.rawValue ? .act : .neutral
        case .data: return age([v.auditAgeS, v.tcAgeS].compactMap { $0 }.max(), good: 300, watch: 1800)
        case .note: return value == "-" || value.isEmpty ? .neutral : .watch
        case .os, .role, .vltSHA, .sha, .ppSHA, .ppExp, .pool, .wtOvr: return .neutral
        }
    }

    /// Ages: good below the first threshold (seconds), watch below the second, act after.
    static func age(_ seconds: Int?, good: Int, watch: Int) -> CellVerdict {
        guard let s = seconds else { return .neutral }
        return s < good ? .good : s < watch ? .watch : .act
    }
}
