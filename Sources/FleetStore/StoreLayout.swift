import Foundation
import GRDB

/// What a SQLite file found in a state directory is.
public enum DatabaseKind: Equatable, Sendable {
    case absent
    /// The Python fleetroll's: its `host_observations` keyed by (host, ts), no migrations applied.
    case python
    /// This fleetroll's (GRDB migrations applied); versions before store.db kept it in fleetroll.db.
    case fleetroll
    /// Anything else; the text says what is wrong with it.
    case unknown(String)
}

extension StateDirectory {
    /// Tells the two tools' databases apart without writing to the file.
    ///
    /// A Python database that an earlier version of this tool tried to open has an empty
    /// `grdb_migrations` table (the migration that failed added it): it is still the Python one.
    public static func kind(ofDatabaseAt url: URL) -> DatabaseKind {
        guard FileManager.default.fileExists(atPath: url.path) else { return .absent }
        do {
            let queue = try DatabaseQueue(path: url.path, configuration: readOnlyConfiguration())
            defer { try? queue.close() }
            return try queue.read { db in
                if try db.tableExists("grdb_migrations"),
                   try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") ?? 0 > 0 {
                    return .fleetroll
                }
                guard try db.tableExists("host_observations") else { return .unknown("it has no host_observations table") }
                let columns = Set(try db.columns(in: "host_observations").map(\.name))
                guard columns.isSuperset(of: ["host", "ts", "ok", "data"]), !columns.contains("id") else {
                    return .unknown("its host_observations table is not the Python fleetroll's")
                }
                return .python
            }
        } catch {
            return .unknown(PythonImportError.describe(error))
        }
    }

    /// How fleetroll opens a database it must not change.
    static func readOnlyConfiguration() -> Configuration {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        config.label = "fleetroll-readonly"
        return config
    }

    /// Moves a store an earlier version of this tool kept in `fleetroll.db` to `store.db`, once,
    /// so `fleetroll.db` is free for the Python tool again and nothing in it is lost.
    ///
    /// Other fleetroll processes starting at the same moment wait on a lock on the directory.
    /// The file leaves WAL mode first: SQLite allows that only to its one open connection, so a
    /// process still using the file (an older fleetroll) stops the move instead of losing writes.
    public func adoptLegacyStore() throws {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: database.path), fm.fileExists(atPath: pythonDatabase.path) else { return }
        try withDirectoryLock {
            guard !fm.fileExists(atPath: database.path), Self.kind(ofDatabaseAt: pythonDatabase) == .fleetroll else { return }
            var config = Configuration()
            config.busyMode = .timeout(1)
            let old = try DatabaseQueue(path: pythonDatabase.path, configuration: config)
            let mode = try? old.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                return try String.fetchOne(db, sql: "PRAGMA journal_mode=DELETE")
            }
            try old.close()
            guard mode == "delete" else { throw StateDirectoryError.legacyStoreInUse(pythonDatabase.path) }
            guard rename(pythonDatabase.path, database.path) == 0 else {
                throw StateDirectoryError.legacyStoreMove(pythonDatabase.path, String(cString: strerror(errno)))
            }
            // Out of WAL mode the shared-memory file is no longer anyone's.
            unlink(pythonDatabase.path + "-shm")
        }
    }

    /// Runs `body` holding an exclusive lock on the state directory itself (no lock file to leave).
    func withDirectoryLock<T>(_ body: () throws -> T) throws -> T {
        let fd = open(root.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StateDirectoryError.lock(root.path, String(cString: strerror(errno))) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw StateDirectoryError.lock(root.path, String(cString: strerror(errno))) }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
