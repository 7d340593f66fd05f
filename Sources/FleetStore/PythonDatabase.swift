import Foundation
import GRDB

/// The rows of a Python fleetroll `fleetroll.db`, read in one snapshot through a read-only
/// connection: the file is never written, so the Python tool can go on using it.
struct PythonDatabase {
    struct Observation { var host: String, ts: String, ok: Bool, data: String }
    struct Worker { var host: String, ts: String, data: String }
    struct Ref { var owner: String, repo: String, branch: String, ts: String, sha: String }
    struct Pool { var name: String, ts: String, hash: String }

    var observations: [Observation] = []
    var workers: [Worker] = []
    var refs: [Ref] = []
    var pools: [Pool] = []

    /// Reads every row, oldest first (by time, then by the order the Python tool wrote them).
    static func read(_ url: URL) throws -> PythonDatabase {
        switch StateDirectory.kind(ofDatabaseAt: url) {
        case .python: break
        case .absent: throw PythonImportError.missing(url.path)
        case .fleetroll: throw PythonImportError.notPython(url.path, "it is a store of this fleetroll, not the Python tool's")
        case .unknown(let why): throw PythonImportError.notPython(url.path, why)
        }
        do {
            let queue = try DatabaseQueue(path: url.path, configuration: StateDirectory.readOnlyConfiguration())
            defer { try? queue.close() }
            return try queue.read { db in
                // The columns are NOT NULL in the Python schema; a row that breaks it anyway is skipped.
                var out = PythonDatabase()
                out.observations = try Row.fetchAll(db, sql: "SELECT host, ts, ok, data FROM host_observations ORDER BY ts, rowid")
                    .compactMap { r in
                        guard let host: String = r["host"], let ts: String = r["ts"] else { return nil }
                        return Observation(host: host, ts: ts, ok: (r["ok"] as Int?) == 1, data: r["data"] ?? "")
                    }
                if try db.tableExists("tc_workers") {
                    out.workers = try Row.fetchAll(db, sql: "SELECT host, ts, data FROM tc_workers ORDER BY ts, rowid")
                        .compactMap { r in
                            guard let host: String = r["host"], let ts: String = r["ts"] else { return nil }
                            return Worker(host: host, ts: ts, data: r["data"] ?? "")
                        }
                }
                if try db.tableExists("github_refs") {
                    out.refs = try Row.fetchAll(db, sql: "SELECT owner, repo, branch, ts, sha FROM github_refs ORDER BY ts, rowid")
                        .compactMap { r in
                            guard let owner: String = r["owner"], let repo: String = r["repo"], let branch: String = r["branch"],
                                  let ts: String = r["ts"], let sha: String = r["sha"] else { return nil }
                            return Ref(owner: owner, repo: repo, branch: branch, ts: ts, sha: sha)
                        }
                }
                if try db.tableExists("windows_pools") {
                    out.pools = try Row.fetchAll(db, sql: "SELECT pool_name, ts, hash FROM windows_pools ORDER BY ts, rowid")
                        .compactMap { r in
                            guard let name: String = r["pool_name"], let ts: String = r["ts"], let hash: String = r["hash"] else { return nil }
                            return Pool(name: name, ts: ts, hash: hash)
                        }
                }
                return out
            }
        } catch let error as PythonImportError {
            throw error
        } catch {
            throw PythonImportError.unreadable(url.path, PythonImportError.describe(error))
        }
    }
}

public enum PythonImportError: Error, CustomStringConvertible {
    case missing(String)
    case notPython(String, String)
    case unreadable(String, String)
    case nothingToImport(String)

    public var description: String {
        switch self {
        case .missing(let path): return "no Python fleetroll database at \(path)"
        case .notPython(let path, let why): return "\(path) is not a Python fleetroll database: \(why)"
        case .unreadable(let path, let why): return "cannot read the Python fleetroll database \(path): \(why)"
        case .nothingToImport(let dir): return "nothing to import in \(dir): no fleetroll.db, notes.jsonl or content stores"
        }
    }

    /// SQLite's errors in words an operator can act on.
    static func describe(_ error: Error) -> String {
        guard let db = error as? DatabaseError else { return "\(error)" }
        switch db.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "it is locked by another process (the Python fleetroll?); try again in a moment"
        case .SQLITE_NOTADB: return "the file is not an SQLite database"
        case .SQLITE_CORRUPT: return "the database is corrupt (\(db.message ?? "malformed"))"
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY: return "it cannot be opened (\(db.message ?? "permission denied"))"
        default: return db.message ?? "\(db)"
        }
    }
}
