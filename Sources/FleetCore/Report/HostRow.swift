import Foundation

/// One host's line in the report: the display strings every view shows (table, JSON, TUI, web),
/// plus typed values for scripts.
///
/// Most fields live in one shared box, copied only when a shared row is changed: a report moves
/// each of 10,000 rows through several arrays (chunks, natural order, filter, sort), and a copy of
/// the fields themselves cost a reference count per string in them.
public struct HostRow: Sendable, Equatable {
    public var host: String {
        get { storage.host }
        _modify { unique(); yield &storage.host }
    }
    /// Display strings by column; every column has a value.
    public var cells: Cells {
        get { storage.cells }
        _modify { unique(); yield &storage.cells }
    }
    /// `OK`, `UNK` (never gathered) or the latest gather's error class in capitals.
    public var status: String {
        get { storage.status }
        _modify { unique(); yield &storage.status }
    }
    public var error: String? {
        get { storage.error }
        _modify { unique(); yield &storage.error }
    }
    /// The latest gather's error class, when it failed.
    public var errorClass: ErrorClass? {
        get { storage.errorClass }
        _modify { unique(); yield &storage.errorClass }
    }
    /// Kept beside the box, with `health`: the live view's tick changes them on every row
    /// every second, and a change inside a box that the view's arrays share would copy the box.
    public var values = RowValues()
    /// The override's branch (for `sha=<branch>` and sorting OVR_BCH by branch).
    public var overrideBranch: String? {
        get { storage.overrideBranch }
        _modify { unique(); yield &storage.overrideBranch }
    }
    /// The override's full SHA-256.
    public var overrideSHA: String? {
        get { storage.overrideSHA }
        _modify { unique(); yield &storage.overrideSHA }
    }
    /// The times the aging cells are counted from (`RowBuilder.age(_:to:)`).
    public var clock: RowClock {
        get { storage.clock }
        _modify { unique(); yield &storage.clock }
    }
    /// What HEALTHY was judged from; its Taskcluster part is judged again as the clock moves.
    public var health = Health.Parts(gather: .never)

    private var storage: Storage

    public init(host: String, cells: [ReportColumn: String], status: String) {
        storage = Storage(host: host, status: status)
        for (c, v) in cells { storage.cells[c] = v }
    }

    public subscript(_ column: ReportColumn) -> String { storage.cells.values[column.ordinal] }

    public static func == (a: HostRow, b: HostRow) -> Bool {
        a.values == b.values && a.health == b.health && (a.storage === b.storage || a.storage.fields == b.storage.fields)
    }

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
    }

    /// The fields, as one value (for equality and for the copy a change of a shared row makes).
    struct Fields: Equatable {
        var host: String
        var cells = Cells()
        var status: String
        var error: String?
        var errorClass: ErrorClass?
        var overrideBranch: String?
        var overrideSHA: String?
        var clock = RowClock()
    }

    /// Changed only through `unique()`, so a box that two rows share is never written: that is
    /// what makes it safe to send.
    private final class Storage: @unchecked Sendable {
        var fields: Fields

        init(_ fields: Fields) { self.fields = fields }
        convenience init(host: String, status: String) { self.init(Fields(host: host, status: status)) }

        var host: String { get { fields.host } _modify { yield &fields.host } }
        var cells: Cells { get { fields.cells } _modify { yield &fields.cells } }
        var status: String { get { fields.status } _modify { yield &fields.status } }
        var error: String? { get { fields.error } _modify { yield &fields.error } }
        var errorClass: ErrorClass? { get { fields.errorClass } _modify { yield &fields.errorClass } }
        var overrideBranch: String? { get { fields.overrideBranch } _modify { yield &fields.overrideBranch } }
        var overrideSHA: String? { get { fields.overrideSHA } _modify { yield &fields.overrideSHA } }
        var clock: RowClock { get { fields.clock } _modify { yield &fields.clock } }
    }
}

/// One string per column, in a fixed array: a fleet's rows are 20 short strings each, and a
/// dictionary per row cost more memory and hashing than the strings themselves.
public struct Cells: Sendable, Equatable {
    public var values = [String](repeating: "", count: ReportColumn.allCases.count)

    public init() {}

    public subscript(_ column: ReportColumn) -> String? {
        get { values[column.ordinal] }
        set { values[column.ordinal] = newValue ?? "" }
    }
}

/// The epochs a row's aging cells count from, and what its Taskcluster record said.
public struct RowClock: Sendable, Equatable {
    public var lastActive: Int?
    public var tcScan: Int?
    public var audit: Int?
    public var quarantineUntil: Double?
    /// When the latest gather, and the latest successful one, were stored (the live view's
    /// `updated=` and `[stale]`).
    public var latest: Int?
    public var lastOK: Int?
    public var workerKind: WorkerRecord.Kind?
    public var workerNote: String?
    public var pool: String?
    /// DATA's first half when there is no gather to age (`?` never gathered, `-` no good data).
    public var dataPrefix: String?

    public init() {}

    var isWorker: Bool { workerKind == .worker }

    /// HEALTHY's Taskcluster part at a given activity and quarantine.
    func worker(activeAgoS: Int?, quarantined: Bool) -> Health.Parts.Worker {
        switch workerKind {
        case nil: return .noData
        case .noPool?: return .noPool(workerNote)
        case .scanFailed?: return .scanFailed
        case .notFound?: return .notFound(pool: pool)
        case .worker?: return .found(activeAgoS: activeAgoS, quarantined: quarantined)
        }
    }
}

