import FleetCore
import FleetSSH
import Foundation
import Testing

@Suite("ssh command line")
struct SSHArgumentTests {
    @Test func userOptionsComeFirstAndTheHostFollowsDoubleDash() throws {
        var s = SSHSettings()
        s.extraArguments = try SSHSettings.splitOptions(["-F /tmp/lab/ssh_config", "-o StrictHostKeyChecking=yes"])
        s.connectTimeout = 3
        s.controlDirectory = "/state/ssh"
        let argv = s.argv(target: try HostTarget.parse("relops@h.example.com"), remoteCommand: "sh -c 'true'")
        #expect(Array(argv.prefix(5)) == ["ssh", "-F", "/tmp/lab/ssh_config", "-o", "StrictHostKeyChecking=yes"])
        #expect(argv.contains("StrictHostKeyChecking=yes"))
        #expect(!argv.contains("StrictHostKeyChecking=accept-new"), "a -F config keeps its own host-key settings")
        #expect(!argv.contains("UserKnownHostsFile=/dev/null"))
        #expect(argv.contains("ConnectTimeout=3"))
        #expect(argv.contains("BatchMode=yes"))
        #expect(argv.contains("ControlPath=/state/ssh/%C"))
        #expect(Array(argv.suffix(3)) == ["--", "relops@h.example.com", "sh -c 'true'"])
    }

    @Test func hostKeyDefaultsApplyUnlessTheUserSetsThem() throws {
        let target = try HostTarget.parse("h")
        var s = SSHSettings()
        s.extraArguments = ["-J", "bastion"]
        var argv = s.argv(target: target, remoteCommand: "x")
        #expect(argv.contains("StrictHostKeyChecking=accept-new"))
        #expect(argv.contains("UserKnownHostsFile=/dev/null"))
        s.extraArguments = ["-oUserKnownHostsFile=/home/me/kh", "-o", "StrictHostKeyChecking yes"]
        argv = s.argv(target: target, remoteCommand: "x")
        #expect(!argv.contains("StrictHostKeyChecking=accept-new"))
        #expect(!argv.contains("UserKnownHostsFile=/dev/null"))
    }

    @Test func multiplexingCanBeTurnedOff() throws {
        let argv = SSHSettings().argv(target: try HostTarget.parse("h"), remoteCommand: "x")
        #expect(!argv.contains { $0.hasPrefix("Control") })
    }

    @Test func theRemoteCommandIsOneQuotedArgument() {
        #expect(RemoteCommand.wrap("echo 'hi'") == #"sh -c 'echo '"'"'hi'"'"''"#)
    }

    /// The script must work under dash (Debian's sh) and bash-as-sh (macOS's /bin/sh): run it
    /// here under both, with the privileges the test has, and read its output back.
    @Test(arguments: [["dash"], ["bash", "--posix"]])
    func auditScriptRunsUnderEveryShell(_ shell: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/\(shell[0])") || FileManager.default.isExecutableFile(atPath: "/usr/bin/\(shell[0])") else { return }
        let body = AuditScript(includeContent: true).body
        let out = try ProcessRunner.runBlocking(shell + ["-c", body], stdin: nil, timeout: 30)
        #expect(out.exitCode == 0, "\(out.stderrText)")
        let parsed = RemoteOutput.parse(out.stdout)
        #expect(parsed.complete)
        #expect(parsed.fields["OS_TYPE"] == "Linux")
        #expect(parsed.fields["UPTIME_S"].flatMap(Int.init) != nil)
        #expect(parsed.fields["SUDO_OK"] != nil)
    }

    @Test func auditScriptIsValidPOSIXShAndListsKnownVaults() throws {
        let known = Digest.sha256Hex(Data("v".utf8))
        let body = AuditScript(includeContent: false, knownVaultSHAs: [known, "not-a-sha; rm -rf /"]).body
        #expect(body.contains("known_vaults='\(known)'"))
        #expect(!body.contains("rm -rf"))
        #expect(body.contains("include_content=0"))
        let check = try ProcessRunner.runBlocking(["sh", "-n", "-c", body], stdin: nil, timeout: 10)
        #expect(check.exitCode == 0, "sh -n: \(check.stderrText)")
    }
}

@Suite("Process runner")
struct ProcessRunnerTests {
    @Test func capturesOutputAndExitCode() async throws {
        let out = try await ProcessRunner.run(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout: 10)
        #expect(out.exitCode == 3)
        #expect(String(decoding: out.stdout, as: UTF8.self) == "out\n")
        #expect(out.stderrText == "err\n")
        #expect(!out.timedOut)
    }

    @Test func timeoutKillsAndKeepsPartialOutput() async throws {
        let out = try await ProcessRunner.run(["sh", "-c", "echo partial; exec sleep 30"], timeout: 0.5)
        #expect(out.timedOut)
        #expect(out.exitCode == ProcessRunner.timeoutExitCode)
        #expect(String(decoding: out.stdout, as: UTF8.self) == "partial\n")
        #expect(out.duration < 5)
    }

    @Test func feedsStdinAndReadsLargeOutputWithoutDeadlock() async throws {
        let input = Data((0..<3_000_000).map { UInt8($0 % 251) })
        let out = try await ProcessRunner.run(["cat"], stdin: input, timeout: 30)
        #expect(out.exitCode == 0)
        #expect(out.stdout == input)
    }

    @Test func stdinIsNeverTheTerminal() async throws {
        let out = try await ProcessRunner.run(["sh", "-c", "cat; echo done"], timeout: 5)
        #expect(String(decoding: out.stdout, as: UTF8.self) == "done\n")
    }

    @Test func missingBinaryIsAnError() async {
        await #expect(throws: ProcessRunnerError.self) {
            try await ProcessRunner.run(["/nonexistent/ssh"], timeout: 5)
        }
    }

    @Test func manyRunsAtOnce() async throws {
        let codes = try await withThrowingTaskGroup(of: Int32.self) { group in
            for i in 0..<40 { group.addTask { try await ProcessRunner.run(["sh", "-c", "sleep 0.2; exit \(i % 5)"], timeout: 10).exitCode } }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        #expect(codes.sorted() == (0..<40).map { Int32($0 % 5) }.sorted())
    }
}

/// Cancelling the task that awaits a run ends that run's process only.
@Suite("Process cancellation")
struct ProcessCancellationTests {
    @Test func cancellingOneRunLeavesTheOther() async throws {
        let cancelled = Task { try await ProcessRunner.run(["sleep", "300"], timeout: 600) }
        let other = Task { try await ProcessRunner.run(["sh", "-c", "sleep 1.5; echo done"], timeout: 60) }
        try await Task.sleep(nanoseconds: 300_000_000)
        cancelled.cancel()
        let a = try await cancelled.value
        // The child's own run time (a busy test machine may delay this task, not the child).
        #expect(a.cancelled && !a.timedOut && a.duration < 120, "ended when cancelled, not after 300 s: \(a.duration)")
        let b = try await other.value
        #expect(!b.cancelled && b.exitCode == 0 && String(decoding: b.stdout, as: UTF8.self) == "done\n")
    }

    @Test func aRunCancelledBeforeItStartsRunsNothing() async throws {
        let task = Task {
            try? await Task.sleep(nanoseconds: 200_000_000)
            return try await ProcessRunner.run(["sh", "-c", "echo ran"], timeout: 10)
        }
        task.cancel()
        let out = try await task.value
        #expect(out.cancelled && out.stdout.isEmpty)
    }
}
