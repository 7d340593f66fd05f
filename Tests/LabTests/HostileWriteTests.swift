import FleetCore
import FleetLab
import FleetSSH
import FleetStore
import FleetWrite
import Foundation
import Testing

/// Writes to hosts whose managed paths hold links and other non-files: nothing but the regular
/// file at the path is ever changed, on both flavours (GNU and BSD tools).
@Suite("Writes to hostile hosts", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct HostileWriteTests {
    static let linkLinux = "t-linux64-ms-401.test.releng.mdc1.mozilla.com"
    static let linkMac = "macmini-m4-401.test.releng.mdc1.mozilla.com"
    static let plain = "t-linux64-ms-402.test.releng.mdc1.mozilla.com"
    static let directory = "t-linux64-ms-403.test.releng.mdc1.mozilla.com"
    static let badSudo = "t-linux64-ms-404.test.releng.mdc1.mozilla.com"
    static let content = "PUPPET_BRANCH=master\n"
    static let victim = "root-only secret\n" + content

    static var scenario: Scenario {
        var linux = ScenarioHost(name: linkLinux)
        linux.files = ["/etc/victim": victim]
        linux.links = ["/etc/puppet/ronin_settings": "/etc/victim", "/root/vault.yaml": "/etc/victim"]
        var mac = ScenarioHost(name: linkMac, os: .macos)
        mac.files = ["/etc/victim": victim]
        mac.links = ["/opt/puppet_environments/ronin_settings": "/etc/victim", "/var/root/vault.yaml": "/etc/victim"]
        var plain = ScenarioHost(name: plain)
        plain.override = content
        var dir = ScenarioHost(name: directory)
        dir.specialFiles = ["/etc/puppet/ronin_settings": .directory]
        var sudo = ScenarioHost(name: badSudo)
        sudo.tools = ["sudo": "#!/bin/sh\nprintf 'sudo: \\033[31mno\\033]0;pwned\\007 way\\r\\n' >&2\nexit 1\n"]
        return Scenario(hosts: [linux, mac, plain, dir, sudo])
    }

    struct Env {
        var lab: LabState
        var state: String
        var work: String

        func fleetroll(_ args: [String]) throws -> ProcessOutput {
            try runRaw([Binaries.fleetroll] + args.prefix(1) + ["--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)",
                                                                 "--connect-timeout", "3", "--timeout", "20"] + args.dropFirst())
        }

        func path(_ host: String, _ file: String) -> String { lab.fileOnHost(host, file)! }

        func override(_ host: String) -> String {
            path(host, host.hasPrefix("macmini") ? "/opt/puppet_environments/ronin_settings" : "/etc/puppet/ronin_settings")
        }

        var log: [[String: Any]] { AuditLog(url: URL(fileURLWithPath: state + "/audit.jsonl")).records() }
    }

    /// The victim a link points at: its bytes, mode and owner, which must never change.
    struct Victim: Equatable {
        var bytes: Data?
        var mode: mode_t
        var uid: uid_t
        var gid: gid_t

        init(_ path: String) {
            bytes = FileManager.default.contents(atPath: path)
            var st = stat()
            stat(path, &st)
            mode = st.st_mode & 0o7777; uid = st.st_uid; gid = st.st_gid
        }
    }

    static func results(_ out: ProcessOutput) throws -> [String: [String: Any]] {
        let json = try JSONSerialization.jsonObject(with: out.stdout)
        // One host prints its record, several an array of them.
        let array = try #require((json as? [[String: Any]]) ?? (json as? [String: Any]).map { [$0] }, "\(out.stdoutText) \(out.stderrText)")
        return Dictionary(uniqueKeysWithValues: array.map { ($0["host"] as! String, $0) })
    }

    func isLink(_ path: String, to target: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == target
    }

    @Test func nothingButTheRegularFileAtThePathIsChanged() async throws {
        let labDir = try makeTemporaryDirectory("lab-hostile-write")
        let state = try makeTemporaryDirectory("state-hostile-write")
        let work = try makeTemporaryDirectory("work-hostile-write")
        defer {
            try? FileManager.default.removeItem(atPath: state)
            try? FileManager.default.removeItem(atPath: work)
        }
        let lab = try Lab.up(scenario: Self.scenario, directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        let env = Env(lab: lab, state: state, work: work)
        let shadowGID = gid_t(getgrnam("shadow")?.pointee.gr_gid ?? 42)
        for host in [Self.linkLinux, Self.linkMac] {
            chmod(env.path(host, "/etc/victim"), 0o600)
            chown(env.path(host, "/etc/victim"), 0, shadowGID)
        }
        chmod(env.override(Self.plain), 0o600)
        let victims = { [Self.linkLinux, Self.linkMac].map { Victim(env.path($0, "/etc/victim")) } }
        let before = victims()
        let file = work + "/override"
        try Self.content.write(toFile: file, atomically: true, encoding: .utf8)
        let links = [Self.linkLinux, Self.linkMac].joined(separator: ",")

        // The link points at a file with the very content sent: the old NO_CHANGE path ran
        // chmod 4755 and chown relops through it. Now: BLOCKED, the target untouched.
        let same = try env.fleetroll(["host-set-override", "-f", file, "--mode", "4755", "--owner", "relops", "--confirm", "--json", "--no-audit", links])
        #expect(same.exitCode == 1)
        for (host, r) in try Self.results(same) {
            #expect(r["result"] as? String == "BLOCKED", "\(host): \(r)")
            #expect((r["observed"] as? [String: Any])?["existing_kind"] as? String == "symlink")
        }
        #expect(victims() == before)
        let vault = try env.fleetroll(["host-set-vault", "-f", file, "--confirm", "--no-audit", links])
        #expect(vault.exitCode == 1)
        #expect(vault.stdoutText.contains("BLOCKED \(Self.linkLinux) a symbolic link is at the vault's path; it is not followed"), "\(vault.stdoutText)")
        #expect(terminalControl(vault.stdout) == nil && terminalControl(vault.stderr) == nil)
        let unset = try env.fleetroll(["host-unset-override", "--confirm", "--json", "--no-audit", links])
        #expect(unset.exitCode == 1)
        #expect(Set(try Self.results(unset).values.compactMap { $0["result"] as? String }) == ["BLOCKED"])
        #expect(victims() == before)
        for host in [Self.linkLinux, Self.linkMac] {
            #expect(isLink(env.override(host), to: "/etc/victim"))
            let dir = (env.override(host) as NSString).deletingLastPathComponent
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".bak.") || $0.contains(".tmp.") }.isEmpty,
                    "a blocked write leaves no backup or temporary file")
        }
        // Every host touched has its STARTED line and its outcome.
        let log = env.log
        #expect(log.count == 12)
        #expect(log.filter { $0["result"] as? String == "STARTED" }.count == 6)
        #expect(log.filter { $0["result"] as? String == "BLOCKED" }.count == 6)

        // --force replaces the link itself with a regular file; the backup is the link, kept as a
        // link (a hard link to it), never a copy of its target. BSD mv (macOS) takes the other path.
        let forced = try env.fleetroll(["host-set-override", "-f", file, "--force", "--confirm", "--json", "--no-audit", links])
        #expect(forced.exitCode == 0, "\(forced.stderrText)")
        for (host, r) in try Self.results(forced) {
            #expect(r["result"] as? String == "OK", "\(host): \(r)")
            let path = env.override(host)
            var st = stat()
            #expect(lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG, "\(host): a regular file now")
            #expect(st.st_mode & 0o7777 == 0o644)
            #expect(FileManager.default.contents(atPath: path) == Data(Self.content.utf8))
            let backup = try #require((r["observed"] as? [String: Any])?["backup_path"] as? String)
            let backupHere = (path as NSString).deletingLastPathComponent + "/" + (backup as NSString).lastPathComponent
            #expect(isLink(backupHere, to: "/etc/victim"), "\(host): the backup keeps the link")
        }
        #expect(victims() == before)
        let forcedUnset = try env.fleetroll(["host-unset-override", "--force", "--confirm", "--json", "--no-audit", Self.linkMac])
        #expect(forcedUnset.exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: env.override(Self.linkMac)))
        #expect(victims() == before)

        // Right content, wrong mode: a fresh copy is installed (never chmod on the path).
        let refresh = try env.fleetroll(["host-set-override", "-f", file, "--confirm", "--json", "--no-audit", Self.plain])
        #expect(refresh.exitCode == 0, "\(refresh.stderrText)")
        let r = try #require(try Self.results(refresh)[Self.plain])
        #expect(r["result"] as? String == "NO_CHANGE")
        var st = stat()
        stat(env.override(Self.plain), &st)
        #expect(st.st_mode & 0o7777 == 0o644)
        #expect(FileManager.default.contents(atPath: env.override(Self.plain)) == Data(Self.content.utf8))

        // A directory at the path is never replaced, not even with --force.
        let dir = try env.fleetroll(["host-set-override", "-f", file, "--force", "--confirm", "--no-audit", Self.directory])
        #expect(dir.exitCode == 1)
        #expect(dir.stdoutText.contains("is a directory; fleetroll only replaces files"), "\(dir.stdoutText)")
        var dst = stat()
        #expect(lstat(env.override(Self.directory), &dst) == 0 && (dst.st_mode & S_IFMT) == S_IFDIR)

        // A host's sudo message reaches the terminal cleaned; the audit log keeps it as JSON text.
        let sudo = try env.fleetroll(["host-set-override", "-f", file, "--confirm", "--no-audit", Self.badSudo])
        #expect(sudo.exitCode == 1)
        #expect(sudo.stdoutText.contains("FAIL \(Self.badSudo) [sudo] sudo -n failed on the host: sudo: ?[31mno?]0;pwned? way?"), "\(sudo.stdoutText)")
        #expect(terminalControl(sudo.stdout) == nil && terminalControl(sudo.stderr) == nil)
        #expect(env.log.filter { $0["host"] as? String == Self.badSudo }.compactMap { $0["result"] as? String } == ["STARTED", "FAIL"])

        // A link planted at the backup's name is not written through.
        let planted = env.override(Self.plain) + ".bak.20260101T000000Z"
        try "keep me\n".write(toFile: env.path(Self.plain, "/etc/victim2"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: "/etc/victim2")
        var settings = SSHSettings()
        settings.extraArguments = ["-F", lab.sshConfigPath]
        settings.timeout = 20
        let next = Data("PUPPET_BRANCH=next\n".utf8)
        let script = WriteFileScript(file: .override, sha256: Digest.sha256Hex(next), ownership: FileOwnership(mode: "0644"),
                                     backup: BackupPolicy(enabled: true, suffix: "20260101T000000Z"), guardExisting: false).body
        let run = await SSHTransport(settings: settings).run(script: script, on: try HostTarget.parse(Self.plain), stdin: next)
        let fields = RemoteOutput.parse(run.stdout).fields
        #expect(fields["RESULT"] == "OK", "\(fields) \(run.stderr)")
        #expect(fields["BACKUP_CREATED"]?.hasPrefix("/etc/puppet/ronin_settings.bak.20260101T000000Z.") == true)
        #expect(isLink(planted, to: "/etc/victim2"))
        #expect(FileManager.default.contents(atPath: env.path(Self.plain, "/etc/victim2")) == Data("keep me\n".utf8))
        #expect(FileManager.default.contents(atPath: env.override(Self.plain)) == next)
    }

    /// Files bash would read differently from what fleetroll checks are refused before any host
    /// is touched, naming the line and quoting nothing; host lists saved on Windows are read.
    @Test func lineEndingsAndCommandWords() async throws {
        let labDir = try makeTemporaryDirectory("lab-line-endings")
        let state = try makeTemporaryDirectory("state-line-endings")
        let work = try makeTemporaryDirectory("work-line-endings")
        defer {
            try? FileManager.default.removeItem(atPath: state)
            try? FileManager.default.removeItem(atPath: work)
        }
        var host = ScenarioHost(name: Self.plain)
        host.override = Self.content
        let lab = try Lab.up(scenario: Scenario(hosts: [host, ScenarioHost(name: Self.linkLinux)]), directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        let env = Env(lab: lab, state: state, work: work)
        let pwned = "/tmp/fleetroll-pwned-\(UUID().uuidString.prefix(8))"
        let cases = [
            ("crlf", "PUPPET_BRANCH=\"relops-1\"\r\nPUPPET_MAIL=\"a@b.org\"\r\n", "Windows (CRLF)"),
            ("cr", "PUPPET_BRANCH=relops-1\r$(touch \(pwned))\r", "carriage return (CR)"),
            ("command", "# ok\nPUPPET_BRANCH=relops-999 touch \(pwned)\n", "line 2: PUPPET_BRANCH=… is followed by the command 'touch'"),
        ]
        for (name, text, message) in cases {
            let file = work + "/" + name
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            for confirm in [[], ["--confirm"]] {
                let out = try env.fleetroll(["host-set-override", "-f", file, "--no-audit"] + confirm + [Self.plain])
                #expect(out.exitCode == 2, "\(name): \(out.stdoutText) \(out.stderrText)")
                #expect(out.stderrText.contains(message), "\(name): \(out.stderrText)")
                #expect(!out.stderrText.contains("PUPPET_MAIL") && !out.stderrText.contains("relops-1\r"), "\(name): the file is not quoted")
                #expect(terminalControl(out.stdout) == nil && terminalControl(out.stderr) == nil, "\(name)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: pwned))
        #expect(FileManager.default.contents(atPath: env.override(Self.plain)) == Data(Self.content.utf8))
        #expect(env.log.isEmpty, "nothing was started")

        let list = work + "/fleet.list"
        try "# saved on Windows\r\n\(Self.plain)\r\n\r\n\(Self.linkLinux)   # second\r\n".write(toFile: list, atomically: true, encoding: .utf8)
        let gathered = try env.fleetroll(["gather-host", "-q", list])
        #expect(gathered.exitCode == 0, "\(gathered.stdoutText) \(gathered.stderrText)")
        #expect(gathered.stdoutText.contains("2/2 hosts successful"))
        let hostile = work + "/hostile.list"
        try "\(Self.plain)\r\nbad\u{1B}]0;pwned\u{07}host\r\n".write(toFile: hostile, atomically: true, encoding: .utf8)
        let refused = try env.fleetroll(["gather-host", hostile])
        #expect(refused.exitCode == 2)
        #expect(refused.stderrText.contains("hostile.list:2:"), "\(refused.stderrText)")
        #expect(terminalControl(refused.stderr) == nil, "\(terminalControl(refused.stderr) ?? "")")
    }
}
