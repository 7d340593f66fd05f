import FleetCore
import Foundation
import GRDB

/// One row of `host_observations`: the record as JSON, plus the columns queries and the report
/// read (`ObservationFacts`), derived from the record when it is stored.
struct StoredObservation: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "host_observations"
    var id: Int64?
    var host: String
    var ts: String
    var ok: Bool
    var errorClass: String?
    var data: String
    var error: String?
    var hasObserved: Bool
    var osType: String?
    var uptimeS: Int?
    var rolePresent: Bool
    var role: String?
    var overridePresent: Bool
    var overrideSHA256: String?
    var vaultPresent: Bool
    var vaultSHA256: String?
    var puppetTS: String?
    var puppetLastRunEpoch: Int?
    var puppetSuccess: Bool?
    var puppetExitCode: Int?
    var puppetGitSHA: String?
    var puppetOverrideSHA: String?
    var puppetVaultSHA: String?
    var roleKind: String?
    var overrideKind: String?
    var puppetStateError: String?

    enum CodingKeys: String, CodingKey {
        case id, host, ts, ok, data, error, role
        case errorClass = "error_class", hasObserved = "has_observed", osType = "os_type", uptimeS = "uptime_s"
        case rolePresent = "role_present", overridePresent = "override_present", overrideSHA256 = "override_sha256"
        case vaultPresent = "vault_present", vaultSHA256 = "vault_sha256", puppetTS = "puppet_ts"
        case puppetLastRunEpoch = "puppet_last_run_epoch", puppetSuccess = "puppet_success", puppetExitCode = "puppet_exit_code"
        case puppetGitSHA = "puppet_git_sha", puppetOverrideSHA = "puppet_override_sha", puppetVaultSHA = "puppet_vault_sha"
        case roleKind = "role_kind", overrideKind = "override_kind", puppetStateError = "puppet_state_error"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let host = Column(CodingKeys.host)
        static let ok = Column(CodingKeys.ok)
        static let data = Column(CodingKeys.data)
    }

    init(_ record: HostObservation) throws {
        let facts = ObservationFacts(id: 0, record: record)
        let o = facts.observed
        host = record.host
        ts = record.ts
        ok = record.ok
        errorClass = record.errorClass?.rawValue
        data = try StoredJSON.string(record)
        error = facts.error
        hasObserved = o != nil
        osType = o?.osType
        uptimeS = o?.uptimeS
        rolePresent = o?.rolePresent ?? false
        role = o?.role
        overridePresent = o?.overridePresent ?? false
        overrideSHA256 = o?.overrideSHA256
        vaultPresent = o?.vaultPresent ?? false
        vaultSHA256 = o?.vaultSHA256
        puppetTS = o?.puppet.ts
        puppetLastRunEpoch = o?.puppet.lastRunEpoch
        puppetSuccess = o?.puppet.success
        puppetExitCode = o?.puppet.exitCode
        puppetGitSHA = o?.puppet.gitSHA
        puppetOverrideSHA = o?.puppet.overrideSHA
        puppetVaultSHA = o?.puppet.vaultSHA
        roleKind = o?.roleKind?.rawValue
        overrideKind = o?.overrideKind?.rawValue
        puppetStateError = o?.puppetStateError
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The report columns added by the v4 migration, and where each comes from in the JSON.
    static let reportColumns: [(String, Database.ColumnType)] = [
        ("error", .text), ("has_observed", .boolean), ("os_type", .text), ("uptime_s", .integer),
        ("role_present", .boolean), ("role", .text), ("override_present", .boolean), ("override_sha256", .text),
        ("vault_present", .boolean), ("vault_sha256", .text), ("puppet_ts", .text), ("puppet_last_run_epoch", .integer),
        ("puppet_success", .boolean), ("puppet_exit_code", .integer), ("puppet_git_sha", .text),
        ("puppet_override_sha", .text), ("puppet_vault_sha", .text),
        ("role_kind", .text), ("override_kind", .text), ("puppet_state_error", .text),
    ]

    /// `SET` assignments that fill the report columns of records stored before they existed.
    static let reportColumnsFromJSON: String = {
        func o(_ key: String) -> String { "json_extract(data, '$.observed.\(key)')" }
        let pairs = [
            ("error", "COALESCE(json_extract(data, '$.error'), json_extract(data, '$.stderr'))"),
            ("has_observed", "json_type(data, '$.observed') = 'object'"),
            ("os_type", o("os_type")), ("uptime_s", o("uptime_s")),
            ("role_present", "COALESCE(\(o("role_present")), 0)"), ("role", o("role")),
            ("override_present", "COALESCE(\(o("override_present")), 0)"), ("override_sha256", o("override_sha256")),
            ("vault_present", "COALESCE(\(o("vault_present")), 0)"), ("vault_sha256", o("vault_sha256")),
            ("puppet_ts", o("puppet_state_ts")), ("puppet_last_run_epoch", o("puppet_last_run_epoch")),
            ("puppet_success", o("puppet_success")), ("puppet_exit_code", o("puppet_exit_code")),
            ("puppet_git_sha", o("puppet_git_sha")), ("puppet_override_sha", o("puppet_override_sha_applied")),
            ("puppet_vault_sha", o("puppet_vault_sha_applied")),
            ("role_kind", o("role_kind")), ("override_kind", o("override_kind")), ("puppet_state_error", o("puppet_state_error")),
        ]
        return pairs.map { "\($0.0) = \($0.1)" }.joined(separator: ", ")
    }()

    /// The columns `facts(_:)` reads, in its order.
    static let factsSelection = "id, ts, ok, error_class, error, has_observed, os_type, uptime_s, role_present, role, "
        + "override_present, override_sha256, vault_present, vault_sha256, puppet_ts, puppet_last_run_epoch, "
        + "puppet_success, puppet_exit_code, puppet_git_sha, puppet_override_sha, puppet_vault_sha, role_kind, override_kind, puppet_state_error"

    /// Reads a row selected with `factsSelection` by position (the report reads thousands).
    static func facts(_ row: Row, from i: Int = 0) -> ObservationFacts {
        var observed: ObservedState?
        if row[i + 5] as Bool? == true {
            var o = ObservedState()
            o.osType = row[i + 6]
            o.uptimeS = row[i + 7]
            o.rolePresent = row[i + 8] ?? false
            o.role = row[i + 9]
            o.overridePresent = row[i + 10] ?? false
            o.overrideSHA256 = row[i + 11]
            o.vaultPresent = row[i + 12] ?? false
            o.vaultSHA256 = row[i + 13]
            o.puppet.ts = row[i + 14]
            o.puppet.lastRunEpoch = row[i + 15]
            o.puppet.success = row[i + 16]
            o.puppet.exitCode = row[i + 17]
            o.puppet.gitSHA = row[i + 18]
            o.puppet.overrideSHA = row[i + 19]
            o.puppet.vaultSHA = row[i + 20]
            o.roleKind = (row[i + 21] as String?).flatMap(HostFileKind.init(rawValue:))
            o.overrideKind = (row[i + 22] as String?).flatMap(HostFileKind.init(rawValue:))
            o.puppetStateError = row[i + 23]
            observed = o
        }
        let cls: String? = row[i + 3]
        return ObservationFacts(id: row[i], ts: row[i + 1], ok: row[i + 2], errorClass: cls.flatMap(ErrorClass.init(rawValue:)),
                                error: row[i + 4], observed: observed)
    }
}

