import Foundation

/// A lab host's Taskcluster worker. Times are given relative to when the lab answers
/// (`*_ago` seconds in the past, `quarantine_in` seconds ahead, negative for the past), so a
/// scenario stays current however long the lab runs.
public struct WorkerScenario: Codable, Sendable, Equatable {
    public var state: String?
    public var lastActiveAgo: Int?
    // The latest task, for a worker without `recent_tasks`:
    public var taskState: String?
    public var taskStartedAgo: Int?
    /// Task duration; omit for a task still running.
    public var taskDuration: Int?
    public var quarantineIn: Int?
    /// `provisioner/workerType`; default: the pool of the host's role.
    public var pool: String?
    /// The worker's recent runs, newest first, as `worker(...) { recentTasks }` answers them.
    /// When given, the first is the pool scan's latest task (the `task_*` keys are then not used).
    public var recentTasks: [RecentRunScenario]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case state, pool
        case lastActiveAgo = "last_active_ago", taskState = "task_state", taskStartedAgo = "task_started_ago"
        case taskDuration = "task_duration", quarantineIn = "quarantine_in", recentTasks = "recent_tasks"
    }
}

/// One run of a worker's recent tasks.
public struct RecentRunScenario: Codable, Sendable, Equatable {
    /// completed, failed, exception or running (default: completed, or running without a duration).
    public var state: String?
    public var startedAgo: Int
    /// Omit for a run still going.
    public var duration: Int?
    /// Default: one made from the worker and the run's place in the list.
    public var taskId: String?
    public var runId: Int?

    public init(state: String? = nil, startedAgo: Int, duration: Int? = nil) {
        self.state = state; self.startedAgo = startedAgo; self.duration = duration
    }

    enum CodingKeys: String, CodingKey {
        case state, duration
        case startedAgo = "started_ago", taskId = "task_id", runId = "run_id"
    }
}

/// The fake Taskcluster: paging and faults.
public struct TaskclusterScenario: Codable, Sendable, Equatable {
    /// Workers per GraphQL page (the real service allows up to 1000).
    public var pageSize: Int?
    /// Pools that always answer HTTP 500.
    public var failing: [String]?
    /// Pools that answer 500 this many times before they answer properly.
    public var flaky: [String: Int]?
    /// Pools whose answer carries GraphQL errors next to the data.
    public var partialErrors: [String]?
    /// Every answer waits this long.
    public var slowMs: Int?
    /// Extra worker types of releng-hardware (Windows pools).
    public var workerTypes: [String]?
    /// Worker ids whose `worker(...)` query (their recent tasks) answers HTTP 500.
    public var historyFailing: [String]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case failing, flaky
        case pageSize = "page_size", partialErrors = "partial_errors", slowMs = "slow_ms", workerTypes = "worker_types"
        case historyFailing = "history_failing"
    }
}

/// The fake GitHub: repositories with their branch heads, and faults.
public struct GitHubScenario: Codable, Sendable, Equatable {
    /// `owner/repo` → branch → SHA.
    public var repos: [String: [String: String]]
    public var pageSize: Int?
    /// Repositories that answer 403.
    public var forbidden: [String]?
    /// Windows pool name → image hash, served as pools.yml.
    public var windowsPools: [String: String]?

    public init(repos: [String: [String: String]]) { self.repos = repos }

    enum CodingKeys: String, CodingKey {
        case repos, forbidden
        case pageSize = "page_size", windowsPools = "windows_pools"
    }
}

/// A puppet run the lab host goes through at start: a stand-in for `puppet apply` in a real git
/// checkout of the lab's ronin_puppet repository, followed by fleetroll's `write_puppet_state`,
/// so the state file gather-host reads is one our function wrote.
public struct PuppetRunScenario: Codable, Sendable, Equatable {
    /// The lab commit to check out (a name from the scenario's `commits`; default `master`).
    public var commit: String?
    /// Check out the commit's branch (default) or a detached HEAD, like the Linux wrapper does.
    public var detached: Bool?
    /// Owner in the checkout's origin URL and path (default mozilla-platform-ops).
    public var owner: String?
    /// puppet's detailed exit code (default 2).
    public var exitCode: Int?
    public var duration: Int?
    /// Leave an untracked file in the checkout.
    public var dirty: Bool?
    /// The override file was put in place after this run (so puppet has not applied it yet).
    public var overrideAfterRun: Bool?

    // What the stand-in wrapper does when it is run on demand (`sudo run-puppet.sh`, as
    // host-run-puppet does), after the run at start described above:
    /// puppet's exit code for each attempt (default 2, changes applied).
    public var runExitCode: Int?
    /// How long each attempt takes, in seconds (default 1).
    public var runSeconds: Int?
    /// Each attempt hangs: it never ends by itself.
    public var runHang: Bool?
    /// Lines of output each attempt prints (default 6), each naming the host and its number.
    public var runOutputLines: Int?
    /// Seconds between attempts when FLEETROLL_SINGLE_RUN is not set (default 2): without it,
    /// the wrapper retries a failed run forever, as the real one does.
    public var retrySeconds: Int?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case commit, detached, owner, duration, dirty
        case exitCode = "exit_code", overrideAfterRun = "override_after_run"
        case runExitCode = "run_exit_code", runSeconds = "run_seconds", runHang = "run_hang"
        case runOutputLines = "run_output_lines", retrySeconds = "retry_seconds"
    }
}
