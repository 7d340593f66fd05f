import FleetCore
import FleetSSH
import FleetStore
import Foundation
import Testing

/// The command line's contract, through the real binary: unknown commands, one error prefix,
/// messages instead of raw Foundation errors, per-command options, the query language's values,
/// named filters found wherever fleetroll runs, hosts from standard input, notes, forget, and
/// the writes that refuse empty files. No lab needed.
@Suite("Command-line contract")
struct CLIContractTests {
    func fleetroll(_ args: [String], stdin: String? = nil, cwd: String? = nil) throws -> CommandResult {
        var argv = [Binaries.fleetroll] + args
        if let cwd { argv = ["sh", "-c", "cd \"$0\" && exec \"$@\"", cwd] + argv }
        let out = try ProcessRunner.runBlocking(argv, stdin: stdin.map { Data($0.utf8) }, timeout: 60)
        return CommandResult(exitCode: out.exitCode, stdout: String(decoding: out.stdout, as: UTF8.self), stderr: out.stderrText)
    }

    @Test func mistypedCommandsAreErrorsWhateverFollows() throws {
        let typo = try fleetroll(["nosuch", "--ssh-option", "-F /tmp/lab/ssh_config"])
        #expect(typo.exitCode == 2 && typo.stdout.isEmpty, "\(typo)")
        #expect(typo.stderr.hasPrefix("ERROR: unknown command 'nosuch'"), "\(typo.stderr)")
        let close = try fleetroll(["gather-hots", "ms1"])
        #expect(close.exitCode == 2 && close.stderr.contains("did you mean 'gather-host'?"), "\(close.stderr)")
        #expect(try fleetroll(["-d", "nosuch"]).exitCode == 2)
        #expect(try fleetroll(["config", "shw"]).exitCode == 2)
        let helpTypo = try fleetroll(["help", "nosuch"])
        #expect(helpTypo.exitCode == 2 && helpTypo.stderr.contains("unknown command 'nosuch'"))
        let bare = try fleetroll([])
        #expect(bare.exitCode == 2 && bare.stdout.isEmpty && bare.stderr.contains("SUBCOMMANDS:") && bare.stderr.contains("ERROR: no command given"))
        let group = try fleetroll(["config"])
        #expect(group.exitCode == 2 && group.stderr.contains("show"))
        // Asking for help is not a mistake.
        for args in [["--help"], ["help"], ["help", "gather-host"], ["gather-host", "--help"], ["config", "show", "--help"], ["--version"]] {
            let r = try fleetroll(args)
            #expect(r.exitCode == 0 && !r.stdout.isEmpty, "\(args): \(r.stderr)")
        }
    }

    @Test func eachCommandListsOnlyItsOwnOptions() throws {
        let tc = try fleetroll(["gather-tc", "--help"]).stdout
        let gh = try fleetroll(["gather-gh", "--help"]).stdout
        let all = try fleetroll(["gather", "--help"]).stdout
        #expect(tc.contains("--tc-root-url") && tc.contains("--tc-concurrency") && !tc.contains("--github-api-url"))
        #expect(gh.contains("--github-api-url") && !gh.contains("--tc-root-url") && !gh.contains("--tc-concurrency"))
        #expect(!gh.contains("--github-apiurl"))
        #expect(["--tc-root-url", "--github-api-url", "--ssh-option", "--skip-gh"].allSatisfy(all.contains))
        // --debug promises what the command logs.
        #expect(!gh.contains("ssh command") && gh.contains("HTTP request"))
        #expect(try fleetroll(["gather-host", "--help"]).stdout.contains("ssh command line"))
        let monitor = try fleetroll(["host-monitor", "--help"]).stdout
        #expect(!monitor.contains("--debug"), "a local command has nothing to log")
        let state = try makeTemporaryDirectory("cli-debug")
        defer { try? FileManager.default.removeItem(atPath: state) }
        #expect(try fleetroll(["-d", "host-monitor", "--state-dir", state, "--once"]).exitCode == 0, "-d is still accepted")
        // The URL options are spelled as the README and the config file spell them.
        let bad = try fleetroll(["gather-gh", "--github-api-url", "ftp://x"])
        #expect(bad.exitCode == 2 && bad.stderr.hasPrefix("ERROR: --github-api-url must be an http:// or https:// URL."), "\(bad.stderr)")
    }