/// `host_summary`: each host's latest observation and latest successful one, kept in the same
/// transaction as every insert.
struct HostSummary: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "host_summary"
    var host: String
    var latestID: Int64
    var latestOKID: Int64?

    enum CodingKeys: String, CodingKey {
        case host
        case latestID = "latest_id", latestOKID = "latest_ok_id"
    }

    enum Columns {
        static let host = Column(CodingKeys.host)
        static let latestID = Column(CodingKeys.latestID)
        static let latestOKID = Column(CodingKeys.latestOKID)
    }
}

/// One row of `tc_workers`: a scan's record for a host, plus the columns the report reads.
struct StoredWorker: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "tc_workers"
    var id: Int64?
    var host: String
    var ts: String
    var type: String
    var data: String
    var workerType: String?
    var provisioner: String?
    var lastDateActive: String?
    var quarantineUntil: String?
    var taskStarted: String?
    var taskResolved: String?
    var taskState: String?
    var note: String?

    enum CodingKeys: String, CodingKey {
        case id, host, ts, type, data, provisioner, note
        case workerType = "worker_type", lastDateActive = "last_date_active", quarantineUntil = "quarantine_until"
        case taskStarted = "task_started", taskResolved = "task_resolved", taskState = "task_state"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let host = Column(CodingKeys.host)
        static let data = Column(CodingKeys.data)
    }

    init(_ r: WorkerRecord) throws {
        host = r.host; ts = r.ts; type = r.type.rawValue; data = try StoredJSON.string(r)
        workerType = r.workerType; provisioner = r.provisioner; lastDateActive = r.lastDateActive
        quarantineUntil = r.quarantineUntil; taskStarted = r.taskStarted; taskResolved = r.taskResolved
        taskState = r.taskState; note = r.note
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    static let reportColumns: [(String, Database.ColumnType)] = [
        ("worker_type", .text), ("provisioner", .text), ("last_date_active", .text), ("quarantine_until", .text),
        ("task_started", .text), ("task_resolved", .text), ("task_state", .text), ("note", .text),
    ]

    static let reportColumnsFromJSON: String = reportColumns.map { "\($0.0) = json_extract(data, '$.\($0.0)')" }.joined(separator: ", ")

    static let factsSelection = "host, ts, type, worker_type, provisioner, last_date_active, quarantine_until, "
        + "task_started, task_resolved, task_state, note"

    /// The report's fields of a record (`WorkerRecord.reportFields`), from a row selected with
    /// `factsSelection`; nil for a type this version does not know.
    static func facts(_ row: Row) -> WorkerRecord? {
        guard let kind = WorkerRecord.Kind(rawValue: row[2]) else { return nil }
        var w = WorkerRecord(type: kind, ts: row[1], host: row[0], workerId: "")
        w.workerType = row[3]; w.provisioner = row[4]; w.lastDateActive = row[5]; w.quarantineUntil = row[6]
        w.taskStarted = row[7]; w.taskResolved = row[8]; w.taskState = row[9]; w.note = row[10]
        return w
    }
}

