import FleetCore
import Foundation
import GRDB

/// Taskcluster and GitHub data: worker records per host, branch heads, Windows pool hashes,
/// and the collectors' own runs.
public struct ServiceStore: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) { self.database = database }

    /// Stores one scan's records in one transaction, keeping the newest `retention` per host,
    /// with the task runs it saw (`TaskRunStore`), so a report never sees one without the other.
    public func insertWorkers(_ records: [WorkerRecord], taskRuns: [TaskRun] = [], seen: Date = Date()) async throws {
        let keep = database.retention
        try await database.writer.write { db in
            for r in records { try Self.insert(r, in: db, keep: keep) }
            try TaskRunStore.upsert(taskRuns, seen: seen, in: db)
        }
    }

    /// Inserts a worker record and keeps the newest `keep` of its host, in the caller's transaction.
    static func insert(_ r: WorkerRecord, in db: Database, keep: Int) throws {
        var row = try StoredWorker(r)
        try row.insert(db)
        try Summaries.take(row, in: db)
        try Retention.prune(db, table: StoredWorker.databaseTableName, partition: ["host"], keep: keep, values: [row.host])
    }

    /// The latest worker record of every host, in full.
    public func latestWorkers() async throws -> [String: WorkerRecord] {
        let texts = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM tc_workers WHERE id IN (SELECT MAX(id) FROM tc_workers GROUP BY host)")
        }
        var out: [String: WorkerRecord] = [:]
        for r in try StoredJSON.decodeAll(texts, as: WorkerRecord.self) { out[r.host] = r }
        return out
    }

    /// The latest worker record of one host, in full.
    public func latestWorker(host: String) async throws -> WorkerRecord? {
        let text = try await database.writer.read { db in
            try String.fetchOne(db, StoredWorker.select(StoredWorker.Columns.data).filter(StoredWorker.Columns.host == host)
                .order(StoredWorker.Columns.id.desc))
        }
        return try text.map { try StoredJSON.decode($0, as: WorkerRecord.self) }
    }

    /// The report's fields of every host's latest worker record (`WorkerRecord.reportFields`),
    /// read from columns, not JSON.
    static func reportWorkers(_ db: Database, hosts: Set<String>?) throws -> [String: WorkerRecord] {
        let statement = try db.makeStatement(sql: "SELECT \(Summaries.workerSelection) FROM worker_summary w")
        var out: [String: WorkerRecord] = [:]
        try RawColumns.each(statement) { c in
            guard let w = StoredWorker.facts(c, from: 0), hosts?.contains(w.host) ?? true else { return }
            out[w.host] = w
        }
        return out
    }

    public func insertRefs(_ refs: [BranchRef], pools: [WindowsPoolHash]) async throws {
        let keep = database.retention
        try await database.writer.write { db in
            for r in refs { try Self.insert(r, in: db, keep: keep) }
            for p in pools { try Self.insert(p, in: db, keep: keep) }
        }
    }

    static func insert(_ r: BranchRef, in db: Database, keep: Int) throws {
        var row = try StoredBranchRef(r)
        try row.insert(db)
        try Retention.prune(db, table: StoredBranchRef.databaseTableName, partition: ["owner", "repo", "branch"], keep: keep,
                            values: [r.owner, r.repo, r.branch])
    }

    static func insert(_ p: WindowsPoolHash, in db: Database, keep: Int) throws {
        var row = try StoredWindowsPool(p)
        try row.insert(db)
        try Retention.prune(db, table: StoredWindowsPool.databaseTableName, partition: ["pool_name"], keep: keep, values: [p.poolName])
    }

    /// The latest head of every branch, keyed `owner/repo:branch`.
    public func latestRefs() async throws -> [String: BranchRef] {
        try await database.writer.read { db in try Self.latestRefs(db) }
    }

    static func latestRefs(_ db: Database) throws -> [String: BranchRef] {
        let texts = try String.fetchAll(db, sql: """
            SELECT data FROM github_refs WHERE id IN (SELECT MAX(id) FROM github_refs GROUP BY owner, repo, branch)
            """)
        var out: [String: BranchRef] = [:]
        for text in texts {
            let r = try StoredJSON.decode(text, as: BranchRef.self)
            out[r.key] = r
        }
        return out
    }

    /// The branch heads seen by the latest GitHub run. A branch that run did not find (deleted,
    /// its repo unreadable) is left out, so an old SHA never passes for the current head.
    public func currentRefs() async throws -> [String: BranchRef] {
        try await database.writer.read { db in try Self.currentRefs(db) }
    }

    static func currentRefs(_ db: Database) throws -> [String: BranchRef] {
        let last = try String.fetchOne(db, StoredCollectorRun.select(StoredCollectorRun.Columns.ts)
            .filter(StoredCollectorRun.Columns.collector == "github").order(StoredCollectorRun.Columns.id.desc))
        guard let last else { return [:] }
        return try latestRefs(db).filter { $0.value.ts == last }
    }

    public func latestWindowsPools() async throws -> [String: WindowsPoolHash] {
        try await database.writer.read { db in try Self.latestWindowsPools(db) }
    }

    static func latestWindowsPools(_ db: Database) throws -> [String: WindowsPoolHash] {
        let texts = try String.fetchAll(db, sql: """
            SELECT data FROM windows_pools WHERE id IN (SELECT MAX(id) FROM windows_pools GROUP BY pool_name)
            """)
        var out: [String: WindowsPoolHash] = [:]
        for text in texts {
            let p = try StoredJSON.decode(text, as: WindowsPoolHash.self)
            out[p.poolName] = p
        }
        return out
    }

    /// Records that a collector ran; `summary` is kept as JSON for reports.
    public func recordRun(_ collector: String, at date: Date, ok: Bool, summary: [String: String]) async throws {
        try await database.writer.write { db in
            try Self.recordRun(collector, ts: Timestamp.iso(date), epoch: Int(date.timeIntervalSince1970), ok: ok, summary: summary, in: db)
        }
    }

    /// `ts` is kept as given: refs are matched to their run by the exact text.
    static func recordRun(_ collector: String, ts: String, epoch: Int, ok: Bool, summary: [String: String], in db: Database) throws {
        _ = try StoredCollectorRun(collector: collector, ts: ts, epoch: epoch, ok: ok, data: try StoredJSON.string(summary)).inserted(db)
        try Retention.prune(db, table: StoredCollectorRun.databaseTableName, partition: ["collector"], keep: 50, values: [collector])
    }

    /// When the collector last completed a successful run.
    public func lastSuccessfulRun(_ collector: String) async throws -> Date? {
        let epoch = try await database.writer.read { db in
            try Int.fetchOne(db, StoredCollectorRun.select(max(StoredCollectorRun.Columns.epoch))
                .filter(StoredCollectorRun.Columns.collector == collector && StoredCollectorRun.Columns.ok == true))
        }
        return epoch.map { Date(timeIntervalSince1970: Double($0)) }
    }
}
