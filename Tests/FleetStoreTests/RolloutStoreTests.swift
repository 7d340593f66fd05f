import FleetCore
@testable import FleetStore
import Foundation
import GRDB
import Testing

/// Rollouts in the store: the value round-trips with its hosts, every decision is kept, and
/// memberships name only hosts of rollouts that hold them.
@Suite("Rollout store")
struct RolloutStoreTests {
    static let stamp = Rollout.Stamp(ts: "2026-12-02T07:00:00+00:00", actor: "relops", reason: "RELOPS-1")

    static func rollout(_ id: String, _ hosts: [String], created: String = "2026-12-02T07:00:00+00:00") throws -> Rollout {
        try Rollout.plan(id: id, name: "n-\(id)", created: Rollout.Stamp(ts: created, actor: "relops"),
                         overrideSHA256: String(repeating: "a", count: 64), vaultSHA256: nil, targets: hosts, skipped: [],
                         canary: 1, batchPct: 50, gates: .defaults)
    }

    static func event(_ r: Rollout, _ action: RolloutEvent.Action, force: Bool = false) -> RolloutEvent {
        RolloutEvent(rolloutID: r.id, action: action, stamp: stamp, force: force, gates: .defaults,
                     gateResults: [GateResult(key: .appliedMinPct, value: 50, threshold: 100, passed: false, explanation: "1 of 2")],
                     state: r.state, outcome: "\(action.rawValue) done")
    }

    @Test func roundTripsAndKeepsEveryDecision() async throws {
        let store = RolloutStore(database: try FleetDatabase.inMemory())
        var r = try Self.rollout("ro-20261202-0001", ["h1", "h2", "h3"])
        try await store.create(r, event: Self.event(r, .create))
        await #expect(throws: RolloutStoreError.duplicateID(r.id)) { try await store.create(r, event: Self.event(r, .create)) }
        r = try r.started(at: "t1")
        try await store.save(r, event: Self.event(r, .start))
        r = try r.writing("h1", at: "t2", previousOverride: PriorFile(sha256: "b"), previousVault: .absent)
        try await store.save(r, host: "h1")
        #expect(try await store.rollout(id: r.id) == r, "a host's state is stored before its write")
        r = try r.written("h1", state: .applied, result: "OK", error: nil, at: "t3")
        try await store.save(r, host: "h1")
        let back = try #require(try await store.rollout(id: r.id))
        #expect(back == r)
        #expect(back.hosts.map(\.host) == ["h1", "h2", "h3"], "target order")
        #expect(back.stages[0].state == .waiting)
        try await store.record(Self.event(r, .advance, force: true))
        let events = try await store.events(id: r.id)
        #expect(events.map(\.action) == [.create, .start, .advance])
        #expect(events[2].force && events[2].gateResults.first?.value == 50 && events[2].gates == .defaults && events[2].reason == "RELOPS-1")
        #expect(try await store.rollout(id: "ro-20261202-ffff") == nil)
        await #expect(throws: RolloutStoreError.notFound("ro-20261202-ffff")) {
            try await store.save(try Self.rollout("ro-20261202-ffff", ["h9"]))
        }
    }

    @Test func listAndMemberships() async throws {
        let db = try FleetDatabase.inMemory()
        let store = RolloutStore(database: db)
        let planned = try Self.rollout("ro-20261202-0001", ["h1"], created: "2026-12-02T06:00:00+00:00")
        var active = try Self.rollout("ro-20261202-0002", ["h2", "h3"], created: "2026-12-02T07:00:00+00:00")
        var done = try Self.rollout("ro-20261202-0003", ["h4"], created: "2026-12-02T08:00:00+00:00")
        for r in [planned, active, done] { try await store.create(r, event: Self.event(r, .create)) }
        active = try active.started(at: "t1")
        active = try active.written("h2", state: .applied, result: "OK", error: nil, at: "t2")
        try await store.save(active)
        done = try done.started(at: "t1").written("h4", state: .applied, result: "OK", error: nil, at: "t2").rollingBack()
            .written("h4", state: .restored, result: "OK", error: nil, at: "t3").rollbackFinished()
        #expect(done.state == .rolledBack)
        try await store.save(done)

        let list = try await store.list()
        #expect(list.map(\.id) == ["ro-20261202-0003", "ro-20261202-0002", "ro-20261202-0001"], "newest first")
        #expect(list[1].targets == 2 && list[1].applied == 1 && list[1].stage == 0 && list[1].stageState == .waiting)
        #expect(list[2].state == .planned && list[2].stage == nil)

        let members = try await store.memberships()
        #expect(Set(members.keys) == ["h2", "h3"], "planned and rolled back rollouts hold no host")
        #expect(members["h2"] == RolloutMembership(rolloutID: active.id, stage: 0, state: .applied, rolloutState: .active))
        #expect(members["h3"] == RolloutMembership(rolloutID: active.id, stage: nil, state: .pending, rolloutState: .active))
        try await store.save(try active.paused())
        #expect(try await store.memberships()["h2"]?.rolloutState == .paused, "a paused rollout still holds its hosts")
    }

    @Test func theMigrationIsRegisteredAfterV5() throws {
        let names = Schema.migrator.migrations
        #expect(names.suffix(2) == ["v7-rollouts", "v8-tc-job-counts"])
        #expect(names.firstIndex(of: "v5-report-columns")! < names.firstIndex(of: "v7-rollouts")!)
    }
}

@Suite("Rollout lock")
struct RolloutLockTests {
    @Test func oneHolderAtATime() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = StateDirectory(root: dir)
        var first: RolloutLock? = try RolloutLock.acquire(state: state)
        #expect(throws: RolloutLockError.busy(dir.appendingPathComponent("rollouts.lock").path)) { try RolloutLock.acquire(state: state) }
        withExtendedLifetime(first) {}
        first = nil
        #expect(throws: Never.self) { _ = try RolloutLock.acquire(state: state) }
    }
}
