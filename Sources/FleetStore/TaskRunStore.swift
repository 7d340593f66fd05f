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

    /// The index is named: without statistics SQLite prefers walking the primary key in host
    /// order (no sort for GROUP BY), which reads every row kept for seven days; the time index
    /// reads only the window's runs, however long they are kept.
    static let windowSQL: String = {
        func list(_ states: Set<String>) -> String { states.sorted().map { "'\($0)'" }.joined(separator: ", ") }
        return """
            SELECT host, COUNT(*), SUM(state IN (\(list(TaskRun.succeededStates)))), SUM(state IN (\(list(TaskRun.failedStates))))
            FROM tc_task_runs INDEXED BY tc_task_runs_by_time WHERE at_epoch >= ? GROUP BY host
            """
    }()

    /// Every host's jobs from `since` on, counted by SQLite from the covering time index (the
    /// report reads these for 10,000 hosts without reading a row); the same rule as `JobStats.of`.
    /// Hosts without a job in the window are absent.
    static func windowStats(_ db: Database, since: Date) throws -> [String: JobStats] {
        let statement = try db.cachedStatement(sql: windowSQL)
        try statement.setArguments([Int(since.timeIntervalSince1970.rounded(.down))])
        var out: [String: JobStats] = [:]
        try RawColumns.each(statement) { c in
            guard let host = c.text(0) else { return }
            out[host] = JobStats(jobs: c.int(1) ?? 0, succeeded: c.int(2) ?? 0, failed: c.int(3) ?? 0)
        }
        return out
    }
}
