import FleetCore
import Foundation
import GRDB

/// Operator notes, in the database with the rest of fleetroll's state.
public struct NotesStore: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) { self.database = database }

    public func append(_ record: NoteRecord) async throws {
        try await database.writer.write { db in try Self.insert(record, in: db) }
    }

    static func insert(_ record: NoteRecord, in db: Database) throws {
        let json = String(decoding: try StoredJSON.encoder.encode(record), as: UTF8.self)
        try db.execute(sql: "INSERT INTO notes (host, ts, data) VALUES (?, ?, ?)", arguments: [record.host, record.ts, json])
    }

    /// Every record of a host (or of all hosts), oldest first. Ordered by time, then by when
    /// they were stored: notes imported from the Python tool's file later than ours were
    /// written take their place in time, so an old clear never hides a newer note.
    public func records(host: String? = nil) async throws -> [NoteRecord] {
        try await database.writer.read { db in try Self.records(host: host, in: db) }
    }

    static func records(host: String?, in db: Database) throws -> [NoteRecord] {
        let rows = host == nil
            ? try String.fetchAll(db, sql: "SELECT data FROM notes ORDER BY ts, id")
            : try String.fetchAll(db, sql: "SELECT data FROM notes WHERE host = ? ORDER BY ts, id", arguments: [host])
        return rows.compactMap { try? JSONDecoder().decode(NoteRecord.self, from: Data($0.utf8)) }
    }

    /// The NOTE column of every host that has notes.
    public func displays() async throws -> [String: String] {
        let all = try await records()
        return Dictionary(grouping: all, by: \.host).compactMapValues(NoteRecord.display)
    }
}
