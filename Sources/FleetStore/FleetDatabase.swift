import Foundation
import GRDB

/// fleetroll's SQLite database (`<state>/store.db`), over any GRDB `DatabaseWriter`: a
/// `DatabasePool` in WAL mode for the file (reports read while a gather writes), a
/// `DatabaseQueue` in memory for tests. The schema is versioned with GRDB migrations (`Schema`).
public final class FleetDatabase: Sendable {
    public let writer: any DatabaseWriter

    /// How many observations to keep per host. The newest successful one is kept on top of
    /// these, so a host that has been failing for a while still shows its last known state.
    public let retention: Int

    /// Takes a writer made with `configuration()`, and brings its schema up to date.
    public init(_ writer: any DatabaseWriter, retention: Int = 10) throws {
        self.writer = writer
        self.retention = max(1, retention)
        try Schema.migrator.migrate(writer)
    }

    public convenience init(path: String, retention: Int = 10) throws {
        // Opening (WAL mode) and migrating happen one process at a time (see OpenLock); the
        // migration the designated init runs again then finds nothing to do.
        let pool = try OpenLock.around(path) { () throws -> DatabasePool in
            let pool = try DatabasePool(path: path, configuration: Self.configuration())
            try Schema.migrator.migrate(pool)
            return pool
        }
        try self.init(pool, retention: retention)
    }

    /// Opens (or creates) the state directory's store, first moving one that an earlier version
    /// kept in `fleetroll.db`.
    public convenience init(state: StateDirectory, retention: Int = 10) throws {
        try state.createRoot()
        try state.adoptLegacyStore()
        try self.init(path: state.database.path, retention: retention)
    }

    /// A database that lives in memory only (tests).
    public static func inMemory(retention: Int = 10) throws -> FleetDatabase {
        try FleetDatabase(try DatabaseQueue(configuration: configuration()), retention: retention)
    }

    /// How fleetroll opens SQLite: several processes may write at once (a gather, a write, the
    /// live view), so a busy database is waited for.
    public static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.label = "fleetroll"
        config.prepareDatabase { db in
            // A read scans: a report reads each summary row once, and the system's file cache
            // already holds the pages. SQLite's default 2 MB cache per reader only adds to the
            // process's memory; writers keep it, for the indexes they update.
            if db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -256") }
        }
        return config
    }
}

extension FleetDatabase {
    /// Applies the retention rule to every host at once (each insert does it for its own host).
    /// Returns how many rows were removed.
    public func applyRetention() async throws -> Int {
        let keep = retention
        return try await writer.write { db in
            try Retention.prune(db, table: StoredObservation.databaseTableName, partition: ["host"], keep: keep, keepNewestOK: true)
        }
    }

    /// Folds the WAL into the database and rebuilds the file. Returns the sizes before and after
    /// (database plus WAL), in bytes.
    public func compact() async throws -> (before: Int, after: Int) {
        let path = writer.path
        func size() -> Int {
            [path, path + "-wal"].reduce(0) { total, p in
                total + ((try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0)
            }
        }
        let before = size()
        try await writer.barrierWriteWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return (before, size())
    }
}

/// Numbers that change whenever something the report shows is stored, so a live view can poll
/// cheaply (the newest id of each table is one index lookup) and reload only what changed.
public struct ChangeStamp: Equatable, Sendable {
    /// The newest host observation: new ones can be read incrementally after it.
    public var observations: Int64
    /// The newest Taskcluster, GitHub, Windows pool, note and collector-run rows.
    public var services: [Int64]
}

extension FleetDatabase {
    public func changeStamp() async throws -> ChangeStamp {
        try await writer.read { db in try Self.changeStamp(db) }
    }

    static func changeStamp(_ db: Database) throws -> ChangeStamp {
        let tables = ["host_observations", "tc_workers", "github_refs", "windows_pools", "notes", "collector_runs"]
        let sql = "SELECT " + tables.map { "(SELECT COALESCE(MAX(id), 0) FROM \($0))" }.joined(separator: ", ")
        let row = try Row.fetchOne(db, sql: sql)!
        let ids = (0..<tables.count).map { (row[$0] as Int64?) ?? 0 }
        return ChangeStamp(observations: ids[0], services: Array(ids.dropFirst()))
    }
}
