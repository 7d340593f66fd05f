import FleetCore
import FleetSSH
import FleetStore
@testable import FleetWrite
import Foundation
import Synchronization
import Testing

/// The puppet-run engine through a scripted transport: how each ending is classified, Ctrl-C
/// accounting, the audit lines and the kept output. (LabRunPuppetTests run it against sshd.)
@Suite("Puppet runs")
struct PuppetRunnerTests {
    static let context = RunContext(actor: "tester", clock: { Date() })

    static func hosts(_ n: Int, _ tag: String = "ms") -> [HostTarget] {
        (1...n).map { try! HostTarget.parse("\(tag)-\($0).example.com") }
    }

    /// The nonce the runner put in the script it sent.
    static func marker(_ script: String) -> String {
        guard let r = script.range(of: #"FLEETROLL-[0-9a-f]{32}"#, options: .regularExpression) else { return "none" }
        return String(script[r])
    }

    /// A run that printed `lines` through a terminal (CR LF) and ended with these status words.
    static func answer(_ call: ScriptedTransport.Call, _ lines: [String], marks: [String], exitCode: Int32 = 0, stderr: String = "") -> AuditRun {
        let m = marker(call.script)
        var text = "\r\n\(m) started\r\n"
        for l in lines { text += l + "\r\n" }
        for word in marks { text += "\r\n\(m) \(word)\r\n" }
        return AuditRun(exitCode: exitCode, stdout: Data(text.utf8), stderr: stderr, timedOut: false)
    }

    struct Fixture {
        let dir: URL
        var log: AuditLog { AuditLog(url: dir.appendingPathComponent("audit.jsonl")) }
        var logs: PuppetRunLogs { PuppetRunLogs(directory: dir.appendingPathComponent("puppet_runs")) }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-prt-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }

        func runner(_ transport: ScriptedTransport, workers: Int = 4, timeout: Double = 30) -> PuppetRunner {
            PuppetRunner(transport: transport, auditLog: log, logs: logs, workers: workers, timeout: timeout, reason: "canary",
                         context: PuppetRunnerTests.context)
        }

        /// The outcome lines (not the STARTED ones), by host.
        var outcomes: [String: [String: Any]] {
            var out: [String: [String: Any]] = [:]
            for r in log.records() where r["result"] as? String != "STARTED" { out[r["host"] as! String] = r }
            return out
        }
    }

