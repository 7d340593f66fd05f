import FleetCore
@testable import FleetStore
import Foundation
import GRDB
import Testing

@Suite("Task runs (tc_task_runs)")
struct TaskRunStoreTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func run(_ host: String, _ task: String, _ state: String, startedAgo: Int?, took: Int? = nil, runId: Int = 0) -> TaskRun {
        let started = startedAgo.map { now.addingTimeInterval(-Double($0)) }
        return TaskRun(host: host, taskId: task, runId: runId, state: state, started: started.map(Timestamp.iso),
                       resolved: took.flatMap { t in started.map { Timestamp.iso($0.addingTimeInterval(Double(t))) } })
    }

    @Test func aRunIsUpdatedAsItMovesOnAndNeverGoesBack() async throws {
        let db = try FleetDatabase.inMemory()
        let store = TaskRunStore(database: db)
        try await store.insert([Self.run("h1", "T1", "running", startedAgo: 600)], seen: Self.now)
        try await store.insert([Self.run("h1", "T1", "completed", startedAgo: 600, took: 500)], seen: Self.now)
        // An older answer that still says running does not take the result back.
        try await store.insert([Self.run("h1", "T1", "running", startedAgo: 600)], seen: Self.now)
        let runs = try await store.taskRuns(hosts: ["h1"])
        #expect(runs["h1"]?.count == 1)
        #expect(runs["h1"]?.first?.state == "completed")
        #expect(runs["h1"]?.first?.resolved != nil)
        // A retry is another run of the same task.
        try await store.insert([Self.run("h1", "T1", "failed", startedAgo: 60, took: 10, runId: 1)], seen: Self.now)
        #expect(try await store.taskRuns(hosts: ["h1"])["h1"]?.map(\.runId).sorted() == [0, 1])
    }

    @Test func keptForSevenDays() async throws {
        let db = try FleetDatabase.inMemory()
        let store = TaskRunStore(database: db)
        try await store.insert([Self.run("h1", "old", "completed", startedAgo: 8 * 86400, took: 60),
                                Self.run("h1", "pending", "pending", startedAgo: nil),
                                Self.run("h1", "new", "completed", startedAgo: 6 * 86400, took: 60)], seen: Self.now)
        #expect(try await store.taskRuns(hosts: ["h1"])["h1"]?.map(\.taskId).sorted() == ["new", "pending"])
        // A pending run goes once it was last seen more than seven days ago.
        try await store.insert([Self.run("h2", "x", "completed", startedAgo: 10, took: 5)], seen: Self.now.addingTimeInterval(8 * 86400))
        #expect(try await store.taskRuns(hosts: ["h1"])["h1"] == nil)
    }

    @Test func theReportsCountsAreTheRulesCounts() async throws {
        let db = try FleetDatabase.inMemory()
        var rng = SplitMix(state: 18)
        var runs: [TaskRun] = []
        let states = ["completed", "completed", "completed", "failed", "exception", "running", "pending"]
        for h in 1...5 {
            for t in 0..<Int.random(in: 0...30, using: &rng) {
                let state = states.randomElement(using: &rng)!
                let ago: Int? = state == "pending" ? nil : Int.random(in: 0...(3 * 86400), using: &rng)
                runs.append(Self.run("h\(h)", "T\(t)", state, startedAgo: ago, took: state == "running" ? nil : 300))
            }
        }
        try await TaskRunStore(database: db).insert(runs, seen: Self.now)
        let since = Self.now.addingTimeInterval(-JobStats.reportWindow)
        let counted = try await db.writer.read { db in try TaskRunStore.storedCounts(db) }
        let byHost = Dictionary(grouping: runs, by: \.host)
        for h in (1...5).map({ "h\($0)" }) {
            let expected = JobStats.of(byHost[h] ?? [], since: since)
            #expect((counted[h] ?? JobStats()) == expected, "\(h)")
        }
        let stats = try await TaskRunStore(database: db).jobStats(hosts: ["h1", "h2", "nobody"], since: since)
        #expect(stats["nobody"] == nil, "no stored run: no data")
        #expect(stats["h1"] == JobStats.of(byHost["h1"] ?? [], since: since))
        // The report reads them in the same transaction as everything else.
        let data = try await db.reportData(withJobs: true)
        #expect(data.jobStats == counted)
    }

    @Test func storedWithTheScanAndForgotten() async throws {
        let db = try FleetDatabase.inMemory()
        var w = WorkerRecord(type: .worker, ts: Timestamp.iso(Self.now), host: "h1", workerId: "h1")
        w.taskState = "completed"
        try await ServiceStore(database: db).insertWorkers([w], taskRuns: [Self.run("h1", "T", "completed", startedAgo: 60, took: 30)], seen: Self.now)
        #expect(try await TaskRunStore(database: db).taskRuns(hosts: ["h1"], since: Self.now.addingTimeInterval(-120))["h1"]?.count == 1)
        #expect(try await TaskRunStore(database: db).taskRuns(hosts: ["h1"], since: Self.now)["h1"] == nil)
        _ = try await db.forget(hosts: ["h1"])
        #expect(try await TaskRunStore(database: db).taskRuns(hosts: ["h1"]).isEmpty)
    }

    /// A recount after an insert reads the inserted hosts' own runs (the key), not the window.
    @Test func theRecountReadsEachHostsOwnRuns() async throws {
        let db = try FleetDatabase.inMemory()
        let sql = "EXPLAIN QUERY PLAN " + TaskRunStore.recountSQL(hostFilter: "host IN (SELECT value FROM json_each(?)) AND +at_epoch >= ?")
        let plan = try await db.writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [0, "[\"h1\"]", 0]).map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
        }
        #expect(plan.contains("sqlite_autoindex_tc_task_runs_1 (host=?)"), "\(plan)")
    }

    /// The counts follow the newest scan of each host: a later insert recounts that host's window.
    @Test func aLaterScanRecountsItsHosts() async throws {
        let db = try FleetDatabase.inMemory()
        let store = TaskRunStore(database: db)
        try await store.insert([Self.run("h1", "T1", "completed", startedAgo: 3600, took: 60),
                                Self.run("h2", "T2", "failed", startedAgo: 3600, took: 60)], seen: Self.now)
        try await store.insert([Self.run("h1", "T3", "completed", startedAgo: 60, took: 30)], seen: Self.now)
        let counts = try await db.writer.read { db in try TaskRunStore.storedCounts(db) }
        #expect(counts["h1"] == JobStats(jobs: 2, succeeded: 2, failed: 0) && counts["h2"] == JobStats(jobs: 1, succeeded: 0, failed: 1))
        // A day later, h1's old runs leave its window when it is scanned again.
        try await store.insert([Self.run("h1", "T4", "running", startedAgo: -86400 + 60, took: nil)], seen: Self.now.addingTimeInterval(86400))
        let later = try await db.writer.read { db in try TaskRunStore.storedCounts(db) }
        #expect(later["h1"] == JobStats(jobs: 1, succeeded: 0, failed: 0), "\(String(describing: later["h1"]))")
        _ = try await db.forget(hosts: ["h1"])
        #expect(try await db.writer.read { db in try TaskRunStore.storedCounts(db) }["h1"] == nil)
    }
}
