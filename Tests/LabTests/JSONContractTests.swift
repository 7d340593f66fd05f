import FleetCore
import FleetSSH
import FleetLab
import FleetStore
import Foundation
import Testing

/// Every command's --json, produced for real on the demo lab (its hosts, fake Taskcluster and
/// GitHub), validated against its schema in schemas/ by scripts/validate-json (jsonschema); and
/// Ctrl-C and SIGTERM on a gather that is still waiting for a hung host.
@Suite("JSON output against the schemas", .enabled(if: isRoot, Comment(rawValue: needsRoot)), .serialized)
struct JSONContractTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Validates `text` against `schemas/<schema>.schema.json`; `lines` for JSON lines.
    static func validate(_ text: String, _ schema: String, lines: Bool = false, _ label: String) throws {
        let file = "/tmp/fleetroll-json-\(UUID().uuidString.prefix(8)).json"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try runCommand(["python3", repo + "/scripts/validate-json", schema, file] + (lines ? ["--lines"] : []))
        #expect(r.exitCode == 0, "\(label) does not match schemas/\(schema).schema.json: \(r.stderr)\n\(text.prefix(600))")
    }

    @Test func everyCommandsJSONMatchesItsSchema() async throws {
        let labDir = try makeTemporaryDirectory("lab-json")
        let state = try makeTemporaryDirectory("state-json")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let scenario = try Scenario.load(path: Self.repo + "/lab/scenarios/demo.yaml")
        let lab = try Lab.up(scenario: scenario, directory: labDir, servicesExecutable: Binaries.directory + "/fleetroll-lab")
        defer { _ = try? Lab.down(directory: labDir) }
        try FileManager.default.copyItem(atPath: lab.configPath, toPath: state + "/config.toml")
        let ssh = ["--ssh-option", "-F \(lab.sshConfigPath)", "--connect-timeout", "2", "--timeout", "6"]
        func run(_ args: [String], _ schema: String, exit: Set<Int32> = [0, 1], lines: Bool = false) throws -> String {
            let r = try runCommand([Binaries.fleetroll] + args.prefix(args.first == "config" ? 2 : 1) + ["--state-dir", state] + args.dropFirst(args.first == "config" ? 2 : 1))
            #expect(exit.contains(r.exitCode), "\(args): exit \(r.exitCode): \(r.stderr)")
            try Self.validate(r.stdout, schema, lines: lines, args.joined(separator: " "))
            return r.stdout
        }
        let list = lab.hostListPath
        let one = "t-linux64-ms-001.test.releng.mdc1.mozilla.com"
        // One shape for one host as for many.
        let single = try run(["gather-host", "--json"] + ssh + [one], "gather-host")
        #expect(single.contains("\"results\""))
        _ = try run(["gather-host", "--json"] + ssh + [list], "gather-host")
        _ = try run(["gather-tc", "--json", list], "gather-tc")
        _ = try run(["gather-tc", "--json", "--task-history", list], "gather-tc")
        _ = try run(["gather-gh", "--json", "--force"], "gather-gh")
        // A cron job sending stdout away still learns why gather-gh failed (the demo has a private repo).
        let quietFailure = try runCommand(["sh", "-c", "\"$0\" gather-gh --state-dir \"$1\" --force >/dev/null", Binaries.fleetroll, state])
        #expect(quietFailure.exitCode == 1 && quietFailure.stderr.contains("ERROR: Access denied to"), "\(quietFailure)")
        let all = try run(["gather", "--json", "--force"] + ssh + [list], "gather")
        #expect(all.contains("\"gather_tc\" : [") || all.contains("\"gather_tc\": ["), "the Taskcluster step is in it")
        _ = try run(["gather", "--json", "--skip-host", "--skip-gh", list], "gather")
        _ = try run(["config", "show", "--json"], "config-show", exit: [0])
        _ = try run(["host-verify-state", "--json"] + ssh + [list], "host-verify-state")
        _ = try run(["maintain", "--json"], "maintain", exit: [0])
        _ = try run(["maintain", "--json", "--confirm", "--force"], "maintain", exit: [0])
        _ = try run(["host-monitor", "--once", "--json", list], "host-monitor", exit: [0])
        _ = try run(["data-freshness", "--json", "--all"], "data-freshness")
        _ = try run(["note-add", "--json", one, "RELOPS-1 watch"], "note", exit: [0])
        _ = try run(["note-clear", "--json", one, "--reason", "done"], "note", exit: [0])
        _ = try run(["show-notes", "--json", "-i", one], "show-notes", exit: [0])
        // A copy: SQLite leaves -wal/-shm files beside a database it opened.
        let python = state + "/python-home"
        try FileManager.default.copyItem(atPath: Self.repo + "/Tests/Fixtures/python-fleetroll-0.2.4/dot-fleetroll", toPath: python)
        _ = try run(["import-python", "--json", python], "import-python")
        let override = state + "/o.override"
        try "PUPPET_REPO=\"https://github.com/aerickson/ronin_puppet.git\"\nPUPPET_BRANCH=\"relops-9\"\nPUPPET_MAIL=\"a@b.org\"\n"
            .write(toFile: override, atomically: true, encoding: .utf8)
        _ = try run(["host-set-override", "--json", "-f", override] + ssh + [one], "host-write", exit: [0])
        let written = try run(["host-set-override", "--json", "-f", override, "--confirm", "--force", "--no-audit"] + ssh + [one], "host-write")
        #expect(written.hasPrefix("["), "an array for one host too")
        _ = try run(["host-unset-override", "--json", "--confirm", "--no-audit"] + ssh + [one], "host-write")
        let vault = state + "/v.yaml"
        try "---\ntoken: x\n".write(toFile: vault, atomically: true, encoding: .utf8)
        _ = try run(["host-set-vault", "--json", "-f", vault] + ssh + [one + ",t-linux64-ms-002.test.releng.mdc1.mozilla.com"], "host-write", exit: [0])
        _ = try run(["forget", "--json", one], "forget", exit: [0])
        _ = try run(["forget", "--json", "--confirm", one], "forget", exit: [0])

        // Following: JSON lines throughout, each a row; the README's jq example reads them.
        let follow = try ProcessRunner.runBlocking(["timeout", "--preserve-status", "-s", "INT", "3", Binaries.fleetroll, "host-monitor", "--state-dir", state, "--json", list],
                                                   stdin: nil, timeout: 30)
        #expect(follow.exitCode == 0, "Ctrl-C ends following normally: \(follow.stderrText)")
        try Self.validate(follow.stdoutText, "host-monitor-line", lines: true, "host-monitor --json (following)")
        let jq = try runCommand(["sh", "-c", "printf '%s' \"$0\" | python3 -c 'import json,sys; [print(json.dumps({k: json.loads(l)[\"row\"][k] for k in (\"host\", \"healthy\")})) for l in sys.stdin]'",
                                 follow.stdoutText])
        #expect(jq.exitCode == 0 && jq.stdout.split(separator: "\n").count == follow.stdoutText.split(separator: "\n").count, "\(jq)")
    }

    /// The demo's ms-009 never answers: Ctrl-C while it is awaited prints the hosts that finished.
    @Test func ctrlCOnAGatherPrintsTheHostsThatFinished() async throws {
        let labDir = try makeTemporaryDirectory("lab-int")
        let state = try makeTemporaryDirectory("state-int")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let scenario = try Scenario.load(path: Self.repo + "/lab/scenarios/demo.yaml")
        let lab = try Lab.up(scenario: scenario, directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        let hung = try #require(scenario.hosts.first { $0.fault == .hang }?.name)
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            // One signal to fleetroll alone, as a terminal's Ctrl-C or `kill PID` sends it
            // (timeout(1) would signal it twice: itself and its process group).
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Binaries.fleetroll)
            p.arguments = ["gather-host", "--state-dir", state, "--json", "--ssh-option", "-F \(lab.sshConfigPath)", "--timeout", "300", "--connect-timeout", "300", lab.hostListPath]
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            p.standardInput = FileHandle.nullDevice
            try p.run()
            // Signalled once every host but the hung one is stored (a busy machine takes longer); the
            // hung one waits for its banner for as long as --connect-timeout lets it, so it is still in flight.
            let store = ObservationStore(database: try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state))))
            let before = try await store.newestID()
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline, try await store.observations(after: before).records.count < scenario.hosts.count - 1 {
                try await Task.sleep(nanoseconds: 300_000_000)
            }
            kill(p.processIdentifier, signal)
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let r = (exitCode: p.terminationStatus, stdout: stdout, stdoutText: String(decoding: stdout, as: UTF8.self), stderrText: stderr)
            #expect(r.exitCode == status, "\(signal): \(r.stderrText)")
            try Self.validate(r.stdoutText, "gather-host", "gather-host --json after signal \(signal)")
            let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
            let results = json["results"] as? [[String: Any]] ?? []
            #expect(json["interrupted"] as? Bool == true)
            #expect((json["not_gathered"] as? [String])?.contains(hung) == true, "\(json["not_gathered"] ?? "")")
            #expect(results.count == scenario.hosts.count - 1, "the hosts that answered are reported: \(results.count)")
            #expect(r.stderrText.contains("Interrupted:"), "\(r.stderrText)")
        }
    }
}
