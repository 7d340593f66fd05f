import FleetCore
import Foundation
import GRDB

/// One row of `host_observations`: the record as JSON plus the columns queries need.
struct ObservationRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "host_observations"
    var id: Int64?
    var host: String
    var ts: String
    var ok: Bool
    var errorClass: String?
    var data: String

    enum CodingKeys: String, CodingKey {
        case id, host, ts, ok, data
        case errorClass = "error_class"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

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

    /// Stores observations in one transaction, applying retention for each host.
    public func insert(_ observations: [HostObservation]) async throws {
        let rows = try observations.map(Self.row)
        let keep = database.retention
        try await database.writer.write { db in
            for row in rows { try Self.insert(row, in: db, keep: keep) }
        }
    }

    static func row(_ o: HostObservation) throws -> ObservationRow {
        ObservationRow(id: nil, host: o.host, ts: o.ts, ok: o.ok, errorClass: o.errorClass?.rawValue,
                       data: String(decoding: try StoredJSON.encoder.encode(o), as: UTF8.self))
    }

    /// Inserts one row and applies retention for its host, inside the caller's transaction.
    static func insert(_ row: ObservationRow, in db: Database, keep: Int) throws {
        var row = row
        try row.insert(db)
        try db.cachedStatement(sql: """
            DELETE FROM host_observations
            WHERE host = ?1
              AND id NOT IN (SELECT id FROM host_observations WHERE host = ?1 ORDER BY id DESC LIMIT ?2)
              AND id != COALESCE((SELECT MAX(id) FROM host_observations WHERE host = ?1 AND ok = 1), -1)
            """).execute(arguments: [row.host, keep])
    }

    /// Every stored observation of a host, newest first.
    public func history(host: String) async throws -> [HostObservation] {
        let rows = try await database.writer.read { db in
            try ObservationRow.filter(Column("host") == host).order(Column("id").desc).fetchAll(db)
        }
        return try rows.map(Self.decode)
    }

    /// The latest observation (and latest successful one) of every host, or of the given hosts.
    /// With `through`, only observations up to that id count: a view that then follows the ids
    /// after it sees every observation exactly once.
    public func latest(hosts: [String]? = nil, through newest: Int64 = .max) async throws -> [String: HostHistory] {
        let hostList = try hosts.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let latestRows = try await database.writer.read { db in
            if let hostList {
                // Only the hosts asked for: a follow or a short list must not read the whole fleet.
                return try ObservationRow.fetchAll(db, sql: """
                    SELECT * FROM host_observations WHERE id IN (
                      SELECT MAX(id) FROM host_observations WHERE id <= ? AND host IN (SELECT value FROM json_each(?)) GROUP BY host)
                    """, arguments: [newest, hostList])
            }
            return try ObservationRow.fetchAll(db, sql: """
                SELECT * FROM host_observations WHERE id IN (SELECT MAX(id) FROM host_observations WHERE id <= ? GROUP BY host)
                """, arguments: [newest])
        }
        // The latest successful observation is fetched only for hosts whose latest one failed.
        let failing = latestRows.filter { !$0.ok }.map(\.host)
        let okRows: [ObservationRow] = failing.isEmpty ? [] : try await database.writer.read { db in
            try ObservationRow.fetchAll(db, sql: """
                SELECT * FROM host_observations WHERE id IN (
                  SELECT MAX(id) FROM host_observations
                  WHERE ok = 1 AND id <= ? AND host IN (SELECT value FROM json_each(?)) GROUP BY host)
                """, arguments: [newest, String(decoding: try JSONEncoder().encode(failing), as: UTF8.self)])
        }
        let latest = try StoredJSON.decodeAll(latestRows.map(\.data), as: HostObservation.self)
        let ok = try StoredJSON.decodeAll(okRows.map(\.data), as: HostObservation.self)
        var out: [String: HostHistory] = [:]
        for (row, o) in zip(latestRows, latest) { out[row.host] = HostHistory(latest: o, latestOK: row.ok ? o : nil) }
        for (row, o) in zip(okRows, ok) { out[row.host]?.latestOK = o }
        return out
    }

    /// The id of the newest observation (0 for none), for following new ones.
    public func newestID() async throws -> Int64 {
        try await database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM host_observations") ?? 0 }
    }

    /// Observations stored after `id`, in the order they were stored, and the new newest id.
    /// Ids, not timestamps: two gathers in the same second are both seen.
    public func observations(after id: Int64) async throws -> (records: [HostObservation], newest: Int64) {
        let rows = try await database.writer.read { db in
            try ObservationRow.fetchAll(db, sql: "SELECT * FROM host_observations WHERE id > ? ORDER BY id", arguments: [id])
        }
        return (try rows.map(Self.decode), rows.last?.id ?? id)
    }

    /// Every host with at least one observation.
    public func hosts() async throws -> [String] {
        try await database.writer.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT host FROM host_observations") }
    }

    static func decode(_ row: ObservationRow) throws -> HostObservation {
        try JSONDecoder().decode(HostObservation.self, from: Data(row.data.utf8))
    }
}
