import Foundation

/// A host's jobs over a time window: the input of the TC_JOBS / TC_OK% columns and of a
/// rollout's `min_jobs_per_host` and `tc_success_rate_min` gates.
///
/// The rule: a job is a run that started at or after `since` (a run that never started counts
/// from its resolution, a pending one not at all). It succeeded when its state is `completed`,
/// failed when `failed` or `exception`; a run still `running` (or `pending`) is a job but is not
/// finished, so it counts towards neither. Times compare to the whole second (the store keeps
/// epoch seconds). The success rate is succeeded / finished, nil when
/// nothing finished.
public struct JobStats: Sendable, Equatable, Codable {
    public var jobs: Int
    public var succeeded: Int
    public var failed: Int

    /// The window TC_JOBS and TC_OK% count over: the 24 hours before each host's latest scan.
    public static let reportWindow: TimeInterval = 24 * 3600

    public init(jobs: Int = 0, succeeded: Int = 0, failed: Int = 0) {
        self.jobs = jobs; self.succeeded = succeeded; self.failed = failed
    }

    public var finished: Int { succeeded + failed }
    /// Jobs not finished yet (running, or started and still pending).
    public var unfinished: Int { jobs - finished }

    /// succeeded / finished, from 0 to 1; nil when no job finished.
    public var successRate: Double? { finished == 0 ? nil : Double(succeeded) / Double(finished) }

    /// The success rate in whole percent, rounded down, so one failure in 1,000 shows 99, not 100.
    public var okPercent: Int? { finished == 0 ? nil : succeeded * 100 / finished }

    /// The stats of one host's runs since `since`.
    public static func of(_ runs: some Sequence<TaskRun>, since: Date) -> JobStats {
        var s = JobStats()
        let from = since.timeIntervalSince1970.rounded(.down)
        for run in runs {
            guard let at = run.countedFrom, at.timeIntervalSince1970.rounded(.down) >= from else { continue }
            s.jobs += 1
            switch run.outcome {
            case .succeeded: s.succeeded += 1
            case .failed: s.failed += 1
            case .unfinished: break
            }
        }
        return s
    }

    /// Each host's stats since `since`; a host without any stored run has none (no data), which
    /// is not the same as a host whose runs all started before `since` (0 jobs).
    public static func perHost(_ runs: [String: [TaskRun]], hosts: [String], since: Date) -> [String: JobStats?] {
        var out: [String: JobStats?] = [:]
        for host in hosts {
            if let r = runs[host], !r.isEmpty { out[host] = .some(of(r, since: since)) } else { out[host] = .some(nil) }
        }
        return out
    }

    /// What a gate takes per host: `jobs` and `succeeded`, both nil when there is no data.
    public static func gateCounts(_ stats: JobStats?) -> (jobs: Int?, succeeded: Int?) {
        (stats?.jobs, stats?.succeeded)
    }
}
