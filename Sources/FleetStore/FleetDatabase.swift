import Foundation
import GRDB

/// fleetroll's SQLite database (`<state>/store.db`), in WAL mode so reports can read while
/// a gather writes. The schema is versioned with GRDB migrations.
public final class FleetDatabase: Sendable {
    public let writer: DatabasePool

    /// How many observations to keep per host. The newest successful one is kept on top of
    /// these, so a host that has been failing for a while still shows its last known state.
    public let retention: Int

    public init(path: String, retention: Int = 10) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.label = "fleetroll"
        // Opening (WAL mode) and migrating happen one process at a time (see OpenLock).
        writer = try OpenLock.around(path) {
            let pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
            return pool
        }
        self.retention = max(1, retention)
    }

    /// Opens (or creates) the state directory's store, first moving one that an earlier version
    /// kept in `fleetroll.db`.
    public convenience init(state: StateDirectory, retention: Int = 10) throws {
        try state.createRoot()
        try state.adoptLegacyStore()
        try self.init(path: state.database.path, retention: retention)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-host-observations") { db in
            // An autoincrement id orders observations: timestamps have one-second resolution,
            // and the old (host, ts) key silently merged two gathers within the same second.
            try db.create(table: "host_observations") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("host", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("ok", .boolean).notNull()
                t.column("error_class", .text)
                t.column("data", .text).notNull()
            }
            try db.create(index: "host_observations_by_host", on: "host_observations", columns: ["host", "id"])
        }
        m.registerMigration("v2-taskcluster-github") { db in
            try db.create(table: "tc_workers") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("host", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("type", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "tc_workers_by_host", on: "tc_workers", columns: ["host", "id"])
            try db.create(table: "github_refs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("owner", .text).notNull()
                t.column("repo", .text).notNull()
                t.column("branch", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("sha", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "github_refs_by_key", on: "github_refs", columns: ["owner", "repo", "branch", "id"])
            try db.create(table: "windows_pools") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("pool_name", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("hash", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "windows_pools_by_name", on: "windows_pools", columns: ["pool_name", "id"])
            // One row per collector run, for the GitHub throttle and for data-freshness.
            try db.create(table: "collector_runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("collector", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("epoch", .integer).notNull()
                t.column("ok", .boolean).notNull()
                t.column("data", .text).notNull()
            }
        }
        m.registerMigration("v3-notes") { db in
            try db.create(table: "notes") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("host", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "notes_by_host", on: "notes", columns: ["host", "id"])
        }
        m.registerMigration("v4-python-import") { db in
            // One row per import from a Python fleetroll database, with what it added.
            try db.create(table: "python_imports") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "python_imports_by_source", on: "python_imports", columns: ["source", "id"])
            // The rows of each source already read (added, or passed over as older than ours),
            // by that table's own primary key, so a later import takes only what is new.
            try db.create(table: "python_import_keys") { t in
                t.column("source", .text).notNull()
                t.column("tbl", .text).notNull()
                t.column("key", .text).notNull()
                t.primaryKey(["source", "tbl", "key"])
            }
        }
        return m
    }
}

extension FleetDatabase {
    /// Applies the retention rule to every host at once (each insert does it for its own host).
    /// Returns how many rows were removed.
    public func applyRetention() async throws -> Int {
        let keep = retention
        return try await writer.write { db in
            try db.execute(sql: """
                DELETE FROM host_observations WHERE id IN (
                  SELECT id FROM (
                    SELECT id, ok, ROW_NUMBER() OVER (PARTITION BY host ORDER BY id DESC) AS age,
                           MAX(CASE WHEN ok = 1 THEN id END) OVER (PARTITION BY host) AS last_ok
                    FROM host_observations)
                  WHERE age > ?1 AND id != COALESCE(last_ok, -1))
                """, arguments: [keep])
            return db.changesCount
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
        try await writer.read { db in
            let tables = ["host_observations", "tc_workers", "github_refs", "windows_pools", "notes", "collector_runs"]
            let sql = "SELECT " + tables.map { "(SELECT COALESCE(MAX(id), 0) FROM \($0))" }.joined(separator: ", ")
            let row = try Row.fetchOne(db, sql: sql)!
            let ids = (0..<tables.count).map { (row[$0] as Int64?) ?? 0 }
            return ChangeStamp(observations: ids[0], services: Array(ids.dropFirst()))
        }
    }
}
