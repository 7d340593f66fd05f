import FleetCore
import FleetStore
import Foundation
import GRDB
import Testing

/// Switching from the Python fleetroll through the real binary, on a copy of a state directory
/// that tool wrote (Tests/Fixtures/python-fleetroll-0.2.4).
@Suite("Switching from the Python fleetroll")
struct PythonSwitchTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/python-fleetroll-0.2.4/dot-fleetroll")

    /// A fresh copy of the fixture as `<tmp>/state`.
    func copyFixture(_ tag: String) throws -> String {
        let state = try makeTemporaryDirectory(tag) + "/state"
        try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: state)
        return state
    }

    func fleetroll(_ args: [String], state: String) throws -> CommandResult {
        try runCommand([Binaries.fleetroll] + args + ["--state-dir", state])
    }

    func report(_ state: String) throws -> [String: [String: Any]] {
        let r = try fleetroll(["host-monitor", "--once", "--json"], state: state)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["host"] as! String, $0) })
    }

    /// What the fixture's own records say, read with plain SQL and JSON (not with the importer).
    struct Expected {
        var role: String
        var overrideCell: String
        var vaultCell: String
        var note: String
        var worker: [String: Any]
        var expectedSHA: String?
    }

    func expectations(_ state: String) throws -> [String: Expected] {
        let db = try DatabaseQueue(path: state + "/fleetroll.db", configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? db.close() }
        return try db.read { db in
            let latest = try Row.fetchAll(db, sql: """
                SELECT host, data FROM host_observations o WHERE ts = (SELECT MAX(ts) FROM host_observations WHERE host = o.host)
                """)
            let workers = try Row.fetchAll(db, sql: "SELECT host, data FROM tc_workers o WHERE ts = (SELECT MAX(ts) FROM tc_workers WHERE host = o.host)")
            let lastRun = try String.fetchOne(db, sql: "SELECT MAX(ts) FROM github_refs")
            let refs = try Row.fetchAll(db, sql: "SELECT branch, sha FROM github_refs WHERE ts = ?", arguments: [lastRun])
            let heads = Dictionary(uniqueKeysWithValues: refs.map { ($0["branch"] as String, $0["sha"] as String) })
            let noteLines = try String(contentsOfFile: state + "/notes.jsonl", encoding: .utf8).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            var out: [String: Expected] = [:]
            for row in latest {
                let host: String = row["host"]
                let record = try #require(try JSONSerialization.jsonObject(with: Data((row["data"] as String).utf8)) as? [String: Any])
                let o = try #require(record["observed"] as? [String: Any])
                var overrideCell = "-"
                var branch = "master"
                if let sha = o["override_sha256"] as? String {
                    let text = try String(contentsOfFile: state + "/overrides/" + sha.prefix(12), encoding: .utf8)
                    branch = try #require(OverrideFile(text: text).puppetBranch)
                    overrideCell = "\(branch) (\(sha.prefix(8)))"
                }
                let vault = try #require(o["vault_sha256"] as? String)
                var notes: [String] = []
                for n in noteLines where n["host"] as? String == host {
                    if n["action"] as? String == "host.note_clear" { notes = [] } else if let t = n["note"] as? String { notes.append(t) }
                }
                let workerRow = try #require(workers.first { ($0["host"] as String) == host })
                let worker = try #require(try JSONSerialization.jsonObject(with: Data((workerRow["data"] as String).utf8)) as? [String: Any])
                out[host] = Expected(
                    role: try #require(o["role"] as? String), overrideCell: overrideCell,
                    vaultCell: "\(vault.prefix(8)) \(try Humanhash.humanize(vault))",
                    note: notes.isEmpty ? "-" : notes.count > 1 ? "(\(notes.count)) \(notes.last!)" : notes[0],
                    worker: worker, expectedSHA: heads[branch])
            }
            return out
        }
    }

    @Test func afterTheImportTheReportShowsWhatTheFixtureHolds() throws {
        let state = try copyFixture("pyimport")
        let before = try Data(contentsOf: URL(fileURLWithPath: state + "/fleetroll.db"))
        let imported = try fleetroll(["import-python", "--json"], state: state)
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any])
        #expect((summary["observations"] as? [String: Any])?["added"] as? Int == 8)
        #expect(summary["notes_added"] as? Int == 3)

        let expected = try expectations(state)
        let rows = try report(state)
        #expect(rows.keys.sorted() == expected.keys.sorted())
        #expect(expected.count == 3, "the fixture has three gathered hosts (904 was down: the Python tool stored nothing)")
        for (host, want) in expected {
            let row = try #require(rows[host])
            let cells = try #require(row["row"] as? [String: String])
            #expect(cells["role"] == want.role, "\(host)")
            #expect(cells["ovr_bch"] == want.overrideCell, "\(host)")
            #expect(cells["vlt_sha"] == want.vaultCell, "\(host)")
            #expect(cells["note"] == want.note, "\(host)")
            #expect(cells["status"] == "OK", "\(host)")
            let tc = try #require(row["taskcluster"] as? [String: Any])
            for key in ["state", "last_date_active", "worker_type", "task_state", "task_started", "task_resolved"] {
                #expect(tc[key] as? String == want.worker[key] as? String, "\(host) \(key)")
            }
            let quarantined = (want.worker["quarantine_until"] as? String).flatMap(Timestamp.parse).map { $0 > Date() } ?? false
            #expect(cells["tc_quar"] == (quarantined ? "YES" : "-"), "\(host)")
            #expect(cells["pool"] == want.worker["worker_type"] as? String, "\(host)")
            let values = try #require(row["values"] as? [String: Any])
            #expect(values["expected_sha"] as? String == want.expectedSHA, "\(host)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: state + "/fleetroll.db")) == before, "the Python database is untouched")
    }

    @Test func importingAgainAddsOnlyTheNewRows() throws {
        let state = try copyFixture("pyincr")
        #expect(try fleetroll(["import-python", "-q"], state: state).exitCode == 0)
        let again = try fleetroll(["import-python"], state: state)
        #expect(again.exitCode == 0 && again.stdout.contains("0 added, 8 imported before"), "\(again.stdout)")

        // The Python tool gathers 903 again (and fails to log in), and adds a note.
        let host = "t-linux64-ms-903.test.releng.mdc1.mozilla.com"
        let python = try DatabaseQueue(path: state + "/fleetroll.db")
        try python.write { db in
            let data = #"{"action": "host.audit", "actor": "relops", "host": "\#(host)", "observed": null, "ok": false, "ssh_rc": 255, "stderr": "relops@\#(host): Permission denied (publickey).", "ts": "2026-12-02T09:00:00+00:00"}"#
            try db.execute(sql: """
                INSERT INTO host_observations (host, ts, ok, data) VALUES (?, ?, 0, ?)
                ON CONFLICT(host, ts) DO UPDATE SET ok = excluded.ok, data = excluded.data
                """, arguments: [host, "2026-12-02T09:00:00+00:00", data])
        }
        try python.close()
        let note = #"{"action": "host.note_add", "actor": "relops", "host": "\#(host)", "note": "keys rotated", "ts": "2026-12-02T09:00:01+00:00"}"#
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: state + "/notes.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data((note + "\n").utf8))
        try handle.close()

        let third = try fleetroll(["import-python", "--json"], state: state)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(third.stdout.utf8)) as? [String: Any])
        let observations = try #require(summary["observations"] as? [String: Any])
        #expect(observations["added"] as? Int == 1 && observations["already_imported"] as? Int == 8)
        #expect(summary["notes_added"] as? Int == 1 && summary["notes_present"] as? Int == 3)
        #expect(try fleetroll(["import-python", "-q"], state: state).stdout.contains("Imported 0 record(s)"))

        let row = try #require(try report(state)[host])
        #expect((row["row"] as? [String: String])?["status"] == "AUTH")
        #expect((row["row"] as? [String: String])?["note"] == "keys rotated")
        #expect((row["observed"] as? [String: Any])?["vault_sha256"] as? String != nil, "older good data still fills the row")
    }

    @Test func theFirstCommandOnAPythonStateDirectoryImportsIt() throws {
        let state = try copyFixture("pyfirst")
        let monitor = try fleetroll(["host-monitor", "--once"], state: state)
        #expect(monitor.exitCode == 0)
        #expect(!monitor.stderr.contains("SQLite error"))
        #expect(monitor.stderr.contains("Imported the Python fleetroll's data from \(state)/fleetroll.db"), "\(monitor.stderr)")
        #expect(monitor.stdout.contains("t-linux64-ms-901.test.releng.mdc1.mozilla.com"))
        let second = try fleetroll(["host-monitor", "--once"], state: state)
        #expect(second.exitCode == 0 && !second.stderr.contains("Imported"), "imported once")

        // gather-host too: it imports, then gathers (this host does not exist: a stored failure).
        let other = try copyFixture("pygather")
        let gather = try fleetroll(["gather-host", "-q", "--connect-timeout", "2", "nosuchhost.invalid"], state: other)
        #expect(gather.exitCode == 1, "\(gather.stdout) \(gather.stderr)")
        #expect(!gather.stderr.contains("SQLite error"))
        #expect(gather.stderr.contains("Imported the Python fleetroll's data"))
        let rows = try report(other)
        #expect(rows.count == 4 && (rows["nosuchhost.invalid"]?["row"] as? [String: String])?["status"] == "UNREACHABLE")
    }

    @Test func aBrokenPythonDatabaseIsAWarningNotAnError() throws {
        let state = try copyFixture("pybroken")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: state + "/fleetroll.db"))
        let monitor = try fleetroll(["host-monitor", "--once"], state: state)
        #expect(monitor.exitCode == 0)
        #expect(monitor.stderr.contains("WARNING: could not import the Python fleetroll's data"), "\(monitor.stderr)")
        let explicit = try fleetroll(["import-python"], state: state)
        #expect(explicit.exitCode == 2 && explicit.stderr.contains("is not a Python fleetroll database"), "\(explicit.stderr)")
        let missing = try fleetroll(["import-python", state + "/nowhere"], state: state)
        #expect(missing.exitCode == 2 && missing.stderr.contains("no such directory"))
    }

    @Test func anEarlierVersionsStoreMovesAndTheReportStillShowsIt() async throws {
        let state = try makeTemporaryDirectory("pylegacy")
        let old = try FleetDatabase(path: state + "/fleetroll.db")
        var o = ObservedState()
        o.role = "gecko_t_linux_talos"
        o.rolePresent = true
        try await ObservationStore(database: old).insert(HostObservation(
            ts: Timestamp.now(), actor: "t", host: "t-linux64-ms-016.test.releng.mdc1.mozilla.com", ok: true, sshRC: 0, stderr: "", observed: o))
        try old.writer.close()
        let rows = try report(state)
        #expect((rows["t-linux64-ms-016.test.releng.mdc1.mozilla.com"]?["row"] as? [String: String])?["role"] == "gecko_t_linux_talos")
        #expect(FileManager.default.fileExists(atPath: state + "/store.db"))
        #expect(!FileManager.default.fileExists(atPath: state + "/fleetroll.db"), "free again for the Python tool")
    }

    @Test func thePythonToolsHabitsAreAccepted() async throws {
        let state = try copyFixture("pyhabits")
        // -d before the command; a GitHub run within the hour keeps gather-gh from the network.
        let db = try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state)))
        try await ServiceStore(database: db).recordRun("github", at: Date(), ok: true, summary: [:])
        let gh = try runCommand([Binaries.fleetroll, "-d", "gather-gh", "--state-dir", state])
        #expect(gh.exitCode == 0 && gh.stdout.contains("next fetch in"), "\(gh.stdout) \(gh.stderr)")
        #expect(try runCommand([Binaries.fleetroll, "--debug", "config", "show", "--state-dir", state]).exitCode == 0)
        #expect(try runCommand([Binaries.fleetroll, "-d", "host-kit", "print"]).exitCode == 0)

        // maintain --audit-log takes the state directory, as that tool documented.
        let maintain = try runCommand([Binaries.fleetroll, "maintain", "--audit-log", state])
        #expect(maintain.exitCode == 0 && maintain.stdout.contains("FleetRoll directory: \(state)\n"))
        #expect(maintain.stdout.contains("SKIP audit.jsonl: 0.0 MB (below 100 MB threshold)"), "it found the fixture's log")

        // gather -v and --override-delay (every step skipped: only the options are on trial).
        let gather = try fleetroll(["gather", "-v", "--override-delay", "--skip-host", "--skip-tc", "--skip-gh", "ms1"], state: state)
        #expect(gather.exitCode == 0, "\(gather.stderr)")
        #expect(try fleetroll(["gather", "-v", "-q", "--skip-host", "ms1"], state: state).exitCode == 2, "-v and -q conflict")

        // --notes-file: the team's file is imported first, and new records go to it too, in its layout.
        let team = state + "/team-notes.jsonl"
        let host = "t-linux64-ms-904.test.releng.mdc1.mozilla.com"
        try (#"{"action": "host.note_add", "actor": "relops", "host": "\#(host)", "note": "down since Monday", "ts": "2026-12-01T10:00:00+00:00"}"#
             + "\n").write(toFile: team, atomically: true, encoding: .utf8)
        let shown = try fleetroll(["show-notes", host, "--notes-file", team], state: state)
        #expect(shown.stdout.contains("(relops) down since Monday"), "\(shown.stdout)")
        #expect(try fleetroll(["note-clear", host, "--reason", "back", "--notes-file", team], state: state).exitCode == 0)
        let lines = try String(contentsOfFile: team, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines[1].hasPrefix(#"{"action": "host.note_clear", "actor": "#), "\(lines)")
        #expect(lines[1].contains(#""reason": "back""#))
        #expect(try fleetroll(["show-notes", host, "--notes-file", team], state: state).stdout == "No notes for \(host)\n")
    }
}
