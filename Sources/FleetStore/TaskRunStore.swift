import FleetCore
import Foundation
import GRDB

/// Each host's worker's task runs (`tc_task_runs`), kept for `retention`: what TC_JOBS / TC_OK%
/// count and a rollout's job gates read.
public struct TaskRunStore: Sendable {
    public let database: FleetDatabase
    /// Runs older than this (by when they started, or were last seen while pending) are dropped.
    public static let retention: TimeInterval = 7 * 86400

    public init(database: FleetDatabase) { self.database = database }

    /// Stores runs seen at `seen`, in one transaction.
    public func insert(_ runs: [TaskRun], seen: Date) async throws {
        try await database.writer.write { db in try Self.upsert(runs, seen: seen, in: db) }
    }

    /// Inserts each run or updates the stored one: a run seen again has moved on (running, then
    /// completed). A finished state is never taken back by an older answer that still says
    /// running. Then drops what is past `retention`.
    static func upsert(_ runs: [TaskRun], seen: Date, in db: Database) throws {
        guard !runs.isEmpty else { return }
        let final = TaskRun.finalStates.sorted().map { "'\($0)'" }.joined(separator: ", ")
        let statement = try db.cachedStatement(sql: """
            INSERT INTO tc_task_runs (host, task_id, run_id, state, started, resolved, at_epoch, seen_epoch)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (host, task_id, run_id) DO UPDATE SET
              state = CASE WHEN state IN (\(final)) AND excluded.state NOT IN (\(final)) THEN state ELSE excluded.state END,
              started = COALESCE(excluded.started, started), resolved = COALESCE(excluded.resolved, resolved),
              at_epoch = COALESCE(excluded.at_epoch, at_epoch), seen_epoch = MAX(excluded.seen_epoch, seen_epoch)
            """)
        for run in runs {
            let r = StoredTaskRun(run, seen: seen)
            try statement.execute(arguments: [r.host, r.taskId, r.runId, r.state, r.started, r.resolved, r.atEpoch, r.seenEpoch])
        }
        try recount(Array(Set(runs.map(\.host))), seen: seen, in: db)
        let cutoff = Int(seen.addingTimeInterval(-retention).timeIntervalSince1970)
        try Retention.pruneOlder(db, table: StoredTaskRun.databaseTableName, time: "at_epoch", before: cutoff)
        try Retention.pruneOlder(db, table: StoredTaskRun.databaseTableName, time: "at_epoch IS NULL AND seen_epoch", before: cutoff)
    }

    /// The stored runs of `hosts` that count from `since` on (all of them when nil), per host,
    /// newest first.
    public func taskRuns(hosts: [String], since: Date? = nil) async throws -> [String: [TaskRun]] {
        let list = try ObservationStore.jsonList(hosts)
        return try await database.writer.read { db in
            var request = StoredTaskRun.filter(sql: "host IN (SELECT value FROM json_each(?))", arguments: [list])
            if let since { request = request.filter(StoredTaskRun.Columns.atEpoch >= Int(since.timeIntervalSince1970.rounded(.down))) }
            var out: [String: [TaskRun]] = [:]
            for r in try request.order(StoredTaskRun.Columns.atEpoch.desc).fetchAll(db) { out[r.host, default: []].append(r.run) }
            return out
        }
    }

    /// Each host's jobs since `since` (`JobStats`' rule). A host with no stored run at all is
    /// absent (no data); one whose runs are all older has zero jobs. For a rollout's gates:
    /// `JobStats.gateCounts(stats[host])`.
    public func jobStats(hosts: [String], since: Date) async throws -> [String: JobStats] {
        let runs = try await taskRuns(hosts: hosts)
        return runs.mapValues { JobStats.of($0, since: since) }
    }

    static func list(_ states: Set<String>) -> String { states.sorted().map { "'\($0)'" }.joined(separator: ", ") }

    /// Recounts the TC_JOBS / TC_OK% counts of `hosts` over the report's window before `seen`
    /// (`JobStats.reportWindow`), in the insert's transaction: the report then reads one stored
    /// row per host instead of counting a fleet's runs on every read (a day of runs of 100,000
    /// workers is millions of rows). `+at_epoch` keeps SQLite on the (host, ...) key: each host's
    /// own runs, not the whole window's.
    static func recount(_ hosts: [String], seen: Date, in db: Database) throws {
        let list = try ObservationStore.jsonList(hosts)
        let since = Int(seen.addingTimeInterval(-JobStats.reportWindow).timeIntervalSince1970.rounded(.down))
        try db.execute(sql: "DELETE FROM tc_job_counts WHERE host IN (SELECT value FROM json_each(?))", arguments: [list])
        try db.execute(sql: Self.recountSQL(hostFilter: "host IN (SELECT value FROM json_each(?)) AND +at_epoch >= ?"),
                       arguments: [since, list, since])
    }

    /// The same count for every host, from `since` (the migration that made the table fills it).
    static func recountAll(since: Int, in db: Database) throws {
        try db.execute(sql: "DELETE FROM tc_job_counts")
        try db.execute(sql: Self.recountSQL(hostFilter: "at_epoch >= ?"), arguments: [since, since])
    }

    /// The count, `JobStats.of`'s rule in SQL.
    static func recountSQL(hostFilter: String) -> String {
        """
        INSERT INTO tc_job_counts (host, since_epoch, jobs, succeeded, failed)
        SELECT host, ?, COUNT(*), SUM(state IN (\(list(TaskRun.succeededStates)))), SUM(state IN (\(list(TaskRun.failedStates))))
        FROM tc_task_runs WHERE \(hostFilter) GROUP BY host
        """
    }

    /// Every host's stored counts (each over the window before its latest scan). Hosts without a
    /// job in their window are absent.
    static func storedCounts(_ db: Database) throws -> [String: JobStats] {
        let statement = try db.cachedStatement(sql: "SELECT host, jobs, succeeded, failed FROM tc_job_counts")
        var out: [String: JobStats] = [:]
        try RawColumns.each(statement) { c in
            guard let host = c.text(0) else { return }
            out[host] = JobStats(jobs: c.int(1) ?? 0, succeeded: c.int(2) ?? 0, failed: c.int(3) ?? 0)
        }
        return out
    }
}
