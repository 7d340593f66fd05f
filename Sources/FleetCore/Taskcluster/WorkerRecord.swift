import Foundation

/// What a Taskcluster scan recorded for one host (`tc_workers.data`). The keys are the old
/// tool's; `type` says whether the worker was found.
public struct WorkerRecord: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// The pool was scanned and the host's worker is in it.
        case worker
        /// The pool was scanned and the host's worker is not in it.
        case notFound = "not_found"
        /// The pool could not be scanned; nothing is known about the worker now.
        case scanFailed = "scan_failed"
        /// No pool is known for the host (no role, or a role without a pool).
        case noPool = "no_pool"
    }

    public var type: Kind
    /// When the scan started; the same for every host of one run.
    public var ts: String
    public var host: String
    public var workerId: String
    public var provisioner: String?
    public var workerType: String?
    public var viaOverride: Bool?
    public var workerGroup: String?
    public var state: String?
    public var lastDateActive: String?
    public var firstClaim: String?
    public var taskId: String?
    public var taskStarted: String?
    public var taskResolved: String?
    public var taskState: String?
    public var quarantineUntil: String?
    /// Why there is no worker data (not found, scan error, no pool).
    public var note: String?

    public init(type: Kind, ts: String, host: String, workerId: String) {
        self.type = type; self.ts = ts; self.host = host; self.workerId = workerId
    }

    enum CodingKeys: String, CodingKey {
        case type, ts, host, provisioner, state, note
        case workerId = "worker_id", workerType = "worker_type", viaOverride = "via_override", workerGroup = "worker_group"
        case lastDateActive = "last_date_active", firstClaim = "first_claim", taskId = "task_id"
        case taskStarted = "task_started", taskResolved = "task_resolved", taskState = "task_state"
        case quarantineUntil = "quarantine_until"
    }

    /// The worker id Taskcluster uses for a host: its short name.
    public static func workerId(for host: HostTarget) -> String {
        String(host.host.split(separator: ".").first ?? Substring(host.host))
    }

    /// Quarantined now: `quarantine_until` is a time after `now` (a zone-less time is UTC).
    public func isQuarantined(now: Date = Date()) -> Bool {
        guard let q = quarantineUntil, let until = Timestamp.parse(q) else { return false }
        return until > now
    }
}

extension WorkerRecord {
    /// Only the fields the report's cells are built from (the store keeps these as columns).
    public var reportFields: WorkerRecord {
        var w = WorkerRecord(type: type, ts: ts, host: host, workerId: "")
        w.workerType = workerType
        w.provisioner = provisioner
        w.lastDateActive = lastDateActive
        w.quarantineUntil = quarantineUntil
        w.taskStarted = taskStarted
        w.taskResolved = taskResolved
        w.taskState = taskState
        w.note = note
        return w
    }
}
