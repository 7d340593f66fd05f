import FleetCore
import Foundation
import Testing

@Suite("Job counts (TC_JOBS, TC_OK%, rollout job gates)")
struct JobStatsTests {
    static let since = Date(timeIntervalSince1970: 1_800_000_000)

    static func run(_ state: String, startedAgo: Int?, resolvedAgo: Int? = nil, id: String = UUID().uuidString) -> TaskRun {
        // Ages count back from one hour after `since`.
        let base = since.addingTimeInterval(3600)
        return TaskRun(host: "h", taskId: id, runId: 0, state: state,
                       started: startedAgo.map { Timestamp.iso(base.addingTimeInterval(-Double($0))) },
                       resolved: resolvedAgo.map { Timestamp.iso(base.addingTimeInterval(-Double($0))) })
    }

    @Test func countsRunsStartedSinceAndJudgesFinishedOnes() {
        let runs = [
            Self.run("completed", startedAgo: 600, resolvedAgo: 60),
            Self.run("completed", startedAgo: 1200, resolvedAgo: 700),
            Self.run("failed", startedAgo: 1800, resolvedAgo: 1300),
            Self.run("exception", startedAgo: 2400, resolvedAgo: 2300),
            Self.run("running", startedAgo: 30),
            // Started before the window: not a job of it, even though it ended inside it.
            Self.run("failed", startedAgo: 3700, resolvedAgo: 3000),
            // Pending: not started, not a job.
            Self.run("pending", startedAgo: nil),
        ]
        let s = JobStats.of(runs, since: Self.since)
        #expect(s == JobStats(jobs: 5, succeeded: 2, failed: 2))
        #expect(s.finished == 4 && s.unfinished == 1)
        #expect(s.successRate == 0.5)
        #expect(s.okPercent == 50)
    }

    @Test func aRunThatNeverStartedCountsFromItsResolution() {
        let s = JobStats.of([Self.run("exception", startedAgo: nil, resolvedAgo: 100)], since: Self.since)
        #expect(s == JobStats(jobs: 1, succeeded: 0, failed: 1))
    }

    @Test func noFinishedJobMeansNoRate() {
        let s = JobStats.of([Self.run("running", startedAgo: 10)], since: Self.since)
        #expect(s.jobs == 1 && s.successRate == nil && s.okPercent == nil)
        #expect(JobStats.of([TaskRun](), since: Self.since) == JobStats())
    }

    @Test func percentRoundsDownSoAFailureNeverShows100() {
        #expect(JobStats(jobs: 1000, succeeded: 999, failed: 1).okPercent == 99)
        #expect(JobStats(jobs: 3, succeeded: 2, failed: 1).okPercent == 66)
        #expect(JobStats(jobs: 4, succeeded: 4, failed: 0).okPercent == 100)
    }

    @Test func statesAreCaseInsensitive() {
        #expect(TaskRun(host: "h", taskId: "t", runId: 0, state: "COMPLETED", started: nil, resolved: nil).outcome == .succeeded)
        #expect(TaskRun(host: "h", taskId: "t", runId: 0, state: "Exception", started: nil, resolved: nil).outcome == .failed)
    }

    @Test func perHostTellsNoDataFromNoJobs() {
        let old = Self.run("completed", startedAgo: 7200, resolvedAgo: 7000)
        let stats = JobStats.perHost(["a": [old], "b": []], hosts: ["a", "b", "c"], since: Self.since)
        #expect(stats["a"] == .some(JobStats()))
        #expect(stats["b"] == .some(nil))
        #expect(stats["c"] == .some(nil))
        let none = JobStats.gateCounts(nil)
        #expect(none.jobs == nil && none.succeeded == nil)
        let counts = JobStats.gateCounts(JobStats(jobs: 3, succeeded: 2, failed: 1))
        #expect(counts.jobs == 3 && counts.succeeded == 2)
    }
}

@Suite("TC_JOBS and TC_OK% in rows and queries")
struct JobColumnTests {
    static func row(host: String, worker: WorkerRecord.Kind?, stats: JobStats?) -> HostRow {
        var inputs = ReportInputs()
        inputs.now = Date(timeIntervalSince1970: 1_800_000_000)
        if let stats { inputs.jobStats[host] = stats }
        let w = worker.map { WorkerRecord(type: $0, ts: "2027-01-15T08:00:00+00:00", host: host, workerId: "h") }
        return RowBuilder(inputs: inputs).row(for: host, history: nil, worker: w)
    }

    @Test func cellsAndValues() {
        let r = Self.row(host: "a", worker: .worker, stats: JobStats(jobs: 12, succeeded: 9, failed: 1))
        #expect(r[.tcJobs] == "12" && r[.tcOkPct] == "90")
        #expect(r.values.tcJobs == 12 && r.values.tcJobsOK == 9 && r.values.tcJobsFailed == 1 && r.values.tcOkPct == 90)
        // A found worker without a run in the window ran nothing: 0, and no rate.
        let idle = Self.row(host: "b", worker: .worker, stats: nil)
        #expect(idle[.tcJobs] == "0" && idle[.tcOkPct] == "-" && idle.values.tcJobs == 0 && idle.values.tcOkPct == nil)
        // No worker: nothing is known.
        for kind in [WorkerRecord.Kind.notFound, .scanFailed, .noPool] {
            let r = Self.row(host: "c", worker: kind, stats: JobStats(jobs: 2, succeeded: 2, failed: 0))
            #expect(r[.tcJobs] == "-" && r[.tcOkPct] == "-" && r.values.tcJobs == nil, "\(kind)")
        }
        #expect(Self.row(host: "d", worker: nil, stats: nil)[.tcJobs] == "-")
        #expect(ReportColumn.tcOkPct.header == "TC_OK%" && ReportColumn.named("tc_ok%") == .tcOkPct && ReportColumn.named("TC_JOBS") == .tcJobs)
    }

    @Test func queriesCompareAndSortAsNumbers() {
        let rows = [
            Self.row(host: "a", worker: .worker, stats: JobStats(jobs: 12, succeeded: 9, failed: 1)),
            Self.row(host: "b", worker: .worker, stats: JobStats(jobs: 3, succeeded: 3, failed: 0)),
            Self.row(host: "c", worker: .worker, stats: JobStats(jobs: 100, succeeded: 10, failed: 90)),
            Self.row(host: "d", worker: .notFound, stats: nil),
        ]
        #expect(Query("tc_ok_pct<95").apply(rows).map(\.host) == ["a", "c"])
        #expect(Query("tc_jobs>=10").apply(rows).map(\.host) == ["a", "c"])
        #expect(Query("tc_jobs=3").apply(rows).map(\.host) == ["b"])
        #expect(Query("tc_jobs=-").apply(rows).map(\.host) == ["d"])
        // As numbers: 100 after 12 after 3 (as text, "100" < "12" < "3"); no value last.
        #expect(Query("sort:tc_jobs").apply(rows).map(\.host) == ["b", "a", "c", "d"])
        #expect(Query("sort:tc_ok_pct:desc").apply(rows).map(\.host) == ["b", "a", "c", "d"])
        #expect(Query("tc_ok_pct<abc").conditions.first?.valueProblem() != nil)
        #expect(Query("tc_ok_pct<90").conditions.first?.valueProblem() == nil)
    }
}
