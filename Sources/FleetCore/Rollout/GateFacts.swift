import Foundation

extension GateHostFacts {
    /// A host's gate facts from its report row (the one rule for APPLIED, HEALTHY and the
    /// worker's state) and its task counts since the stage was applied.
    public init(row: HostRow, jobs: Int?, succeeded: Int?) {
        self.init(host: row.host)
        // "UNK": never gathered, so reachability is unknown.
        sshable = row.status == "UNK" ? nil : row.status == "OK"
        applied = row.values.applied
        healthy = row.values.healthy
        switch row.health.worker {
        case .found(let ago, let quarantined): tcOnline = !quarantined && (ago.map { $0 < Health.activeWithinSeconds } ?? false)
        case .notFound: tcOnline = false
        case .noData, .noPool, .scanFailed: tcOnline = nil
        }
        puppetFailed = row.values.ppFailed
        if let audit = row.clock.audit, let ago = row.values.ppLastS {
            puppetRunAt = Date(timeIntervalSince1970: TimeInterval(audit - ago))
        }
        self.jobs = jobs
        self.succeeded = succeeded
    }
}

/// Task counts for the job gates.
public enum TaskCounts {
    /// What the latest worker record alone can say about tasks since `since`: its one task, if
    /// it started after `since` (1 task, a lower bound; succeeded when it completed), else 0 (the
    /// latest task started before, so none started since). nil without a worker record.
    ///
    /// The fallback for a host with no stored task run (a store from before the task history):
    /// the history gives the real counts through the same `(jobs, succeeded)` pair
    /// (`RolloutFacts` in FleetOps).
    public static func fromLatestTask(_ worker: WorkerRecord?, since: Date?) -> (jobs: Int?, succeeded: Int?) {
        guard let worker, worker.type == .worker, let since else { return (nil, nil) }
        guard let started = worker.taskStarted.flatMap(Timestamp.parse) else { return (nil, nil) }
        guard started >= since else { return (0, 0) }
        // A task still running has no outcome yet: it does not count.
        guard worker.taskResolved != nil, let state = worker.taskState else { return (0, 0) }
        return (1, state == "completed" ? 1 : 0)
    }
}
