import FleetCore
import FleetLab
import FleetSSH
import FleetStore
import Foundation
import Testing

/// host-run-puppet through the binary against real sshd hosts, whose stand-in wrapper runs under
/// sudo the way the real one does; what the hosts hold and still run is checked from outside.
@Suite("host-run-puppet against the lab", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct LabRunPuppetTests {
    static let domain = ".test.releng.mdc1.mozilla.com"

    static func host(_ short: String, os: LabOS = .linux, _ edit: (inout ScenarioHost, inout PuppetRunScenario) -> Void = { _, _ in }) -> ScenarioHost {
        var h = ScenarioHost(name: short + domain, os: os)
        h.role = "gecko_t_linux_talos"
        h.vault = "---\nsecret: lab\n"
        var run = PuppetRunScenario()
        run.detached = true
        run.runSeconds = 0
        edit(&h, &run)
        h.puppetRun = run
        return h
    }

    struct Env {
        var lab: LabState
        var state: String

        var ssh: [String] { ["--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)", "--connect-timeout", "3"] }

        func fleetroll(_ args: [String], timeout: Double = 120) throws -> CommandResult {
            try runCommand([Binaries.fleetroll] + args.prefix(1) + ssh + args.dropFirst(), timeout: timeout)
        }

        /// The outcome lines (STARTED ones apart) of the audit log, and the hosts with a STARTED line.
        func audit() -> (outcomes: [String: [String: Any]], started: [String]) {
            let records = AuditLog(url: URL(fileURLWithPath: state + "/audit.jsonl")).records()
            var outcomes: [String: [String: Any]] = [:]
            var started: [String] = []
            for r in records {
                #expect(r["action"] as? String == "host.run_puppet")
                let host = r["host"] as? String ?? ""
                if r["result"] as? String == "STARTED" { started.append(host) } else {
                    #expect(outcomes[host] == nil, "one outcome line per host: \(host)")
                    outcomes[host] = r
                }
            }
            return (outcomes, started)
        }

        /// The attempts the host's wrapper made (`single=1` when asked for one attempt).
        func attempts(_ short: String) -> [String] {
            let text = (try? String(contentsOfFile: lab.fileOnHost(short + LabRunPuppetTests.domain, "/root/lab-run-puppet.log")!, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map { String($0.split(separator: " ").dropFirst().joined(separator: " ")) }
        }

        /// What the host still runs of a puppet run, after waiting up to `seconds` for it to go.
        func leftovers(_ short: String, waiting seconds: Double = 15) -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            var left: [String] = []
            repeat {
                left = lab.processes(onHost: short + LabRunPuppetTests.domain).map(\.command)
                    .filter { $0.contains("run-puppet.sh") || $0.contains("sleep 86399") || $0.contains("fleetroll-watchdog") }
                if left.isEmpty { return [] }
                usleep(200_000)
            } while Date() < deadline
            return left
        }
    }

    func withLab(_ hosts: [ScenarioHost], services: Bool = false, commits: [String]? = nil, github: GitHubScenario? = nil,
                 _ body: (Env) async throws -> Void) async throws {
        let labDir = try makeTemporaryDirectory("lab-rp")
        let state = try makeTemporaryDirectory("state-rp")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let lab = try Lab.up(scenario: Scenario(hosts: hosts, github: github, commits: commits), directory: labDir,
                             servicesExecutable: services ? Binaries.directory + "/fleetroll-lab" : nil)
        defer { _ = try? Lab.down(directory: labDir) }
        if services { try FileManager.default.copyItem(atPath: lab.configPath, toPath: state + "/config.toml") }
        try await body(Env(lab: lab, state: state))
    }

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// A host whose last run failed on an old commit: one host-run-puppet (no --confirm for one
    /// host) applies changes (exit 2), and the report at once shows the new run: the commit it
    /// moved to, success, APPLIED and HEALTHY Y.
    @Test func aRunWithChangesShowsInTheReportAtOnce() async throws {
        let h = Self.host("t-linux64-ms-601") { h, run in
            run.commit = "stale-commit"
            run.exitCode = 6
            run.runExitCode = 2
            var w = WorkerScenario()
            w.lastActiveAgo = 60
            h.worker = w
        }
        let gh = GitHubScenario(repos: ["mozilla-platform-ops/ronin_puppet": ["master": "@master"]])
        try await withLab([h], services: true, commits: ["master", "stale-commit"], github: gh) { env in
            let commits = try #require(env.lab.commits)
            let gather = try runCommand([Binaries.fleetroll, "gather"] + env.ssh + ["-q", h.name])
            #expect(gather.exitCode == 0, "\(gather.stdout)\(gather.stderr)")
            func row() throws -> [String: String] {
                let report = try runCommand([Binaries.fleetroll, "host-monitor", "--state-dir", env.state, "--once", "--json", h.name])
                let rows = try #require(try Self.json(report.stdout) as? [[String: Any]])
                return try #require(rows.first?["row"] as? [String: String])
            }
            let before = try row()
            #expect(before["pp_sha"] == String(commits["stale-commit"]!.prefix(7)), "\(before)")
            #expect(before["pp_last"]?.contains("FAIL") == true && before["healthy"] == "N", "\(before)")

            let r = try env.fleetroll(["host-run-puppet", "--json", "--reason", "RELOPS-1 canary", h.name])
            #expect(r.exitCode == 0, "\(r.stdout)\(r.stderr)")
            try JSONContractTests.validate(r.stdout, "host-run-puppet", "host-run-puppet --json, one host")
            let records = try #require(try Self.json(r.stdout) as? [[String: Any]], "one host: an array too")
            let record = try #require(records.first)
            #expect(record["result"] as? String == "OK")
            let observed = try #require(record["observed"] as? [String: Any])
            #expect(observed["puppet_exit"] as? Int == 2 && observed["changes_applied"] as? Bool == true)
            #expect(r.stderr.contains("Audit refreshed for 1 host(s)."))
            #expect(env.attempts("t-linux64-ms-601") == ["attempt 1 single=1"])

            let after = try row()
            #expect(after["pp_sha"] == String(commits["master"]!.prefix(7)), "the run moved the host to master: \(after)")
            #expect(after["pp_match"] == "Y" && after["applied"] == "Y" && after["healthy"] == "Y", "\(after)")
            #expect(after["pp_last"]?.contains("FAIL") == false, "\(after)")
            // The output's end is kept for the host detail view.
            let kept = try #require(PuppetRunLogs(state: StateDirectory(root: URL(fileURLWithPath: env.state))).load(host: h.name))
            #expect(kept.record.result == .ok && kept.lines.contains { $0.contains("Notice: Applied catalog") })
            #expect(kept.lines.contains { $0.contains("(attempt 1, terminal 50 120)") }, "puppet sees a terminal of a fixed size: \(kept.lines)")
        }
    }

    /// Every way a run fails is FAIL with its class; every host has its audit lines; the hung run
    /// is ended on the host by --timeout; the looping wrapper makes one attempt.
    @Test func failuresAreClassifiedBoundedAndRecorded() async throws {
        let hosts = [
            Self.host("t-linux64-ms-611") { _, run in run.runExitCode = 4 },                             // puppet fails
            Self.host("t-linux64-ms-612") { _, run in run.runHang = true },                              // hangs
            { var h = Self.host("t-linux64-ms-613"); h.puppetRun = nil; return h }(),                   // no wrapper
            Self.host("t-linux64-ms-614") { h, _ in h.fault = .sudoBroken },                              // sudo broken
            Self.host("t-linux64-ms-615") { h, _ in h.fault = .down },                                    // unreachable
            Self.host("t-linux64-ms-616") { _, run in run.runExitCode = 1; run.retrySeconds = 1 },        // would retry forever
            Self.host("macmini-m4-611", os: .macos) { _, run in run.runExitCode = 0 },                    // no changes
        ]
        try await withLab(hosts) { env in
            // Without FLEETROLL_SINGLE_RUN the stand-in wrapper retries forever, as the real one does.
            let looping = try runCommand(["ssh", "-F", env.lab.sshConfigPath, "t-linux64-ms-616" + Self.domain,
                                          "sudo -n timeout 4 /usr/local/bin/run-puppet.sh"], timeout: 30)
            #expect(looping.exitCode == 124, "\(looping.stdout)\(looping.stderr)")
            let loops = env.attempts("t-linux64-ms-616")
            #expect(loops.count >= 2 && loops.allSatisfy { $0.hasSuffix("single=") }, "\(loops)")
            _ = env.leftovers("t-linux64-ms-616")

            let list = env.state + "/canary-staging.list"
            try hosts.map(\.name).joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
            let start = Date()
            let r = try env.fleetroll(["host-run-puppet", list, "--confirm", "--json", "--timeout", "3", "--no-audit"])
            let elapsed = Date().timeIntervalSince(start)
            #expect(r.exitCode == 1, "\(r.stdout)\(r.stderr)")
            #expect(!r.stderr.contains("WARNING"), "a staging list gets no warning")
            #expect(r.stderr.contains("ERROR: puppet did not run successfully on 6 of 7 host(s): t-linux64-ms-611"), "exit 1 says why: \(r.stderr)")
            try JSONContractTests.validate(r.stdout, "host-run-puppet", "host-run-puppet --json, a batch")
            #expect(elapsed < 45, "bounded by --timeout (a hung run would never end): \(elapsed)s")
            let array = try #require(try Self.json(r.stdout) as? [[String: Any]], "a batch: an array")
            var by: [String: [String: Any]] = [:]
            for o in array { by[String((o["host"] as! String).split(separator: ".")[0])] = o }
            func check(_ short: String, _ result: String, _ cls: String?, exit: Int?) {
                let o = by[short] ?? [:]
                #expect(o["result"] as? String == result, "\(short): \(o)")
                #expect(o["error_class"] as? String == cls, "\(short): \(o)")
                #expect((o["observed"] as? [String: Any])?["puppet_exit"] as? Int == exit, "\(short): \(o)")
            }
            check("t-linux64-ms-611", "FAIL", "puppet", exit: 4)
            check("t-linux64-ms-612", "FAIL", "timeout", exit: nil)
            check("t-linux64-ms-613", "FAIL", "missing_wrapper", exit: nil)
            check("t-linux64-ms-614", "FAIL", "sudo", exit: nil)
            check("t-linux64-ms-615", "FAIL", "unreachable", exit: nil)
            check("t-linux64-ms-616", "FAIL", "puppet", exit: 1)
            check("macmini-m4-611", "OK", nil, exit: 0)
            #expect((by["t-linux64-ms-614"]?["error"] as? String)?.contains("a password is required") == true)

            // The hung run was ended on the host, with everything it started.
            #expect(env.leftovers("t-linux64-ms-612") == [], "left running on the host")
            #expect(env.attempts("t-linux64-ms-616").suffix(1) == ["attempt 1 single=1"], "one attempt: \(env.attempts("t-linux64-ms-616"))")
            #expect(env.attempts("t-linux64-ms-614").isEmpty, "sudo failed: nothing ran")

            // One outcome line per host, transport failures included, after a STARTED line.
            let (outcomes, started) = env.audit()
            #expect(Set(outcomes.keys) == Set(hosts.map(\.name)))
            #expect(Set(started) == Set(hosts.map(\.name)) && started.count == hosts.count)
            #expect(outcomes["t-linux64-ms-615" + Self.domain]?["ssh_rc"] as? Int == 255)
            #expect(!(try String(contentsOfFile: env.state + "/audit.jsonl", encoding: .utf8)).contains("Notice:"), "never the output")

            // JSON shape: the audit record's fields plus the output's end.
            let keys = Set(array[0].keys)
            #expect(keys == ["action", "actor", "host", "ok", "result", "ssh_rc", "stderr", "error", "error_class", "observed",
                             "parameters", "run_id", "ts", "output"], "\(keys.sorted())")
            let observedKeys = Set((array[0]["observed"] as? [String: Any] ?? [:]).keys)
            #expect(observedKeys.isSuperset(of: ["puppet_exit", "changes_applied", "duration_s", "output_bytes"]), "\(observedKeys)")
            #expect((array[0]["parameters"] as? [String: Any])?["timeout_s"] as? Double == 3)
        }
    }

    /// Ctrl-C during a batch of 10: the runs in flight end (on the hosts too), the rest never
    /// start, and every host is accounted for on screen and in the audit log; exit 130.
    @Test func ctrlCDuringABatchOfTenAccountsForEveryHost() async throws {
        let hosts = (621...630).map { n in Self.host("t-linux64-ms-\(n)") { _, run in run.runSeconds = 60 } }
        try await withLab(hosts) { env in
            let out = env.state + "/out"
            let argv = [Binaries.fleetroll, "host-run-puppet"] + env.ssh + ["--confirm", "--workers", "4", "--no-audit",
                                                                            hosts.map(\.name).joined(separator: ",")]
            let script = """
                "$@" >'\(out)' 2>&1 & pid=$!
                i=0; while [ "$(grep -c '^START ' '\(out)')" -lt 4 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
                sleep 1; kill -INT $pid; start=$(date +%s); wait $pid; echo "rc=$? after=$(( $(date +%s) - start ))"
                """
            let r = try ProcessRunner.runBlocking(["sh", "-c", script, "sh"] + argv, stdin: nil, timeout: 120)
            let said = String(decoding: r.stdout, as: UTF8.self)
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(said.hasPrefix("rc=130"), "\(said) \(text)")
            if let after = Int(said.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
                #expect(after < 30, "the runs in flight (60 s each) end at once")
            }
            #expect(text.contains("Summary: total=10 successful=0 changed=0 failed=0 interrupted=4 not_started=6"), "\(text)")
            for h in hosts { #expect(text.contains(" \(h.name) "), "\(h.name) accounted for") }
            let (outcomes, started) = env.audit()
            #expect(outcomes.count == 10)
            #expect(outcomes.values.filter { $0["result"] as? String == "INTERRUPTED" }.count == 4)
            #expect(outcomes.values.filter { $0["result"] as? String == "NOT_STARTED" }.count == 6)
            #expect(started.count == 4)
            for h in hosts {
                let short = String(h.name.split(separator: ".")[0])
                #expect(env.leftovers(short) == [], "\(short) still runs puppet")
            }
        }
    }

    /// Several hosts printing thousands of lines at once: every line shown is whole, after its
    /// own host's name, in order; on a pipe no escape sequence gets through.
    @Test func outputIsStreamedInWholeLinesNeverMixed() async throws {
        let hosts = (641...643).map { n in Self.host("t-linux64-ms-\(n)") { _, run in run.runOutputLines = 3000; run.runExitCode = 0 } }
        try await withLab(hosts) { env in
            let list = env.state + "/prod.list"
            try hosts.map(\.name).joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
            // Without --confirm: a dry run, and the warning for a list not named staging.
            let dry = try env.fleetroll(["host-run-puppet", list])
            #expect(dry.exitCode == 0 && dry.stdout.contains("DRY RUN") && dry.stdout.contains("Host count: 3"), "\(dry.stdout)")
            #expect(dry.stderr.contains("WARNING: host list filename does not contain 'staging'"))
            #expect(hosts.allSatisfy { env.attempts(String($0.name.split(separator: ".")[0])).isEmpty }, "a dry run runs nothing")
            let dryText = try env.fleetroll(["host-run-puppet", list, "--json"]).stdout
            try JSONContractTests.validate(dryText, "host-run-puppet", "host-run-puppet --json, a dry run")
            let dryJSON = try #require(try Self.json(dryText) as? [String: Any])
            #expect(dryJSON["dry_run"] as? Bool == true && dryJSON["host_count"] as? Int == 3 && dryJSON["auto_audit"] as? Bool == true)

            let raw = try runRaw([Binaries.fleetroll, "host-run-puppet"] + env.ssh + ["--confirm", "--no-audit", list])
            #expect(raw.exitCode == 0, "\(raw.stderrText)")
            #expect(terminalControl(raw.stdout) == nil, "no escape sequences on a pipe")
            var seen: [String: [Int]] = [:]
            for line in raw.stdoutText.split(separator: "\n") where line.contains(" | ") {
                let parts = line.components(separatedBy: " | ")
                let short = parts[0].trimmingCharacters(in: .whitespaces)
                let body = parts.dropFirst().joined(separator: " | ")
                guard body.hasPrefix("Notice: /Stage[main]/Lab/Line[") else { continue }
                let expected = "\(short)\(Self.domain) line "
                #expect(body.contains(expected) && body.hasSuffix(" of 3000 ........................................................."),
                        "a mixed or cut line: \(line)")
                if let n = Int(body.components(separatedBy: expected).last?.split(separator: " ").first ?? "") { seen[short, default: []].append(n) }
            }
            for h in hosts {
                let short = String(h.name.split(separator: ".")[0])
                #expect(seen[short] == Array(1...3000), "\(short): \(seen[short]?.count ?? 0) lines")
            }
            #expect(raw.stdoutText.contains("Summary: total=3 successful=3 changed=0 failed=0 skipped=0"))
            // -q: no host's output, the results and the summary still.
            let quiet = try env.fleetroll(["host-run-puppet", "--confirm", "--no-audit", "-q", list])
            #expect(quiet.exitCode == 0 && !quiet.stdout.contains(" | ") && !quiet.stdout.contains("START "), "\(quiet.stdout)")
            #expect(quiet.stdout.contains("OK \(hosts[0].name) no changes") && quiet.stdout.contains("Summary: total=3 successful=3"))
        }
    }

    /// In a terminal: the progress line names the run in flight, and puppet's colours stay.
    @Test(.enabled(if: TUITests.hasTmux, "needs tmux (scripts/install-deps installs it)"))
    func aTerminalShowsProgressAndColours() async throws {
        let h = Self.host("t-linux64-ms-651") { _, run in run.runSeconds = 6; run.runExitCode = 0 }
        try await withLab([h]) { env in
            let tmux = TUITests.Session()
            defer { tmux.kill() }
            let command = ([Binaries.fleetroll, "host-run-puppet"] + env.ssh + ["--no-audit", h.name]).map { ShellQuoting.quote($0) }.joined(separator: " ")
            // Colours are asked for: a terminal, and no NO_COLOR (whatever the test runner was given).
            try tmux.start("env -u NO_COLOR " + command, width: 160, height: 40)
            let running = try tmux.waitFor("0/1 done, 1 running: t-linux64-ms-651 ")
            #expect(running.contains("0/1 done, 1 running: t-linux64-ms-651 "), "\(running)")
            let done = try tmux.waitFor("EXITED-0")
            #expect(done.contains("OK \(h.name) no changes"), "\(done)")
            #expect(!done.contains("running:"), "the progress line is gone at the end")
            let coloured = try runCommand(["tmux", "capture-pane", "-p", "-e", "-t", tmux.name]).stdout
            #expect(coloured.contains("\u{1B}[32mNotice: Applied catalog"), "puppet's green stays on a terminal")
        }
    }
}
