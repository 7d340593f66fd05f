import FleetCore
import Foundation
import GRDB

/// Taskcluster and GitHub data: worker records per host, branch heads, Windows pool hashes,
/// and the collectors' own runs.
public struct ServiceStore: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) { self.database = database }

    static func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try StoredJSON.encoder.encode(value), as: UTF8.self) }

    /// Stores one scan's records in one transaction, keeping the newest `retention` per host.
    public func insertWorkers(_ records: [WorkerRecord]) async throws {
        let keep = database.retention
        try await database.writer.write { db in
            for r in records { try Self.insert(r, in: db, keep: keep) }
        }
    }

    /// Inserts a worker record and keeps the newest `keep` of its host, in the caller's transaction.
    static func insert(_ r: WorkerRecord, in db: Database, keep: Int) throws {
        try db.cachedStatement(sql: "INSERT INTO tc_workers (host, ts, type, data) VALUES (?, ?, ?, ?)")
            .execute(arguments: [r.host, r.ts, r.type.rawValue, try json(r)])
        try db.cachedStatement(sql: """
            DELETE FROM tc_workers WHERE host = ?1
              AND id NOT IN (SELECT id FROM tc_workers WHERE host = ?1 ORDER BY id DESC LIMIT ?2)
            """).execute(arguments: [r.host, keep])
    }

    /// The latest worker record of every host.
    public func latestWorkers() async throws -> [String: WorkerRecord] {
        let rows = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM tc_workers WHERE id IN (SELECT MAX(id) FROM tc_workers GROUP BY host)")
        }
        var out: [String: WorkerRecord] = [:]
        for r in try StoredJSON.decodeAll(rows, as: WorkerRecord.self) { out[r.host] = r }
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
        try db.cachedStatement(sql: "INSERT INTO github_refs (owner, repo, branch, ts, sha, data) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [r.owner, r.repo, r.branch, r.ts, r.sha, try json(r)])
        try db.cachedStatement(sql: """
            DELETE FROM github_refs WHERE owner = ?1 AND repo = ?2 AND branch = ?3
              AND id NOT IN (SELECT id FROM github_refs WHERE owner = ?1 AND repo = ?2 AND branch = ?3 ORDER BY id DESC LIMIT ?4)
            """).execute(arguments: [r.owner, r.repo, r.branch, keep])
    }

    static func insert(_ p: WindowsPoolHash, in db: Database, keep: Int) throws {
        try db.cachedStatement(sql: "INSERT INTO windows_pools (pool_name, ts, hash, data) VALUES (?, ?, ?, ?)")
            .execute(arguments: [p.poolName, p.ts, p.hash, try json(p)])
        try db.cachedStatement(sql: """
            DELETE FROM windows_pools WHERE pool_name = ?1
              AND id NOT IN (SELECT id FROM windows_pools WHERE pool_name = ?1 ORDER BY id DESC LIMIT ?2)
            """).execute(arguments: [p.poolName, keep])
    }

    /// The latest head of every branch, keyed `owner/repo:branch`.
    public func latestRefs() async throws -> [String: BranchRef] {
        let rows = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM github_refs WHERE id IN (SELECT MAX(id) FROM github_refs GROUP BY owner, repo, branch)")
        }
        var out: [String: BranchRef] = [:]
        for text in rows {
            let r = try JSONDecoder().decode(BranchRef.self, from: Data(text.utf8))
            out[r.key] = r
        }
        return out
    }

    /// The branch heads seen by the latest GitHub run. A branch that run did not find (deleted,
    /// its repo unreadable) is left out, so an old SHA never passes for the current head.
    public func currentRefs() async throws -> [String: BranchRef] {
        let last = try await database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT ts FROM collector_runs WHERE collector = 'github' ORDER BY id DESC LIMIT 1")
        }
        guard let last else { return [:] }
        return try await latestRefs().filter { $0.value.ts == last }
    }

    public func latestWindowsPools() async throws -> [String: WindowsPoolHash] {
        let rows = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM windows_pools WHERE id IN (SELECT MAX(id) FROM windows_pools GROUP BY pool_name)")
        }
        var out: [String: WindowsPoolHash] = [:]
        for text in rows {
            let p = try JSONDecoder().decode(WindowsPoolHash.self, from: Data(text.utf8))
            out[p.poolName] = p
        }
        return out
    }

    /// Records that a collector ran; `summary` is kept as JSON for reports.
    public func recordRun(_ collector: String, at date: Date, ok: Bool, summary: [String: String]) async throws {
        try await database.writer.write { db in
            try Self.recordRun(collector, ts: Timestamp.iso(date), epoch: Int(date.timeIntervalSince1970), ok: ok,
                               summary: summary, in: db)
        }
    }

    /// `ts` is kept as given: refs are matched to their run by the exact text.
    static func recordRun(_ collector: String, ts: String, epoch: Int, ok: Bool, summary: [String: String], in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO collector_runs (collector, ts, epoch, ok, data) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [collector, ts, epoch, ok, try json(summary)])
        try db.cachedStatement(sql: """
            DELETE FROM collector_runs WHERE collector = ?1
              AND id NOT IN (SELECT id FROM collector_runs WHERE collector = ?1 ORDER BY id DESC LIMIT 50)
            """).execute(arguments: [collector])
    }

    /// When the collector last completed a successful run.
    public func lastSuccessfulRun(_ collector: String) async throws -> Date? {
        let epoch = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(epoch) FROM collector_runs WHERE collector = ? AND ok = 1", arguments: [collector])
        }
        return epoch.map { Date(timeIntervalSince1970: Double($0)) }
    }
}
