import FleetCore
import FleetReport
import FleetStore
import Foundation
import Testing

/// A rollout as the engine leaves it, stored through `RolloutStore`: four targets, the canary
/// applied, a refused advance, a forced one with a reason, one host of stage 1 applied and one
/// failed, then a pause. Shared by the read model's tests.
enum RolloutSample {
    static let id = "ro-20261202-00a1"
    static let hosts = ["h1.example.com", "h2.example.com", "h3.example.com", "h4.example.com"]
    static func stamp(_ ts: String, reason: String? = nil) -> Rollout.Stamp { Rollout.Stamp(ts: ts, actor: "relops", reason: reason) }
    static let failing = [GateResult(key: .appliedMinPct, value: 0, threshold: 100, passed: false, explanation: "0 of 1 stage host(s) APPLIED Y"),
                          GateResult(key: .minSoakMinutes, value: 0, threshold: 0, passed: true, explanation: "not required (threshold 0)")]

    @discardableResult
    static func store(_ database: FleetDatabase, name: String = "canary test") async throws -> Rollout {
        let store = RolloutStore(database: database)
        var r = try Rollout.plan(id: id, name: name, created: stamp("2026-12-02T07:00:00+00:00"), overrideSHA256: String(repeating: "a", count: 64),
                                 vaultSHA256: nil, targets: hosts, skipped: [], canary: 1, batchPct: 34, gates: .defaults)
        try await store.create(r, event: RolloutEvent(rolloutID: id, action: .create, stamp: r.created, hosts: hosts, state: r.state, outcome: "created"))
        r = try r.started(at: "2026-12-02T07:01:00+00:00")
        try await store.save(r, event: RolloutEvent(rolloutID: id, action: .start, stamp: stamp("2026-12-02T07:01:00+00:00"), stage: 0,
                                                    hosts: [hosts[0]], state: r.state, outcome: "started"))
        r = try r.written(hosts[0], state: .applied, result: "OK", error: nil, at: "2026-12-02T07:02:00+00:00")
        try await store.save(r, host: hosts[0])
        try await store.record(RolloutEvent(rolloutID: id, action: .advance, stamp: stamp("2026-12-02T07:03:00+00:00"), stage: 0, gates: .defaults,
                                            gateResults: failing, state: r.state, outcome: "advance refused: 1 gate(s) failed"))
        var forced = failing
        forced[0].explanation = "still 0 of 1"
        r = try r.advanced(at: "2026-12-02T07:04:00+00:00", batchSize: nil, gates: forced, force: true, reason: "RELOPS-9")
        try await store.save(r, event: RolloutEvent(rolloutID: id, action: .advance, stamp: stamp("2026-12-02T07:04:00+00:00", reason: "RELOPS-9"),
                                                    force: true, stage: 1, hosts: [hosts[1], hosts[2]], gates: .defaults, gateResults: forced,
                                                    state: r.state, outcome: "advanced to stage 1 (2 host(s))"))
        r = try r.written(hosts[1], state: .applied, result: "OK", error: nil, at: "2026-12-02T07:05:00+00:00")
        try await store.save(r, host: hosts[1])
        r = try r.written(hosts[2], state: .failed, result: "FAIL", error: "ssh: <refused>", at: "2026-12-02T07:05:00+00:00")
        try await store.save(r, host: hosts[2])
        r = try r.paused()
        try await store.save(r, event: RolloutEvent(rolloutID: id, action: .pause, stamp: stamp("2026-12-02T07:06:00+00:00", reason: "look"),
                                                    stage: 1, state: r.state, outcome: "paused"))
        return r
    }
}

@Suite("Read model: rollouts")
struct RolloutReportTests {
    @Test func theListSaysWhereEachRolloutStands() async throws {
        let db = try FleetDatabase.inMemory()
        #expect(try await RolloutReader(database: db).list().isEmpty)
        try await RolloutSample.store(db)
        let planned = try Rollout.plan(id: "ro-20261202-00b2", name: "later", created: RolloutSample.stamp("2026-12-02T08:00:00+00:00"),
                                       overrideSHA256: String(repeating: "b", count: 64), vaultSHA256: nil, targets: ["h9"], skipped: [],
                                       canary: 1, batchPct: 50, gates: .defaults)
        try await RolloutStore(database: db).create(planned, event: RolloutEvent(rolloutID: planned.id, action: .create, stamp: planned.created,
                                                                                 state: .planned, outcome: "created"))
        let list = try await RolloutReader(database: db).list()
        #expect(list.map(\.id) == ["ro-20261202-00b2", RolloutSample.id], "newest first")
        let r = list[1]
        #expect(r.name == "canary test" && r.state == .paused && r.createdBy == "relops" && r.createdAt == "2026-12-02T07:00:00+00:00")
        // Stage 2 (index 1) of 3: two so far, and one target left at 34% of four (2 a stage).
        #expect(r.stage == RolloutStagePosition(number: 2, of: 3, state: .applying))
        #expect(r.hostsApplied == 2 && r.hostsTotal == 4)
        #expect(r.lastDecision?.action == .pause && r.lastDecision?.reason == "look" && r.lastDecision?.outcome == "paused")
        #expect(r.headline == "rollout \(RolloutSample.id): stage 2/3 paused")
        #expect(r.compactHeadline == "\(RolloutSample.id) 2/3 paused")
        #expect(r.isActive && !list[0].isActive)
        #expect(list[0].stage == nil && list[0].headline == "rollout ro-20261202-00b2: planned")
        #expect(list[0].lastDecision?.action == .create)
    }

