import FleetCore
import Foundation
import Testing

/// The rollout state machine: every transition, every refusal, and resuming after a crash.
@Suite("Rollout state machine")
struct RolloutTests {
    static let stamp = Rollout.Stamp(ts: "2026-12-02T07:00:00+00:00", actor: "relops", reason: "RELOPS-1")
    static let sha = String(repeating: "a", count: 64)

    static func plan(_ hosts: [String] = ["h1", "h2", "h3", "h4", "h5"], canary: Int = 1, batchPct: Int = 40,
                     skipped: [String] = []) throws -> Rollout {
        try Rollout.plan(id: "ro-20261202-00ff", name: "worker timing", created: stamp, overrideSHA256: sha, vaultSHA256: nil,
                         targets: hosts, skipped: skipped, canary: canary, batchPct: batchPct, gates: .defaults)
    }

    /// Writes every unwritten host of the current stage successfully.
    static func apply(_ r: Rollout, at ts: String = "2026-12-02T07:10:00+00:00") throws -> Rollout {
        var r = r
        for h in r.unwrittenInCurrentStage {
            r = try r.writing(h, at: ts, previousOverride: .absent, previousVault: nil)
            r = try r.written(h, state: .applied, result: "OK", error: nil, at: ts)
        }
        return r
    }

    static let passing = [GateResult(key: .appliedMinPct, value: 100, threshold: 100, passed: true, explanation: "ok")]
    static let failing = [GateResult(key: .appliedMinPct, value: 0, threshold: 100, passed: false, explanation: "0 of 1")]

    @Test func planKeepsOrderAndSkips() throws {
        let r = try Self.plan(["h1", "h2", "h2", "h3"], canary: 5, skipped: ["h2"])
        #expect(r.targets == ["h1", "h3"])
        #expect(r.skipped == ["h2"])
        #expect(r.canary == 2, "the canary cannot be larger than the targets")
        #expect(r.state == .planned && r.stages.isEmpty && r.hosts.allSatisfy { $0.state == .pending && $0.stage == nil })
    }

    @Test func planRefusesBadInput() {
        #expect(throws: RolloutError.invalidPlan("no targets left after --skip")) { try Self.plan(["h1"], skipped: ["h1"]) }
        #expect(throws: RolloutError.invalidPlan("--canary must be at least 1")) { try Self.plan(canary: 0) }
        #expect(throws: RolloutError.invalidPlan("--batch-pct must be from 1 to 100")) { try Self.plan(batchPct: 0) }
        #expect(throws: RolloutError.invalidPlan("--skip names host(s) that are not targets: zz")) { try Self.plan(skipped: ["zz"]) }
    }

    @Test func startTakesTheCanaryAndIsSafeToRepeat() throws {
        let r = try Self.plan(canary: 2).started(at: "t1")
        #expect(r.state == .active)
        #expect(r.stages == [Stage(index: 0, hosts: ["h1", "h2"], state: .applying, startedAt: "t1")])
        #expect(r.unwrittenInCurrentStage == ["h1", "h2"])
        #expect(try r.started(at: "t2") == r, "starting again before the canary is applied resumes it")
        let applied = try Self.apply(r)
        #expect(throws: RolloutError.wrongState(action: "start", state: .active)) { try applied.started(at: "t3") }
    }

    @Test func aStageIsAppliedWhenItsLastHostIs() throws {
        var r = try Self.plan(canary: 2).started(at: "t1")
        r = try r.writing("h1", at: "t2", previousOverride: .absent, previousVault: nil)
        #expect(r.host("h1")?.state == .writing)
        r = try r.written("h1", state: .applied, result: "OK", error: nil, at: "t3")
        #expect(r.stages[0].state == .applying && r.stages[0].appliedAt == nil)
        r = try r.writing("h2", at: "t4", previousOverride: PriorFile(sha256: "b"), previousVault: nil)
        r = try r.written("h2", state: .failed, result: "FAIL", error: "unreachable", at: "t5")
        #expect(r.stages[0].state == .applying)
        #expect(r.unwrittenInCurrentStage == ["h2"], "a failed host is written again when the stage resumes")
        // The resumed write finds the rollout's own file: the first prior stays.
        r = try r.writing("h2", at: "t6", previousOverride: PriorFile(sha256: Self.sha), previousVault: nil)
        #expect(r.host("h2")?.previousOverride == PriorFile(sha256: "b"))
        r = try r.written("h2", state: .applied, result: "OK", error: nil, at: "t7")
        #expect(r.stages[0].state == .waiting && r.stages[0].appliedAt == "t7")
        #expect(r.unwrittenInCurrentStage.isEmpty)
    }

