import FleetCore
import FleetReport
@testable import FleetTUI
import Foundation
import Testing

/// The host detail shows the latest host-run-puppet: how it ended and the end of its output.
@Suite("Host detail: last puppet run")
struct PuppetRunDetailTests {
    static func tail(_ result: PuppetRunStatus, lines: Int, cut: Bool = false) -> PuppetRunTail {
        var observed = PuppetRunObserved(puppetExit: result == .ok ? 2 : 4, changesApplied: result == .ok, durationS: 12.34)
        observed.outputLog = "/state/puppet_runs/h.example.com.log"
        let record = PuppetRunRecord(ts: "2026-12-01T10:00:00+00:00", actor: "relops", host: "h.example.com", result: result, sshRC: 0,
                                     stderr: "", error: result == .ok ? nil : "puppet failed (exit 4)", errorClass: result == .ok ? nil : .puppet,
                                     observed: observed, parameters: PuppetRunParameters(reason: nil, timeoutS: 600), runID: "r")
        return PuppetRunTail(record: record, lines: (1...lines).map { "Notice: line \($0)\u{1B}]0;x\u{07}" }, cut: cut)
    }

    @Test func theLastRunAndItsOutputAreShown() {
        let d = HostDetail.make(row: rows(1)[0], latest: nil, latestOK: nil, worker: nil, notes: [], overrideText: nil,
                                lastRun: Self.tail(.ok, lines: 3))
        let text = d.lines.map(\.0)
        #expect(text.contains("Last host-run-puppet (2026-12-01T10:00:00+00:00, relops)"))
        #expect(text.contains("  OK changes applied (12.3s)"))
        #expect(text.contains { $0.hasPrefix("  Notice: line 3") && !$0.contains("\u{1B}") }, "host text reaches the screen cleaned")
    }

    @Test func aLongRunShowsItsEndAndWhereTheRestIs() {
        let d = HostDetail.make(row: rows(1)[0], latest: nil, latestOK: nil, worker: nil, notes: [], overrideText: nil,
                                lastRun: Self.tail(.fail, lines: 500, cut: true))
        let text = d.lines.map(\.0)
        #expect(text.contains("  FAIL [puppet] puppet failed (exit 4) (12.3s)"))
        #expect(text.contains("  ... (earlier output in /state/puppet_runs/h.example.com.log)"))
        #expect(text.filter { $0.hasPrefix("  Notice: line") }.count == HostDetail.runLines)
        #expect(text.contains { $0.hasPrefix("  Notice: line 500") })
    }

    @Test func noRunNoSection() {
        let d = HostDetail.make(row: rows(1)[0], latest: nil, latestOK: nil, worker: nil, notes: [], overrideText: nil)
        #expect(!d.lines.map(\.0).contains { $0.hasPrefix("Last host-run-puppet") })
    }
}
