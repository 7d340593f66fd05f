import FleetCore
import GRDB

/// `host_summary`: one compact row per host with the report columns of its latest observation
/// (`l_*`) and, when that one failed, of its latest successful one (`k_*`); `worker_summary`: each
/// host's latest Taskcluster record's report columns. Both change in the same transaction as
/// every insert, so a report reads 10,000 short rows in order instead of 20,000 scattered records.
enum Summaries {
    /// The observation report columns the summary keeps twice, in `factsSelection` order after `id`.
    static let factColumns: [(String, Database.ColumnType)] =
        [("ts", .text), ("ok", .boolean), ("error_class", .text)] + StoredObservation.reportColumns

    static func latest(_ name: String) -> String { "l_" + name }
    static func lastOK(_ name: String) -> String { "k_" + name }

    /// `SELECT` columns giving `StoredObservation.facts(_:from:)`'s layout: the latest observation,
    /// then the latest successful one (all NULL when it is the latest itself, or none).
    static let selection: String = {
        let names = factColumns.map(\.0)
        return (["s.latest_id"] + names.map { "s." + latest($0) }
            + ["CASE WHEN s.latest_ok_id != s.latest_id THEN s.latest_ok_id END"] + names.map { "s." + lastOK($0) })
            .joined(separator: ", ")
    }()

    static func create(_ db: Database) throws {
        try db.create(table: "host_summary") { t in
            t.primaryKey("host", .text)
            t.column("latest_id", .integer).notNull()
            t.column("latest_ok_id", .integer)
            for (name, type) in factColumns { t.column(latest(name), type) }
            for (name, type) in factColumns { t.column(lastOK(name), type) }
        }
        try db.create(table: "worker_summary") { t in
            t.primaryKey("host", .text)
            t.column("worker_id", .integer).notNull()
            for (name, type) in workerColumns { t.column(name, type) }
        }
    }

    /// Fills both from what is stored (the migration of a store written before them).
    static func fill(_ db: Database) throws {
        let names = factColumns.map(\.0)
        try db.execute(sql: """
            INSERT INTO host_summary (host, latest_id, latest_ok_id, \(names.map(latest).joined(separator: ", ")))
            SELECT o.host, o.id, k.id, \(names.map { "o." + $0 }.joined(separator: ", "))
            FROM (SELECT host, MAX(id) AS id, MAX(CASE WHEN ok THEN id END) AS ok_id FROM host_observations GROUP BY host) m
            JOIN host_observations o ON o.id = m.id LEFT JOIN host_observations k ON k.id = m.ok_id
            """)
        try db.execute(sql: """
            UPDATE host_summary SET \(names.map { "\(lastOK($0)) = (SELECT \($0) FROM host_observations WHERE id = host_summary.latest_ok_id)" }.joined(separator: ", "))
            WHERE latest_ok_id IS NOT NULL AND latest_ok_id != latest_id
            """)
        try db.execute(sql: """
            INSERT INTO worker_summary (host, worker_id, \(workerColumns.map(\.0).joined(separator: ", ")))
            SELECT host, id, \(workerColumns.map(\.0).joined(separator: ", ")) FROM tc_workers
            WHERE id IN (SELECT MAX(id) FROM tc_workers GROUP BY host)
            """)
    }

    /// Takes a stored observation into its host's summary: an OK one becomes latest and latest
    /// successful; a failed one becomes latest, the latest successful one staying (moved to the
    /// `k_*` columns if it was the latest until now).
    static func take(_ row: StoredObservation, in db: Database) throws {
        let names = factColumns.map(\.0)
        let values: [any DatabaseValueConvertible] = factValues(row)
        let set = names.map { "\(latest($0)) = ?" }.joined(separator: ", ")
        let latestWasOK = try Bool.fetchOne(db, sql: "SELECT latest_ok_id IS NOT NULL AND latest_ok_id = latest_id FROM host_summary WHERE host = ?", arguments: [row.host])
        switch (latestWasOK, row.ok) {
        case (nil, _):
            try db.cachedStatement(sql: """
                INSERT INTO host_summary (host, latest_id, latest_ok_id, \(names.map(latest).joined(separator: ", ")))
                VALUES (?, ?, ?, \(names.map { _ in "?" }.joined(separator: ", ")))
                """).execute(arguments: StatementArguments([row.host, row.id, row.ok ? row.id : nil] + values))
        case (_, true):
            try db.cachedStatement(sql: """
                UPDATE host_summary SET latest_id = ?, latest_ok_id = ?, \(set), \(names.map { "\(lastOK($0)) = NULL" }.joined(separator: ", "))
                WHERE host = ?
                """).execute(arguments: StatementArguments([row.id, row.id] + values + [row.host]))
        case (true?, false):
            // SQLite evaluates the right-hand sides with the old values: the latest moves to k_*.
            try db.cachedStatement(sql: """
                UPDATE host_summary SET \(names.map { "\(lastOK($0)) = \(latest($0))" }.joined(separator: ", ")), latest_id = ?, \(set)
                WHERE host = ?
                """).execute(arguments: StatementArguments([row.id] + values + [row.host]))
        case (false?, false):
            try db.cachedStatement(sql: "UPDATE host_summary SET latest_id = ?, \(set) WHERE host = ?")
                .execute(arguments: StatementArguments([row.id] + values + [row.host]))
        }
    }

    static func factValues(_ r: StoredObservation) -> [any DatabaseValueConvertible] {
        let values: [(any DatabaseValueConvertible)?] = [
            r.ts, r.ok, r.errorClass, r.error, r.hasObserved, r.osType, r.uptimeS, r.rolePresent, r.role, r.overridePresent,
            r.overrideSHA256, r.vaultPresent, r.vaultSHA256, r.puppetTS, r.puppetLastRunEpoch, r.puppetSuccess, r.puppetExitCode,
            r.puppetGitSHA, r.puppetOverrideSHA, r.puppetVaultSHA, r.roleKind, r.overrideKind, r.puppetStateError,
        ]
        return values.map { $0 ?? DatabaseValue.null }
    }

    /// The worker report columns (`StoredWorker.factsSelection` after the host).
    static let workerColumns: [(String, Database.ColumnType)] = [("ts", .text), ("type", .text)] + StoredWorker.reportColumns

    static func take(_ w: StoredWorker, in db: Database) throws {
        let names = ["host", "worker_id"] + workerColumns.map(\.0)
        let values: [(any DatabaseValueConvertible)?] = [w.host, w.id, w.ts, w.type, w.workerType, w.provisioner, w.lastDateActive,
                                                          w.quarantineUntil, w.taskStarted, w.taskResolved, w.taskState, w.note]
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO worker_summary (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))
            """).execute(arguments: StatementArguments(values.map { $0 ?? DatabaseValue.null }))
    }

    /// `SELECT` columns giving `StoredWorker.facts(_:from:)`'s layout.
    static let workerSelection = (["w.host"] + workerColumns.map { "w." + $0.0 }).joined(separator: ", ")
}
