import FleetCore
import Foundation
import Testing

/// Rollout gates: each one at, below and above its threshold, with missing data, and `--gate` parsing.
@Suite("Rollout gates")
struct GateTests {
    static let now = Timestamp.parse("2026-12-02T08:00:00+00:00")!
    static let appliedAt = Timestamp.parse("2026-12-02T07:30:00+00:00")!

    static func good(_ host: String) -> GateHostFacts {
        GateHostFacts(host: host, sshable: true, applied: true, healthy: true, tcOnline: true, puppetFailed: false, jobs: 3, succeeded: 3)
    }

    static func input(_ stage: [GateHostFacts], applied: [GateHostFacts]? = nil, at: Date? = appliedAt) -> GateInput {
        GateInput(stage: stage, applied: applied ?? stage, stageAppliedAt: at, now: now)
    }

    static func result(_ key: GateKey, _ threshold: Double, _ input: GateInput) -> GateResult {
        Gates.evaluate(key, threshold: threshold, input)
    }

    @Test func defaultsAreDocumentedValues() {
        let d = GateConfig.defaults
        #expect(d.summary == "applied_min_pct=100 healthy_min_pct=100 sshable_min_pct=100 tc_online_min_pct=90 min_jobs_per_host=1 tc_success_rate_min=0.9 min_soak_minutes=30")
        #expect(Gates.evaluate(d, Self.input([Self.good("h1")])).allSatisfy { $0.passed })
    }

    @Test func percentagesAtBelowAndAboveTheirThreshold() {
        var bad = Self.good("h2")
        bad.applied = false
        bad.healthy = nil
        let hosts = [Self.good("h1"), bad]
        let applied = Self.result(.appliedMinPct, 50, Self.input(hosts))
        #expect(applied.passed && applied.value == 50, "at the threshold passes")
        #expect(applied.explanation == "1 of 2 stage host(s) APPLIED Y, 1 of 2 applied host(s); not: h2")
        #expect(!Self.result(.appliedMinPct, 50.1, Self.input(hosts)).passed, "below fails")
        #expect(Self.result(.appliedMinPct, 49, Self.input(hosts)).passed, "above passes")
        let healthy = Self.result(.healthyMinPct, 100, Self.input(hosts))
        #expect(!healthy.passed && healthy.value == 50 && healthy.explanation.hasSuffix("unknown: h2"), "unknown is not healthy: \(healthy.explanation)")
    }

    @Test func theLowerOfStageAndAllAppliedCounts() {
        var down = Self.good("h0")
        down.sshable = false
        let r = Self.result(.sshableMinPct, 100, Self.input([Self.good("h1")], applied: [down, Self.good("h1")]))
        #expect(!r.passed && r.value == 50, "an earlier stage's host that went down counts too")
        #expect(r.line == "sshable_min_pct 50 < 100: 1 of 1 stage host(s) reachable over ssh, 1 of 2 applied host(s); not: h0")
    }

    @Test func taskclusterOnlineWithoutDataFails() {
        var h = Self.good("h1")
        h.tcOnline = nil
        let r = Self.result(.tcOnlineMinPct, 90, Self.input([h]))
        #expect(!r.passed && r.value == nil && r.explanation.contains("no Taskcluster data"))
        let off = Self.result(.tcOnlineMinPct, 0, Self.input([h]))
        #expect(off.passed && off.explanation == "not required (threshold 0)", "only a threshold of 0 turns a gate off")
    }

    @Test func jobsPerHost() {
        var few = Self.good("h2")
        few.jobs = 1
        #expect(Self.result(.minJobsPerHost, 1, Self.input([Self.good("h1"), few])).passed, "at")
        let below = Self.result(.minJobsPerHost, 2, Self.input([Self.good("h1"), few]))
        #expect(!below.passed && below.value == 1 && below.explanation.contains("too few: h2"))
        var none = Self.good("h3")
        none.jobs = nil
        let missing = Self.result(.minJobsPerHost, 1, Self.input([Self.good("h1"), none]))
        #expect(!missing.passed && missing.explanation.contains("no task history: h3"))
        let noHistory = Self.result(.minJobsPerHost, 1, Self.input([none]))
        #expect(!noHistory.passed && noHistory.explanation == "no task history for any stage host")
    }

