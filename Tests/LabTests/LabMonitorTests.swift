import FleetCore
import FleetLab
import Foundation
import Testing

/// host-monitor after `fleetroll gather` on a lab with one host per verdict.
@Suite("host-monitor against the lab", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct LabMonitorTests {
    static let vault = "---\nsecret: lab\n"
    static let override = ScenarioGenerator.overrideFile(branch: "relops-1234-talos-update", user: "aerickson")

    static func host(_ short: String, _ edit: (inout ScenarioHost) -> Void) -> ScenarioHost {
        var h = ScenarioHost(name: short + ".test.releng.mdc1.mozilla.com", os: .linux)
        h.role = "gecko_t_linux_talos"
        h.vault = vault
        // The state file is written on the host by our write_puppet_state, after a stand-in run.
        var run = PuppetRunScenario()
        run.detached = true
        h.puppetRun = run
        var w = WorkerScenario()
        w.lastActiveAgo = 120
        w.taskStartedAgo = 900
        w.taskDuration = 600
        h.worker = w
        edit(&h)
        return h
    }

    static let goneBranch = ScenarioGenerator.overrideFile(branch: "relops-999-deleted", user: "aerickson")

    /// One host per HEALTHY case an operator meets (issue 11): each says what it is.
    static var scenario: Scenario {
        var gh = GitHubScenario(repos: [
            "mozilla-platform-ops/ronin_puppet": ["master": "@master"],
            "aerickson/ronin_puppet": ["relops-1234-talos-update": "@relops-1234-talos-update"],
        ])
        gh.windowsPools = [:]
        return Scenario(hosts: [
            host("t-linux64-ms-401") { _ in },                                                        // applied, healthy
            host("t-linux64-ms-402") { $0.puppetRun?.commit = "stale-commit" },                      // wrong commit
            host("t-linux64-ms-403") { $0.puppetRun?.exitCode = 6 },                                 // puppet failed
            host("t-linux64-ms-404") {                                                             // override changed after the run (below)
                $0.override = override
                $0.puppetRun?.commit = "relops-1234-talos-update"
                $0.puppetRun?.owner = "aerickson"
            },
            host("t-linux64-ms-405") { $0.worker?.lastActiveAgo = 3 * 3600 },                       // Taskcluster idle for hours
            host("t-linux64-ms-406") { $0.worker?.quarantineIn = 86400 },                           // quarantined, active 2m ago
            host("t-linux64-ms-407") { $0.fault = .down },                                         // unreachable
            host("t-linux64-ms-408") { _ in },                                                     // vault changed after the run (below)
            host("t-linux64-ms-409") { $0.puppetRun = nil },                                       // no state file
            host("t-linux64-ms-410") { $0.fault = .sudoBroken },                                   // sudo broken
            host("t-linux64-ms-411") { $0.fault = .hang },                                         // hung
            host("t-linux64-ms-412") {                                                             // its branch was deleted on GitHub
                $0.override = goneBranch
                $0.puppetRun?.commit = "relops-999-deleted"
                $0.puppetRun?.owner = "aerickson"
            },
            host("t-linux64-ms-413") { _ in },                                                     // good, then down (below)
        ], github: gh, commits: ["master", "stale-commit", "relops-1234-talos-update", "relops-999-deleted"])
    }

    @Test func everyVerdictIsRight() async throws {
        let labDir = try makeTemporaryDirectory("lab-mon")
        let state = try makeTemporaryDirectory("state-mon")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let lab = try Lab.up(scenario: Self.scenario, directory: labDir, servicesExecutable: Binaries.directory + "/fleetroll-lab")
        defer { _ = try? Lab.down(directory: labDir) }
        try FileManager.default.copyItem(atPath: lab.configPath, toPath: state + "/config.toml")
        // Files changed on the hosts after their puppet run, as an operator's hand edit would.
        for (short, command) in [("t-linux64-ms-404", "echo 'PUPPET_MAIL=\"other@mozilla.com\"' >> /etc/puppet/ronin_settings"),
                                 ("t-linux64-ms-408", "echo 'rotated: yes' >> /root/vault.yaml")] {
            let edit = try runCommand(["ssh", "-F", lab.sshConfigPath, short + ".test.releng.mdc1.mozilla.com", "sudo -n sh -c \"\(command)\""])
            #expect(edit.exitCode == 0, "\(edit.stderr)")
        }
        let ssh = ["--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)", "--connect-timeout", "2", "--timeout", "4"]
        let gather = try runCommand([Binaries.fleetroll, "gather"] + ssh + ["-q", lab.hostListPath])
        #expect(gather.exitCode == 1, "hosts are down, hung and broken: \(gather.stdout)\(gather.stderr)")
        // ms-413 goes down after a good gather: its name now leads nowhere.
        let downConfig = state + "/ssh_config.down"
        let config = try String(contentsOfFile: lab.sshConfigPath, encoding: .utf8)
        let address = try #require(lab.hosts.first { $0.name.hasPrefix("t-linux64-ms-413.") }?.address)
        try config.replacingOccurrences(of: "HostName \(address)\n", with: "HostName 127.0.0.1\n  Port 9\n")
            .write(toFile: downConfig, atomically: true, encoding: .utf8)
        let again = try runCommand([Binaries.fleetroll, "gather-host", "--state-dir", state, "--ssh-option", "-F \(downConfig)",
                                    "--connect-timeout", "2", "-q", "t-linux64-ms-413.test.releng.mdc1.mozilla.com"])
        #expect(again.exitCode == 1, "\(again.stdout)\(again.stderr)")

        // The list plus a host that was never gathered.
        let list = state + "/fleet.list"
        let never = "t-linux64-ms-499.test.releng.mdc1.mozilla.com"
        try (Self.scenario.hosts.map(\.name) + [never]).joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)

        let report = try runCommand([Binaries.fleetroll, "host-monitor", "--state-dir", state, "--once", "--json", list])
        #expect(report.exitCode == 0, "\(report.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 14)
        var byShort: [String: [String: String]] = [:]
        var reasons: [String: [String]] = [:]
        for r in rows {
            let short = String((r["host"] as! String).split(separator: ".")[0])
            byShort[short] = r["row"] as? [String: String]
            reasons[short] = (r["values"] as? [String: Any])?["healthy_reasons"] as? [String]
        }
        func expect(_ short: String, status: String, match: String, applied: String, healthy: String, _ extra: [String: String] = [:],
                    because: String? = nil) {
            let row = byShort[short] ?? [:]
            #expect(row["status"] == status, "\(short) status: \(row)")
            #expect(row["pp_match"] == match, "\(short) pp_match: \(row)")
            #expect(row["applied"] == applied, "\(short) applied: \(row)")
            #expect(row["healthy"] == healthy, "\(short) healthy: \(row)")
            for (k, v) in extra { #expect(row[k] == v, "\(short) \(k): \(row)") }
            if let because { #expect(reasons[short]?.first?.contains(because) == true, "\(short) reasons: \(reasons[short] ?? [])") }
            if healthy == "Y" { #expect(reasons[short] == [], "\(short) reasons: \(reasons[short] ?? [])") }
        }
        let commits = try #require(lab.commits)
        expect("t-linux64-ms-401", status: "OK", match: "Y", applied: "Y", healthy: "Y", ["pp_exp": String(commits["master"]!.prefix(7))])
        expect("t-linux64-ms-402", status: "OK", match: "N", applied: "Y", healthy: "N", because: "PP_MATCH N: puppet applied")
        expect("t-linux64-ms-403", status: "OK", match: "N", applied: "N", healthy: "N", because: "the last puppet run failed (exit 6)")
        expect("t-linux64-ms-404", status: "OK", match: "Y", applied: "N", healthy: "N", ["pp_exp": String(commits["relops-1234-talos-update"]!.prefix(7))],
               because: "APPLIED N: the override changed after the last puppet run")
        expect("t-linux64-ms-405", status: "OK", match: "Y", applied: "Y", healthy: "N", ["tc_act": "3h 00m"], because: "the worker was last active 3h")
        expect("t-linux64-ms-406", status: "OK", match: "Y", applied: "Y", healthy: "N", ["tc_quar": "YES", "tc_act": "2m"], because: "quarantined")
        expect("t-linux64-ms-407", status: "UNREACHABLE", match: "-", applied: "-", healthy: "N", because: "the latest gather failed (UNREACHABLE)")
        expect("t-linux64-ms-408", status: "OK", match: "Y", applied: "N", healthy: "N", because: "APPLIED N: vault.yaml changed after the last puppet run")
        expect("t-linux64-ms-409", status: "OK", match: "-", applied: "-", healthy: "-", because: "PP_MATCH unknown: no puppet commit recorded")
        expect("t-linux64-ms-410", status: "SUDO", match: "-", applied: "-", healthy: "N", because: "the latest gather failed (SUDO)")
        expect("t-linux64-ms-411", status: "TIMEOUT", match: "-", applied: "-", healthy: "N", because: "the latest gather failed (TIMEOUT)")
        expect("t-linux64-ms-412", status: "OK", match: "-", applied: "Y", healthy: "-", ["pp_exp": "-"],
               because: "PP_MATCH unknown: the head of aerickson/ronin_puppet:relops-999-deleted is unknown")
        expect("t-linux64-ms-413", status: "UNREACHABLE", match: "Y", applied: "Y", healthy: "N", because: "the latest gather failed (UNREACHABLE)")
        expect("t-linux64-ms-499", status: "UNK", match: "?", applied: "?", healthy: "-", because: "never gathered")
        let first = try #require(rows.first)
        #expect((first["observed"] as? [String: Any])?["role"] as? String == "gecko_t_linux_talos", "jq '.[].observed.role' works")

        // healthy=n lists exactly the hosts with something known wrong.
        let unhealthy = try runCommand([Binaries.fleetroll, "host-monitor", "--state-dir", state, "--once", "--hostname-only",
                                        "--filter", "healthy=n", list])
        #expect(unhealthy.stdout.split(separator: "\n").map { String($0.split(separator: ".")[0]) }
                == ["402", "403", "404", "405", "406", "407", "408", "410", "411", "413"].map { "t-linux64-ms-" + $0 })

        let table = try runCommand([Binaries.fleetroll, "host-monitor", "--state-dir", state, "--once", list, "--filter", "status!=ok sort:status"])
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("HOST") == true)
        #expect(lines.count == 6, "\(table.stdout)")
        #expect(lines.contains { $0.contains("t-linux64-ms-499") && $0.contains("UNK") })

        let bad = try runCommand([Binaries.fleetroll, "host-monitor", "--state-dir", state, "--once", list, "--filter", "healthy=n bogus>1h"])
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("unknown column: bogus"))
        let named = try runCommand([Binaries.fleetroll, "host-monitor", "--state-dir", state, "--once", "--hostname-only", "--filter-file", "quarantined", list])
        #expect(named.stdout.contains("t-linux64-ms-406"), "named filters from ./configs/filters: \(named.stderr)")

        // --once on a terminal narrower than the table keeps HOST, HEALTHY and STATUS and says what it left out.
        let narrow = try runCommand(["script", "-qec", "stty cols 100; '\(Binaries.fleetroll)' host-monitor --state-dir '\(state)' --once '\(list)'", "/dev/null"])
        let narrowLines = narrow.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
        let header = try #require(narrowLines.first { $0.hasPrefix("HOST") })
        #expect(header.contains("HEALTHY") && header.contains("STATUS") && !header.contains("NOTE"), "\(header)")
        #expect(narrowLines.allSatisfy { $0.count <= 100 || $0.contains("hidden") }, "\(narrow.stdout)")
        #expect(narrow.stdout.contains("hidden to fit 100 columns"))
        let piped = try runCommand([Binaries.fleetroll, "host-monitor", "--state-dir", state, "--once", list])
        #expect(piped.stdout.split(separator: "\n").first?.contains("NOTE") == true, "a pipe gets every column")

        // Without --once on a pipe: the report, then one line per new observation, filtered.
        let out = state + "/follow.out"
        let script = """
            timeout 8 '\(Binaries.fleetroll)' host-monitor --state-dir '\(state)' --json --filter 'applied=y' '\(list)' > '\(out)' 2>/dev/null &
            sleep 2
            '\(Binaries.fleetroll)' gather-host --state-dir '\(state)' --ssh-option '-F \(lab.sshConfigPath)' -q \
              t-linux64-ms-401.test.releng.mdc1.mozilla.com,t-linux64-ms-403.test.releng.mdc1.mozilla.com >/dev/null 2>&1
            '\(Binaries.fleetroll)' gather-host --state-dir '\(state)' --ssh-option '-F \(lab.sshConfigPath)' -q \
              t-linux64-ms-401.test.releng.mdc1.mozilla.com >/dev/null 2>&1
            sleep 3
            wait
            """
        _ = try runCommand(["sh", "-c", script], timeout: 30)
        let followed = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("{\"") }
        #expect(followed.count == 2, "one line per new observation of the filtered host, none for the other: \(followed)")
        #expect(followed.first?.contains("\"host\":\"t-linux64-ms-401.test.releng.mdc1.mozilla.com\"") == true)
    }

    /// An operator's rollout with the live view open on the hosts not (yet) healthy: setting an
    /// override on a healthy host (whose refresh gather stores a new observation) brings that
    /// host into the view without a key press, and unsetting it takes it out again.
    @Test(.enabled(if: TUITests.hasTmux, "needs tmux (scripts/install-deps installs it)"))
    func liveViewFollowsARollout() async throws {
        let labDir = try makeTemporaryDirectory("lab-live")
        let state = try makeTemporaryDirectory("state-live")
        defer { try? FileManager.default.removeItem(atPath: state) }
        var scenario = Self.scenario
        scenario.hosts = Array(scenario.hosts.prefix(2))  // 401 healthy, 402 on the wrong commit
        let lab = try Lab.up(scenario: scenario, directory: labDir, servicesExecutable: Binaries.directory + "/fleetroll-lab")
        defer { _ = try? Lab.down(directory: labDir) }
        try FileManager.default.copyItem(atPath: lab.configPath, toPath: state + "/config.toml")
        let ssh = ["--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)", "--connect-timeout", "2"]
        let gather = try runCommand([Binaries.fleetroll, "gather"] + ssh + ["-q", lab.hostListPath])
        #expect(gather.exitCode == 0, "\(gather.stdout)\(gather.stderr)")

        let tui = TUITests.Session()
        defer { tui.kill() }
        try tui.start("'\(Binaries.fleetroll)' host-monitor --state-dir '\(state)' --filter 'healthy!=y' '\(lab.hostListPath)'", width: 200, height: 20)
        var screen = try tui.waitFor("hosts=1/2")
        #expect(screen.contains("t-linux64-ms-402") && !screen.contains("t-linux64-ms-401 "), "\(screen)")

        let file = state + "/override"
        try Self.override.write(toFile: file, atomically: true, encoding: .utf8)
        let host = "t-linux64-ms-401.test.releng.mdc1.mozilla.com"
        let set = try runCommand([Binaries.fleetroll, "host-set-override"] + ssh + ["-f", file, "--confirm", host])
        #expect(set.exitCode == 0, "\(set.stdout)\(set.stderr)")
        screen = try tui.waitFor("hosts=2/2")
        let row = screen.split(separator: "\n").first { $0.hasPrefix("t-linux64-ms-401 ") }.map(String.init) ?? ""
        #expect(row.contains("relops-1234-talos-update"), "the override shows: \(screen)")
        #expect(row.contains("| N "), "not applied by puppet yet: \(row)")

        let unset = try runCommand([Binaries.fleetroll, "host-unset-override"] + ssh + ["--confirm", host])
        #expect(unset.exitCode == 0, "\(unset.stdout)\(unset.stderr)")
        screen = try tui.waitFor("hosts=1/2")
        #expect(!screen.contains("t-linux64-ms-401 "), "healthy again, so filtered out: \(screen)")
        try tui.keys("q")
        #expect(try tui.waitFor("EXITED-").contains("EXITED-0"))
    }
}
