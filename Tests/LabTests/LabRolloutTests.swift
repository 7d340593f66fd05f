import FleetCore
import FleetLab
import FleetSSH
import FleetStore
import Foundation
import Testing

/// A whole rollout through the binary, on one lab of puppet-running hosts: a refused start, the
/// canary, gates before and after puppet ran, a failed puppet run that pauses it, a forced
/// advance, Ctrl-C mid-stage and the resume, rollback, a second rollout kept off the hosts of an
/// active one, and finalize. Fast gate values come from --gate; the Taskcluster gates are the
/// unit tests' (GateTests).
@Suite("Rollouts against the lab", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct LabRolloutTests {
    static let domain = ".test.releng.mdc1.mozilla.com"
    static func name(_ short: String) -> String { short + domain }

    static func host(_ short: String, runExitCode: Int = 2, override: String? = nil, slow: Bool = false) -> ScenarioHost {
        var h = ScenarioHost(name: name(short), os: .linux)
        h.role = "gecko_t_linux_talos"
        h.override = override
        if slow {
            h.fault = .slow
            h.slowSeconds = 2
        }
        var run = PuppetRunScenario()
        run.detached = true
        run.runSeconds = 0
        run.runExitCode = runExitCode
        h.puppetRun = run
        return h
    }

    static let fast = ["min_soak_minutes=0", "min_jobs_per_host=0", "tc_success_rate_min=0", "tc_online_min_pct=0", "healthy_min_pct=0"]
    static let rollout = "PUPPET_BRANCH=rollout-lab\nPUPPET_REPO=https://github.com/mozilla-platform-ops/ronin_puppet.git\nPUPPET_MAIL=relops@mozilla.com\n"

    struct Env {
        var lab: LabState
        var state: String
        var ssh: [String] { ["--ssh-option", "-F \(lab.sshConfigPath)", "--connect-timeout", "3"] }

        func fleetroll(_ args: [String], ssh withSSH: Bool = true, timeout: Double = 120) throws -> CommandResult {
            let words = args.prefix(2)
            return try runCommand([Binaries.fleetroll] + words + ["--state-dir", state] + (withSSH ? ssh : []) + args.dropFirst(2), timeout: timeout)
        }

        func overrideOnHost(_ short: String) -> String? {
            lab.fileOnHost(LabRolloutTests.name(short), "/etc/puppet/ronin_settings").flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        }

        var audit: [[String: Any]] { AuditLog(url: URL(fileURLWithPath: state + "/audit.jsonl")).records() }

        /// The outcome lines of override writes to a host (STARTED lines apart).
        func writes(_ short: String) -> [[String: Any]] {
            audit.filter { $0["host"] as? String == LabRolloutTests.name(short) && $0["action"] as? String == "host.set_override"
                && $0["result"] as? String != "STARTED" }
        }

        func json(_ r: CommandResult) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
        }

        func create(_ name: String, _ hosts: [String], _ extra: [String] = []) throws -> String {
            let r = try fleetroll(["rollout", "create", name, "--override", state + "/rollout.override", "--hosts",
                                   hosts.map(LabRolloutTests.name).joined(separator: ",")] + extra, ssh: false)
            #expect(r.exitCode == 0, "create \(name): \(r.stderr)")
            let id = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(RolloutID.isValid(id), "create prints the id: \(r.stdout)")
            return id
        }
    }

    @Test func aWholeRollout() async throws {
        let hosts = [Self.host("t-linux64-ms-701"), Self.host("t-linux64-ms-702"), Self.host("t-linux64-ms-703", runExitCode: 4),
                     Self.host("t-linux64-ms-704"), Self.host("t-linux64-ms-705"),
                     Self.host("t-linux64-ms-709", override: "PUPPET_BRANCH=someone-elses\n"),
                     Self.host("t-linux64-ms-711", slow: true), Self.host("t-linux64-ms-712", slow: true), Self.host("t-linux64-ms-713", slow: true)]
        let labDir = try makeTemporaryDirectory("lab-ro")
        let state = try makeTemporaryDirectory("state-ro")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let lab = try Lab.up(scenario: Scenario(hosts: hosts), directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        let env = Env(lab: lab, state: state)
        try Self.rollout.write(toFile: state + "/rollout.override", atomically: true, encoding: .utf8)
        let gather = try runCommand([Binaries.fleetroll, "gather-host", "--state-dir", state] + env.ssh + ["-q", hosts.map(\.name).joined(separator: ",")])
        #expect(gather.exitCode == 0, "\(gather.stdout)\(gather.stderr)")

        // A target with an override: start is refused, naming it; nothing is written.
        let all = ["t-linux64-ms-701", "t-linux64-ms-702", "t-linux64-ms-703", "t-linux64-ms-704", "t-linux64-ms-711",
                   "t-linux64-ms-712", "t-linux64-ms-713", "t-linux64-ms-709"]
        let refusedID = try env.create("refused", all, Self.fast.flatMap { ["--gate", $0] })
        let refused = try env.fleetroll(["rollout", "start", refusedID, "--confirm"])
        #expect(refused.exitCode == 1 && refused.stderr.contains("start refused") && refused.stderr.contains(Self.name("t-linux64-ms-709")),
                "\(refused.stderr)")
        #expect(env.overrideOnHost("t-linux64-ms-701") == nil && env.audit.allSatisfy { ($0["action"] as? String)?.hasPrefix("host.") != true })

        // --skip: the canary is written and verified on the host.
        let gates = Self.fast.flatMap { ["--gate", $0] }
        let id = try env.create("lab rollout", all, ["--skip", Self.name("t-linux64-ms-709"), "--canary", "1", "--reason", "RELOPS-42"] + gates)
        let dry = try env.fleetroll(["rollout", "start", id, "--json"])
        try JSONContractTests.validate(dry.stdout, "rollout-plan", "rollout start --json (dry run)")
        #expect(env.overrideOnHost("t-linux64-ms-701") == nil, "a dry run writes nothing")
        let start = try env.fleetroll(["rollout", "start", id, "--confirm", "--json"])
        #expect(start.exitCode == 0, "\(start.stdout)\(start.stderr)")
        try JSONContractTests.validate(start.stdout, "rollout-run", "rollout start --json")
        #expect(env.overrideOnHost("t-linux64-ms-701") == Self.rollout)
        let canaryWrite = try #require(env.writes("t-linux64-ms-701").first)
        let parameters = try #require(canaryWrite["parameters"] as? [String: Any])
        #expect(canaryWrite["result"] as? String == "OK" && parameters["rollout_id"] as? String == id && parameters["rollout_stage"] as? Int == 0)
        #expect(env.overrideOnHost("t-linux64-ms-702") == nil, "only the canary")

        // The report names the rollout and the stage: ROLLOUT, and `rollout=ID` finds every target.
        let report = try env.fleetroll(["host-monitor", "--once", "--json", "--filter", "rollout=\(id)"], ssh: false)
        #expect(report.exitCode == 0, "\(report.stderr)")
        let reported = (try? JSONSerialization.jsonObject(with: Data(report.stdout.utf8))) as? [[String: Any]] ?? []
        var cells: [String: String] = [:]
        for r in reported {
            if let host = r["host"] as? String, let cell = (r["row"] as? [String: Any])?["rollout"] as? String { cells[host] = cell }
        }
        #expect(cells.count == all.count - 1 && cells[Self.name("t-linux64-ms-701")] == "\(id):0"
                && cells[Self.name("t-linux64-ms-702")] == "\(id):-" && cells[Self.name("t-linux64-ms-709")] == nil, "\(cells)")

        // Before puppet ran with it: APPLIED N, the gate fails, advance is refused naming it.
        let before = try env.fleetroll(["rollout", "status", id, "--json"])
        try JSONContractTests.validate(before.stdout, "rollout-status", "rollout status --json")
        let beforeGates = try #require(try env.json(before)["gates"] as? [[String: Any]])
        #expect(beforeGates.first { $0["key"] as? String == "applied_min_pct" }?["passed"] as? Bool == false, "\(beforeGates)")
        let blocked = try env.fleetroll(["rollout", "advance", id, "--confirm"])
        #expect(blocked.exitCode == 1 && blocked.stderr.contains("applied_min_pct 0 (threshold 100)"), "\(blocked.stderr)")
        #expect(env.overrideOnHost("t-linux64-ms-702") == nil)

        // Puppet runs on the canary: the gates pass and the next batch is written.
        let run = try env.fleetroll(["host-run-puppet", Self.name("t-linux64-ms-701")], timeout: 180)
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        let after = try env.fleetroll(["rollout", "status", id])
        #expect(after.exitCode == 0 && after.stdout.contains("PASS applied_min_pct 100 >= 100"), "\(after.stdout)\(after.stderr)")
        let advance = try env.fleetroll(["rollout", "advance", id, "--batch-size", "2", "--confirm"])
        #expect(advance.exitCode == 0, "\(advance.stdout)\(advance.stderr)")
        #expect(env.overrideOnHost("t-linux64-ms-702") == Self.rollout && env.overrideOnHost("t-linux64-ms-703") == Self.rollout)

        // A host whose puppet run fails pauses the rollout.
        let runs = try env.fleetroll(["host-run-puppet", "\(Self.name("t-linux64-ms-702")),\(Self.name("t-linux64-ms-703"))", "--confirm"], timeout: 180)
        #expect(runs.exitCode == 1 && runs.stderr.contains("t-linux64-ms-703"), "\(runs.stderr)")
        let paused = try env.json(try env.fleetroll(["rollout", "status", id, "--json"]))
        #expect(paused["paused_now"] as? Bool == true && paused["failed_runs"] as? [String] == [Self.name("t-linux64-ms-703")])
        #expect((paused["rollout"] as? [String: Any])?["state"] as? String == "paused")
        let whilePaused = try env.fleetroll(["rollout", "advance", id, "--confirm", "--force", "--reason", "x"])
        #expect(whilePaused.exitCode == 1 && whilePaused.stderr.contains("advance refused: rollout is paused"), "\(whilePaused.stderr)")
        #expect(try env.fleetroll(["rollout", "resume", id, "--reason", "looked at ms-703"], ssh: false).exitCode == 0)

        // Forced past the failed gate, with a reason: recorded with every gate's value.
        let forced = try env.fleetroll(["rollout", "advance", id, "--batch-size", "1", "--confirm", "--force", "--reason", "ms-703 is a known bad host"])
        #expect(forced.exitCode == 0, "\(forced.stdout)\(forced.stderr)")
        #expect(env.overrideOnHost("t-linux64-ms-704") == Self.rollout)
        let forcedLine = try #require(env.audit.last { $0["action"] as? String == "rollout.advance" && $0["force"] as? Bool == true })
        #expect(forcedLine["reason"] as? String == "ms-703 is a known bad host" && forcedLine["ok"] as? Bool == true)
        let forcedGates = try #require(forcedLine["gate_results"] as? [[String: Any]])
        #expect(forcedGates.count == 7 && forcedGates.contains { $0["key"] as? String == "applied_min_pct" && $0["passed"] as? Bool == false })
        #expect(forcedLine["gates"] as? [String: Any] != nil && forcedLine["actor"] as? String != nil && forcedLine["ts"] as? String != nil)

        let decisions = try String(contentsOfFile: state + "/audit.jsonl", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"action\": \"rollout.") }.joined(separator: "\n")
        try JSONContractTests.validate(decisions, "audit-rollout", lines: true, "the rollout.* lines of audit.jsonl")

        // Ctrl-C during an advance: the host in flight finishes, the rest wait for the next command.
        let argv = [Binaries.fleetroll, "rollout", "advance", id, "--state-dir", state] + env.ssh
            + ["--batch-size", "3", "--workers", "1", "--no-refresh", "--confirm", "--force", "--reason", "slow hosts"]
        // While it runs, another rollout command is refused at once (one at a time per state directory).
        let pause = "'\(Binaries.fleetroll)' rollout pause \(id) --state-dir '\(state)' > '\(state)/lock' 2>&1; echo lock=$?"
        let interrupted = try ProcessRunner.runBlocking(["sh", "-c", "\"$@\" > '\(state)/out' 2>&1 & pid=$!; sleep 1; \(pause); sleep 0.5; kill -INT $pid; wait $pid; echo rc=$?", "sh"] + argv,
                                                         stdin: nil, timeout: 90)
        #expect(interrupted.stdoutText.contains("rc=130"), "\(interrupted.stdoutText) \((try? String(contentsOfFile: state + "/out", encoding: .utf8)) ?? "")")
        let lockText = (try? String(contentsOfFile: state + "/lock", encoding: .utf8)) ?? ""
        #expect(interrupted.stdoutText.contains("lock=1") && lockText.contains("another rollout command is running"), "\(lockText)")
        let slow = ["t-linux64-ms-711", "t-linux64-ms-712", "t-linux64-ms-713"]
        #expect(env.writes(slow[0]).count == 1, "the host in flight finished")
        #expect(env.writes(slow[2]).isEmpty, "the last host was not started")
        let resumedStatus = try env.json(try env.fleetroll(["rollout", "status", id, "--json"]))
        let stages = try #require((resumedStatus["rollout"] as? [String: Any])?["stages"] as? [[String: Any]])
        #expect(stages.last?["state"] as? String == "applying", "the cut stage is not applied: \(stages)")
        let resume = try env.fleetroll(["rollout", "advance", id, "--confirm"])
        #expect(resume.exitCode == 0 && resume.stdout.contains("resumed"), "\(resume.stdout)\(resume.stderr)")
        for h in slow {
            #expect(env.overrideOnHost(h) == Self.rollout, "\(h)")
            #expect(env.writes(h).count == 1, "\(h): written once, never again: \(env.writes(h).map { $0["result"] ?? "" })")
        }

        // Rollback: every host gets back what it had (none of them had an override).
        let rollback = try env.fleetroll(["rollout", "rollback", id, "--confirm", "--reason", "bad branch"])
        #expect(rollback.exitCode == 0, "\(rollback.stdout)\(rollback.stderr)")
        for h in ["t-linux64-ms-701", "t-linux64-ms-702", "t-linux64-ms-703", "t-linux64-ms-704"] + slow {
            #expect(env.overrideOnHost(h) == nil, "\(h) had no override before: none afterwards")
        }
        #expect(env.overrideOnHost("t-linux64-ms-709") == "PUPPET_BRANCH=someone-elses\n", "the skipped host is untouched")
        let shown = try env.fleetroll(["rollout", "show", id, "--json"], ssh: false)
        try JSONContractTests.validate(shown.stdout, "rollout-show", "rollout show --json")
        let events = try #require(try env.json(shown)["events"] as? [[String: Any]]).compactMap { $0["action"] as? String }
        #expect(events == ["create", "start", "advance", "advance", "auto_pause", "resume", "advance", "advance", "rollback"], "\(events)")

        // A second rollout cannot take a host of an active one; finalize removes every override.
        let third = try env.create("finalize me", ["t-linux64-ms-701", "t-linux64-ms-705"])
        #expect(try env.fleetroll(["rollout", "start", third, "--confirm"]).exitCode == 0)
        let fourth = try env.create("overlaps", ["t-linux64-ms-705", "t-linux64-ms-702"])
        let overlap = try env.fleetroll(["rollout", "start", fourth, "--confirm"])
        #expect(overlap.exitCode == 1 && overlap.stderr.contains("\(Self.name("t-linux64-ms-705")) (in rollout \(third)"), "\(overlap.stderr)")
        #expect(try env.fleetroll(["rollout", "advance", third, "--confirm", "--force", "--reason", "lab"]).exitCode == 0)
        let noMerged = try env.fleetroll(["rollout", "finalize", third, "--all", "--confirm"])
        #expect(noMerged.exitCode == 2 && noMerged.stderr.contains("--merged is required"), "\(noMerged.stderr)")
        let finalize = try env.fleetroll(["rollout", "finalize", third, "--all", "--merged", "--confirm", "--json"])
        #expect(finalize.exitCode == 0, "\(finalize.stdout)\(finalize.stderr)")
        try JSONContractTests.validate(finalize.stdout, "rollout-run", "rollout finalize --json")
        #expect(env.overrideOnHost("t-linux64-ms-701") == nil && env.overrideOnHost("t-linux64-ms-705") == nil)
        let list = try env.fleetroll(["rollout", "list", "--json"], ssh: false)
        try JSONContractTests.validate(list.stdout, "rollout-list", "rollout list --json")
        let states = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(Dictionary(uniqueKeysWithValues: states.map { ($0["id"] as? String ?? "", $0["state"] as? String ?? "") })
                == [refusedID: "planned", id: "rolled_back", third: "finalized", fourth: "planned"])
    }
}
