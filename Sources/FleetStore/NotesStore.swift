import FleetCore
import Foundation
import GRDB

/// Operator notes, in the database with the rest of fleetroll's state.
public struct NotesStore: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) { self.database = database }

    public func append(_ record: NoteRecord) async throws {
        let json = String(decoding: try StoredJSON.encoder.encode(record), as: UTF8.self)
        try await database.writer.write { db in
            try db.execute(sql: "INSERT INTO notes (host, ts, data) VALUES (?, ?, ?)", arguments: [record.host, record.ts, json])
        }
    }

    /// Every record of a host (or of all hosts), oldest first.
    public func records(host: String? = nil) async throws -> [NoteRecord] {
        let rows = try await database.writer.read { db in
            if let host {
                return try String.fetchAll(db, sql: "SELECT data FROM notes WHERE host = ? ORDER BY id", arguments: [host])
            }
            return try String.fetchAll(db, sql: "SELECT data FROM notes ORDER BY id")
        }
        return rows.compactMap { try? JSONDecoder().decode(NoteRecord.self, from: Data($0.utf8)) }
    }

    /// The NOTE column of every host that has notes.
    public func displays() async throws -> [String: String] {
        let all = try await records()
        return Dictionary(grouping: all, by: \.host).compactMapValues(NoteRecord.display)
    }
}
