import FleetCore
import FleetReport
import Testing

@Suite("TC_JOBS and TC_OK% verdicts")
struct JobVerdictTests {
    static func row(jobs: Int?, pct: Int?) -> HostRow {
        var r = HostRow(host: "h", cells: [.tcJobs: jobs.map(String.init) ?? "-", .tcOkPct: pct.map(String.init) ?? "-"], status: "OK")
        r.values.tcJobs = jobs
        r.values.tcOkPct = pct
        return r
    }

    @Test(arguments: [(100, CellVerdict.good), (99, .watch), (90, .watch), (89, .act), (0, .act)])
    func successRate(_ pct: Int, _ verdict: CellVerdict) {
        #expect(CellVerdict.of(.tcOkPct, Self.row(jobs: 10, pct: pct)) == verdict)
    }

    @Test func noDataSaysNothing() {
        #expect(CellVerdict.of(.tcOkPct, Self.row(jobs: nil, pct: nil)) == .neutral)
        #expect(CellVerdict.of(.tcOkPct, Self.row(jobs: 2, pct: nil)) == .neutral)
        #expect(CellVerdict.of(.tcJobs, Self.row(jobs: nil, pct: nil)) == .neutral)
        #expect(CellVerdict.of(.tcJobs, Self.row(jobs: 5, pct: 100)) == .neutral)
        #expect(CellVerdict.of(.tcJobs, Self.row(jobs: 0, pct: nil)) == .watch, "a found worker that ran nothing all day")
    }
}
