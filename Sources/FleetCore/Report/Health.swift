/// HEALTHY in three values: `N` when anything about the host is known to be wrong, `Y` only
/// when everything is known to be right, `-` when nothing is known wrong but something is not
/// known. One rule for every view (table, JSON, live view, web, rollout gates).
///
/// The old tool said `Y` for a quarantined worker and `-` for hosts that were unreachable or
/// whose puppet run had failed, so `healthy=n` missed most hosts an operator had to act on.
public enum Health {
    /// A worker that took no work for longer than this is not healthy.
    public static let activeWithinSeconds = 3600

    /// What HEALTHY is judged from, each part as the row knows it.
    public struct Parts: Sendable, Equatable {
        public enum Gather: Sendable, Equatable {
            case never
            /// The latest gather failed: its error class (capitals, as STATUS shows it) and message.
            case failed(status: String, message: String?)
            case ok
        }

        public enum Worker: Sendable, Equatable {
            /// gather-tc has no record for the host.
            case noData
            /// No pool is known for the host's role; the reason says why.
            case noPool(String?)
            /// The pool could not be scanned.
            case scanFailed
            /// The pool was scanned and the worker is not in it.
            case notFound(pool: String?)
            /// The worker, with how long ago it was last active (nil: never) and its quarantine.
            case found(activeAgoS: Int?, quarantined: Bool)
        }

        public var gather: Gather
        public var ppMatch: Bool?
        /// Why PP_MATCH is `N` (beyond a failed run) or unknown; nil when nothing was gathered.
        public var ppMatchReason: String?
        public var applied: Bool?
        /// Why APPLIED is `N` or unknown.
        public var appliedReason: String?
        /// The last puppet run's outcome: true failed, false succeeded, nil unknown.
        public var puppetFailed: Bool?
        public var puppetExitCode: Int?
        public var worker: Worker

        public init(gather: Gather, ppMatch: Bool? = nil, ppMatchReason: String? = nil, applied: Bool? = nil,
                    appliedReason: String? = nil, puppetFailed: Bool? = nil, puppetExitCode: Int? = nil, worker: Worker = .noData) {
            self.gather = gather; self.ppMatch = ppMatch; self.ppMatchReason = ppMatchReason
            self.applied = applied; self.appliedReason = appliedReason
            self.puppetFailed = puppetFailed; self.puppetExitCode = puppetExitCode; self.worker = worker
        }
    }

    public struct Verdict: Sendable, Equatable {
        /// true `Y`, false `N`, nil `-`.
        public var healthy: Bool?
        /// Each part that is wrong (first) or unknown, in words; empty when `Y`.
        public var reasons: [String]

        public var cell: String { healthy.map { $0 ? "Y" : "N" } ?? "-" }
    }

    public static func evaluate(_ p: Parts) -> Verdict {
        var bad: [String] = []
        var unknown: [String] = []

        switch p.gather {
        case .never: unknown.append("never gathered")
        case .failed(let status, let message):
            bad.append("the latest gather failed (\(status))" + (message.map { ": \($0)" } ?? ""))
        case .ok: break
        }

        // A failed run makes PP_MATCH and APPLIED `N` too; it is said once.
        if p.puppetFailed == true {
            bad.append("the last puppet run failed" + (p.puppetExitCode.map { " (exit \($0))" } ?? ""))
        }
        switch p.ppMatch {
        case true?: break
        case false?:
            // After a failed run PP_MATCH is N anyway; a reason given on top (a wrong commit) still counts.
            if p.puppetFailed != true || p.ppMatchReason != nil {
                bad.append("PP_MATCH N: " + (p.ppMatchReason ?? "puppet did not apply the expected commit"))
            }
        case nil:
            // No reason means no gathered data at all, which the gather part already says.
            if let why = p.ppMatchReason { unknown.append("PP_MATCH unknown: " + why) }
        }
        if p.applied == false, p.puppetFailed != true {
            bad.append("APPLIED N: " + (p.appliedReason ?? "the files on the host are not what puppet applied"))
        }

        switch p.worker {
        case .noData: unknown.append("no Taskcluster data (run gather-tc)")
        case .noPool(let why): unknown.append("no Taskcluster pool" + (why.map { ": \($0)" } ?? ""))
        case .scanFailed: unknown.append("the Taskcluster scan of its pool failed")
        case .notFound(let pool): bad.append("no Taskcluster worker for it" + (pool.map { " in \($0)" } ?? ""))
        case .found(let ago, let quarantined):
            if quarantined { bad.append("the Taskcluster worker is quarantined") }
            if let ago {
                if ago >= activeWithinSeconds { bad.append("the worker was last active \(Durations.humanize(ago)) ago") }
            } else {
                bad.append("Taskcluster has no activity recorded for the worker")
            }
        }

        if !bad.isEmpty { return Verdict(healthy: false, reasons: bad + unknown) }
        if !unknown.isEmpty { return Verdict(healthy: nil, reasons: unknown) }
        return Verdict(healthy: true, reasons: [])
    }
}
