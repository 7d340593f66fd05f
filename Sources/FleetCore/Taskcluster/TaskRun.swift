import Foundation

/// One run of one task on a host's worker, as Taskcluster reported it (a pool scan's latest
/// task, or the worker's `recentTasks`). A task retried on the same worker has several runs;
/// a run's state moves from `pending`/`running` to `completed`, `failed` or `exception`.
public struct TaskRun: Codable, Sendable, Equatable, Hashable {
    public var host: String
    public var taskId: String
    public var runId: Int
    /// Taskcluster's run state, in lower case.
    public var state: String
    public var started: String?
    public var resolved: String?

    public init(host: String, taskId: String, runId: Int, state: String, started: String?, resolved: String?) {
        self.host = host; self.taskId = taskId; self.runId = runId
        self.state = state.lowercased(); self.started = started; self.resolved = resolved
    }

    enum CodingKeys: String, CodingKey {
        case host, state, started, resolved
        case taskId = "task_id", runId = "run_id"
    }

    /// How a run ended, for the job counts.
    public enum Outcome: Sendable, Equatable {
        case succeeded, failed, unfinished
    }

    public static let succeededStates: Set<String> = ["completed"]
    public static let failedStates: Set<String> = ["failed", "exception"]
    /// States a stored run never goes back to once it is in one of them.
    public static let finalStates = succeededStates.union(failedStates)

    public var outcome: Outcome {
        Self.succeededStates.contains(state) ? .succeeded : Self.failedStates.contains(state) ? .failed : .unfinished
    }

    /// The time a run counts from: when it started, or, for a run that never started (an
    /// exception before a worker claimed it), when it was resolved. Nil for a run still pending.
    public var countedFrom: Date? {
        (started.flatMap(Timestamp.parse)) ?? (resolved.flatMap(Timestamp.parse))
    }
}
