import FleetCore
import Foundation
import GRDB

/// What one import from a Python fleetroll state directory did.
public struct PythonImportReport: Codable, Sendable {
    /// Rows of one table of the Python database.
    public struct Rows: Codable, Sendable {
        public var added = 0
        /// Read by an earlier import (added then, or passed over then).
        public var alreadyImported = 0
        /// Not newer than what this store already holds for the same host (or branch, or pool):
        /// added, they would pass for the latest, since our reports order by arrival.
        public var olderThanOurs = 0
        /// Rows whose record could not be read at all.
        public var unreadable = 0
    }

    public var directory: String
    /// The database read, when there was one.
    public var database: String?
    /// True when this store had never imported that database.
    public var first = false
    public var observations = Rows()
    public var workers = Rows()
    public var refs = Rows()
    public var windowsPools = Rows()
    public var notesFiles: [String] = []
    public var notesAdded = 0
    public var notesPresent = 0
    public var notesBrokenLines = 0
    /// Content files copied from another directory (none when it is the state directory itself).
    public var contentsCopied = 0
    public var contentsPresent = 0
    public var linksMade = 0
    /// What was left out and why, one line each.
    public var problems: [String] = []

    public var added: Int {
        observations.added + workers.added + refs.added + windowsPools.added + notesAdded + contentsCopied + linksMade
    }
}

/// Brings what the Python fleetroll wrote into this store, leaving its files exactly as they
/// were: its database is opened read-only, its notes file and content stores are only read.
///
/// Each import takes only what is new: the rows read before are listed, per source database,
/// in `python_import_keys` (by the Python tables' own primary keys), and the whole import is
/// one transaction, so importing twice, or two processes importing at once, adds each row once.
public struct PythonImporter: Sendable {
    public let state: StateDirectory
    public let database: FleetDatabase

    public init(state: StateDirectory, database: FleetDatabase) {
        self.state = state
        self.database = database
    }

    /// The name a source database is remembered by: its real path.
    static func sourceKey(_ url: URL) -> String { url.resolvingSymlinksInPath().path }

    /// True when the state directory holds a Python database (or a file in its place that is
    /// not this tool's own old store) that this store has never imported.
    public func needsImport() throws -> Bool {
        let python = state.pythonDatabase
        guard FileManager.default.fileExists(atPath: python.path) else { return false }
        let imported = try database.writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM python_imports WHERE source = ?)",
                              arguments: [Self.sourceKey(python)]) ?? false
        }
        return !imported && StateDirectory.kind(ofDatabaseAt: python) != .fleetroll
    }

    /// Imports `directory` (the state directory by default): its `fleetroll.db`, `notes.jsonl`,
    /// and, when it is another directory, its content stores; plus the given notes files.
    public func run(from directory: URL? = nil, notesFiles: [URL] = []) throws -> PythonImportReport {
        let dir = (directory ?? state.root).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PythonImportError.missing(dir.path + " (no such directory)")
        }
        var report = PythonImportReport(directory: dir.path)
        let sourceDB = dir.appendingPathComponent(state.pythonDatabase.lastPathComponent)
        let notes = [dir.appendingPathComponent(state.pythonNotes.lastPathComponent)] + notesFiles
        let overrides = ContentStore(directory: state.overrides, fileMode: 0o644)
        let vaults = ContentStore(directory: state.vaultYAMLs, fileMode: 0o600)

        let inPlace = Self.sourceKey(dir) == Self.sourceKey(state.root)
        if !inPlace {
            // Contents first, so the records' file paths can point at our copies.
            for (name, store) in [(state.overrides.lastPathComponent, overrides), (state.vaultYAMLs.lastPathComponent, vaults)] {
                let counts = ContentImport(source: dir.appendingPathComponent(name), target: store).run()
                report.contentsCopied += counts.copied
                report.contentsPresent += counts.present
                report.linksMade += counts.links
                report.problems += counts.problems
            }
        }
        let rows: PythonDatabase? = FileManager.default.fileExists(atPath: sourceDB.path) ? try PythonDatabase.read(sourceDB) : nil
        if rows != nil { report.database = sourceDB.path }
        var noteContents: [(URL, NotesFile.Contents)] = []
        for (i, url) in notes.enumerated() {
            guard let contents = try NotesFile(url: url).read() else {
                // The directory's own notes file is optional; a file named on the command line is not.
                if i > 0 { throw NotesFileError.unreadable(url.path, "no such file") }
                continue
            }
            noteContents.append((url, contents))
        }
        guard rows != nil || !noteContents.isEmpty || report.contentsCopied + report.contentsPresent > 0 else {
            throw PythonImportError.nothingToImport(dir.path)
        }

        // Records are read only for rows the batch takes: most rows of a later import were read before.
        let paths = ContentPaths(overrides: overrides, vaults: vaults)
        let observation = { (row: PythonDatabase.Observation) in
            PythonRecords.observation(host: row.host, ts: row.ts, ok: row.ok, data: Data(row.data.utf8)).map(paths.pointed)
        }
        let worker = { (row: PythonDatabase.Worker) in PythonRecords.worker(host: row.host, ts: row.ts, data: Data(row.data.utf8)) }

        let keep = database.retention
        let source = Self.sourceKey(sourceDB)
        try database.writer.writeWithoutTransaction { db in
            // Immediate: a second fleetroll importing at the same moment waits here, then finds
            // every row already listed.
            try db.inTransaction(.immediate) {
                if let rows {
                    var batch = ImportBatch(db: db, source: source, keep: keep)
                    try batch.load()
                    report.first = try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM python_imports WHERE source = ?)",
                                                      arguments: [source])!
                    report.observations = try batch.observations(rows.observations, reading: observation)
                    report.workers = try batch.workers(rows.workers, reading: worker)
                    report.refs = try batch.refs(rows.refs)
                    report.windowsPools = try batch.pools(rows.pools)
                    try batch.saveKeys()
                }
                for (url, contents) in noteContents {
                    let (added, present) = try NotesStore.importRecords(contents.records, in: db)
                    report.notesFiles.append(url.path)
                    report.notesAdded += added
                    report.notesPresent += present
                    report.notesBrokenLines += contents.brokenLines
                    if contents.brokenLines > 0 {
                        report.problems.append("\(url.path): \(contents.brokenLines) line(s) could not be read and were skipped")
                    }
                }
                if rows != nil {
                    try db.execute(sql: "INSERT INTO python_imports (source, ts, data) VALUES (?, ?, ?)",
                                   arguments: [source, Timestamp.now(), String(decoding: try StoredJSON.encoder.encode(report), as: UTF8.self)])
                }
                return .commit
            }
        }
        return report
    }
}

/// Points imported records at our copies of the files they name (the Python tool recorded paths
/// under its own home directory), caching by SHA-256: a fleet shares a handful of files.
private final class ContentPaths {
    let overrides: ContentStore
    let vaults: ContentStore
    private var cache: [String: String?] = [:]

    init(overrides: ContentStore, vaults: ContentStore) {
        self.overrides = overrides
        self.vaults = vaults
    }

    func pointed(_ record: HostObservation) -> HostObservation {
        guard var o = record.observed else { return record }
        var r = record
        o.overrideFilePath = o.overrideSHA256.flatMap { path(overrides, $0) }
        o.vaultFilePath = o.vaultSHA256.flatMap { path(vaults, $0) }
        r.observed = o
        return r
    }

    private func path(_ store: ContentStore, _ sha: String) -> String? {
        let key = store.directory.path + "/" + sha
        if let hit = cache[key] { return hit }
        let found = store.path(forSHA: sha)?.path
        cache[key] = found
        return found
    }
}
