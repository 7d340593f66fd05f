import FleetCore
@testable import FleetStore
import Foundation
import GRDB
import Testing

/// The state directory the Python fleetroll 0.2.4 left after a small real run (see its README),
/// copied before each use: tests never open the original.
enum PythonFixture {
    static let original = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/python-fleetroll-0.2.4/dot-fleetroll")

    static let h901 = "t-linux64-ms-901.test.releng.mdc1.mozilla.com"
    static let h902 = "t-linux64-ms-902.test.releng.mdc1.mozilla.com"
    static let h903 = "t-linux64-ms-903.test.releng.mdc1.mozilla.com"

    /// A fresh copy as `<tmp>/state`; returns the state directory.
    static func copy() throws -> StateDirectory {
        let dir = try temporaryDirectory().appendingPathComponent("state")
        try FileManager.default.copyItem(at: original, to: dir)
        return StateDirectory(root: dir)
    }
}

/// Writes to a Python database the way the Python tool does: its upsert, then its retention.
struct PythonWriter {
    let queue: DatabaseQueue

    init(_ url: URL) throws { queue = try DatabaseQueue(path: url.path) }

    func observation(host: String, ts: String, ok: Bool, rc: Int, stderr: String = "", observed: String = "null") throws {
        let data = """
            {"action": "host.audit", "actor": "relops", "host": "\(host)", "observed": \(observed), "ok": \(ok), "ssh_rc": \(rc), "stderr": "\(stderr)", "ts": "\(ts)"}
            """
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO host_observations (host, ts, ok, data) VALUES (?, ?, ?, ?)
                ON CONFLICT(host, ts) DO UPDATE SET ok = excluded.ok, data = excluded.data
                """, arguments: [host, ts, ok ? 1 : 0, data])
            try db.execute(sql: """
                DELETE FROM host_observations WHERE host = ?1 AND rowid IN (
                  SELECT rowid FROM host_observations WHERE host = ?1 ORDER BY ts DESC, rowid DESC LIMIT -1 OFFSET 10)
                AND rowid != COALESCE((SELECT rowid FROM host_observations WHERE host = ?1 AND ok = 1 ORDER BY ts DESC, rowid DESC LIMIT 1), -1)
                """, arguments: [host])
        }
    }

    func worker(host: String, ts: String, state: String) throws {
        let data = """
            {"host": "\(host)", "last_date_active": "\(ts.prefix(19)).000Z", "provisioner": "releng-hardware", "quarantine_until": null, "state": "\(state)", "task_resolved": null, "task_started": null, "task_state": null, "ts": "\(ts)", "type": "worker", "worker_id": "\(host.prefix(16))", "worker_type": "gecko-t-linux-talos-1804"}
            """
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO tc_workers (host, ts, type, data) VALUES (?, ?, 'worker', ?)
                ON CONFLICT(host, ts) DO UPDATE SET type = excluded.type, data = excluded.data
                """, arguments: [host, ts, data])
        }
    }

    func ref(branch: String, ts: String, sha: String) throws {
        let data = #"{"branch": "\#(branch)", "owner": "mozilla-platform-ops", "repo": "ronin_puppet", "sha": "\#(sha)", "ts": "\#(ts)", "type": "branch_ref"}"#
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO github_refs (owner, repo, branch, ts, sha, data) VALUES ('mozilla-platform-ops', 'ronin_puppet', ?, ?, ?, ?)
                ON CONFLICT(owner, repo, branch, ts) DO UPDATE SET sha = excluded.sha, data = excluded.data
                """, arguments: [branch, ts, sha, data])
        }
    }

    func pool(_ name: String, ts: String, hash: String) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO windows_pools (pool_name, ts, hash, data) VALUES (?, ?, ?, ?)",
                           arguments: [name, ts, hash, #"{"hash": "\#(hash)", "pool_name": "\#(name)", "ts": "\#(ts)", "type": "windows_pool"}"#])
        }
    }
}

@Suite("Import from the Python fleetroll")
struct PythonImportTests {
    typealias F = PythonFixture

    func open(_ state: StateDirectory) throws -> (FleetDatabase, PythonImporter) {
        let db = try FleetDatabase(state: state)
        return (db, PythonImporter(state: state, database: db))
    }

    @Test func importsTheFixtureAndLeavesItsDatabaseAlone() async throws {
        let state = try F.copy()
        let before = try Data(contentsOf: state.pythonDatabase)
        #expect(StateDirectory.kind(ofDatabaseAt: state.pythonDatabase) == .python)
        let (db, importer) = try open(state)
        #expect(state.database.lastPathComponent == "store.db")
        #expect(try importer.needsImport())

        let report = try importer.run()
        #expect(report.first)
        #expect(report.observations.added == 8 && report.workers.added == 3 && report.refs.added == 2)
        #expect(report.windowsPools.added == 0 && report.notesAdded == 3 && report.notesBrokenLines == 0)
        #expect(report.contentsCopied == 0, "in place: the content stores are already where we read them")
        #expect(try importer.needsImport() == false)
        #expect(try Data(contentsOf: state.pythonDatabase) == before)

        let latest = try await ObservationStore(database: db).latest()
        #expect(latest.keys.sorted() == [F.h901, F.h902, F.h903])
        let o901 = try #require(latest[F.h901]?.latest.observed)
        #expect(o901.role == "gecko_t_linux_talos" && o901.overrideSHA256?.hasPrefix("ad377ad7c03d") == true)
        #expect(o901.overrideMeta?.mode == "0644", "modes as four digits, like ours")
        #expect(o901.overrideFilePath == state.overrides.appendingPathComponent("ad377ad7c03d").path)
        #expect(o901.puppet.gitBranch == "ceo-branch-a" && o901.puppet.lastRunEpoch == 1_795_514_400)
        #expect(latest[F.h902]?.latest.observed?.overrideSHA256?.hasPrefix("e231029b5d15") == true)
        #expect(latest[F.h903]?.latest.observed?.vaultSHA256?.hasPrefix("ff9ecd0f1865") == true)
        #expect(try await ObservationStore(database: db).history(host: F.h902).count == 3)

        let services = ServiceStore(database: db)
        #expect(try await services.latestWorkers()[F.h902]?.quarantineUntil == "2036-11-28T19:22:15.000Z")
        let refs = try await services.currentRefs()
        #expect(refs.keys.sorted() == ["mozilla-platform-ops/ronin_puppet:ceo-branch-a"])
        #expect(refs.values.first?.ts == "2026-12-01T19:22:20+00:00", "the latest Python GitHub run is our latest run")
        let notes = try await NotesStore(database: db).displays()
        #expect(notes[F.h901] == "(2) canary for ceo-branch-a" && notes[F.h902] == "RELOPS-1 disk errors, do not reboot")
    }

    @Test func importingAgainAddsOnlyWhatThePythonToolWroteSince() async throws {
        let state = try F.copy()
        let (db, importer) = try open(state)
        _ = try importer.run()
        let twice = try importer.run()
        #expect(twice.added == 0 && !twice.first)
        #expect(twice.observations.alreadyImported == 8 && twice.notesPresent == 3)

        let python = try PythonWriter(state.pythonDatabase)
        try python.observation(host: F.h903, ts: "2026-12-01T20:00:00+00:00", ok: false, rc: 255,
                               stderr: "relops@t-linux64-ms-903: Permission denied (publickey).")
        try python.observation(host: F.h901, ts: "2026-12-01T20:00:01+00:00", ok: true, rc: 0,
                               observed: #"{"role_present": true, "role": "gecko_t_linux_talos", "os_type": "Linux", "override_present": false, "vault_present": false, "uptime_s": "3600", "puppet_success": "NA"}"#)
        try python.worker(host: F.h901, ts: "2026-12-01T20:00:02+00:00", state: "stopped")
        try python.ref(branch: "master", ts: "2026-12-01T20:00:03+00:00", sha: String(repeating: "c", count: 40))
        try python.pool("win11-64-24h2-hw", ts: "2026-12-01T20:00:03+00:00", hash: "9effb8f")
        let note = #"{"action": "host.note_clear", "actor": "relops", "host": "\#(F.h902)", "reason": "disk replaced", "ts": "2026-12-01T20:00:04+00:00"}"#
        let handle = try FileHandle(forWritingTo: state.pythonNotes)
        handle.seekToEndOfFile()
        handle.write(Data((note + "\n{broken\n").utf8))
        try handle.close()

        let third = try importer.run()
        #expect(third.observations.added == 2 && third.observations.alreadyImported == 8)
        #expect(third.workers.added == 1 && third.refs.added == 1 && third.windowsPools.added == 1)
        #expect(third.notesAdded == 1 && third.notesPresent == 3 && third.notesBrokenLines == 1)
        #expect(third.problems.count == 1)
        #expect(try importer.run().added == 0)

        let latest = try await ObservationStore(database: db).latest()
        #expect(latest[F.h903]?.latest.errorClass == .auth, "classified from stderr as our gathers are")
        #expect(latest[F.h903]?.latest.error == "relops@t-linux64-ms-903: Permission denied (publickey).")
        #expect(latest[F.h903]?.latestOK?.observed?.vaultSHA256?.hasPrefix("ff9ecd0f1865") == true)
        #expect(latest[F.h901]?.latest.observed?.uptimeS == 3600 && latest[F.h901]?.latest.observed?.puppet.success == nil)
        let services = ServiceStore(database: db)
        #expect(try await services.latestWorkers()[F.h901]?.state == "stopped")
        #expect(try await services.currentRefs().keys.sorted() == ["mozilla-platform-ops/ronin_puppet:master"])
        #expect(try await services.latestWindowsPools()["win11-64-24h2-hw"]?.hash == "9effb8f")
        #expect(try await NotesStore(database: db).displays()[F.h902] == nil, "the clear was honoured")
    }

    @Test func rowsOlderThanOurOwnAreNotAdded() async throws {
        let state = try F.copy()
        let (db, importer) = try open(state)
        _ = try importer.run()
        // Our own gather of 901, then the Python tool stores one taken before it.
        var mine = ObservedState()
        mine.role = "ours"
        mine.rolePresent = true
        try await ObservationStore(database: db).insert(HostObservation(
            ts: "2026-12-01T21:00:00+00:00", actor: "t", host: F.h901, ok: true, sshRC: 0, stderr: "", observed: mine))
        try PythonWriter(state.pythonDatabase).observation(host: F.h901, ts: "2026-12-01T20:30:00+00:00", ok: true, rc: 0)
        let report = try importer.run()
        #expect(report.observations.added == 0 && report.observations.olderThanOurs == 1)
        #expect(try await ObservationStore(database: db).latest()[F.h901]?.latest.observed?.role == "ours")
        #expect(try importer.run().observations.olderThanOurs == 0, "passed over once, then remembered")
    }

    @Test func twoImportersAtOnceAddEachRowOnce() async throws {
        let state = try F.copy()
        let (db, importer) = try open(state)
        let other = PythonImporter(state: state, database: try FleetDatabase(state: state))
        async let a = Task.detached { try importer.run().added }.value
        async let b = Task.detached { try other.run().added }.value
        let total = try await a + b
        #expect(total == 8 + 3 + 2 + 3)
        #expect(try await ObservationStore(database: db).history(host: F.h902).count == 3)
    }

    @Test func anotherDirectoryBringsItsContentStoresWithCollisionNamesAndLinks() async throws {
        let source = try F.copy()
        // A longer, collision-extended name, a stray file under a name that is not its SHA's,
        // and a name someone gave a vault file.
        let text = Data("PUPPET_REPO=\"https://github.com/mozilla-platform-ops/ronin_puppet.git\"\nPUPPET_BRANCH=\"collided\"\n".utf8)
        let sha = Digest.sha256Hex(text)
        try Data("not it\n".utf8).write(to: source.overrides.appendingPathComponent(String(sha.prefix(12))))
        try text.write(to: source.overrides.appendingPathComponent(String(sha.prefix(16))))
        try FileManager.default.createSymbolicLink(atPath: source.vaultYAMLs.appendingPathComponent("ci-prod").path,
                                                   withDestinationPath: "ff9ecd0f1865")
        let target = StateDirectory(root: try temporaryDirectory())
        let (_, importer) = try open(target)
        let report = try importer.run(from: source.root)
        #expect(report.contentsCopied == 7 && report.linksMade == 1 && report.problems.isEmpty)
        #expect(ContentStore(directory: target.overrides, fileMode: 0o644).path(forSHA: sha) != nil)
        let link = target.vaultYAMLs.appendingPathComponent("ci-prod").path
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "ff9ecd0f1865")
        #expect(report.observations.added == 8)
        #expect(try importer.run(from: source.root).added == 0)
        // The source stays the Python tool's, and the target has no Python database of its own.
        #expect(!FileManager.default.fileExists(atPath: target.pythonDatabase.path))
    }

    @Test func aStoreFromAnEarlierVersionMovesToStoreDB() async throws {
        let state = StateDirectory(root: try temporaryDirectory())
        let old = try FleetDatabase(path: state.pythonDatabase.path)
        try await ObservationStore(database: old).insert(observation("h1", ok: true, n: 7))
        // While an older fleetroll still has it open, it stays where it is.
        #expect(throws: StateDirectoryError.self) { try FleetDatabase(state: state) }
        #expect(FileManager.default.fileExists(atPath: state.pythonDatabase.path))
        try old.writer.close()

        #expect(StateDirectory.kind(ofDatabaseAt: state.pythonDatabase) == .fleetroll)
        let moved = try FleetDatabase(state: state)
        #expect(!FileManager.default.fileExists(atPath: state.pythonDatabase.path))
        #expect(try await ObservationStore(database: moved).latest()["h1"]?.latest.observed?.uptimeS == 7)
        #expect(try PythonImporter(state: state, database: moved).needsImport() == false)
    }

    @Test func aPythonDatabaseTheOldVersionTouchedIsStillThePythonOne() throws {
        let state = try F.copy()
        // What the failed migration of earlier versions left: an empty grdb_migrations table.
        try DatabaseQueue(path: state.pythonDatabase.path).write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        }
        #expect(StateDirectory.kind(ofDatabaseAt: state.pythonDatabase) == .python)
        let (_, importer) = try open(state)
        #expect(try importer.run().observations.added == 8)
    }

    @Test func badInputIsAClearErrorAndAddsNothing() async throws {
        let state = try F.copy()
        try Data("this is not sqlite, just bytes that fill a page or two".utf8).write(to: state.pythonDatabase)
        let (db, importer) = try open(state)
        #expect(try importer.needsImport())
        let error = #expect(throws: PythonImportError.self) { try importer.run() }
        #expect(error?.description.contains("is not a Python fleetroll database") == true)
        #expect(try await NotesStore(database: db).records().isEmpty, "one transaction: the notes were not imported either")

        let missing = #expect(throws: PythonImportError.self) { try importer.run(from: state.root.appendingPathComponent("nope")) }
        #expect(missing?.description.contains("no such directory") == true)
        let empty = try temporaryDirectory()
        #expect(throws: PythonImportError.self) { try importer.run(from: empty) }
        #expect(throws: NotesFileError.self) {
            try importer.run(from: F.copy().root, notesFiles: [empty.appendingPathComponent("notes.jsonl")])
        }
    }

    @Test func anImportedClearOlderThanOurNoteDoesNotHideIt() async throws {
        let state = try F.copy()
        let (db, importer) = try open(state)
        try await NotesStore(database: db).append(NoteRecord(action: "host.note_add", actor: "me", host: F.h902,
                                                             ts: "2026-12-02T08:00:00+00:00", note: "newer, ours"))
        let clear = #"{"action": "host.note_clear", "actor": "relops", "host": "\#(F.h902)", "ts": "2026-12-01T20:00:00+00:00"}"#
        let file = state.root.appendingPathComponent("team-notes.jsonl")
        try Data((clear + "\n").utf8).write(to: file)
        let report = try importer.run(notesFiles: [file])
        #expect(report.notesAdded == 4)
        #expect(try await NotesStore(database: db).displays()[F.h902] == "newer, ours")
    }

    @Test func theAuditLogStaysOneLogInOneLayout() throws {
        let state = try F.copy()
        let log = AuditLog(url: state.auditLog)
        let before = try String(contentsOf: state.auditLog, encoding: .utf8)
        try log.append(NoteRecord(action: "host.set_override", actor: "me", host: F.h901, ts: "2026-12-02T08:00:00+00:00"))
        let after = try String(contentsOf: state.auditLog, encoding: .utf8)
        #expect(after.hasPrefix(before), "the Python tool's lines are kept as they were")
        #expect(after.dropFirst(before.count) == #"{"action": "host.set_override", "actor": "me", "host": "\#(F.h901)", "ts": "2026-12-02T08:00:00+00:00"}"# + "\n")
        #expect(log.records().count == 4, "the three lines the Python tool wrote, and ours")
    }

    @Test func linesAreInThePythonToolsLayout() throws {
        let text = try String(contentsOf: PythonFixture.original.appendingPathComponent("audit.jsonl"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            let compact = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            #expect(String(decoding: StoredJSON.pythonLayout(compact), as: UTF8.self) == String(line))
        }
        let note = NoteRecord(action: "host.note_add", actor: "rené", host: "h.example.com", ts: "t", note: "a, b: \"c\" 🚀")
        #expect(String(decoding: try StoredJSON.line(note), as: UTF8.self)
                == #"{"action": "host.note_add", "actor": "ren\u00e9", "host": "h.example.com", "note": "a, b: \"c\" \ud83d\ude80", "ts": "t"}"# + "\n")
    }
}
