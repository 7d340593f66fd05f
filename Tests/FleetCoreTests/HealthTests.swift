import FleetCore
import Foundation
import Testing

/// HEALTHY's three values: each bad part alone gives N, unknown parts give -, all good gives Y.
@Suite("HEALTHY")
struct HealthTests {
    typealias Parts = Health.Parts

    /// Every part known good.
    static let good = Parts(gather: .ok, ppMatch: true, applied: true, puppetFailed: false, puppetExitCode: 0,
                            worker: .found(activeAgoS: 120, quarantined: false))

    static func with(_ edit: (inout Parts) -> Void) -> Parts {
        var p = good
        edit(&p)
        return p
    }

    @Test func allGoodIsY() {
        let v = Health.evaluate(Self.good)
        #expect(v.healthy == true && v.cell == "Y" && v.reasons.isEmpty)
        // APPLIED unknown does not stand in the way (only APPLIED N does).
        #expect(Health.evaluate(Self.with { $0.applied = nil }).healthy == true)
    }

    static let badParts: [(String, Parts, String)] = [
        ("gather unreachable", with { $0.gather = .failed(status: "UNREACHABLE", message: "Connection refused") }, "the latest gather failed (UNREACHABLE): Connection refused"),
        ("gather sudo", with { $0.gather = .failed(status: "SUDO", message: nil) }, "the latest gather failed (SUDO)"),
        ("gather timeout", with { $0.gather = .failed(status: "TIMEOUT", message: "no complete answer within 10s") }, "the latest gather failed (TIMEOUT): no complete answer within 10s"),
        ("pp_match N", with { $0.ppMatch = false; $0.ppMatchReason = "puppet applied 1234567, the head is 89abcde" }, "PP_MATCH N: puppet applied 1234567, the head is 89abcde"),
        ("applied N", with { $0.applied = false; $0.appliedReason = "the override changed after the last puppet run" }, "APPLIED N: the override changed after the last puppet run"),
        ("puppet failed", with { $0.puppetFailed = true; $0.puppetExitCode = 6; $0.ppMatch = false; $0.applied = false }, "the last puppet run failed (exit 6)"),
        ("quarantined", with { $0.worker = .found(activeAgoS: 10, quarantined: true) }, "the Taskcluster worker is quarantined"),
        ("idle", with { $0.worker = .found(activeAgoS: 3 * 3600, quarantined: false) }, "the worker was last active 3h 00m ago"),
        ("idle exactly an hour", with { $0.worker = .found(activeAgoS: 3600, quarantined: false) }, "the worker was last active 1h 00m ago"),
        ("never active", with { $0.worker = .found(activeAgoS: nil, quarantined: false) }, "Taskcluster has no activity recorded for the worker"),
        ("not in its pool", with { $0.worker = .notFound(pool: "releng-hardware/gecko-t-linux-talos") }, "no Taskcluster worker for it in releng-hardware/gecko-t-linux-talos"),
    ]

    @Test(arguments: badParts.indices)
    func eachBadPartAloneIsN(_ i: Int) {
        let (name, parts, reason) = Self.badParts[i]
        let v = Health.evaluate(parts)
        #expect(v.healthy == false && v.cell == "N", "\(name)")
        #expect(v.reasons == [reason], "\(name): \(v.reasons)")
    }

    static let unknownParts: [(String, Parts, String)] = [
        ("never gathered", with { $0.gather = .never; $0.ppMatch = nil; $0.applied = nil; $0.puppetFailed = nil }, "never gathered"),
        ("no state file", with { $0.ppMatch = nil; $0.ppMatchReason = "no puppet commit recorded on the host (no state file)"; $0.applied = nil; $0.puppetFailed = nil },
         "PP_MATCH unknown: no puppet commit recorded on the host (no state file)"),
        ("branch head unknown", with { $0.ppMatch = nil; $0.ppMatchReason = "the head of a/b:c is unknown" }, "PP_MATCH unknown: the head of a/b:c is unknown"),
        ("no Taskcluster data", with { $0.worker = .noData }, "no Taskcluster data (run gather-tc)"),
        ("scan failed", with { $0.worker = .scanFailed }, "the Taskcluster scan of its pool failed"),
        ("no pool", with { $0.worker = .noPool("no pool for role x") }, "no Taskcluster pool: no pool for role x"),
    ]

    @Test(arguments: unknownParts.indices)
    func unknownPartsAreDash(_ i: Int) {
        let (name, parts, reason) = Self.unknownParts[i]
        let v = Health.evaluate(parts)
        #expect(v.healthy == nil && v.cell == "-", "\(name)")
        #expect(v.reasons == [reason], "\(name): \(v.reasons)")
    }

    /// Something known wrong wins over anything unknown; the reasons list the wrong parts first.
    @Test(arguments: badParts.indices)
    func badWinsOverUnknown(_ i: Int) {
        var parts = Self.badParts[i].1
        parts.worker = parts.worker == .found(activeAgoS: 120, quarantined: false) ? .noData : parts.worker
        if parts.ppMatch == true { parts.ppMatch = nil; parts.ppMatchReason = "the head of x is unknown" }
        let v = Health.evaluate(parts)
        #expect(v.healthy == false, "\(Self.badParts[i].0)")
        #expect(v.reasons.first == Self.badParts[i].2)
        #expect(v.reasons.count >= 2)
    }

    @Test func knownBadWithNothingGathered() {
        // A host never gathered whose worker is quarantined is known to be wrong.
        let v = Health.evaluate(Parts(gather: .never, worker: .found(activeAgoS: 5, quarantined: true)))
        #expect(v.healthy == false && v.reasons == ["the Taskcluster worker is quarantined", "never gathered"])
        // A failed gather without older data says so once, not "PP_MATCH unknown" on top.
        let down = Health.evaluate(Parts(gather: .failed(status: "UNREACHABLE", message: nil), worker: .noData))
        #expect(down.reasons == ["the latest gather failed (UNREACHABLE)", "no Taskcluster data (run gather-tc)"])
    }

    @Test func aFailedRunIsSaidOnce() {
        let v = Health.evaluate(Self.with {
            $0.puppetFailed = true; $0.puppetExitCode = 1; $0.ppMatch = false
            $0.applied = false; $0.appliedReason = "the last puppet run failed"
        })
        #expect(v.reasons == ["the last puppet run failed (exit 1)"])
        #expect(Health.evaluate(Self.with { $0.puppetFailed = true; $0.puppetExitCode = nil; $0.ppMatch = false; $0.applied = false }).reasons == ["the last puppet run failed"])
        // A wrong commit on top of it is its own problem.
        let both = Health.evaluate(Self.with { $0.puppetFailed = true; $0.puppetExitCode = 4; $0.ppMatch = false; $0.ppMatchReason = "puppet applied 1234567, the head is 89abcde"; $0.applied = false })
        #expect(both.reasons == ["the last puppet run failed (exit 4)", "PP_MATCH N: puppet applied 1234567, the head is 89abcde"])
    }
}
