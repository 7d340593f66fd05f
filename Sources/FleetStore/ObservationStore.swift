import FleetCore
import Foundation
import GRDB

/// The latest gather of a host, and its latest successful one when that is older.
public struct HostHistory: Sendable {
    public var latest: HostObservation
    public var latestOK: HostObservation?
}

/// Reads and writes host observations.
public struct ObservationStore: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) { self.database = database }

    /// Stores one observation and applies retention for its host in the same transaction.
    public func insert(_ observation: HostObservation) async throws {
        try await insert([observation])
    }

    /// Stores observations in one transaction: each record with its report columns, its host's
    /// summary, and retention for its host.
    public func insert(_ observations: [HostObservation]) async throws {
        let rows = try observations.map(Self.row)
        let keep = database.retention
        try await database.writer.write { db in
            for row in rows { try Self.insert(row, in: db, keep: keep) }
        }
    }

    static func row(_ o: HostObservation) throws -> StoredObservation { try StoredObservation(o) }

    /// Inserts one row, updates its host's summary and applies retention for its host, inside the
    /// caller's transaction.
    static func insert(_ row: StoredObservation, in db: Database, keep: Int) throws {
        var row = row
        try row.insert(db)
        try Summaries.take(row, in: db)
        try Retention.prune(db, table: StoredObservation.databaseTableName, partition: ["host"], keep: keep,
                            values: [row.host], keepNewestOK: true)
    }

    /// Every stored observation of a host, newest first.
    public func history(host: String) async throws -> [HostObservation] {
        let texts = try await database.writer.read { db in
            try String.fetchAll(db, StoredObservation.select(StoredObservation.Columns.data)
                .filter(StoredObservation.Columns.host == host).order(StoredObservation.Columns.id.desc))
        }
        return try texts.map { try StoredJSON.decode($0, as: HostObservation.self) }
    }

    /// The latest observation (and latest successful one) of every host, or of the given hosts,
    /// as full records.
    public func latest(hosts: [String]? = nil) async throws -> [String: HostHistory] {
        let rows = try await database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.host, l.data, CASE WHEN s.latest_ok_id != s.latest_id THEN k.data END
                FROM host_summary s JOIN host_observations l ON l.id = s.latest_id
                LEFT JOIN host_observations k ON k.id = s.latest_ok_id
                \(hosts == nil ? "" : "WHERE s.host IN (SELECT value FROM json_each(?))")
                """, arguments: hosts.map { [try Self.jsonList($0)] } ?? []).map { ($0[0] as String, $0[1] as String, $0[2] as String?) }
        }
        var out: [String: HostHistory] = [:]
        for (host, latestText, olderText) in rows {
            let latest = try StoredJSON.decode(latestText, as: HostObservation.self)
            let older = try olderText.map { try StoredJSON.decode($0, as: HostObservation.self) }
            out[host] = HostHistory(latest: latest, latestOK: latest.ok ? latest : older)
        }
        return out
    }

    /// What the report reads of every host's latest and latest successful observation (or of
    /// the given hosts'), without decoding a record.
    static func facts(_ db: Database, hosts: [String]?) throws -> [String: HostFacts] {
        let scope = hosts == nil ? "" : "WHERE s.host IN (SELECT value FROM json_each(?))"
        let statement = try db.makeStatement(sql: "SELECT s.host, \(Summaries.selection) FROM host_summary s \(scope)")
        if let hosts { try statement.setArguments([try Self.jsonList(hosts)]) }
        var out: [String: HostFacts] = [:]
        let n = StoredObservation.factsColumnCount
        try RawColumns.each(statement) { c in
            let latest = StoredObservation.facts(c, from: 1)
            out[c.text(0) ?? ""] = HostFacts(latest: latest, latestOK: latest.ok ? latest : (c.isNull(1 + n) ? nil : StoredObservation.facts(c, from: 1 + n)))
        }
        return out
    }

    /// The newest id (0 for none), for following new observations.
    public func newestID() async throws -> Int64 {
        try await database.writer.read { db in try Self.newestID(db) }
    }

    static func newestID(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM host_observations") ?? 0
    }

    /// Observations stored after `id`, in the order they were stored, and the new newest id.
    /// Ids, not timestamps: two gathers in the same second are both seen.
    public func observations(after id: Int64) async throws -> (records: [(id: Int64, record: HostObservation)], newest: Int64) {
        let rows = try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, data FROM host_observations WHERE id > ? ORDER BY id", arguments: [id])
                .map { ($0[0] as Int64, $0[1] as String) }
        }
        return (try rows.map { ($0.0, try StoredJSON.decode($0.1, as: HostObservation.self)) }, rows.last?.0 ?? id)
    }

    /// One stored observation, by id.
    public func record(id: Int64) async throws -> HostObservation? {
        let text = try await database.writer.read { db in
            try String.fetchOne(db, StoredObservation.select(StoredObservation.Columns.data).filter(StoredObservation.Columns.id == id))
        }
        return try text.map { try StoredJSON.decode($0, as: HostObservation.self) }
    }

    /// Every host with at least one observation.
    public func hosts() async throws -> [String] {
        try await database.writer.read { db in try String.fetchAll(db, HostSummary.select(HostSummary.Columns.host)) }
    }

    static func jsonList(_ values: [String]) throws -> String { String(decoding: try JSONEncoder().encode(values), as: UTF8.self) }
}