/// `github_refs`: a branch head seen by a GitHub run.
struct StoredBranchRef: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "github_refs"
    var id: Int64?
    var owner: String
    var repo: String
    var branch: String
    var ts: String
    var sha: String
    var data: String

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let owner = Column(CodingKeys.owner)
        static let repo = Column(CodingKeys.repo)
        static let branch = Column(CodingKeys.branch)
        static let data = Column(CodingKeys.data)
    }

    init(_ r: BranchRef) throws {
        owner = r.owner; repo = r.repo; branch = r.branch; ts = r.ts; sha = r.sha; data = try StoredJSON.string(r)
    }
}

/// `windows_pools`: a Windows pool's image hash from pools.yml.
struct StoredWindowsPool: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "windows_pools"
    var id: Int64?
    var poolName: String
    var ts: String
    var hash: String
    var data: String

    enum CodingKeys: String, CodingKey {
        case id, ts, hash, data
        case poolName = "pool_name"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let poolName = Column(CodingKeys.poolName)
        static let data = Column(CodingKeys.data)
    }

    init(_ p: WindowsPoolHash) throws {
        poolName = p.poolName; ts = p.ts; hash = p.hash; data = try StoredJSON.string(p)
    }
}

/// `collector_runs`: one row per gather-tc or gather-gh run.
struct StoredCollectorRun: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "collector_runs"
    var id: Int64?
    var collector: String
    var ts: String
    var epoch: Int
    var ok: Bool
    var data: String

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let collector = Column(CodingKeys.collector)
        static let ts = Column(CodingKeys.ts)
        static let epoch = Column(CodingKeys.epoch)
        static let ok = Column(CodingKeys.ok)
    }
}

/// `notes`: one operator note (or a clearing) of a host.
struct StoredNote: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "notes"
    var id: Int64?
    var host: String
    var ts: String
    var data: String

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let host = Column(CodingKeys.host)
        static let ts = Column(CodingKeys.ts)
        static let data = Column(CodingKeys.data)
    }
}

/// `tc_task_runs`: one run of a task on a host's worker, updated as its state moves on.
struct StoredTaskRun: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "tc_task_runs"
    var host: String
    var taskId: String
    var runId: Int
    var state: String
    var started: String?
    var resolved: String?
    var atEpoch: Int?
    var seenEpoch: Int

    enum CodingKeys: String, CodingKey {
        case host, state, started, resolved
        case taskId = "task_id", runId = "run_id", atEpoch = "at_epoch", seenEpoch = "seen_epoch"
    }

    enum Columns {
        static let host = Column(CodingKeys.host)
        static let taskId = Column(CodingKeys.taskId)
        static let runId = Column(CodingKeys.runId)
        static let state = Column(CodingKeys.state)
        static let atEpoch = Column(CodingKeys.atEpoch)
        static let seenEpoch = Column(CodingKeys.seenEpoch)
    }

    init(_ r: TaskRun, seen: Date) {
        host = r.host; taskId = r.taskId; runId = r.runId; state = r.state; started = r.started; resolved = r.resolved
        atEpoch = r.countedFrom.map { Int($0.timeIntervalSince1970.rounded(.down)) }
        seenEpoch = Int(seen.timeIntervalSince1970.rounded(.down))
    }

    var run: TaskRun { TaskRun(host: host, taskId: taskId, runId: runId, state: state, started: started, resolved: resolved) }
}
