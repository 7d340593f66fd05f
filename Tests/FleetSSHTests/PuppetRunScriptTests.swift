import FleetCore
import FleetSSH
import Foundation
import Testing

/// host-run-puppet's remote script, run here under both shells fleetroll meets, as root (the
/// lab tests run it as a sudo user over ssh): its status lines, and its time limit ending
/// everything the wrapper started.
@Suite("Puppet run script", .enabled(if: getuid() == 0, "runs as root: no sudo in the way"))
struct PuppetRunScriptTests {
    static let shells = [["dash"], ["bash", "--posix"]]

    struct Run {
        var marks: [PuppetRunScript.Mark]
        var lines: [String]
        var exitCode: Int32
    }

    func run(_ shell: [String], wrapper body: String?, timeLimit: Int = 30) throws -> Run {
        let dir = "/tmp/fleetroll-prs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var script = PuppetRunScript(timeLimit: timeLimit)
        script.wrapper = dir + "/run-puppet.sh"
        if let body {
            try writeExecutable(script.wrapper, "#!/bin/sh\n" + body)
        }
        let out = try ProcessRunner.runBlocking(shell + ["-c", script.body], stdin: nil, timeout: Double(timeLimit) + 20)
        var splitter = LineSplitter()
        let lines = splitter.feed(out.stdout).map(LineSplitter.text)
        return Run(marks: lines.compactMap(script.mark), lines: lines.filter { script.mark($0) == nil }, exitCode: out.exitCode)
    }

    @Test(arguments: shells)
    func theWrappersExitStatusIsReportedAndNothingPrintedPassesForIt(_ shell: [String]) throws {
        let other = PuppetRunScript(timeLimit: 1)
        let r = try run(shell, wrapper: """
            echo "single=$FLEETROLL_SINGLE_RUN"
            echo 'EXIT=0'
            echo 'FLEETROLL-\(other.nonce) exit 0'
            echo 'FLEETROLL-0123 exit 0'
            exit 2
            """)
        #expect(r.marks == [.started, .exit(2)])
        #expect(r.lines.contains("single=1"), "the wrapper is asked for one attempt")
        #expect(r.lines.contains("EXIT=0"), "output that looks like a status is just output")
        #expect(r.exitCode == 0)
    }

    @Test(arguments: shells)
    func aMissingWrapperIsSaidSo(_ shell: [String]) throws {
        let r = try run(shell, wrapper: nil)
        #expect(r.marks == [.missing])
    }

    /// The limit ends the wrapper and what it started (its children too), on the host itself.
    @Test(arguments: shells)
    func theTimeLimitEndsTheWholeRun(_ shell: [String]) throws {
        let tag = String(Int.random(in: 100_000...999_999))
        let start = Date()
        let r = try run(shell, wrapper: "sleep 7\(tag) &\nsleep 8\(tag)\n", timeLimit: 1)
        #expect(r.marks == [.started, .timeout, .exit(143)])
        #expect(Date().timeIntervalSince(start) < 15)
        usleep(300_000)
        let left = try ProcessRunner.runBlocking(["pgrep", "-f", "sleep [78]\(tag)"], stdin: nil, timeout: 10)
        #expect(left.stdout.isEmpty, "left running: \(left.stdoutText)")
    }

    @Test func marksAreOnlyThisRunsLines() {
        let s = PuppetRunScript(timeLimit: 5, nonce: "abc")
        #expect(s.mark("FLEETROLL-abc exit 4\r") == .exit(4))
        #expect(s.mark("FLEETROLL-abc started") == .started)
        #expect(s.mark("FLEETROLL-abc exit -1") == nil)
        #expect(s.mark("FLEETROLL-abd exit 0") == nil)
        #expect(s.mark(" FLEETROLL-abc exit 0") == nil)
        #expect(s.mark("EXIT=0") == nil)
        #expect(PuppetRunScript.randomNonce().count == 32)
        #expect(PuppetRunScript.randomNonce() != PuppetRunScript.randomNonce())
    }

    @Test func theScriptPassesShellcheck() throws {
        let path = "/tmp/fleetroll-prs-\(UUID().uuidString.prefix(8)).sh"
        try PuppetRunScript(timeLimit: 5).body.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out: ProcessOutput
        do { out = try ProcessRunner.runBlocking(["shellcheck", "-s", "sh", "-e", "SC2016", path], stdin: nil, timeout: 60) } catch {
            Issue.record("shellcheck is not installed (scripts/install-deps installs it)")
            return
        }
        #expect(out.exitCode == 0, "\(out.stdoutText)")
    }
}

/// Written through a descriptor no child can inherit: one that leaked into a process another
/// test starts meanwhile would make executing the file fail ("Text file busy").
func writeExecutable(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
}

extension ProcessOutput {
    fileprivate var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}
