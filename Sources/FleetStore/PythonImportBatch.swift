import FleetCore
import Foundation
import GRDB

/// One import's pass over the Python tables, inside the import's transaction: which rows are
/// new, which are older than what this store holds, and the list of rows read so far.
///
/// Our reports take the latest record of a host (a branch, a pool) by arrival order, so a row is
/// added only when it is newer than the newest one held for the same thing; the rows of each
/// table are taken oldest first, so what is added arrives in time order.
struct ImportBatch {
    let db: Database
    let source: String
    let keep: Int

    /// Table name → the primary keys of rows read by earlier imports.
    private var seen: [String: Set<String>] = [:]
    /// Table name → every primary key the Python database holds now (kept for the next import).
    private var current: [String: Set<String>] = [:]

    init(db: Database, source: String, keep: Int) {
        self.db = db
        self.source = source
        self.keep = keep
    }

    mutating func load() throws {
        for row in try Row.fetchAll(db, sql: "SELECT tbl, key FROM python_import_keys WHERE source = ?", arguments: [source]) {
            seen[row["tbl"], default: []].insert(row["key"])
        }
    }

    /// Replaces the list with the keys the Python database holds now. Rows its retention
    /// deleted are dropped from the list (their keys, host and time, never come back).
    func saveKeys() throws {
        let insert = try db.makeStatement(sql: "INSERT INTO python_import_keys (source, tbl, key) VALUES (?, ?, ?)")
        let delete = try db.makeStatement(sql: "DELETE FROM python_import_keys WHERE source = ? AND tbl = ? AND key = ?")
        for table in Set(current.keys).union(seen.keys) {
            let now = current[table] ?? [], before = seen[table] ?? []
            for key in before.subtracting(now) { try delete.execute(arguments: [source, table, key]) }
            for key in now.subtracting(before) { try insert.execute(arguments: [source, table, key]) }
        }
    }

    /// Notes the row's key as present in the Python database; false (and counted) when an
    /// earlier import read it already.
    private mutating func isNew(_ table: String, _ key: [String], into rows: inout PythonImportReport.Rows) -> Bool {
        let joined = key.joined(separator: "\u{1F}")
        current[table, default: []].insert(joined)
        if seen[table]?.contains(joined) == true {
            rows.alreadyImported += 1
            return false
        }
        return true
    }

    /// `ts` is later than `newest` (none held counts as older). Both tools write one format,
    /// but the times are compared as times in case one is not.
    static func isLater(_ ts: String, than newest: String?) -> Bool {
        guard let newest else { return true }
        if let a = Timestamp.parse(ts), let b = Timestamp.parse(newest) { return a > b }
        return ts > newest
    }

    private func newestByKey(_ sql: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: sql) { out[row["k"]] = row["ts"] }
        return out
    }

    mutating func observations(_ items: [PythonDatabase.Observation],
                               reading read: (PythonDatabase.Observation) -> HostObservation?) throws -> PythonImportReport.Rows {
        var rows = PythonImportReport.Rows()
        var newest = try newestByKey(
            "SELECT host AS k, ts FROM host_observations WHERE id IN (SELECT MAX(id) FROM host_observations GROUP BY host)")
        for row in items where isNew("host_observations", [row.host, row.ts], into: &rows) {
            guard let record = read(row) else { rows.unreadable += 1; continue }
            guard Self.isLater(row.ts, than: newest[row.host]) else { rows.olderThanOurs += 1; continue }
            try ObservationStore.insert(try ObservationStore.row(record), in: db, keep: keep)
            newest[row.host] = row.ts
            rows.added += 1
        }
        return rows
    }

    mutating func workers(_ items: [PythonDatabase.Worker],
                          reading read: (PythonDatabase.Worker) -> WorkerRecord?) throws -> PythonImportReport.Rows {
        var rows = PythonImportReport.Rows()
        var newest = try newestByKey("SELECT host AS k, ts FROM tc_workers WHERE id IN (SELECT MAX(id) FROM tc_workers GROUP BY host)")
        var scans: [String: Int] = [:]
        for row in items where isNew("tc_workers", [row.host, row.ts], into: &rows) {
            guard let record = read(row) else { rows.unreadable += 1; continue }
            guard Self.isLater(row.ts, than: newest[row.host]) else { rows.olderThanOurs += 1; continue }
            try ServiceStore.insert(record, in: db, keep: keep)
            newest[row.host] = row.ts
            scans[row.ts, default: 0] += 1
            rows.added += 1
        }
        try recordRuns("taskcluster", scans)
        return rows
    }

    /// Branch heads. Our report reads the heads of the latest GitHub run only, so a head is added
    /// only when it is newer than that run, and each Python run added becomes a run of ours.
    mutating func refs(_ items: [PythonDatabase.Ref]) throws -> PythonImportReport.Rows {
        var rows = PythonImportReport.Rows()
        var newest = try newestByKey("""
            SELECT owner || '/' || repo || ':' || branch AS k, ts FROM github_refs
            WHERE id IN (SELECT MAX(id) FROM github_refs GROUP BY owner, repo, branch)
            """)
        let lastRun = try String.fetchOne(db, sql: "SELECT ts FROM collector_runs WHERE collector = 'github' ORDER BY id DESC LIMIT 1")
        var runs: [String: Int] = [:]
        for r in items where isNew("github_refs", [r.owner, r.repo, r.branch, r.ts], into: &rows) {
            let ref = BranchRef(ts: r.ts, owner: r.owner, repo: r.repo, branch: r.branch, sha: r.sha)
            guard Self.isLater(r.ts, than: newest[ref.key]), runs[r.ts] != nil || Self.isLater(r.ts, than: lastRun) else {
                rows.olderThanOurs += 1
                continue
            }
            try ServiceStore.insert(ref, in: db, keep: keep)
            newest[ref.key] = r.ts
            runs[r.ts, default: 0] += 1
            rows.added += 1
        }
        try recordRuns("github", runs)
        return rows
    }

    mutating func pools(_ items: [PythonDatabase.Pool]) throws -> PythonImportReport.Rows {
        var rows = PythonImportReport.Rows()
        var newest = try newestByKey(
            "SELECT pool_name AS k, ts FROM windows_pools WHERE id IN (SELECT MAX(id) FROM windows_pools GROUP BY pool_name)")
        for p in items where isNew("windows_pools", [p.name, p.ts], into: &rows) {
            guard Self.isLater(p.ts, than: newest[p.name]) else { rows.olderThanOurs += 1; continue }
            try ServiceStore.insert(WindowsPoolHash(ts: p.ts, poolName: p.name, hash: p.hash), in: db, keep: keep)
            newest[p.name] = p.ts
            rows.added += 1
        }
        return rows
    }

    /// The Python collectors' runs, as far as their records show them: one per timestamp.
    private func recordRuns(_ collector: String, _ runs: [String: Int]) throws {
        for ts in runs.keys.sorted(by: { Self.isLater($1, than: $0) }) {
            let epoch = Timestamp.parse(ts).map { Int($0.timeIntervalSince1970) } ?? 0
            try ServiceStore.recordRun(collector, ts: ts, epoch: epoch, ok: true,
                                       summary: ["source": "python fleetroll (imported)", "records": String(runs[ts]!)], in: db)
        }
    }
}
