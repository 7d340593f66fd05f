import FleetCore
import FleetLab
import FleetSSH
import FleetStore
import Foundation
import Testing

/// Hosts that link, lie and flood, gathered for real: no link is followed, nothing oversized is
/// kept, and no byte of host text reaches the terminal raw.
@Suite("Hostile hosts, gathered", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct HostileGatherTests {
    static func host(_ name: String, _ os: LabOS = .linux, _ edit: (inout ScenarioHost) -> Void) -> ScenarioHost {
        var h = ScenarioHost(name: name, os: os)
        edit(&h)
        return h
    }

    static let linkLinux = "t-linux64-ms-301.test.releng.mdc1.mozilla.com"
    static let linkMac = "macmini-m4-301.test.releng.mdc1.mozilla.com"
    static let special = "t-linux64-ms-302.test.releng.mdc1.mozilla.com"
    static let liar = "t-linux64-ms-303.test.releng.mdc1.mozilla.com"
    static let badSudo = "t-linux64-ms-304.test.releng.mdc1.mozilla.com"
    static let bigRole = "t-linux64-ms-305.test.releng.mdc1.mozilla.com"
    static let bigOverride = "t-linux64-ms-306.test.releng.mdc1.mozilla.com"
    static let bigState = "t-linux64-ms-307.test.releng.mdc1.mozilla.com"
    static let brokenState = "t-linux64-ms-308.test.releng.mdc1.mozilla.com"
    static let hostname = "evil\nFLEETROLL_BEGIN=1\nOS_TYPE=Windows\nROLE_PRESENT=1\nROLE=forged\n__FLEETROLL_END__"

    static let scenario = Scenario(hosts: [
        host(linkLinux) {
            $0.role = "gecko_t_linux_talos"
            $0.links = ["/etc/puppet_role": "/etc/shadow", "/etc/puppet/ronin_settings": "/etc/shadow",
                        "/root/vault.yaml": "/etc/shadow", "/etc/puppet/last_run_metadata.json": "/etc/shadow"]
        },
        host(linkMac, .macos) {
            $0.links = ["/etc/puppet_role": "/etc/shadow", "/opt/puppet_environments/ronin_settings": "/etc/shadow",
                        "/var/root/vault.yaml": "/etc/shadow", "/opt/puppet_environments/last_run_metadata.json": "/etc/shadow"]
        },
        host(special) {
            $0.specialFiles = ["/etc/puppet_role": .directory, "/etc/puppet/ronin_settings": .fifo, "/root/vault.yaml": .device,
                               "/etc/puppet/last_run_metadata.json": .directory]
        },
        host(liar) {
            $0.override = "PUPPET_BRANCH=master\n"
            $0.puppetStateRaw = #"{"ts":"2026-01-29T10:30:45Z","success":"yes","exit_code":0}"#
            $0.tools = [
                "uname": "#!/bin/sh\nprintf 'Linux\\033]0;pwned\\007\\033[2J\\n'\n",
                "hostname": "#!/bin/sh\nprintf '\(hostname.replacingOccurrences(of: "\n", with: "\\n"))\\n'\n",
                "stat": "#!/bin/sh\n/usr/bin/stat \"$@\" | sed 's/ root / \\x1b[31mroot\\x1b]0;x\\x07 /'\n",
            ]
        },
        host(badSudo) { $0.tools = ["sudo": "#!/bin/sh\nprintf 'sudo: \\033[31mno\\033]0;pwned\\007 way\\n' >&2\nexit 1\n"] },
        host(bigRole) { $0.largeFiles = ["/etc/puppet_role": 50 << 20] },
        host(bigOverride) { $0.largeFiles = ["/etc/puppet/ronin_settings": HostLimits.managedFileBytes + 1] },
        host(bigState) { $0.largeFiles = ["/etc/puppet/last_run_metadata.json": 64 << 10] },
        host(brokenState) { $0.puppetStateRaw = #"{"exit_code":1e400} and some trailing text"# },
    ])

    @Test func linksAreReportedFloodsRefusedAndTextCleaned() async throws {
        let labDir = try makeTemporaryDirectory("lab-hostile")
        let stateDir = try makeTemporaryDirectory("state-hostile")
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let lab = try Lab.up(scenario: Self.scenario, directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        let shadow = try #require(FileManager.default.contents(atPath: lab.fileOnHost(Self.linkLinux, "/etc/shadow")!))
        let secretLine = try #require(String(decoding: shadow, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("relops:") })

        func fleetroll(_ args: [String]) throws -> ProcessOutput {
            let ssh = args[0] == "host-monitor" ? [] : ["--ssh-option", "-F \(lab.sshConfigPath)", "--connect-timeout", "3", "--timeout", "30"]
            return try runRaw([Binaries.fleetroll] + args.prefix(1) + ["--state-dir", stateDir] + ssh + args.dropFirst())
        }
        // (Reading the fifo or the device would hang that host's session until its timeout: its
        // record below would then be a failure.)
        let all = try fleetroll(["gather-host", "--json", lab.hostListPath])
        #expect(all.exitCode == 1, "\(all.stderrText)")
        #expect(!all.stdoutText.contains(secretLine), "a link's target was read")

        let store = ObservationStore(database: try FleetDatabase(path: stateDir + "/store.db"))
        let latest = try await store.latest()
        func record(_ host: String) throws -> HostObservation { try #require(latest[host]?.latest, "\(host)") }

        // Links: reported as links, nothing read or stored.
        for host in [Self.linkLinux, Self.linkMac] {
            let r = try record(host)
            #expect(r.ok, "\(host): \(r.error ?? "")")
            let o = try #require(r.observed)
            #expect(o.roleKind == .symlink && o.role == nil, "\(host)")
            #expect(o.overrideKind == .symlink && o.overrideSHA256 == nil && o.overrideFilePath == nil, "\(host)")
            #expect(o.vaultKind == .symlink && o.vaultSHA256 == nil && o.vaultFilePath == nil, "\(host)")
            #expect(o.puppetStateKind == .symlink && o.puppet.isEmpty, "\(host)")
        }
        let special = try #require(try record(Self.special).observed)
        #expect(special.roleKind == .directory && special.overrideKind == .fifo && special.vaultKind == .device && special.puppetStateKind == .directory)
        for dir in ["overrides", "vault_yamls"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(stateDir)/\(dir)")) ?? [] {
                let stored = FileManager.default.contents(atPath: "\(stateDir)/\(dir)/\(name)") ?? Data()
                #expect(!String(decoding: stored, as: UTF8.self).contains(secretLine), "\(dir)/\(name) holds the link's target")
            }
        }
        let dump = try String(contentsOfFile: stateDir + "/store.db", encoding: .isoLatin1)
        #expect(!dump.contains(secretLine))

        // A host that lies: its values are values; one with a line break forged no line.
        let liar = try #require(try record(Self.liar).observed)
        #expect(liar.remoteHostname == Self.hostname)
        #expect(liar.osType?.hasPrefix("Linux\u{1B}") == true)
        #expect(liar.role == nil && !liar.rolePresent, "ROLE=forged inside the host name was not read as a line")
        #expect(liar.overrideMeta?.owner?.contains("\u{1B}") == true)
        #expect(liar.puppet.success == nil, "\"success\":\"yes\" is not success")
        #expect(liar.puppetStateError?.contains("success is \"yes\"") == true)
        let broken = try #require(try record(Self.brokenState).observed)
        #expect(broken.puppetStateError?.hasPrefix("the state file is broken") == true)

        // Floods: an error class, nothing kept.
        for host in [Self.bigRole, Self.bigOverride, Self.bigState] {
            let r = try record(host)
            #expect(r.errorClass == .oversized, "\(host): \(r.error ?? "")")
            #expect(r.observed == nil)
        }
        let dbSize = (try FileManager.default.attributesOfItem(atPath: stateDir + "/store.db")[.size] as? Int) ?? 0
        let walSize = (try? FileManager.default.attributesOfItem(atPath: stateDir + "/store.db-wal")[.size] as? Int) ?? 0
        #expect(dbSize + walSize < 2 << 20, "the database holds nothing oversized (\(dbSize + walSize) bytes)")
        #expect(try record(Self.badSudo).errorClass == .sudo)

        // What the terminal receives: every form of output, as raw bytes.
        let views: [(String, [String])] = [
            ("detail", ["gather-host", Self.liar]), ("quiet", ["gather-host", "-q", Self.badSudo]),
            ("detail sudo", ["gather-host", Self.badSudo]), ("summary", ["gather-host", "--verbose", lab.hostListPath]),
            ("report", ["host-monitor", "--once", lab.hostListPath]),
        ]
        for (label, args) in views {
            let out = try fleetroll(args)
            #expect(terminalControl(out.stdout) == nil, "\(label) stdout: \(terminalControl(out.stdout) ?? "")")
            #expect(terminalControl(out.stderr) == nil, "\(label) stderr: \(terminalControl(out.stderr) ?? "")")
            #expect(!out.stdoutText.contains(secretLine))
            switch label {
            case "detail":
                #expect(out.exitCode == 0)
                #expect(out.stdoutText.contains("OS: Linux?]0;pwned??[2J"))
                #expect(out.stdoutText.contains("owner=?[31mroot?]0;x?"))
                #expect(out.stdoutText.contains("Puppet: BROKEN STATE FILE"))
            case "quiet":
                #expect(out.exitCode == 1)
                #expect(out.stdoutText.contains("[sudo] sudo -n failed on the host: sudo: ?[31mno?]0;pwned? way"))
            case "report":
                #expect(out.exitCode == 0, "\(out.stderrText)")
                let row = out.stdoutText.split(separator: "\n").first { $0.contains("t-linux64-ms-301") } ?? ""
                #expect(row.contains("(symlink)"), "\(row)")
            default:
                #expect(out.exitCode == 1)
            }
        }
        let linked = try fleetroll(["gather-host", Self.linkLinux])
        #expect(linked.stdoutText.contains("Role: (a symbolic link: not followed)"))
        #expect(linked.stdoutText.contains("Override: A SYMBOLIC LINK (not followed; nothing was read)"))
        #expect(linked.stdoutText.contains("Vault: A SYMBOLIC LINK"))
        // The host's files are as they were.
        #expect(FileManager.default.contents(atPath: lab.fileOnHost(Self.linkLinux, "/etc/shadow")!) == shadow)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: lab.fileOnHost(Self.linkLinux, "/etc/puppet/ronin_settings")!) == "/etc/shadow")
    }

    /// A remote command that never ends is ended on the host when the session's time is up, on
    /// both flavours (the macOS one has no timeout(1) to lean on).
    @Test func runawayRemoteCommandsEndWithTheTimeout() async throws {
        let burn = "#!/bin/sh\n# lab: a hash tool that never finishes\nwhile :; do :; done\n"
        let hosts = [
            Self.host("t-linux64-ms-311.test.releng.mdc1.mozilla.com") { $0.override = "PUPPET_BRANCH=x\n"; $0.tools = ["sha256sum": burn, "shasum": burn] },
            Self.host("macmini-m4-311.test.releng.mdc1.mozilla.com", .macos) { $0.override = "PUPPET_BRANCH=x\n"; $0.tools = ["sha256sum": burn, "shasum": burn] },
        ]
        let labDir = try makeTemporaryDirectory("lab-runaway")
        let stateDir = try makeTemporaryDirectory("state-runaway")
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let lab = try Lab.up(scenario: Scenario(hosts: hosts), directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        let timeout = 3.0
        let out = try runRaw([Binaries.fleetroll, "gather-host", "--state-dir", stateDir, "--ssh-option", "-F \(lab.sshConfigPath)",
                              "--timeout", String(Int(timeout)), "-q", hosts.map(\.name).joined(separator: ",")])
        let finished = Date()
        #expect(out.exitCode == 1)
        #expect(terminalControl(out.stdout) == nil && terminalControl(out.stderr) == nil)
        let latest = try await ObservationStore(database: try FleetDatabase(path: stateDir + "/store.db")).latest()
        for h in hosts {
            #expect(latest[h.name]?.latest.errorClass == .timeout, "\(h.name)")
            var left = lab.processes(onHost: h.name).filter { $0.command.contains("/usr/local/bin/sha") }
            // The watchdog ends them 2-3 s after the limit; the slack is for a busy machine, where
            // each look through /proc takes a while (without the watchdog they run for ever).
            while !left.isEmpty && Date().timeIntervalSince(finished) < timeout + 30 {
                usleep(200_000)
                left = lab.processes(onHost: h.name).filter { $0.command.contains("/usr/local/bin/sha") }
            }
            #expect(left.isEmpty, "\(h.name) still runs \(left.map(\.command))")
        }
    }
}
