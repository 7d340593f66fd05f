import FleetCore
import FleetLab
import FleetSSH
import FleetStore
import Foundation
import Testing

/// gather-host against real sshd hosts: every stored field must be what the fake host holds.
@Suite("gather-host against the lab", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct LabGatherTests {
    static let talos = "gecko_t_linux_talos"
    static let mac = "gecko_t_osx_1500_m4"
    static let vaultLinux = "---\ntaskcluster_access_token: lab-linux\n"
    static let vaultMac = "---\ntaskcluster_access_token: lab-mac\nextra: ü\n"
    static let override = ScenarioGenerator.overrideFile(branch: "relops-1234-talos-update", user: "aerickson")
    static let macOverride = "PUPPET_BRANCH='mac-test'\nPUPPET_REPO=\"https://github.com/jdoe/ronin_puppet.git\"\n# it's $(not) `run`\n"

    static func host(_ n: String, _ os: LabOS = .linux, _ edit: (inout ScenarioHost) -> Void = { _ in }) -> ScenarioHost {
        var h = ScenarioHost(name: n, os: os)
        h.role = os == .linux ? talos : mac
        h.uptime = 7200 + n.count
        edit(&h)
        return h
    }

    static func run(commit: String? = nil, owner: String? = nil, detached: Bool = false, exitCode: Int, dirty: Bool = false) -> PuppetRunScenario {
        var r = PuppetRunScenario()
        r.commit = commit
        r.owner = owner
        r.detached = detached
        r.exitCode = exitCode
        r.dirty = dirty
        return r
    }

    /// The state files of the healthy hosts are written on the hosts by our write_puppet_state;
    /// ms-003 keeps only the older puppet summary and ms-004 a broken file, to test those paths.
    static let scenario = Scenario(hosts: [
        host("t-linux64-ms-001.test.releng.mdc1.mozilla.com") {
            $0.vault = vaultLinux
            $0.puppetRun = run(detached: true, exitCode: 2)
        },
        host("t-linux64-ms-002.test.releng.mdc1.mozilla.com") {
            $0.vault = vaultLinux
            $0.override = override
            $0.puppetRun = run(commit: "relops-1234-talos-update", owner: "aerickson", detached: true, exitCode: 0)
        },
        host("t-linux64-ms-003.test.releng.mdc1.mozilla.com") {
            $0.role = nil
            $0.files = ["/opt/puppetlabs/puppet/cache/state/last_run_summary.yaml":
                            "---\ntime:\n  total: 5.1\n  last_run: 1795538000\nevents:\n  failure: 2\n  success: 1\n"]
        },
        host("t-linux64-ms-004.test.releng.mdc1.mozilla.com") {
            $0.puppetStateRaw = "{\"git_sha\": \"abc\", truncated"
            $0.vault = vaultLinux
        },
        host("macmini-m4-60.test.releng.mdc1.mozilla.com", .macos) {
            $0.vault = vaultMac
            $0.override = macOverride
            $0.uptime = 3 * 86400
            $0.puppetRun = run(exitCode: 6, dirty: true)
        },
        host("macmini-m4-61.test.releng.mdc1.mozilla.com", .macos) {
            $0.puppetRun = run(exitCode: 0)
        },
        host("t-linux64-ms-005.test.releng.mdc1.mozilla.com") { $0.fault = .down },
        host("t-linux64-ms-006.test.releng.mdc1.mozilla.com") { $0.fault = .hang },
        host("t-linux64-ms-007.test.releng.mdc1.mozilla.com") { $0.fault = .sudoBroken; $0.vault = vaultLinux },
        host("t-linux64-ms-008.test.releng.mdc1.mozilla.com") { $0.fault = .slow; $0.slowSeconds = 2; $0.vault = vaultLinux },
    ], commits: ["master", "relops-1234-talos-update"])

    static let timeout = 6.0

    @Test func gatherStoresWhatEachHostHolds() async throws {
        let labDir = try makeTemporaryDirectory("lab")
        let stateDir = try makeTemporaryDirectory("state")
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let lab = try Lab.up(scenario: Self.scenario, directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }

        let gather = [Binaries.fleetroll, "gather-host", "--state-dir", stateDir, "--ssh-option", "-F \(lab.sshConfigPath)",
                      "--connect-timeout", "2", "--timeout", String(Int(Self.timeout)), "--json", lab.hostListPath]
        let first = try runCommand(gather)
        #expect(first.exitCode == 1, "some hosts are built to fail: \(first.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(json["total"] as? Int == 10)
        #expect(json["successful"] as? Int == 7)
        #expect(json["failed"] as? Int == 3)

        let state = StateDirectory(root: URL(fileURLWithPath: stateDir))
        let store = ObservationStore(database: try FleetDatabase(state: state))
        let latest = try await store.latest()
        #expect(latest.count == 10, "every host's outcome is stored, failures included")

        for host in Self.scenario.hosts {
            let record = try #require(latest[host.name]?.latest, "no record for \(host.name)")
            switch host.fault {
            case .down:
                #expect(record.errorClass == .unreachable)
                #expect(record.attempts == 2, "connection failures are retried once")
            case .hang:
                #expect(record.errorClass == .timeout)
                #expect(record.durationS < Self.timeout + 2)
            case .sudoBroken:
                #expect(record.errorClass == .sudo)
                #expect(record.error?.contains("password is required") == true)
            case .none, .slow:
                #expect(record.ok, "\(host.name): \(record.error ?? "")")
                try checkObserved(record, host: host, state: state, commits: lab.commits ?? [:])
                if host.fault == .slow { #expect(record.durationS >= 2) }
            }
        }

        // One ssh connection per host gathered everything, vault content included (the old
        // tool opened a second one for that); a second run reuses it (ControlMaster) and opens none.
        let before = try Lab.status(directory: labDir).1
        for b in before where b.host.fault == .none || b.host.fault == .slow {
            #expect(b.connections == 1, "\(b.host.name) logged in \(b.connections) times")
        }
        let second = try runCommand(gather)
        #expect(second.exitCode == 1)
        let after = try Lab.status(directory: labDir).1
        for (b, a) in zip(before, after) where b.host.fault == .none {
            #expect(a.connections == b.connections, "\(a.host.name) got a new connection")
        }
        #expect(try await store.history(host: "t-linux64-ms-001.test.releng.mdc1.mozilla.com").count == 2)

        // The vault content crosses the wire only when the local store lacks it.
        var settings = SSHSettings()
        settings.extraArguments = ["-F", lab.sshConfigPath]
        let target = try HostTarget.parse("t-linux64-ms-001.test.releng.mdc1.mozilla.com")
        let known = Digest.sha256Hex(Data(Self.vaultLinux.utf8))
        for (knownVaults, expectContent) in [([known], false), ([], true)] {
            let script = AuditScript(includeContent: true, knownVaultSHAs: knownVaults).body
            let out = try ProcessRunner.runBlocking(settings.argv(target: target, remoteCommand: RemoteCommand.wrap(script)), stdin: nil, timeout: 10)
            let fields = RemoteOutput.parse(out.stdout)
            #expect(fields.complete)
            #expect(fields.fields["VLT_SHA256"] == known)
            #expect((fields.fields["VLT_CONTENT_B64"] != nil) == expectContent)
        }

        // --no-content still gathers the override SHA-256 (the host computes it), stores no content.
        let bare = try makeTemporaryDirectory("state-bare")
        defer { try? FileManager.default.removeItem(atPath: bare) }
        let single = try runCommand([Binaries.fleetroll, "gather-host", "--state-dir", bare, "--ssh-option", "-F \(lab.sshConfigPath)",
                                     "--no-content", "--json", "t-linux64-ms-002.test.releng.mdc1.mozilla.com"])
        #expect(single.exitCode == 0, "\(single.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any])
        let record = try #require((object["results"] as? [[String: Any]])?.first, "one host has the shape of many")
        let observed = try #require(record["observed"] as? [String: Any])
        #expect(observed["override_sha256"] as? String == Digest.sha256Hex(Data(Self.override.utf8)))
        #expect(observed["override_file_path"] is NSNull)
        #expect(observed["override_contents_for_display"] == nil)
        #expect(!FileManager.default.fileExists(atPath: bare + "/overrides"))
    }

    func checkObserved(_ record: HostObservation, host: ScenarioHost, state: StateDirectory, commits: [String: String]) throws {
        let o = try #require(record.observed)
        let mac = host.os == .macos
        #expect(o.osType == (mac ? "Darwin" : "Linux"))
        #expect(o.remoteHostname == host.name, "each host runs in its own UTS namespace")
        if mac {
            #expect(o.uptimeS.map { $0 >= host.uptime && $0 < host.uptime + 300 } == true, "uptime \(String(describing: o.uptimeS))")
        } else {
            #expect(o.uptimeS == host.uptime)
        }
        #expect(o.rolePresent == (host.role != nil))
        #expect(o.role == host.role)

        if let override = host.override {
            let sha = Digest.sha256Hex(Data(override.utf8))
            #expect(o.overridePresent)
            #expect(o.overrideSHA256 == sha)
            #expect(o.overrideMeta?.mode == "0644")
            #expect(o.overrideMeta?.owner == "root")
            #expect(o.overrideMeta?.group == (mac ? "wheel" : "root"))
            #expect(o.overrideMeta?.size == String(override.utf8.count))
            let path = try #require(o.overrideFilePath)
            #expect(path == state.overrides.appendingPathComponent(String(sha.prefix(12))).path)
            #expect(FileManager.default.contents(atPath: path) == Data(override.utf8))
        } else {
            #expect(!o.overridePresent)
            #expect(o.overrideSHA256 == nil)
        }

        if let vault = host.vault {
            let sha = Digest.sha256Hex(Data(vault.utf8))
            #expect(o.vaultPresent)
            #expect(o.vaultSHA256 == sha)
            #expect(o.vaultMeta?.mode == "0640")
            #expect(o.vaultMeta?.group == (mac ? "wheel" : "root"))
            let path = try #require(o.vaultFilePath)
            #expect(FileManager.default.contents(atPath: path) == Data(vault.utf8))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        } else {
            #expect(!o.vaultPresent)
            #expect(o.vaultSHA256 == nil)
        }

        if let run = host.puppetRun {
            // Written on the host by write_puppet_state when the lab host came up.
            let commit = run.commit ?? "master"
            #expect(o.puppet.gitSHA == commits[commit], "\(host.name)")
            #expect(o.puppet.gitBranch == commit, "\(host.name): the real branch, also on a detached checkout")
            #expect(o.puppet.gitRepo == "https://github.com/\(run.owner ?? "mozilla-platform-ops")/ronin_puppet.git")
            #expect(o.puppet.gitDirty == (run.dirty ?? false))
            #expect(o.puppet.exitCode == run.exitCode)
            #expect(o.puppet.success == [0, 2].contains(run.exitCode ?? 2))
            #expect(o.puppet.durationS == 45)
            #expect(o.puppet.lastRunEpoch.map { abs(Double($0) - Date().timeIntervalSince1970) < 600 } == true)
            #expect(o.puppet.overrideSHA == host.override.map { Digest.sha256Hex(Data($0.utf8)) })
            #expect(o.puppet.vaultSHA == host.vault.map { Digest.sha256Hex(Data($0.utf8)) })
        } else if host.files != nil {
            #expect(o.puppet.lastRunEpoch == 1_795_538_000)
            #expect(o.puppet.success == false)
        } else {
            #expect(o.puppet.isEmpty, "a broken state file gives no puppet data, not an error")
        }
    }

    @Test func labsAreIsolatedAndLeaveNothingBehind() throws {
        let dirA = try makeTemporaryDirectory("lab-a")
        let dirB = try makeTemporaryDirectory("lab-b")
        let a = try Lab.up(scenario: ScenarioGenerator.fleet(linux: 2, macos: 1, withFaults: false), directory: dirA)
        defer { _ = try? Lab.down(directory: dirA) }
        let b = try Lab.up(scenario: ScenarioGenerator.fleet(linux: 2, macos: 0, withFaults: false), directory: dirB)
        defer { _ = try? Lab.down(directory: dirB) }
        #expect(a.subnet != b.subnet)
        #expect(!FileManager.default.fileExists(atPath: "/etc/puppet_role"), "the machine's /etc is never written")
        let passwd = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        #expect(!passwd.contains(Lab.defaultUser + ":"))

        let pids = (a.hosts + b.hosts).compactMap(\.pid)
        #expect(pids.count == 5)
        try Lab.down(directory: dirA)
        try Lab.down(directory: dirB)
        for pid in pids { #expect(kill(pid, 0) != 0 || isZombie(pid), "sshd \(pid) still runs") }
        #expect(!FileManager.default.fileExists(atPath: dirA))
        // The claim is released (another lab running in parallel may have taken the subnet since).
        let claim = try? String(contentsOfFile: "/run/fleetroll-lab/\(a.subnet)", encoding: .utf8)
        #expect(claim != URL(fileURLWithPath: dirA).standardizedFileURL.path)
    }

    @Test func refusesDirectoriesItMustNotOwn() throws {
        let scenario = ScenarioGenerator.fleet(linux: 1, macos: 0, withFaults: false)
        for dir in ["/", "/tmp", "/etc/lab", "/root/lab", "/opt/lab"] {
            #expect(throws: LabError.self) { try Lab.up(scenario: scenario, directory: dir) }
        }
        let busy = try makeTemporaryDirectory("busy")
        defer { try? FileManager.default.removeItem(atPath: busy) }
        try "keep me".write(toFile: busy + "/precious", atomically: true, encoding: .utf8)
        #expect(throws: LabError.self) { try Lab.up(scenario: scenario, directory: busy) }
        #expect(FileManager.default.fileExists(atPath: busy + "/precious"))
    }

    func isZombie(_ pid: pid_t) -> Bool {
        ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "").contains(") Z")
    }
}