    @Test func successRate() {
        var h = Self.good("h1")
        h.jobs = 10
        h.succeeded = 9
        #expect(Self.result(.tcSuccessRateMin, 0.9, Self.input([h])).passed, "at")
        #expect(Self.result(.tcSuccessRateMin, 0.8, Self.input([h])).passed, "above")
        let below = Self.result(.tcSuccessRateMin, 0.95, Self.input([h]))
        #expect(!below.passed && below.value == 0.9 && below.explanation.hasPrefix("9 of 10 finished task(s)"))
        // Tasks still running have no outcome: the rate is over the finished ones.
        var busy = Self.good("h2")
        busy.jobs = 3
        busy.succeeded = 2
        busy.finished = 2
        let rate = Self.result(.tcSuccessRateMin, 0.9, Self.input([busy]))
        #expect(rate.passed && rate.value == 1, "\(rate.explanation)")
        h.jobs = 0
        h.succeeded = 0
        let idle = Self.result(.tcSuccessRateMin, 0.9, Self.input([h]))
        #expect(!idle.passed && idle.explanation.contains("no task ended"))
        h.jobs = nil
        #expect(Self.result(.tcSuccessRateMin, 0.9, Self.input([h])).explanation == "no task history for any stage host")
    }

    @Test func soak() {
        #expect(Self.result(.minSoakMinutes, 30, Self.input([Self.good("h1")])).passed, "30 minutes at 30")
        let short = Self.result(.minSoakMinutes, 31, Self.input([Self.good("h1")]))
        #expect(!short.passed && short.value == 30)
        let notApplied = Self.result(.minSoakMinutes, 30, Self.input([Self.good("h1")], at: nil))
        #expect(!notApplied.passed && notApplied.explanation == "the stage is not applied yet")
    }

    @Test func noStageHostsFails() {
        for key in [GateKey.appliedMinPct, .healthyMinPct, .sshableMinPct, .minJobsPerHost] {
            #expect(!Self.result(key, 1, Self.input([])).passed, "\(key)")
        }
    }

    @Test func parsingGateAssignments() throws {
        let c = try GateConfig.parse(["min_soak_minutes=0", "MIN_JOBS_PER_HOST=0", "tc_success_rate_min=0.5"])
        #expect(c.minSoakMinutes == 0 && c.minJobsPerHost == 0 && c.tcSuccessRateMin == 0.5 && c.appliedMinPct == 100)
        #expect(throws: GateConfigError.unknownKey("soak")) { try GateConfig.parse(["soak=1"]) }
        #expect(throws: GateConfigError.notAnAssignment("min_soak_minutes")) { try GateConfig.parse(["min_soak_minutes"]) }
        #expect(throws: GateConfigError.badValue(.appliedMinPct, "101")) { try GateConfig.parse(["applied_min_pct=101"]) }
        #expect(throws: GateConfigError.badValue(.tcSuccessRateMin, "90")) { try GateConfig.parse(["tc_success_rate_min=90"]) }
        #expect(throws: GateConfigError.badValue(.minJobsPerHost, "1.5")) { try GateConfig.parse(["min_jobs_per_host=1.5"]) }
        #expect(throws: GateConfigError.badValue(.minSoakMinutes, "soon")) { try GateConfig.parse(["min_soak_minutes=soon"]) }
        #expect(GateConfigError.unknownKey("soak").description.hasPrefix("--gate: unknown gate 'soak'; the gates are applied_min_pct, "))
    }

    @Test func factsFromTheLatestTask() {
        let since = Self.appliedAt
        var w = WorkerRecord(type: .worker, ts: "2026-12-02T08:00:00+00:00", host: "h1", workerId: "h1")
        #expect(TaskCounts.fromLatestTask(nil, since: since) == (nil, nil), "no record: no task history")
        #expect(TaskCounts.fromLatestTask(w, since: since) == (nil, nil), "no task at all")
        w.taskStarted = "2026-12-02T07:00:00+00:00"
        #expect(TaskCounts.fromLatestTask(w, since: since) == (0, 0), "the latest task started before the stage")
        w.taskStarted = "2026-12-02T07:40:00+00:00"
        #expect(TaskCounts.fromLatestTask(w, since: since) == (0, 0), "still running")
        w.taskResolved = "2026-12-02T07:50:00+00:00"
        w.taskState = "completed"
        #expect(TaskCounts.fromLatestTask(w, since: since) == (1, 1))
        w.taskState = "failed"
        #expect(TaskCounts.fromLatestTask(w, since: since) == (1, 0))
    }
}