/// The row's facts as numbers and booleans, for `--json`.
public struct RowValues: Codable, Sendable, Equatable {
    public var uptimeS: Int?
    public var ppLastS: Int?
    public var ppFailed: Bool?
    public var tcActS: Int?
    public var tcTaskDurationS: Int?
    public var tcTaskRunning: Bool?
    /// The last task's state as Taskcluster says it (completed, failed, exception, running, ...).
    public var tcTaskState: String?
    public var quarantined: Bool?
    public var auditAgeS: Int?
    public var tcAgeS: Int?
    public var ppMatch: Bool?
    public var applied: Bool?
    public var appliedReason: String?
    public var healthy: Bool?
    /// Each part of HEALTHY that is wrong or unknown, in words (empty when HEALTHY is `Y`).
    public var healthyReasons: [String] = []
    /// Why PP_MATCH is `N` or unknown.
    public var ppMatchReason: String?
    public var expectedSHA: String?
    /// The worker's jobs over the report's window (`JobStats.reportWindow`): all of them, the
    /// ones that completed, the ones that failed or ended in an exception, and the percentage of
    /// finished ones that completed (TC_JOBS, TC_OK%).
    public var tcJobs: Int?
    public var tcJobsOK: Int?
    public var tcJobsFailed: Int?
    public var tcOkPct: Int?
    /// The rollout holding the host, the host's stage index in it (0: the canary; nil: no stage
    /// took it yet) and its state there (ROLLOUT).
    public var rolloutID: String?
    public var rolloutStage: Int?
    public var rolloutHostState: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case uptimeS = "uptime_s", ppLastS = "pp_last_s", ppFailed = "pp_failed", tcActS = "tc_act_s"
        case tcTaskDurationS = "tc_t_dur_s", tcTaskRunning = "tc_task_running", tcTaskState = "tc_task_state", quarantined
        case auditAgeS = "audit_age_s", tcAgeS = "tc_age_s", ppMatch = "pp_match", applied
        case appliedReason = "applied_reason", healthy, healthyReasons = "healthy_reasons"
        case ppMatchReason = "pp_match_reason", expectedSHA = "expected_sha"
        case tcJobs = "tc_jobs", tcJobsOK = "tc_jobs_ok", tcJobsFailed = "tc_jobs_failed", tcOkPct = "tc_ok_pct"
        case rolloutID = "rollout_id", rolloutStage = "rollout_stage", rolloutHostState = "rollout_host_state"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(uptimeS, forKey: .uptimeS)
        try c.encode(ppLastS, forKey: .ppLastS)
        try c.encode(ppFailed, forKey: .ppFailed)
        try c.encode(tcActS, forKey: .tcActS)
        try c.encode(tcTaskDurationS, forKey: .tcTaskDurationS)
        try c.encode(tcTaskRunning, forKey: .tcTaskRunning)
        try c.encode(tcTaskState, forKey: .tcTaskState)
        try c.encode(quarantined, forKey: .quarantined)
        try c.encode(auditAgeS, forKey: .auditAgeS)
        try c.encode(tcAgeS, forKey: .tcAgeS)
        try c.encode(ppMatch, forKey: .ppMatch)
        try c.encode(applied, forKey: .applied)
        try c.encode(appliedReason, forKey: .appliedReason)
        try c.encode(healthy, forKey: .healthy)
        try c.encode(healthyReasons, forKey: .healthyReasons)
        try c.encode(ppMatchReason, forKey: .ppMatchReason)
        try c.encode(expectedSHA, forKey: .expectedSHA)
        try c.encode(tcJobs, forKey: .tcJobs)
        try c.encode(tcJobsOK, forKey: .tcJobsOK)
        try c.encode(tcJobsFailed, forKey: .tcJobsFailed)
        try c.encode(tcOkPct, forKey: .tcOkPct)
        try c.encode(rolloutID, forKey: .rolloutID)
        try c.encode(rolloutStage, forKey: .rolloutStage)
        try c.encode(rolloutHostState, forKey: .rolloutHostState)
    }
}

/// Everything the report knows, gathered by the store layer; building rows from it is pure.
public struct ReportInputs: Sendable {
    /// Each gathered host's latest observation and latest successful one.
    public var history: [String: HostFacts] = [:]
    public var workers: [String: WorkerRecord] = [:]
    /// Branch heads of the latest GitHub run, keyed `owner/repo:branch`.
    public var refs: [String: BranchRef] = [:]
    /// Windows pool name → image hash.
    public var windowsPools: [String: String] = [:]
    /// Override files by SHA-256.
    public var overrides: [String: OverrideFile] = [:]
    /// Override SHA-256s whose file is not in the content store (looked for once).
    public var missingOverrides: Set<String> = []
    /// Friendly names (links in the vault store) by vault SHA-256.
    public var vaultNames: [String: String] = [:]
    /// VLT_SHA cells already made, by vault SHA-256.
    public var vaultLabels: [String: String] = [:]
    /// Display text of each host's notes.
    public var notes: [String: String] = [:]
    /// Each host's jobs over `JobStats.reportWindow` (hosts without one in it are absent).
    public var jobStats: [String: JobStats] = [:]
    /// The rollout holding each host (active, paused, rolling back or finalizing).
    public var rollouts: [String: RolloutMembership] = [:]
    public var now = Date()

    public init() {}
}
