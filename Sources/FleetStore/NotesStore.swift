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
        _ = try StoredNote(host: record.host, ts: record.ts, data: try StoredJSON.string(record)).inserted(db)
    }

    /// Every record of a host (or of all hosts), oldest first. Ordered by time, then by when
    /// they were stored: notes imported from the Python tool's file later than ours were
    /// written take their place in time, so an old clear never hides a newer note.
    public func records(host: String? = nil) async throws -> [NoteRecord] {
        try await database.writer.read { db in try Self.records(host: host, in: db) }
    }

    static func records(host: String?, in db: Database) throws -> [NoteRecord] {
        var request = StoredNote.select(StoredNote.Columns.data).order(StoredNote.Columns.ts, StoredNote.Columns.id)
        if let host { request = request.filter(StoredNote.Columns.host == host) }
        return try String.fetchAll(db, request).compactMap { try? StoredJSON.decode($0, as: NoteRecord.self) }
    }

    /// The NOTE column of every host that has notes.
    public func displays() async throws -> [String: String] {
        try await database.writer.read { db in try Self.displays(db) }
    }

    static func displays(_ db: Database) throws -> [String: String] {
        Dictionary(grouping: try records(host: nil, in: db), by: \.host).compactMapValues(NoteRecord.display)
    }
}