    @Test func resumeAfterACrashWritesOnlyUnfinishedHosts() throws {
        // A crash left h1 applied, h2 writing (outcome never recorded), h3 pending.
        var r = try Self.plan(canary: 3).started(at: "t1")
        r = try r.writing("h1", at: "t2", previousOverride: .absent, previousVault: nil)
        r = try r.written("h1", state: .applied, result: "OK", error: nil, at: "t2")
        r = try r.writing("h2", at: "t3", previousOverride: .absent, previousVault: nil)
        #expect(r.unwrittenInCurrentStage == ["h2", "h3"])
        #expect(throws: RolloutError.stageNotApplied(action: "advance", stage: 0, hosts: ["h2", "h3"])) {
            try r.advanced(at: "t4", batchSize: nil, gates: Self.passing, force: false, reason: nil)
        }
    }

    @Test func forceLeavesFailedWritesBehindButNeverUnwrittenHosts() throws {
        var r = try Self.plan(canary: 2).started(at: "t1")
        r = try r.written("h1", state: .applied, result: "OK", error: nil, at: "t2")
        #expect(throws: RolloutError.stageNotApplied(action: "advance", stage: 0, hosts: ["h2"])) {
            try r.advanced(at: "t3", batchSize: 1, gates: Self.passing, force: true, reason: "h2 is down")
        }
        r = try r.writing("h2", at: "t3", previousOverride: nil, previousVault: nil)
            .written("h2", state: .failed, result: "FAIL", error: "unreachable", at: "t3")
        #expect(throws: RolloutError.stageNotApplied(action: "advance", stage: 0, hosts: ["h2"])) {
            try r.advanced(at: "t4", batchSize: 1, gates: Self.passing, force: false, reason: nil)
        }
        let forced = try r.advanced(at: "t4", batchSize: 1, gates: Self.passing, force: true, reason: "h2 is down")
        #expect(forced.stages.map(\.state) == [.advanced, .applying] && forced.stages[1].hosts == ["h3"])
        #expect(forced.host("h2")?.state == .failed && forced.toRestore.contains("h2"))
    }

    @Test func advanceNeedsPassingGatesOrForceWithReason() throws {
        let r = try Self.apply(try Self.plan().started(at: "t1"))
        #expect(throws: RolloutError.gatesFailed(Self.failing)) {
            try r.advanced(at: "t2", batchSize: nil, gates: Self.failing, force: false, reason: nil)
        }
        #expect(throws: RolloutError.forceNeedsReason) {
            try r.advanced(at: "t2", batchSize: nil, gates: Self.failing, force: true, reason: " ")
        }
        let forced = try r.advanced(at: "t2", batchSize: nil, gates: Self.failing, force: true, reason: "known flaky")
        #expect(forced.stages.map(\.state) == [.advanced, .applying])
        // batch_pct 40 of 5 targets: 2 hosts.
        #expect(forced.stages[1].hosts == ["h2", "h3"])
        let next = try Self.apply(forced).advanced(at: "t3", batchSize: 10, gates: Self.passing, force: false, reason: nil)
        #expect(next.stages[2].hosts == ["h4", "h5"], "a batch never takes more than is left")
        #expect(throws: RolloutError.nothingLeft) {
            try Self.apply(next).advanced(at: "t4", batchSize: 1, gates: Self.passing, force: false, reason: nil)
        }
    }

    @Test func pauseAndResume() throws {
        let r = try Self.apply(try Self.plan().started(at: "t1"))
        let paused = try r.paused()
        #expect(paused.state == .paused && paused.stages[0].state == .paused)
        #expect(throws: RolloutError.wrongState(action: "advance", state: .paused)) {
            try paused.advanced(at: "t2", batchSize: nil, gates: Self.passing, force: true, reason: "x")
        }
        #expect(throws: RolloutError.wrongState(action: "pause", state: .paused)) { try paused.paused() }
        let resumed = try paused.resumed(at: "2026-12-02T08:00:00+00:00")
        #expect(resumed.state == .active && resumed.stages[0].state == .waiting)
        #expect(throws: RolloutError.wrongState(action: "resume", state: .active)) { try resumed.resumed(at: "t") }
        // A failure the operator resumed after does not pause it again; a later one does.
        let failedBefore = GateHostFacts(host: "h1", puppetFailed: true, puppetRunAt: Timestamp.parse("2026-12-02T07:59:00+00:00"))
        let failedAfter = GateHostFacts(host: "h1", puppetFailed: true, puppetRunAt: Timestamp.parse("2026-12-02T08:01:00+00:00"))
        #expect(resumed.failedPuppetRuns([failedBefore]).isEmpty && resumed.failedPuppetRuns([failedAfter]) == ["h1"])
        #expect(throws: RolloutError.wrongState(action: "pause", state: .planned)) { try Self.plan().paused() }
    }

    @Test func rollbackRestoresEveryHostAWriteMayHaveReached() throws {
        var r = try Self.apply(try Self.plan().started(at: "t1"))
        r = try r.advanced(at: "t2", batchSize: 2, gates: Self.passing, force: false, reason: nil)
        r = try r.writing("h2", at: "t3", previousOverride: .absent, previousVault: nil)
        r = try r.written("h2", state: .failed, result: "UNKNOWN", error: "cut", at: "t3")
        r = try r.rollingBack()
        #expect(r.state == .rollingBack)
        #expect(r.toRestore == ["h1", "h2"], "h3 was never written; h2 may have been")
        r = try r.writing("h1", at: "t4", previousOverride: nil, previousVault: nil)
        r = try r.written("h1", state: .restored, result: "OK", error: nil, at: "t4")
        #expect(r.rollbackFinished().state == .rollingBack, "h2 is not restored yet")
        #expect(try r.rollingBack().toRestore == ["h2"], "a second rollback resumes")
        r = try r.written("h2", state: .restored, result: "NO_CHANGE", error: nil, at: "t5").rollbackFinished()
        #expect(r.state == .rolledBack && r.stages.last?.state == .rolledBack)
        #expect(!r.state.holdsHosts)
        #expect(throws: RolloutError.wrongState(action: "rollback", state: .rolledBack)) { try r.rollingBack() }
        #expect(throws: RolloutError.wrongState(action: "advance", state: .rolledBack)) {
            try r.advanced(at: "t6", batchSize: nil, gates: Self.passing, force: true, reason: "x")
        }
    }

    @Test func finalizeNeedsMergedAndEveryTargetStaged() throws {
        var r = try Self.apply(try Self.plan(["h1", "h2"]).started(at: "t1"))
        #expect(throws: RolloutError.notMerged) { try r.finalizing(merged: false) }
        #expect(throws: RolloutError.notAllStaged(["h2"])) { try r.finalizing(merged: true) }
        r = try r.advanced(at: "t2", batchSize: nil, gates: Self.passing, force: false, reason: nil)
        #expect(throws: RolloutError.stageNotApplied(action: "finalize", stage: 1, hosts: ["h2"])) { try r.finalizing(merged: true) }
        r = try Self.apply(r).finalizing(merged: true)
        #expect(r.state == .finalizing && r.toFinalize == ["h1", "h2"])
        r = try r.written("h1", state: .finalized, result: "OK", error: nil, at: "t3").finalizeFinished()
        #expect(r.state == .finalizing)
        r = try r.written("h2", state: .finalized, result: "OK", error: nil, at: "t4").finalizeFinished()
        #expect(r.state == .finalized && r.stages.last?.state == .finalized)
        #expect(throws: RolloutError.wrongState(action: "finalize", state: .finalized)) { try r.finalizing(merged: true) }
        #expect(throws: RolloutError.wrongState(action: "finalize", state: .planned)) { try Self.plan().finalizing(merged: true) }
    }

    @Test func failedPuppetRunsAfterTheStageCount() throws {
        let r = try Self.apply(try Self.plan(canary: 2).started(at: "2026-12-02T07:00:00+00:00"), at: "2026-12-02T07:10:00+00:00")
        let before = Timestamp.parse("2026-12-02T06:00:00+00:00")!, after = Timestamp.parse("2026-12-02T07:20:00+00:00")!
        let facts = [GateHostFacts(host: "h1", puppetFailed: true, puppetRunAt: after),
                     GateHostFacts(host: "h2", puppetFailed: true, puppetRunAt: before),
                     GateHostFacts(host: "h3", puppetFailed: true, puppetRunAt: after)]
        #expect(r.failedPuppetRuns(facts) == ["h1"], "h2 failed before the stage; h3 is not in it")
    }

    @Test func errorsSayWhichStepWasRefused() {
        #expect(RolloutError.wrongState(action: "advance", state: .paused).description == "advance refused: rollout is paused")
        #expect(RolloutError.wrongState(action: "start", state: .rolledBack).description == "start refused: rollout is rolled back")
        #expect(RolloutError.gatesFailed(Self.failing).description == "advance refused: 1 gate(s) failed: applied_min_pct 0 < 100: 0 of 1")
    }

    @Test func idsAreShortAndReadable() {
        let id = RolloutID.make(date: Timestamp.parse("2026-12-02T07:00:00+00:00")!, random: 0x0a1)
        #expect(id == "ro-20261202-00a1")
        #expect(RolloutID.isValid(id) && !RolloutID.isValid("ro-2026-00a1"))
    }

    @Test func theValueRoundTripsAsJSON() throws {
        let r = try Self.apply(try Self.plan().started(at: "t1"))
        let data = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(Rollout.self, from: data) == r)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"override_sha256\"") && text.contains("\"waiting_for_assessment\"") && text.contains("\"applied_min_pct\""))
    }
}