    @Test func aRolloutsPageHasItsStagesGatesAndDecisions() async throws {
        let db = try FleetDatabase.inMemory()
        try await RolloutSample.store(db)
        #expect(try await RolloutReader(database: db).page(id: "ro-20261202-ffff") == nil)
        let page = try #require(try await RolloutReader(database: db).page(id: RolloutSample.id))
        #expect(page.stages.map(\.index) == [0, 1])
        #expect(page.stages[0].hosts.map(\.host) == [RolloutSample.hosts[0]] && page.stages[0].state == .advanced)
        let stage1 = page.stages[1].hosts
        #expect(stage1.map(\.host) == [RolloutSample.hosts[1], RolloutSample.hosts[2]])
        #expect(stage1.map(\.state) == [.applied, .failed] && stage1.map(\.verdict) == [.good, .act])
        #expect(stage1[1].result == "FAIL" && stage1[1].error == "ssh: <refused>")
        #expect(page.unstaged == [RolloutSample.hosts[3]])
        // The forced advance judged stage 0 after the refused one: its gates are the ones kept.
        let gates = try #require(page.stages[0].gates)
        #expect(gates.ts == "2026-12-02T07:04:00+00:00" && gates.action == .advance)
        #expect(gates.results.map(\.key) == ["applied_min_pct", "min_soak_minutes"])
        #expect(gates.results[0].value == 0 && gates.results[0].threshold == 100 && !gates.results[0].passed)
        #expect(gates.results[0].explanation == "still 0 of 1")
        #expect(gates.results.map(\.verdict) == [.act, .neutral], "a gate turned off says nothing")
        #expect(page.stages[1].gates == nil, "nothing judged stage 1 yet")
        #expect(page.events.map(\.action) == [.create, .start, .advance, .advance, .pause])
        let forced = page.events[3]
        #expect(forced.force && forced.reason == "RELOPS-9" && forced.actor == "relops" && forced.stage == 1)
        #expect(forced.gateResults.count == 2 && forced.outcome == "advanced to stage 1 (2 host(s))")
        #expect(page.gates == .defaults && page.canary == 1 && page.batchPct == 34)

        // The JSON the API serves: snake_case, values as stored.
        let json = try JSONFormat.compactString(page)
        #expect(json.contains("\"hosts_applied\":2") && json.contains("\"gate_results\":[") && json.contains("\"started_at\":"))
        #expect(try JSONDecoder().decode(RolloutPage.self, from: Data(json.utf8)) == page)
    }

    @Test func theLiveReportPicksUpRolloutChanges() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let feed = LiveReport(loader: f.loader, hosts: nil, clock: { Fixture.now })
        try await feed.load()
        #expect(await feed.rollouts.isEmpty)
        #expect(try await feed.poll().isEmpty)
        var r = try await RolloutSample.store(f.database)
        let events = try await feed.poll()
        #expect(events.count == 1)
        guard case .rollouts? = events.first else { Issue.record("no rollouts event"); return }
        #expect(await feed.activeRollouts.map(\.id) == [RolloutSample.id])
        #expect(try await feed.poll().isEmpty, "nothing new")

        // A host that goes from writing to applied in the same second changes no timestamp.
        r = try r.writing(RolloutSample.hosts[2], at: "2026-12-02T07:07:00+00:00", previousOverride: .absent, previousVault: .absent)
        try await RolloutStore(database: f.database).save(r, host: RolloutSample.hosts[2])
        _ = try await feed.poll()
        #expect(await feed.rollouts.first?.hostsApplied == 2)
        r = try r.written(RolloutSample.hosts[2], state: .applied, result: "OK", error: nil, at: "2026-12-02T07:07:00+00:00")
        try await RolloutStore(database: f.database).save(r, host: RolloutSample.hosts[2])
        let news = try await feed.poll()
        #expect(news.count == 1)
        #expect(await feed.rollouts.first?.hostsApplied == 3)
        #expect(try await feed.rolloutPage(id: RolloutSample.id)?.stages[1].hosts.map(\.state) == [.applied, .applied])
    }
}
