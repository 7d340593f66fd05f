import FleetCore
import FleetLab
import FleetSSH
import FleetStore
import FleetWrite
import Foundation
import Testing

/// host-set-override, host-unset-override and host-set-vault against real sshd hosts, checked
/// from outside on each host's own files.
@Suite("Writes against the lab", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct LabWriteTests {
    static let good = [
        ScenarioHost(name: "t-linux64-ms-101.test.releng.mdc1.mozilla.com", os: .linux),
        ScenarioHost(name: "t-linux64-ms-102.test.releng.mdc1.mozilla.com", os: .linux),
        ScenarioHost(name: "t-linux64-ms-103.test.releng.mdc1.mozilla.com", os: .linux),
        ScenarioHost(name: "macmini-m4-101.test.releng.mdc1.mozilla.com", os: .macos),
        ScenarioHost(name: "macmini-m4-102.test.releng.mdc1.mozilla.com", os: .macos),
    ]
    static var scenario: Scenario {
        var sudoBroken = ScenarioHost(name: "t-linux64-ms-104.test.releng.mdc1.mozilla.com", os: .linux)
        sudoBroken.fault = .sudoBroken
        var down = ScenarioHost(name: "t-linux64-ms-105.test.releng.mdc1.mozilla.com", os: .linux)
        down.fault = .down
        var withVault = good
        for i in withVault.indices { withVault[i].vault = "---\nold: vault \(i)\n" }
        return Scenario(hosts: withVault + [sudoBroken, down])
    }

    static let first = ScenarioGenerator.overrideFile(branch: "relops-1234-talos-update", user: "aerickson")
    static let second = ScenarioGenerator.overrideFile(branch: "relops-5678-other", user: "jmaher")

    struct Env {
        var lab: LabState
        var state: String
        var work: String

        func fleetroll(_ args: [String]) throws -> CommandResult {
            try runCommand([Binaries.fleetroll] + args.prefix(1) + ["--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)",
                                                                     "--connect-timeout", "3", "--timeout", "20"] + args.dropFirst())
        }

        func overridePath(_ host: ScenarioHost) -> String {
            lab.fileOnHost(host.name, host.os == .macos ? "/opt/puppet_environments/ronin_settings" : "/etc/puppet/ronin_settings")!
        }

        func vaultPath(_ host: ScenarioHost) -> String {
            lab.fileOnHost(host.name, host.os == .macos ? "/var/root/vault.yaml" : "/root/vault.yaml")!
        }

        func file(_ name: String, _ content: Data) throws -> String {
            let path = work + "/" + name
            try content.write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    func withLab(_ body: (Env) async throws -> Void) async throws {
        let labDir = try makeTemporaryDirectory("lab-write")
        let state = try makeTemporaryDirectory("state-write")
        let work = try makeTemporaryDirectory("work-write")
        defer {
            try? FileManager.default.removeItem(atPath: state)
            try? FileManager.default.removeItem(atPath: work)
        }
        let lab = try Lab.up(scenario: Self.scenario, directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        try await body(Env(lab: lab, state: state, work: work))
    }

    static func statuses(_ json: String) throws -> [String: String] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        var out: [String: String] = [:]
        for r in array { out[r["host"] as! String] = r["result"] as? String }
        return out
    }

    func expectFile(_ path: String, content: Data, mode: Int, gid: Int, _ comment: Comment? = nil) throws {
        #expect(FileManager.default.contents(atPath: path) == content, comment)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(Int(st.st_mode & 0o7777) == mode, comment)
        #expect(st.st_uid == 0, comment)
        #expect(Int(st.st_gid) == gid, comment)
    }

    func backups(of path: String) -> [String] {
        let dir = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(base + ".bak.") }.sorted()
    }

    @Test func overrideLifecycle() async throws {
        try await withLab { env in
            let hosts = Self.good.map(\.name) + ["t-linux64-ms-104.test.releng.mdc1.mozilla.com", "t-linux64-ms-105.test.releng.mdc1.mozilla.com"]
            let list = hosts.joined(separator: ",")
            let first = try env.file("first.override", Data(Self.first.utf8))
            let second = try env.file("second.override", Data(Self.second.utf8))

            // Dry run: nothing changes.
            let dry = try env.fleetroll(["host-set-override", "-f", first, list])
            #expect(dry.exitCode == 0)
            #expect(dry.stdout.contains("DRY RUN"))
            #expect(dry.stdout.contains("... and 2 more hosts"))
            #expect(dry.stdout.contains("sha256=\(Digest.sha256Hex(Data(Self.first.utf8)))"))
            for h in Self.good { #expect(!FileManager.default.fileExists(atPath: env.overridePath(h))) }

            // Set: OK on the good hosts, FAIL with a reason on the others.
            let set = try env.fleetroll(["host-set-override", "-f", first, "--confirm", "--json", "--reason", "RELOPS-1234 canary", list])
            #expect(set.exitCode == 1)
            var status = try Self.statuses(set.stdout)
            for h in Self.good {
                #expect(status[h.name] == "OK", "\(h.name)")
                try expectFile(env.overridePath(h), content: Data(Self.first.utf8), mode: 0o644,
                               gid: h.os == .macos ? LabState.wheelGID : 0, "\(h.name)")
                #expect(backups(of: env.overridePath(h)).isEmpty, "nothing to back up the first time")
            }
            #expect(status["t-linux64-ms-104.test.releng.mdc1.mozilla.com"] == "FAIL")
            #expect(status["t-linux64-ms-105.test.releng.mdc1.mozilla.com"] == "FAIL")
            let array = try #require(try JSONSerialization.jsonObject(with: Data(set.stdout.utf8)) as? [[String: Any]])
            let failures = array.filter { ($0["result"] as? String) == "FAIL" }.map { ($0["error_class"] as? String) ?? "" }.sorted()
            #expect(failures == ["sudo", "unreachable"])

            // The audit log has two lines per host touched (STARTED before it was contacted, then
            // the outcome, with the same write_id), with the reason and no content.
            let log = AuditLog(url: URL(fileURLWithPath: env.state + "/audit.jsonl")).records()
            #expect(log.count == 14)
            let started = log.filter { ($0["result"] as? String) == "STARTED" }
            #expect(started.count == 7)
            #expect(started.allSatisfy { $0["ok"] is NSNull })
            let outcomes = log.filter { ($0["result"] as? String) != "STARTED" }
            #expect(Set(outcomes.compactMap { $0["write_id"] as? String }) == Set(started.compactMap { $0["write_id"] as? String }))
            #expect(log.allSatisfy { ($0["action"] as? String) == "host.set_override" })
            #expect(log.allSatisfy { (($0["parameters"] as? [String: Any])?["reason"] as? String) == "RELOPS-1234 canary" })
            let raw = try String(contentsOfFile: env.state + "/audit.jsonl", encoding: .utf8)
            #expect(!raw.contains("PUPPET_BRANCH"))

            // The refresh afterwards stored the new override for the changed hosts.
            let store = ObservationStore(database: try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: env.state))))
            let latest = try await store.latest()
            for h in Self.good {
                #expect(latest[h.name]?.latest.observed?.overrideSHA256 == Digest.sha256Hex(Data(Self.first.utf8)))
            }

            // The same file again: NO_CHANGE, nothing rewritten.
            let good = Self.good.map(\.name).joined(separator: ",")
            let again = try env.fleetroll(["host-set-override", "-f", first, "--confirm", "--json", "--no-audit", good])
            #expect(again.exitCode == 0)
            status = try Self.statuses(again.stdout)
            #expect(Set(status.values) == ["NO_CHANGE"])

            // Another file: BLOCKED, the old file stays.
            let blocked = try env.fleetroll(["host-set-override", "-f", second, "--confirm", "--json", "--no-audit", good])
            #expect(blocked.exitCode == 1)
            #expect(Set(try Self.statuses(blocked.stdout).values) == ["BLOCKED"])
            for h in Self.good { #expect(FileManager.default.contents(atPath: env.overridePath(h)) == Data(Self.first.utf8)) }

            // --force: replaced, with a backup of the old file.
            let forced = try env.fleetroll(["host-set-override", "-f", second, "--confirm", "--force", "--json", "--no-audit", good])
            #expect(forced.exitCode == 0, "\(forced.stderr)")
            #expect(Set(try Self.statuses(forced.stdout).values) == ["OK"])
            for h in Self.good {
                let path = env.overridePath(h)
                try expectFile(path, content: Data(Self.second.utf8), mode: 0o644, gid: h.os == .macos ? LabState.wheelGID : 0)
                let baks = backups(of: path)
                #expect(baks.count == 1)
                let bakPath = (path as NSString).deletingLastPathComponent + "/" + (baks.first ?? "")
                #expect(FileManager.default.contents(atPath: bakPath) == Data(Self.first.utf8))
                // No temporary file is left next to the target.
                let dir = (path as NSString).deletingLastPathComponent
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") }.isEmpty)
            }

            // Unset: gone, backed up; a second unset is NO_CHANGE; broken sudo is FAIL, not "absent".
            let unset = try env.fleetroll(["host-unset-override", "--confirm", "--json", "--no-audit", good + ",t-linux64-ms-104.test.releng.mdc1.mozilla.com"])
            #expect(unset.exitCode == 1)
            status = try Self.statuses(unset.stdout)
            #expect(status["t-linux64-ms-104.test.releng.mdc1.mozilla.com"] == "FAIL")
            for h in Self.good {
                #expect(status[h.name] == "OK")
                #expect(!FileManager.default.fileExists(atPath: env.overridePath(h)))
                #expect(backups(of: env.overridePath(h)).count == 2)
            }
            let unsetAgain = try env.fleetroll(["host-unset-override", "--confirm", "--json", "--no-audit", good])
            #expect(unsetAgain.exitCode == 0)
            #expect(Set(try Self.statuses(unsetAgain.stdout).values) == ["NO_CHANGE"])

            // Looked up by humanhash.
            let hh = try Humanhash.humanize(Digest.sha256Hex(Data(Self.first.utf8)))
            let shown = try runCommand([Binaries.fleetroll, "show-override", "--state-dir", env.state, hh])
            #expect(shown.exitCode == 0)
            #expect(shown.stdout == Self.first)
            let missing = try runCommand([Binaries.fleetroll, "show-override", "--state-dir", env.state, "zulu-zulu"])
            #expect(missing.exitCode == 2)
            #expect(missing.stderr.contains("No override file found"))
        }
    }

    @Test func vaultLifecycleNeverShowsTheSecret() async throws {
        try await withLab { env in
            let secret = "---\ntaskcluster_access_token: s3cr3t-\(UUID().uuidString)\n"
            let path = try env.file("vault.yaml", Data(secret.utf8))
            let good = Self.good.map(\.name).joined(separator: ",")
            let token = String(secret.split(separator: " ").last!.dropLast())

            let dry = try env.fleetroll(["host-set-vault", "-f", path, good])
            #expect(dry.exitCode == 0)
            #expect(!dry.stdout.contains(token))
            #expect(!FileManager.default.fileExists(atPath: env.state + "/vault_yamls"), "nothing stored before a host accepts it")

            let set = try env.fleetroll(["host-set-vault", "-f", path, "--confirm", good + ",t-linux64-ms-104.test.releng.mdc1.mozilla.com"])
            #expect(set.exitCode == 1)
            #expect(!set.stdout.contains(token) && !set.stderr.contains(token))
            for (i, h) in Self.good.enumerated() {
                try expectFile(env.vaultPath(h), content: Data(secret.utf8), mode: 0o640, gid: h.os == .macos ? LabState.wheelGID : 0, "\(h.name)")
                let bak = backups(of: env.vaultPath(h))
                #expect(bak.count == 1)
                let bakPath = (env.vaultPath(h) as NSString).deletingLastPathComponent + "/" + (bak.first ?? "")
                #expect(FileManager.default.contents(atPath: bakPath) == Data("---\nold: vault \(i)\n".utf8))
            }
            let local = env.state + "/vault_yamls/" + Digest.sha256Hex(Data(secret.utf8)).prefix(12)
            #expect(FileManager.default.contents(atPath: local) == Data(secret.utf8))
            var st = stat()
            stat(local, &st)
            #expect(st.st_mode & 0o777 == 0o600)
            let raw = try String(contentsOfFile: env.state + "/audit.jsonl", encoding: .utf8)
            #expect(!raw.contains(token))
            #expect(raw.contains("\"stored_path\""))

            let again = try env.fleetroll(["host-set-vault", "-f", path, "--confirm", "--json", "--no-audit", good])
            #expect(again.exitCode == 0)
            #expect(Set(try Self.statuses(again.stdout).values) == ["NO_CHANGE"])

            let hh = try Humanhash.humanize(Digest.sha256Hex(Data(secret.utf8)))
            let shown = try runCommand([Binaries.fleetroll, "show-vault", "--state-dir", env.state, hh])
            #expect(shown.stdout == secret)
        }
    }

    @Test func vaultCopyIsNotKeptWhenNoHostAcceptsIt() async throws {
        try await withLab { env in
            let path = try env.file("vault.yaml", Data("---\nnobody: takes this\n".utf8))
            let r = try env.fleetroll(["host-set-vault", "-f", path, "--confirm", "t-linux64-ms-104.test.releng.mdc1.mozilla.com,t-linux64-ms-105.test.releng.mdc1.mozilla.com"])
            #expect(r.exitCode == 1)
            let stored = (try? FileManager.default.contentsOfDirectory(atPath: env.state + "/vault_yamls")) ?? []
            #expect(stored.isEmpty)
        }
    }

    /// A transfer cut short, or bytes that do not match the SHA-256 fleetroll announced, must
    /// leave the host's file exactly as it was.
    @Test func brokenTransfersLeaveTheOldFile() async throws {
        try await withLab { env in
            let host = Self.good[0]
            let old = Data(Self.first.utf8)
            let path = try env.file("first.override", old)
            #expect(try env.fleetroll(["host-set-override", "-f", path, "--confirm", "--no-audit", host.name]).exitCode == 0)

            var settings = SSHSettings()
            settings.extraArguments = ["-F", env.lab.sshConfigPath]
            settings.timeout = 20
            let transport = SSHTransport(settings: settings)
            let target = try HostTarget.parse(host.name)
            let new = Data((0..<300_000).map { UInt8(33 + $0 % 90) })
            let script = WriteFileScript(file: .override, sha256: Digest.sha256Hex(new), ownership: FileOwnership(mode: "0644"),
                                         backup: BackupPolicy(enabled: true, suffix: WritePlan.backupSuffix()), guardExisting: false).body
            for (label, sent) in [("cut in the middle", new.prefix(150_000)), ("one byte changed", new.dropLast() + Data([0x21])),
                                  ("nothing at all", Data())] {
                let run = await transport.run(script: script, on: target, stdin: Data(sent))
                let fields = RemoteOutput.parse(run.stdout).fields
                #expect(fields["RESULT"] == "FAIL", "\(label)")
                #expect(fields["ERROR"]?.contains("incomplete or altered") == true, "\(label): \(fields)")
                #expect(FileManager.default.contents(atPath: env.overridePath(host)) == old, "\(label)")
                let dir = (env.overridePath(host) as NSString).deletingLastPathComponent
                #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") }.isEmpty, "\(label)")
                #expect(backups(of: env.overridePath(host)).isEmpty, "\(label): no backup for a write that did not happen")
            }

            // A session killed while the content is still arriving.
            var slow = settings
            slow.timeout = 0.3
            let big = Data(repeating: 0x41, count: 8 << 20)
            let bigScript = WriteFileScript(file: .override, sha256: Digest.sha256Hex(big), ownership: FileOwnership(mode: "0644"),
                                            backup: BackupPolicy(enabled: false, suffix: "x"), guardExisting: false).body
            let killed = await SSHTransport(settings: slow).run(script: bigScript, on: target, stdin: big)
            #expect(killed.timedOut)
            try await Task.sleep(nanoseconds: 1_500_000_000)
            let now = FileManager.default.contents(atPath: env.overridePath(host))
            #expect(now == old || now == big, "never a partial file")
            let dir = (env.overridePath(host) as NSString).deletingLastPathComponent
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") }.isEmpty,
                    "a cut session leaves no temporary file")
        }
    }

    @Test func backupsArePrunedToTheNewestThirty() async throws {
        try await withLab { env in
            let host = Self.good[0]
            let target = env.overridePath(host)
            let dir = (target as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data("old\n".utf8).write(to: URL(fileURLWithPath: target))
            for day in 1...34 {
                try Data("backup \(day)\n".utf8).write(to: URL(fileURLWithPath: target + ".bak.202601\(String(format: "%02d", day % 31 + 1))T0000\(String(format: "%02d", day))Z"))
            }
            let path = try env.file("o", Data(Self.first.utf8))
            let r = try env.fleetroll(["host-set-override", "-f", path, "--confirm", "--force", "--json", "--no-audit", host.name])
            #expect(r.exitCode == 0, "\(r.stderr)")
            let record = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])?.first, "an array for one host too")
            #expect((record["observed"] as? [String: Any])?["backups_pruned"] as? Int == 5)
            let left = backups(of: target)
            #expect(left.count == 30)
            let newest = try #require((record["observed"] as? [String: Any])?["backup_path"] as? String)
            #expect(left.contains((newest as NSString).lastPathComponent), "the backup just made is kept")
        }
    }

    /// Ctrl-C: hosts not started are not started, the one in flight finishes and is logged, exit 130.
    @Test func ctrlCStopsTheBatchCleanly() async throws {
        var hosts = (1...4).map { i -> ScenarioHost in
            var h = ScenarioHost(name: "t-linux64-ms-2\(i)0.test.releng.mdc1.mozilla.com", os: .linux)
            h.fault = .slow
            h.slowSeconds = 2
            return h
        }
        hosts[0].fault = .slow
        let labDir = try makeTemporaryDirectory("lab-int")
        let state = try makeTemporaryDirectory("state-int")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let lab = try Lab.up(scenario: Scenario(hosts: hosts), directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        try Self.first.write(toFile: state + "/o", atomically: true, encoding: .utf8)
        let argv = [Binaries.fleetroll, "host-set-override", "--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)",
                    "-f", state + "/o", "--confirm", "--json", "--no-audit", "--workers", "1", hosts.map(\.name).joined(separator: ",")]
        let out = try ProcessRunner.runBlocking(["sh", "-c", "\"$@\" > '\(state)/out' & pid=$!; sleep 1; kill -INT $pid; wait $pid; echo rc=$?", "sh"] + argv,
                                                stdin: nil, timeout: 60)
        #expect(String(decoding: out.stdout, as: UTF8.self).contains("rc=130"), "\(out.stderrText)")
        let results = try Self.statuses(try String(contentsOfFile: state + "/out", encoding: .utf8))
        #expect(results[hosts[0].name] == "OK", "the host in flight finishes")
        for h in hosts.dropFirst() { #expect(results[h.name] == "NOT_STARTED") }
        let log = AuditLog(url: URL(fileURLWithPath: state + "/audit.jsonl")).records()
        #expect(log.map { $0["host"] as? String } == [hosts[0].name, hosts[0].name], "only the touched host is logged")
        #expect(log.map { $0["result"] as? String } == ["STARTED", "OK"])
        #expect(FileManager.default.contents(atPath: lab.fileOnHost(hosts[1].name, "/etc/puppet/ronin_settings")!) == nil)
    }

    /// Contents and file names that try to break quoting arrive byte for byte.
    @Test func hostileContentsAndNamesRoundTrip() async throws {
        try await withLab { env in
            let host = Self.good[3]  // macOS flavour
            let tricky = "PUPPET_BRANCH='it'\"'\"'s'\n# $(touch /tmp/pwned) `id` \\ \" ' ; | & > < * ? ~ ü 日本\nX=\"$(printf 'a\\nb')\"\n"
            let binary = Data((1...255).map { UInt8($0) } + (1...255).map { UInt8(256 - $0) })
            let big = Data((0..<(1 << 20)).map { UInt8(1 + $0 % 254) })
            for (name, content) in [("it's a \"file\" $(x) `y`.override", Data(tricky.utf8)), ("binary.bin", binary), ("one-mib.bin", big)] {
                let path = try env.file(name, content)
                let r = try env.fleetroll(["host-set-override", "-f", path, "--confirm", "--force", "--no-validate", "--no-audit", host.name])
                #expect(r.exitCode == 0, "\(name): \(r.stdout) \(r.stderr)")
                #expect(FileManager.default.contents(atPath: env.overridePath(host)) == content, "\(name)")
            }
            #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
        }
    }
}

/// maintain: the audit log is rotated (kept, not truncated) and the database compacted.
@Suite("maintain")
struct MaintainTests {
    @Test func rotatesAndCompacts() async throws {
        let state = try makeTemporaryDirectory("state-maintain")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let log = AuditLog(url: URL(fileURLWithPath: state + "/audit.jsonl"))
        for i in 0..<5 { try log.append(["host": "h\(i)"]) }
        let db = try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state)), retention: 20)
        let store = ObservationStore(database: db)
        for i in 0..<15 {
            try await store.insert(HostObservation(ts: Timestamp.now(), actor: "t", host: "h", ok: i == 0, sshRC: 0, stderr: ""))
        }
        let dry = try runCommand([Binaries.fleetroll, "maintain", "--state-dir", state, "--force"])
        #expect(dry.exitCode == 0)
        #expect(dry.stdout.contains("DRY RUN: Would rotate audit.jsonl"))
        #expect(FileManager.default.fileExists(atPath: state + "/audit.jsonl"))

        let real = try runCommand([Binaries.fleetroll, "maintain", "--state-dir", state, "--force", "--confirm", "--keep", "3"])
        #expect(real.exitCode == 0, "\(real.stdout)\(real.stderr)")
        #expect(real.stdout.contains("OK audit.jsonl"))
        #expect(real.stdout.contains("retention removed 11"))
        #expect(!FileManager.default.fileExists(atPath: state + "/audit.jsonl"))
        let rotated = try FileManager.default.contentsOfDirectory(atPath: state).filter { $0.hasPrefix("audit.jsonl.") }
        #expect(rotated.count == 1)
        #expect(AuditLog(url: URL(fileURLWithPath: state + "/" + rotated[0])).records().count == 5)
        #expect(try await store.history(host: "h").count == 4, "3 newest plus the newest successful one")
    }
}

