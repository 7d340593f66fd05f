import FleetCore
import FleetLab
import FleetSSH
import FleetStore
import Foundation
import Testing

/// Hard faults around a write: fleetroll or its ssh killed mid-write, an audit log that cannot
/// be written. No host changes without an audit line that says what happened.
@Suite("Hard faults during writes", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct HardFaultTests {
    static let slow = "t-linux64-ms-501.test.releng.mdc1.mozilla.com"
    static let slowCommit = "t-linux64-ms-502.test.releng.mdc1.mozilla.com"
    static let slowChown = "t-linux64-ms-503.test.releng.mdc1.mozilla.com"
    static let plain = "t-linux64-ms-504.test.releng.mdc1.mozilla.com"
    static let old = "PUPPET_BRANCH=old\n"
    static let new = "PUPPET_BRANCH=new\n"

    /// A stand-in for `tool` that touches `marker` and waits before doing the real thing
    /// (`--help`, which the write script asks mv for, is answered at once).
    static func slowTool(_ tool: String, marker: String) -> String {
        """
        #!/bin/sh
        case "$*" in *--help*) exec /bin/\(tool) "$@" ;; esac
        touch '\(marker)'
        sleep 3
        exec /bin/\(tool) "$@"

        """
    }

    struct Env {
        var lab: LabState
        var state: String
        var work: String
        var markers: String

        var log: [[String: Any]] { AuditLog(url: URL(fileURLWithPath: state + "/audit.jsonl")).records() }

        func override(_ host: String) -> Data? { FileManager.default.contents(atPath: lab.fileOnHost(host, "/etc/puppet/ronin_settings")!) }

        func argv(_ host: String, state: String? = nil, _ extra: [String] = []) -> [String] {
            [Binaries.fleetroll, "host-set-override", "--state-dir", state ?? self.state, "--ssh-option", "-F \(lab.sshConfigPath)",
             "-f", work + "/new", "--confirm", "--force", "--no-audit", "--timeout", "20"] + extra + [host]
        }

        /// Runs `argv` in the background, runs `then` (shell) once `until` (shell test) holds,
        /// and reports fleetroll's exit status, stdout and stderr.
        func runAndInterfere(_ argv: [String], until: String, then: String) throws -> (rc: Int32, out: Data, err: Data, log: String) {
            let tag = UUID().uuidString.prefix(8)
            let out = "\(work)/out-\(tag)", err = "\(work)/err-\(tag)"
            let script = """
                "$@" >'\(out)' 2>'\(err)' & pid=$!
                n=0
                until \(until); do sleep 0.05; n=$((n + 1)); [ $n -lt 400 ] || { echo "never: \(until)"; break; }; done
                \(then)
                wait $pid
                echo "rc=$?"
                """
            let r = try ProcessRunner.runBlocking(["sh", "-c", script, "sh"] + argv, stdin: nil, timeout: 90)
            let text = r.stdoutText
            let rc = text.split(separator: "\n").last { $0.hasPrefix("rc=") }.flatMap { Int32($0.dropFirst(3)) } ?? -1
            return (rc, FileManager.default.contents(atPath: out) ?? Data(), FileManager.default.contents(atPath: err) ?? Data(), text)
        }
    }

    func withLab(_ body: (Env) async throws -> Void) async throws {
        let labDir = try makeTemporaryDirectory("lab-faults")
        let state = try makeTemporaryDirectory("state-faults")
        let work = try makeTemporaryDirectory("work-faults")
        defer {
            try? FileManager.default.removeItem(atPath: state)
            try? FileManager.default.removeItem(atPath: work)
        }
        var slow = ScenarioHost(name: Self.slow)
        slow.fault = .slow
        slow.slowSeconds = 3
        var commit = ScenarioHost(name: Self.slowCommit)
        commit.tools = ["mv": Self.slowTool("mv", marker: work + "/commit-started")]
        var chown = ScenarioHost(name: Self.slowChown)
        chown.tools = ["chown": Self.slowTool("chown", marker: work + "/chown-started")]
        var hosts = [slow, commit, chown, ScenarioHost(name: Self.plain)]
        for i in hosts.indices { hosts[i].override = Self.old }
        let lab = try Lab.up(scenario: Scenario(hosts: hosts), directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        try Self.new.write(toFile: work + "/new", atomically: true, encoding: .utf8)
        try await body(Env(lab: lab, state: state, work: work, markers: work))
    }

    func results(_ env: Env, _ host: String) -> [String] {
        env.log.filter { $0["host"] as? String == host }.compactMap { $0["result"] as? String }
    }

    @Test func killedMidWrite() async throws {
        try await withLab { env in
            // SIGKILL of fleetroll while its session waits on a slow host: its ssh dies with it
            // (no session goes on to change the host unrecorded), and the STARTED line is there.
            let killed = try env.runAndInterfere(
                env.argv(Self.slow), until: "pgrep -P $pid -x ssh >'\(env.work)/ssh.pid'",
                then: "sleep 0.5; kill -KILL $pid")
            #expect(killed.rc == 137, "\(killed.log)")
            #expect(terminalControl(killed.out) == nil && terminalControl(killed.err) == nil)
            let sshPID = pid_t((try String(contentsOfFile: env.work + "/ssh.pid", encoding: .utf8)).split(separator: "\n").first ?? "") ?? 0
            #expect(sshPID > 0)
            var gone = false
            for _ in 0..<40 where !gone {
                let stat = (try? String(contentsOfFile: "/proc/\(sshPID)/stat", encoding: .utf8)) ?? ""
                gone = stat.isEmpty || stat.contains(") Z")
                if !gone { usleep(50_000) }
            }
            #expect(gone, "fleetroll's ssh outlived it")
            try await Task.sleep(nanoseconds: 5_000_000_000)
            #expect(env.override(Self.slow) == Data(Self.old.utf8), "the host was changed after fleetroll died")
            #expect(results(env, Self.slow) == ["STARTED"], "a STARTED line, and no outcome anybody saw")

            // The ssh child killed after the host began committing: the write finished there, and
            // fleetroll reads the file back before it says so.
            let afterCommit = try env.runAndInterfere(
                env.argv(Self.slowCommit, ["--json"]), until: "[ -e '\(env.work)/commit-started' ]",
                then: "kill -KILL $(pgrep -P $pid -x ssh)")
            #expect(afterCommit.rc == 0, "\(afterCommit.log) \(String(decoding: afterCommit.err, as: UTF8.self))")
            let record = try #require((try JSONSerialization.jsonObject(with: afterCommit.out) as? [[String: Any]])?.first, "an array for one host too")
            #expect(record["result"] as? String == "OK", "\(record)")
            let verification = (record["observed"] as? [String: Any])?["verification"] as? String
            #expect(verification?.contains("read back: file with sha256 \(Digest.sha256Hex(Data(Self.new.utf8)).prefix(12))") == true, "\(record)")
            #expect(env.override(Self.slowCommit) == Data(Self.new.utf8))
            #expect(results(env, Self.slowCommit) == ["STARTED", "OK"])

            // Killed before the commit: the host sees its session gone and does not commit;
            // reading back shows the old file, so the outcome is FAIL, not a guess.
            let beforeCommit = try env.runAndInterfere(
                env.argv(Self.slowChown), until: "[ -e '\(env.work)/chown-started' ]",
                then: "kill -KILL $(pgrep -P $pid -x ssh)")
            #expect(beforeCommit.rc == 1, "\(beforeCommit.log)")
            let text = String(decoding: beforeCommit.out, as: UTF8.self)
            #expect(text.contains("FAIL \(Self.slowChown)"), "\(text)")
            #expect(text.contains("reading the file back shows the host does not have the new file"), "\(text)")
            #expect(terminalControl(beforeCommit.out) == nil)
            #expect(env.override(Self.slowChown) == Data(Self.old.utf8))
            #expect(results(env, Self.slowChown) == ["STARTED", "FAIL"])
            let dir = (env.lab.fileOnHost(Self.slowChown, "/etc/puppet/ronin_settings")! as NSString).deletingLastPathComponent
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") || $0.contains(".bak.") }.isEmpty)
        }
    }

    @Test func anAuditLogThatCannotBeWrittenStopsTheWrite() async throws {
        try await withLab { env in
            let connections = { (try? Lab.status(directory: env.lab.directory).1.first { $0.host.name == Self.plain }?.connections) ?? -1 }
            let before = connections()

            // audit.jsonl cannot be opened: nothing is touched.
            let blocked = env.state + "/blocked"
            try FileManager.default.createDirectory(atPath: blocked + "/audit.jsonl", withIntermediateDirectories: true)
            let refused = try runRaw(env.argv(Self.plain, state: blocked))
            #expect(refused.exitCode == 1)
            #expect(refused.stderrText.contains("ERROR: the audit log cannot be written"), "\(refused.stderrText)")
            #expect(refused.stderrText.contains("no host was touched"))
            #expect(terminalControl(refused.stdout) == nil && terminalControl(refused.stderr) == nil)

            // A full file system: nothing is touched either.
            let full = env.work + "/full"
            try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
            #expect(try ProcessRunner.runBlocking(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", full], stdin: nil, timeout: 10).exitCode == 0)
            defer { _ = try? ProcessRunner.runBlocking(["umount", "-l", full], stdin: nil, timeout: 10) }
            _ = try ProcessRunner.runBlocking(["sh", "-c", "dd if=/dev/zero of='\(full)/fill' bs=64k 2>/dev/null; true"], stdin: nil, timeout: 20)
            let noSpace = try runRaw(env.argv(Self.plain, state: full, ["--no-multiplex"]))
            #expect(noSpace.exitCode == 1)
            #expect(noSpace.stderrText.contains("No space left on device"), "\(noSpace.stderrText)")
            #expect(env.override(Self.plain) == Data(Self.old.utf8))
            #expect(connections() == before, "no ssh reached the host")

            // The state directory turns read-only while a host is being changed: its STARTED line
            // is on disk, the host has the new file, and the command fails saying which host went
            // unrecorded.
            unlink(full + "/fill")
            let late = try env.runAndInterfere(
                env.argv(Self.slowCommit, state: full, ["--no-multiplex"]), until: "[ -e '\(env.work)/commit-started' ]",
                then: "mount -o remount,ro '\(full)'")
            #expect(late.rc == 1, "\(late.log)")
            let err = String(decoding: late.err, as: UTF8.self)
            #expect(err.contains("could not record 1 host(s): \(Self.slowCommit) (OK)"), "\(err)")
            #expect(env.override(Self.slowCommit) == Data(Self.new.utf8))
            let log = AuditLog(url: URL(fileURLWithPath: full + "/audit.jsonl")).records()
            #expect(log.compactMap { $0["result"] as? String } == ["STARTED"])
        }
    }

    /// Eight commands at once on a state directory nobody has used yet, five times over.
    @Test func concurrentFirstUse() async throws {
        let labDir = try makeTemporaryDirectory("lab-first-use")
        let work = try makeTemporaryDirectory("work-first-use")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let hosts = [ScenarioHost(name: "t-linux64-ms-511.test.releng.mdc1.mozilla.com"), ScenarioHost(name: "t-linux64-ms-512.test.releng.mdc1.mozilla.com")]
        let lab = try Lab.up(scenario: Scenario(hosts: hosts), directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        let f = Binaries.fleetroll
        for round in 1...5 {
            let state = "\(work)/state-\(round)"
            let commands = (0..<8).map { i -> String in
                switch i % 4 {
                case 0, 1: return "'\(f)' gather-host --state-dir '\(state)' --ssh-option '-F \(lab.sshConfigPath)' -q \(hosts[i % 2].name)"
                case 2: return "'\(f)' host-monitor --state-dir '\(state)' --once '\(lab.hostListPath)'"
                default: return "'\(f)' note-add --state-dir '\(state)' \(hosts[0].name) 'note \(i)'"
                }
            }
            let script = commands.enumerated().map { "( \($1) >'\(work)/o\(round)-\($0)' 2>&1; echo $? >'\(work)/rc\(round)-\($0)' ) &" }
                .joined(separator: "\n") + "\nwait\n"
            _ = try ProcessRunner.runBlocking(["sh", "-c", script], stdin: nil, timeout: 120)
            for i in 0..<8 {
                let rc = (try? String(contentsOfFile: "\(work)/rc\(round)-\(i)", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                let out = (try? String(contentsOfFile: "\(work)/o\(round)-\(i)", encoding: .utf8)) ?? ""
                #expect(rc == "0", "round \(round), command \(i): \(commands[i])\n\(out)")
                #expect(!out.contains("already exists") && !out.contains("locked"), "\(out)")
            }
            let store = ObservationStore(database: try FleetDatabase(path: state + "/store.db"))
            #expect(try await store.latest().count == 2)
        }
    }

    /// A state directory whose path has a space and a `%` works for every ssh, connections are
    /// reused; the root is made 0700 whatever the umask.
    @Test func stateDirectoryPaths() async throws {
        let labDir = try makeTemporaryDirectory("lab-paths")
        let work = try makeTemporaryDirectory("work-paths")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let host = "t-linux64-ms-521.test.releng.mdc1.mozilla.com"
        let lab = try Lab.up(scenario: Scenario(hosts: [ScenarioHost(name: host)]), directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        // Short enough for the control socket to stay inside it (see StateDirectory.sshControl).
        let state = "/tmp/fr %d %C \(UUID().uuidString.prefix(6))%"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let gather = [Binaries.fleetroll, "gather-host", "--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)", "-q", host]
        for _ in 0..<2 {
            let out = try runRaw(["sh", "-c", "umask 000; exec \"$@\"", "sh"] + gather)
            #expect(out.exitCode == 0, "\(out.stdoutText) \(out.stderrText)")
            #expect(terminalControl(out.stdout) == nil && terminalControl(out.stderr) == nil)
        }
        let sockets = try FileManager.default.contentsOfDirectory(atPath: state + "/ssh")
        #expect(sockets.count == 1, "the control socket is in the state directory: \(sockets)")
        #expect(try Lab.status(directory: labDir).1[0].connections == 1, "the second run reused the connection")
        var st = stat()
        stat(state, &st)
        #expect(st.st_mode & 0o777 == 0o700, "created \(String(st.st_mode & 0o777, radix: 8)) under umask 000")
        let note = try runRaw(["sh", "-c", "umask 000; exec \"$@\"", "sh", Binaries.fleetroll, "note-add", "--state-dir", work + "/fresh", host, "x"])
        #expect(note.exitCode == 0)
        stat(work + "/fresh", &st)
        #expect(st.st_mode & 0o777 == 0o700)
    }
}
