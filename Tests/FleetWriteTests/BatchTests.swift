import FleetCore
import FleetSSH
import FleetStore
@testable import FleetWrite
import Foundation
import Synchronization
import Testing

/// The write engine through a scripted transport: no sshd, no root.
@Suite("Write batches")
struct BatchTests {
    static let context = RunContext(actor: "tester", clock: { Date(timeIntervalSince1970: 1_800_000_000) })
    static let ok = ScriptedTransport.answer([("SUDO_OK", "1"), ("CONTENT_CHANGED", "1"), ("RESULT", "OK")])

    static func hosts(_ n: Int, _ tag: String) -> [HostTarget] {
        (1...n).map { try! HostTarget.parse("\(tag)-\($0).example.com") }
    }

    static func plan() -> WritePlan {
        WritePlan.write(.override, content: Data("PUPPET_BRANCH=\"x\"\n".utf8), source: "file:x", ownership: FileOwnership(mode: "0644"),
                        backup: BackupPolicy(enabled: true, suffix: "20261201T000000Z"), force: false, reason: "test")
    }

    static func auditLog() -> AuditLog {
        AuditLog(url: FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-audit-\(UUID().uuidString).jsonl"))
    }

    @Test func everyHostIsWrittenAndRecorded() async throws {
        let transport = ScriptedTransport { _ in Self.ok }
        let log = Self.auditLog()
        defer { try? FileManager.default.removeItem(at: log.url) }
        let writer = HostWriter(transport: transport, auditLog: log, vaultStore: nil, workers: 2, context: Self.context)
        let results = await writer.run(Self.plan(), on: Self.hosts(3, "ms"))
        #expect(results.map(\.record.result) == [.ok, .ok, .ok])
        #expect(transport.calls.count == 3 && transport.calls.allSatisfy { $0.stdin == Data("PUPPET_BRANCH=\"x\"\n".utf8) })
        let lines = log.records()
        #expect(lines.count == 6, "a STARTED line, then the outcome, for each host")
        let actors = Set(lines.map { $0["actor"] as? String ?? "" })
        let times = Set(lines.map { $0["ts"] as? String ?? "" })
        #expect(actors == ["tester"] && times == ["2027-01-15T08:00:00+00:00"])
    }

    /// Two batches at once: stopping one (Ctrl-C twice) ends only its own sessions.
    @Test func stoppingOneBatchLeavesTheOtherRunning() async throws {
        // A's sessions hang until cancelled; B's go on until the test lets them finish.
        let release = Mutex(false)
        let transport = ScriptedTransport { call in
            await ScriptedTransport.slow(60, until: { call.host.hasPrefix("b-") && release.withLock { $0 } }, then: Self.ok)
        }
        let log = Self.auditLog()
        defer { try? FileManager.default.removeItem(at: log.url) }
        let writer = HostWriter(transport: transport, auditLog: log, vaultStore: nil, workers: 4, context: Self.context)
        let stopA = StopRequest(), stopB = StopRequest()
        async let a = writer.run(Self.plan(), on: Self.hosts(6, "a"), stop: stopA)
        async let b = writer.run(Self.plan(), on: Self.hosts(2, "b"), stop: stopB)
        // Stop batch A once its first four hosts are in flight.
        while transport.calls.count < 6 { try await Task.sleep(nanoseconds: 10_000_000) }
        stopA.request()
        stopA.request()
        let ra = await a
        release.withLock { $0 = true }
        let rb = await b
        #expect(ra.prefix(4).allSatisfy { $0.record.result == .interrupted }, "\(ra.map { "\($0.record.result) \($0.record.error ?? "")" })")
        #expect(ra.suffix(2).allSatisfy { $0.record.result == .notStarted })
        #expect(rb.allSatisfy { $0.record.result == .ok }, "the other batch finished: \(rb.map(\.record.result))")
        // Every host that was touched has its two lines; the ones never started have none.
        let lineCount = log.records().count
        #expect(lineCount == 12)
    }
}