    @Test func conflictingFlagsAndOnePrefix() throws {
        for args in [["gather-tc", "-v", "-q", "ms1"], ["gather-host", "--verbose", "-q", "ms1"], ["gather", "-v", "-q", "ms1"]] {
            let r = try fleetroll(args)
            #expect(r.exitCode == 2 && r.stderr.hasPrefix("ERROR: ") && r.stderr.contains("mutually exclusive"), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("Error: "), "one prefix style: \(r.stderr)")
        }
    }

    @Test func stateDirectoryThatIsAFileIsSaidSo() throws {
        let dir = try makeTemporaryDirectory("cli-file")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/plain"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        for state in [file, file + "/below"] {
            let r = try fleetroll(["host-monitor", "--state-dir", state, "--once"])
            #expect(r.exitCode == 2, "\(r)")
            #expect(r.stderr.hasPrefix("ERROR: ") && r.stderr.contains(file) && r.stderr.contains("is a file, not a directory"), "\(r.stderr)")
            #expect(!r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("UserInfo"), "\(r.stderr)")
        }
    }

    /// A store with three Linux hosts gathered, ms1 unhealthy for a day.
    func seededState(_ tag: String) async throws -> String {
        let state = try makeTemporaryDirectory(tag)
        let store = ObservationStore(database: try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state))))
        for (i, host) in ["t-linux64-ms-001", "t-linux64-ms-002", "nosuchhost"].enumerated() {
            var o = ObservedState()
            o.osType = "Linux"
            o.uptimeS = (i + 1) * 100_000
            o.rolePresent = true
            o.role = "gecko_t_linux_talos"
            try await store.insert(HostObservation(ts: Timestamp.iso(Date()), actor: "t", host: host + (i == 2 ? ".example.com" : ".test.releng.mdc1.mozilla.com"),
                                                   ok: true, sshRC: 0, stderr: "", observed: o))
        }
        return state
    }

    @Test func badQueryValuesAreErrors() async throws {
        let state = try await seededState("cli-query")
        defer { try? FileManager.default.removeItem(atPath: state) }
        func monitor(_ args: [String]) throws -> CommandResult { try fleetroll(["host-monitor", "--state-dir", state, "--once"] + args) }
        for (args, message) in [(["--filter", "healthy=maybe"], "healthy is one of Y, N or -"),
                                (["--filter", "uptime>abc"], "not one"), (["--filter", "os=X"], "os is one of"),
                                (["--filter", "uptime>1d 04h"], "ignored"), (["--columns", ""], "no column given"),
                                (["--columns", "host,,status"], "unknown column"), (["--filter", "nosuch=1"], "unknown column")] {
            let r = try monitor(args)
            #expect(r.exitCode == 2 && r.stdout.isEmpty && r.stderr.hasPrefix("ERROR: ") && r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        // Durations as the report prints them, quoted, or run together.
        let quoted = try monitor(["--hostname-only", "--filter", "uptime>\"1d 04h\""])
        #expect(quoted.exitCode == 0 && quoted.stdout.split(separator: "\n").count == 2, "200000s and 300000s: \(quoted)")
        #expect(try monitor(["--hostname-only", "--filter", "uptime>1d04h"]).stdout == quoted.stdout)
        // Row keys are the query language's names; the old names are still accepted.
        let json = try monitor(["--json"]).stdout
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let keys = Set((rows.first?["row"] as? [String: Any])?.keys.map { $0 } ?? [])
        #expect(keys.contains("ovr_bch") && keys.contains("tc_t_dur") && !keys.contains("sha") && !keys.contains("tc_j_sf"))
        #expect(try monitor(["--columns", "host,sha,tc_j_sf"]).exitCode == 0)
        #expect(try monitor(["--filter", "sha=- tc_j_sf=-"]).exitCode == 0)
    }

    @Test func namedFiltersAreFoundWhereverFleetrollRuns() async throws {
        let state = try await seededState("cli-filters")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let shipped = try fleetroll(["host-monitor", "--state-dir", state, "--once", "--filter-file", "unreachable"], cwd: "/")
        #expect(shipped.exitCode == 0, "a shipped filter, from /: \(shipped.stderr)")
        let missing = try fleetroll(["host-monitor", "--state-dir", state, "--once", "--filter-file", "nosuch"], cwd: "/")
        #expect(missing.exitCode == 2 && missing.stderr.contains(state + "/filters/nosuch.yaml")
                && missing.stderr.contains("shipped with fleetroll") && missing.stderr.contains("quarantined"), "\(missing.stderr)")
        // <state>/filters and [filters] directory, which win over a shipped one of the same name.
        let team = try makeTemporaryDirectory("cli-team-filters")
        defer { try? FileManager.default.removeItem(atPath: team) }
        try "query: host~ms-002\n".write(toFile: team + "/unreachable.yaml", atomically: true, encoding: .utf8)
        try "[filters]\ndirectory = \"\(team)\"\n".write(toFile: state + "/config.toml", atomically: true, encoding: .utf8)
        let mine = try fleetroll(["host-monitor", "--state-dir", state, "--once", "--hostname-only", "--filter-file", "unreachable"], cwd: "/")
        #expect(mine.stdout == "t-linux64-ms-002.test.releng.mdc1.mozilla.com\n", "\(mine)")
        try FileManager.default.createDirectory(atPath: state + "/filters", withIntermediateDirectories: true)
        try "query: \"healthy=maybe\"\n".write(toFile: state + "/filters/broken.yaml", atomically: true, encoding: .utf8)
        let broken = try fleetroll(["host-monitor", "--state-dir", state, "--once", "--filter-file", "broken"])
        #expect(broken.exitCode == 2 && broken.stderr.contains("healthy is one of"), "\(broken.stderr)")
    }

    @Test func hostsFromStandardInput() async throws {
        let state = try await seededState("cli-stdin")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let r = try fleetroll(["host-monitor", "--state-dir", state, "--once", "--hostname-only", "-"], stdin: "ms2\n# a comment\nms1\n")
        #expect(r.exitCode == 0 && r.stdout == "t-linux64-ms-001.test.releng.mdc1.mozilla.com\nt-linux64-ms-002.test.releng.mdc1.mozilla.com\n", "\(r)")
        #expect(try fleetroll(["data-freshness", "--state-dir", state, "-"], stdin: "ms1\n").exitCode == 0)
        let mixed = try fleetroll(["host-monitor", "--state-dir", state, "--once", "-", "ms1"], stdin: "ms2\n")
        #expect(mixed.exitCode == 2 && mixed.stderr.contains("cannot be mixed"))
        let empty = try fleetroll(["gather-host", "--state-dir", state, "-"], stdin: "# nothing\n")
        #expect(empty.exitCode == 2 && empty.stderr.contains("No valid hosts found in <stdin>"), "\(empty.stderr)")
    }

    @Test func notesExpandShortNamesLikeEveryCommand() throws {
        let state = try makeTemporaryDirectory("cli-notes")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let add = try fleetroll(["note-add", "--state-dir", state, "ms4", "disk errors"])
        #expect(add.exitCode == 0 && add.stdout == "Note added for t-linux64-ms-004.test.releng.mdc1.mozilla.com: disk errors\n", "\(add)")
        #expect(add.stderr.contains("Expanding ms4 → t-linux64-ms-004.test.releng.mdc1.mozilla.com"))
        let shown = try fleetroll(["show-notes", "--state-dir", state, "ms4"])
        #expect(shown.stdout.hasSuffix(" disk errors\n"), "\(shown)")
        #expect(try fleetroll(["show-notes", "--state-dir", state, "t-linux64-ms-004.test.releng.mdc1.mozilla.com"]).stdout == shown.stdout)
        #expect(try fleetroll(["note-clear", "--state-dir", state, "ms4"]).exitCode == 0)
    }

    @Test func forgetRemovesAHostFromTheStoreAndLogsIt() async throws {
        let state = try await seededState("cli-forget")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let typo = "nosuchhost.example.com"
        #expect(try fleetroll(["note-add", "--state-dir", state, typo, "typo"]).exitCode == 0)
        let dry = try fleetroll(["forget", "--state-dir", state, typo])
        #expect(dry.exitCode == 0 && dry.stdout.contains("WOULD REMOVE \(typo): 1 observation(s), 0 Taskcluster record(s), 1 note record(s)"), "\(dry)")
        #expect(try fleetroll(["host-monitor", "--state-dir", state, "--once", "--hostname-only"]).stdout.contains(typo), "a dry run removes nothing")
        let done = try fleetroll(["forget", "--state-dir", state, typo, "--confirm", "--reason", "typo", "--json"])
        #expect(done.exitCode == 0, "\(done)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(done.stdout.utf8)) as? [String: Any])
        #expect(json["removed"] as? Int == 1 && json["dry_run"] as? Bool == false)
        let left = try fleetroll(["host-monitor", "--state-dir", state, "--once", "--hostname-only"]).stdout
        #expect(!left.contains(typo) && left.split(separator: "\n").count == 2, "\(left)")
        let freshness = try fleetroll(["data-freshness", "--state-dir", state, "--all", "--json"]).stdout
        #expect(freshness.contains("\"hosts_total\": 2"), "\(freshness)")
        let audit = AuditLog(url: URL(fileURLWithPath: state + "/audit.jsonl")).records()
        #expect(audit.count == 1 && audit[0]["action"] as? String == "host.forget" && audit[0]["host"] as? String == typo)
        #expect((audit[0]["parameters"] as? [String: Any])?["reason"] as? String == "typo")
        let again = try fleetroll(["forget", "--state-dir", state, typo, "--confirm"])
        #expect(again.exitCode == 1 && again.stderr.contains("ERROR: not in the store: \(typo)"), "\(again)")
    }

    @Test func emptyFilesAreNeverSent() throws {
        let dir = try makeTemporaryDirectory("cli-empty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "".write(toFile: dir + "/empty", atomically: true, encoding: .utf8)
        try "# only a comment\n\n".write(toFile: dir + "/comments", atomically: true, encoding: .utf8)
        for (command, file, message) in [("host-set-vault", "empty", "is empty"), ("host-set-override", "empty", "is empty"),
                                          ("host-set-override", "comments", "empty or holds only comments"),
                                          ("host-set-vault", "comments", "no YAML document")] {
            let r = try fleetroll([command, "--state-dir", dir, "-f", dir + "/" + file, "ms1", "--confirm"])
            #expect(r.exitCode == 2 && r.stderr.contains("ERROR: ") && r.stderr.contains(message), "\(command) \(file): \(r.stderr)")
        }
    }

    @Test func unreachableServicesFailFastWithTheirURL() async throws {
        let state = try await seededState("cli-unreachable")
        defer { try? FileManager.default.removeItem(atPath: state) }
        for (url, reason) in [("http://127.0.0.1:9", "connection refused"), ("http://nosuch.invalid", "does not resolve")] {
            let started = Date()
            let gh = try fleetroll(["gather-gh", "--state-dir", state, "--force", "--github-api-url", url])
            #expect(gh.exitCode == 1 && gh.stderr.contains("ERROR: cannot reach \(url)") && gh.stderr.contains(reason), "\(gh)")
            let tc = try fleetroll(["gather-tc", "--state-dir", state, "--tc-root-url", url, "ms1,ms2"])
            #expect(tc.exitCode == 1 && tc.stderr.contains("cannot reach \(url)") && tc.stderr.contains(reason), "\(tc)")
            #expect(Date().timeIntervalSince(started) < 20, "no retries until a deadline")
        }
        // On a terminal (script(1) gives it one) a line says what is being read.
        for (command, url, label) in [("gather-gh --force --github-api-url", "http://127.0.0.1:9", "Reading GitHub at http://127.0.0.1:9"),
                                      ("gather-tc ms1 --tc-root-url", "http://127.0.0.1:9", "Scanning Taskcluster pools at http://127.0.0.1:9")] {
            let tty = try runCommand(["script", "-qec", "\(Binaries.fleetroll) \(command) \(url) --state-dir \(state)", "/dev/null"])
            #expect(tty.stdout.contains(label) && tty.exitCode == 1, "\(tty)")
        }
        // -d logs each HTTP request and why it was not retried.
        let debug = try fleetroll(["gather-gh", "-d", "--state-dir", state, "--force", "--github-api-url", "http://127.0.0.1:9"])
        #expect(debug.stderr.contains("GET http://127.0.0.1:9/repos/mozilla-platform-ops/ronin_puppet/git/refs/heads")
                && debug.stderr.contains("not retried"), "\(debug.stderr)")
    }

    /// Starts fleetroll, waits for its first output, sends `signal`, and returns its exit status and stderr.
    func signalled(_ args: [String], signal: Int32) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.fleetroll)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        var first = Data()
        let deadline = Date().addingTimeInterval(30)
        while first.isEmpty && Date() < deadline { first = out.fileHandleForReading.availableData }
        Thread.sleep(forTimeInterval: 0.5)
        kill(p.processIdentifier, signal)
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: first + rest, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    @Test func followModeEndsQuietlyOnCtrlC() async throws {
        let state = try await seededState("cli-follow")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let interrupted = try signalled(["host-monitor", "--state-dir", state, "--json"], signal: SIGINT)
        #expect(interrupted.status == 0 && interrupted.stderr.isEmpty, "Ctrl-C is how following ends: \(interrupted)")
        #expect(interrupted.stdout.split(separator: "\n").count == 3, "JSON lines, one per host")
        let terminated = try signalled(["host-monitor", "--state-dir", state], signal: SIGTERM)
        #expect(terminated.status == 143 && terminated.stderr.isEmpty, "\(terminated)")
    }
}