/// Two fleetroll processes writing 100 hosts' records each at the same moment: 400 whole lines.
@Suite("Audit log under load")
struct AuditLogLoadTests {
    @Test func twoProcessesAppendWholeLines() throws {
        let state = try makeTemporaryDirectory("state-load")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let override = state + "/o"
        try "PUPPET_BRANCH=x\n".write(toFile: override, atomically: true, encoding: .utf8)
        // Loopback addresses with nothing on port 9: every write fails fast, and is still logged.
        let hosts = (2...101).map { "127.0.9.\($0)" }.joined(separator: ",")
        let argv = [Binaries.fleetroll, "host-set-override", "--state-dir", state, "-f", override, "--confirm", "--no-audit",
                    "--json", "--workers", "50", "--ssh-option", "-p 9", "--connect-timeout", "2", hosts]
        let a = try ProcessRunner.runBlocking(["sh", "-c", "\"$@\" > /dev/null & \"$@\" > /dev/null; wait", "sh"] + argv, stdin: nil, timeout: 120)
        #expect(a.exitCode == 0 || a.exitCode == 1)
        let text = try String(contentsOfFile: state + "/audit.jsonl", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(text.hasSuffix("\n"))
        #expect(lines.count == 400, "a STARTED line and an outcome per host and process")
        let parsed = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(parsed.count == 400)
        #expect(Set(parsed.compactMap { $0["host"] as? String }).count == 100)
        #expect(parsed.filter { ($0["result"] as? String) == "STARTED" }.count == 200)
        #expect(parsed.filter { ($0["result"] as? String) == "FAIL" }.count == 200)
    }
}
