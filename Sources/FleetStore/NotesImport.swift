import FleetCore
import Foundation
import GRDB

/// A notes file of the Python fleetroll (`notes.jsonl`): one note or clear per line. The team
/// keeps one in git (`data/notes.jsonl` of the tool's checkout); `--notes-file` names it.
public struct NotesFile: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    public struct Contents: Sendable {
        public var records: [NoteRecord]
        /// Lines that are not blank and could not be read (the file itself is left as it is).
        public var brokenLines: Int
    }

    /// The file's records in file order, or nil when there is no such file.
    public func read() throws -> Contents? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return nil }
        guard !isDirectory.boolValue else { throw NotesFileError.directory(url.path) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw NotesFileError.unreadable(url.path, error.localizedDescription) }
        var out = Contents(records: [], brokenLines: 0)
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            if let record = PythonRecords.note(line: Data(line)) { out.records.append(record) } else { out.brokenLines += 1 }
        }
        return out
    }

    /// Appends a record in the Python tool's own layout, so it reads the note as one of its own.
    public func append(_ record: NoteRecord) throws {
        try JSONLinesFile(url: url).append(record)
    }
}

public enum NotesFileError: Error, CustomStringConvertible {
    case directory(String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .directory(let path): return "notes file \(path) is a directory"
        case .unreadable(let path, let why): return "cannot read the notes file \(path): \(why)"
        }
    }
}

extension NotesStore {
    /// Adds the records the database does not hold yet, inside the caller's transaction, and
    /// returns how many were added and how many it already had.
    ///
    /// A record is the same record when every field is (a note is never edited). Counting
    /// copies, not just values, keeps two identical notes written in the same second, and makes
    /// importing a file twice, or two files that share lines, add each record once.
    static func importRecords(_ records: [NoteRecord], in db: Database) throws -> (added: Int, present: Int) {
        func key(_ r: NoteRecord) throws -> Data { try StoredJSON.encoder.encode(r) }
        var held: [Data: Int] = [:]
        for r in try Self.records(host: nil, in: db) { held[try key(r), default: 0] += 1 }
        var added = 0
        for r in records {
            let k = try key(r)
            if let n = held[k], n > 0 {
                held[k] = n - 1
            } else {
                try insert(r, in: db)
                added += 1
            }
        }
        return (added, records.count - added)
    }

    /// Imports a notes file (when it exists) in a transaction of its own.
    public func importFile(_ file: NotesFile) throws -> (added: Int, present: Int, brokenLines: Int) {
        guard let contents = try file.read() else { return (0, 0, 0) }
        let (added, present) = try database.writer.write { db in try Self.importRecords(contents.records, in: db) }
        return (added, present, contents.brokenLines)
    }
}
