import Foundation

/// One host's line in the report: the display strings every view shows (table, JSON, TUI, web),
/// plus typed values for scripts.
public struct HostRow: Sendable, Equatable {
    public var host: String
    /// Display strings keyed by column; every column has a value.
    public var cells: [ReportColumn: String]
    /// `OK`, `UNK` (never gathered) or the latest gather's error class in capitals.
    public var status: String
    public var error: String?
    public var values = RowValues()
    /// The override's branch (for `sha=<branch>` and sorting OVR_BCH by branch).
    public var overrideBranch: String?
    /// The override's full SHA-256.
    public var overrideSHA: String?

    public init(host: String, cells: [ReportColumn: String], status: String) {
        self.host = host; self.cells = cells; self.status = status
    }

    public subscript(_ column: ReportColumn) -> String { cells[column] ?? "" }
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

    public init() {}

    enum CodingKeys: String, CodingKey {
        case uptimeS = "uptime_s", ppLastS = "pp_last_s", ppFailed = "pp_failed", tcActS = "tc_act_s"
        case tcTaskDurationS = "tc_t_dur_s", tcTaskRunning = "tc_task_running", tcTaskState = "tc_task_state", quarantined
        case auditAgeS = "audit_age_s", tcAgeS = "tc_age_s", ppMatch = "pp_match", applied
        case appliedReason = "applied_reason", healthy, healthyReasons = "healthy_reasons"
        case ppMatchReason = "pp_match_reason", expectedSHA = "expected_sha"
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
    }
}

/// Everything the report knows, gathered by the store layer; building rows from it is pure.
public struct ReportInputs: Sendable {
    public var history: [String: (latest: HostObservation, latestOK: HostObservation?)] = [:]
    public var workers: [String: WorkerRecord] = [:]
    /// Branch heads of the latest GitHub run, keyed `owner/repo:branch`.
    public var refs: [String: BranchRef] = [:]
    /// Windows pool name → image hash.
    public var windowsPools: [String: String] = [:]
    /// Override files by SHA-256.
    public var overrides: [String: OverrideFile] = [:]
    /// Friendly names (links in the vault store) by vault SHA-256.
    public var vaultNames: [String: String] = [:]
    /// VLT_SHA cells already made, by vault SHA-256.
    public var vaultLabels: [String: String] = [:]
    /// Display text of each host's notes.
    public var notes: [String: String] = [:]
    public var now = Date()

    public init() {}
}