    @Test func everyEndingIsClassified() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let transport = ScriptedTransport { call in
            switch call.host.prefix(4) {
            case "ok0-": return Self.answer(call, ["Notice: nothing to do"], marks: ["exit 0"])
            case "ok2-": return Self.answer(call, ["\u{1B}[0;32mNotice: Applied\u{1B}[0m", "EXIT=1"], marks: ["exit 2"])
            case "bad-": return Self.answer(call, ["Error: boom"], marks: ["exit 4"])
            case "sud-":
                let m = Self.marker(call.script)
                return AuditRun(exitCode: 0, stdout: Data("sudo: a password is required\r\n\r\n\(m) sudo\r\n".utf8), stderr: "", timedOut: false)
            case "mis-":
                let m = Self.marker(call.script)
                return AuditRun(exitCode: 0, stdout: Data("\r\n\(m) missing\r\n".utf8), stderr: "", timedOut: false)
            case "tim-": return Self.answer(call, ["hanging"], marks: ["timeout", "exit 143"])
            case "cut-": return Self.answer(call, ["half"], marks: [], exitCode: 255, stderr: "Connection to x closed by remote host.")
            case "unr-": return AuditRun(exitCode: 255, stdout: Data(), stderr: "ssh: connect to host x port 22: Connection refused", timedOut: false)
            default: return AuditRun(exitCode: -1, stdout: Data(), stderr: "", timedOut: false, launchError: "ssh binary not found")
            }
        }
        let names = ["ok0", "ok2", "bad", "sud", "mis", "tim", "cut", "unr", "loc"]
        let hosts = names.map { try! HostTarget.parse("\($0)-1.example.com") }
        let results = await f.runner(transport).run(hosts)
        let by = Dictionary(uniqueKeysWithValues: results.map { (String($0.record.host.prefix(3)), $0.record) })
        #expect(by["ok0"]?.result == .ok && by["ok0"]?.observed.puppetExit == 0 && by["ok0"]?.observed.changesApplied == false)
        #expect(by["ok2"]?.result == .ok && by["ok2"]?.observed.puppetExit == 2 && by["ok2"]?.observed.changesApplied == true,
                "an EXIT= line in the output changes nothing")
        #expect(by["bad"]?.result == .fail && by["bad"]?.errorClass == .puppet && by["bad"]?.observed.puppetExit == 4)
        #expect(by["sud"]?.errorClass == .sudo && by["sud"]?.error?.contains("a password is required") == true)
        #expect(by["mis"]?.errorClass == .missingWrapper)
        #expect(by["tim"]?.errorClass == .timeout && by["tim"]?.observed.puppetExit == nil)
        #expect(by["cut"]?.errorClass == .noStatus && by["cut"]?.error?.contains("during the run") == true)
        #expect(by["unr"]?.errorClass == .unreachable && by["unr"]?.sshRC == 255)
        #expect(by["loc"]?.errorClass == .local && by["loc"]?.sshRC == nil)
        #expect(transport.calls.filter { $0.host.hasPrefix("unr") }.count == 2, "a host that never answered is tried again once")
        #expect(transport.calls.filter { $0.host.hasPrefix("cut") }.count == 1, "a run that started is never repeated")

        // The audit log: a STARTED line and an outcome for every host, the reason, no output.
        let lines = f.log.records()
        #expect(lines.count == 2 * hosts.count)
        #expect(lines.allSatisfy { $0["action"] as? String == "host.run_puppet" && ($0["parameters"] as? [String: Any])?["reason"] as? String == "canary" })
        #expect(!String(decoding: try Data(contentsOf: f.log.url), as: UTF8.self).contains("Applied"), "never the raw output")
        // The kept output: cleaned, status lines out, for the detail view.
        let kept = try #require(f.logs.load(host: "ok2-1.example.com"))
        #expect(kept.lines == ["Notice: Applied", "EXIT=1"])
        #expect(kept.record.result == .ok)
        #expect(by["ok2"]?.observed.outputLog == f.logs.path(for: "ok2-1.example.com").path)
    }

    @Test func linesArriveWholeAndInOrderPerHost() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let transport = ScriptedTransport { call in
            Self.answer(call, (1...200).map { "\(call.host) line \($0) " + String(repeating: "x", count: $0 % 97) }, marks: ["exit 0"])
        }
        let seen = Mutex<[String: [String]]>([:])
        let hosts = Self.hosts(6)
        _ = await f.runner(transport, workers: 6).run(hosts) { event in
            if case .line(let target, let text) = event { seen.withLock { $0[target.description, default: []].append(text) } }
        }
        for h in hosts {
            let lines = seen.withLock { $0[h.description] ?? [] }
            #expect(lines == (1...200).map { "\(h) line \($0) " + String(repeating: "x", count: $0 % 97) })
        }
    }

    /// Ctrl-C: the runs in flight end at once (INTERRUPTED), the rest never start
    /// (NOT_STARTED), and the audit log has an outcome for every host.
    @Test func ctrlCAccountsForEveryHost() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let transport = ScriptedTransport { call in
            await ScriptedTransport.slow(60, then: Self.answer(call, [], marks: ["exit 0"]))
        }
        let stop = StopRequest()
        let hosts = Self.hosts(10)
        async let results = f.runner(transport, workers: 3).run(hosts, stop: stop)
        while transport.calls.count < 3 { try await Task.sleep(nanoseconds: 10_000_000) }
        let start = Date()
        stop.request()
        let r = await results
        #expect(Date().timeIntervalSince(start) < 5, "one Ctrl-C ends the runs in flight")
        #expect(r.filter { $0.record.result == .interrupted }.count == 3)
        #expect(r.filter { $0.record.result == .notStarted }.count == 7)
        #expect(transport.calls.count == 3)
        let outcomes = f.outcomes
        #expect(Set(outcomes.keys) == Set(hosts.map(\.description)))
        #expect(f.log.records().filter { $0["result"] as? String == "STARTED" }.count == 3)
    }

    /// No host is contacted whose STARTED line could not be written.
    @Test func noRunWithoutAnAuditLine() async throws {
        let transport = ScriptedTransport { call in Self.answer(call, [], marks: ["exit 0"]) }
        let runner = PuppetRunner(transport: transport, auditLog: AuditLog(url: URL(fileURLWithPath: "/proc/fleetroll-no/audit.jsonl")),
                                  logs: nil, workers: 2, timeout: 10, reason: nil, context: Self.context)
        let r = await runner.run(Self.hosts(2))
        #expect(r.allSatisfy { $0.record.result == .notStarted && !$0.logged })
        #expect(transport.calls.isEmpty)
    }
}
