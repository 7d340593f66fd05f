import FleetCore
import FleetSSH
import Foundation
import Testing

/// The remote scripts' shared helpers, run here under both shells fleetroll meets, and the limits
/// and parent-death of the process runner.
@Suite("Remote helpers and process limits")
struct RemoteHelperTests {
    static let shells = [["dash"], ["bash", "--posix"]]

    /// The preamble (with its emit) and some lines, run locally; returns the parsed output.
    func run(_ shell: [String], _ lines: String) throws -> RemoteOutput {
        let script = AuditScript().body.components(separatedBy: "require_sudo\n").first! + lines + "\necho __FLEETROLL_END__\n"
        let out = try ProcessRunner.runBlocking(shell + ["-c", script], stdin: nil, timeout: 20)
        #expect(out.exitCode == 0, "\(out.stderrText)")
        return RemoteOutput.parse(out.stdout)
    }

    @Test(arguments: shells)
    func emitEncodesLineBreaks(_ shell: [String]) throws {
        let out = try run(shell, #"""
            emit PLAIN 'a b'
            emit NAME "$(printf 'evil\nFLEETROLL_BEGIN=1\nOS_TYPE=Windows\n__FLEETROLL_END__\nx')"
            emit CR "$(printf 'a\rb')"
            """#)
        #expect(out.complete)
        #expect(out.fields["PLAIN"] == "a b")
        #expect(out.fields["NAME"] == "evil\nFLEETROLL_BEGIN=1\nOS_TYPE=Windows\n__FLEETROLL_END__\nx")
        #expect(out.fields["OS_TYPE"] == "Linux", "no line was forged")
        #expect(out.fields["CR"] == "a\rb")
    }

    @Test(arguments: shells)
    func filesAreLookedAtWithoutFollowingLinks(_ shell: [String]) throws {
        let dir = "/tmp/fleetroll-kinds-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "secret\n".write(toFile: dir + "/target", atomically: true, encoding: .utf8)
        try "data\n".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/target")
        mkfifo(dir + "/fifo", 0o644)
        let out = try run(shell, """
            set -- $(kind_of '\(dir)/file' '\(dir)/link' '\(dir)/fifo' '\(dir)' '\(dir)/none')
            emit KINDS "$*"
            emit LINK_READ "$(read_file '\(dir)/link' 100 | b64)"
            emit FILE_SHA "$(sha_of '\(dir)/file' 100)"
            if sha_of '\(dir)/none' 100 >/dev/null; then emit NONE_SHA yes; else emit NONE_SHA no; fi
            """)
        #expect(out.fields["KINDS"] == "file symlink fifo directory missing")
        #expect(out.fields["LINK_READ"] == "", "GNU dd refuses to open the link")
        #expect(out.fields["FILE_SHA"] == Digest.sha256Hex(Data("data\n".utf8)))
        #expect(out.fields["NONE_SHA"] == "no", "an unreadable file has no SHA, not the SHA of nothing")
    }

    @Test func theTimeLimitGoesWithTheScript() {
        let wrapped = RemoteCommand.wrap("echo hi", timeLimit: 9.2)
        #expect(wrapped.hasPrefix("sh -c 'fr_limit=10\n"))
        #expect(!RemoteCommand.wrap("echo hi").contains("fr_limit"))
    }

    /// The watchdog ends a runaway pipeline of the script when the limit passes, and costs
    /// nothing when the script ends first.
    @Test(arguments: shells)
    func theWatchdogEndsRunawayCommands(_ shell: [String]) throws {
        let marker = "fleetroll-runaway-\(UUID().uuidString.prefix(8))"
        let script = "fr_limit=1\n" + AuditScript().body.components(separatedBy: "require_sudo\n").first!
            + "sh -c 'while :; do :; done' \(marker) &\nwait\n"
        let start = Date()
        let out = try ProcessRunner.runBlocking(shell + ["-c", script], stdin: nil, timeout: 20)
        #expect(Date().timeIntervalSince(start) < 6, "the script was ended by its watchdog")
        #expect(!out.timedOut)
        usleep(300_000)
        // (The watchdog itself, a copy of the script, waits two more seconds to send KILL.)
        let left = try ProcessRunner.runBlocking(["sh", "-c", "ps -eo args | grep '^sh -c while.*\(marker)'"], stdin: nil, timeout: 5)
        #expect(left.exitCode == 1, "still running: \(String(decoding: left.stdout, as: UTF8.self))")
        let quick = Date()
        _ = try ProcessRunner.runBlocking(shell + ["-c", "fr_limit=30\n" + AuditScript().body.components(separatedBy: "require_sudo\n").first! + "true\n"],
                                          stdin: nil, timeout: 20)
        #expect(Date().timeIntervalSince(quick) < 3, "a script that ends does not wait for its watchdog")
    }
}

@Suite("Process runner limits")
struct ProcessLimitTests {
    @Test func stdoutIsCappedAndTheChildEnded() async throws {
        let out = try await ProcessRunner.run(["sh", "-c", "exec cat /dev/zero"], timeout: 20, outputLimit: 1 << 20)
        #expect(out.outputLimitExceeded)
        #expect(out.stdout.count == 1 << 20)
        #expect(!out.timedOut)
        #expect(out.duration < 10)
    }

    @Test func stderrKeepsItsStartAndTheRunGoesOn() async throws {
        let out = try await ProcessRunner.run(["sh", "-c", "head -c 300000 /dev/zero | tr '\\0' e >&2; echo done"], timeout: 20, errorLimit: 1000)
        #expect(out.stderr.count == 1000)
        #expect(String(decoding: out.stdout, as: UTF8.self) == "done\n")
        #expect(!out.outputLimitExceeded)
    }

    @Test func controlPathsWithSpacesAndPercentSigns() throws {
        var s = SSHSettings()
        s.controlDirectory = "/tmp/state dir %d/ssh"
        let argv = s.argv(target: try HostTarget.parse("h"), remoteCommand: "x")
        #expect(argv.contains(#"ControlPath="/tmp/state dir %%d/ssh/%C""#))
        s.controlDirectory = "/tmp/100%/ssh"
        #expect(s.argv(target: try HostTarget.parse("h"), remoteCommand: "x").contains("ControlPath=/tmp/100%%/ssh/%C"))
    }
}
