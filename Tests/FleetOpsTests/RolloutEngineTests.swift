import FleetCore
@testable import FleetOps
import FleetSSH
import FleetStore
import FleetWrite
import Foundation
import Synchronization
import Testing

/// Hosts that keep their files in memory and answer the write and remove scripts as the real
/// scripts do (OK, NO_CHANGE, BLOCKED by the override guard); some are unreachable.
final class FakeHosts: Sendable {
    let files = Mutex<[String: [String: Data]]>([:])
    let unreachable = Mutex<Set<String>>([])
    /// Writes sent, by host and file.
    let writes = Mutex<[String]>([])
    /// Hosts whose next write asks the batch to stop (a Ctrl-C while they are written).
    let cuts = Mutex<Set<String>>([])

    func file(_ host: String, _ file: String) -> Data? { files.withLock { $0[host]?[file] } }

    func answer(_ call: ScriptedTransport.Call) -> AuditRun {
        if unreachable.withLock({ $0.contains(call.host) }) {
            return AuditRun(exitCode: 255, stdout: Data(), stderr: "ssh: connect to host \(call.host) port 22: Connection refused", timedOut: false)
        }
        let file = call.script.contains("the vault file") ? "vault" : "override"
        let existing = self.file(call.host, file)
        var fields: [(String, String)] = [("SUDO_OK", "1")]
        if let existing { fields += [("EXISTING_KIND", "file"), ("EXISTING_SHA256", Digest.sha256Hex(existing))] } else { fields.append(("EXISTING_KIND", "missing")) }
        if call.script.contains("# fleetroll: remove the") {
            guard existing != nil else { return ScriptedTransport.answer(fields + [("RESULT", "NO_CHANGE")]) }
            files.withLock { $0[call.host]?[file] = nil }
            writes.withLock { $0.append("\(call.host) remove \(file)") }
            return ScriptedTransport.answer(fields + [("REMOVED", "1"), ("RESULT", "OK")])
        }
        let content = call.stdin ?? Data()
        if existing == content { return ScriptedTransport.answer(fields + [("CONTENT_CHANGED", "0"), ("RESULT", "NO_CHANGE")]) }
        if existing != nil, call.script.contains("guard_existing=1") { return ScriptedTransport.answer(fields + [("RESULT", "BLOCKED")]) }
        files.withLock { $0[call.host, default: [:]][file] = content }
        writes.withLock { $0.append("\(call.host) write \(file)") }
        return ScriptedTransport.answer(fields + [("CONTENT_CHANGED", "1"), ("RESULT", "OK")])
    }
}

/// The rollout engine against scripted hosts and an in-memory store: what reaches the hosts,
/// what the store and the audit log say, and resuming after an interruption.
@Suite("Rollout engine")
struct RolloutEngineTests {
    static let override = Data("PUPPET_BRANCH=rollout-test\nPUPPET_REPO=https://github.com/mozilla-platform-ops/ronin_puppet.git\n".utf8)
    static let older = Data("PUPPET_BRANCH=older\n".utf8)
    static let hosts = ["h1", "h2", "h3", "h4"]

    struct Env {
        var engine: RolloutEngine
        var fake: FakeHosts
        var dir: URL
        var state: StateDirectory { engine.state }

        func audit() -> [[String: Any]] { AuditLog(url: state.auditLog).records() }

        /// Stores a gather of `host` as the last one, with its files as the fake has them.
        func gathered(_ host: String, puppetFailed: Bool = false, applied: Bool = true, ts: String = Timestamp.iso(Date())) async throws {
            var o = ObservedState()
            if let f = fake.file(host, "override") {
                o.overridePresent = true
                o.overrideSHA256 = Digest.sha256Hex(f)
                o.overrideKind = .file
            }
            o.puppet.ts = ts
            o.puppet.success = !puppetFailed
            o.puppet.exitCode = puppetFailed ? 6 : 2
            o.puppet.overrideSHA = applied ? o.overrideSHA256 : nil
            try await ObservationStore(database: engine.database).insert(
                HostObservation(ts: ts, actor: "test", host: host, ok: true, sshRC: 0, stderr: "", observed: o))
        }
    }

    func withEngine(workers: Int = 4, respond: (@Sendable (FakeHosts, ScriptedTransport.Call) async -> AuditRun)? = nil,
                    _ body: (Env) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-rollout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = StateDirectory(root: dir)
        let fake = FakeHosts()
        let transport = ScriptedTransport { call in
            if let respond { return await respond(fake, call) }
            return fake.answer(call)
        }
        let context = RunContext(actor: "relops", clock: { Date() })
        let writer = HostWriter(transport: transport, auditLog: AuditLog(url: state.auditLog), vaultStore: state.vaultStore,
                                workers: workers, context: context)
        let engine = RolloutEngine(state: state, database: try FleetDatabase.inMemory(), writer: writer, gatherer: nil, services: nil)
        try await body(Env(engine: engine, fake: fake, dir: dir))
    }

    static func plan(_ hosts: [String] = hosts, skipped: [String] = [], vault: Data? = nil, gates: [String] = ["min_soak_minutes=0"]) throws -> RolloutEngine.Plan {
        RolloutEngine.Plan(name: "test rollout", override: override, overrideSource: "file:/tmp/o", vault: vault,
                           vaultSource: vault == nil ? nil : "file:/tmp/v", targets: hosts, skipped: skipped, canary: 1, batchPct: 50,
                           gates: try GateConfig.parse(gates), reason: "RELOPS-7")
    }

    /// Gates that the scripted hosts can pass: no Taskcluster data here, no soak.
    static let fastGates = ["min_soak_minutes=0", "tc_online_min_pct=0", "min_jobs_per_host=0", "tc_success_rate_min=0", "healthy_min_pct=0"]

    @Test func createStoresThePlanAndTheFiles() async throws {
        try await withEngine { env in
            let r = try await env.engine.create(try Self.plan(skipped: ["h4"]))
            #expect(RolloutID.isValid(r.id) && r.state == .planned && r.targets == ["h1", "h2", "h3"] && r.skipped == ["h4"])
            #expect(env.state.overrideStore.path(forSHA: r.overrideSHA256) != nil, "the override is in the content store")
            #expect(try await env.engine.load(r.id) == r)
            let line = try #require(env.audit().last)
            #expect(line["action"] as? String == "rollout.create" && line["rollout_id"] as? String == r.id && line["reason"] as? String == "RELOPS-7")
        }
    }

    @Test func startIsRefusedForHostsWithAnOverrideOrInAnotherRollout() async throws {
        try await withEngine { env in
            env.fake.files.withLock { $0["h2"] = ["override": Self.older] }
            try await env.gathered("h2")
            let r = try await env.engine.create(try Self.plan())
            await #expect(throws: RolloutEngineError.self) { _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest()) }
            do { _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest()) } catch {
                #expect("\(error)".contains("h2 (has an override file (sha256 \(Digest.sha256Hex(Self.older).prefix(12))…))"), "\(error)")
            }
            #expect(env.fake.writes.withLock { $0 }.isEmpty, "no host was touched")
            let refusals = try await env.engine.store.events(id: r.id)
            #expect(refusals.map(\.action) == [.create, .start, .start] && refusals[1].outcome.hasPrefix("start refused") && refusals[1].hosts == ["h2"])
            #expect(env.audit().last?["ok"] as? Bool == false && env.audit().last?["action"] as? String == "rollout.start")
            let skipping = try await env.engine.create(try Self.plan(skipped: ["h2"]))
            let run = try await env.engine.start(skipping.id, reason: nil, stop: StopRequest())
            #expect(run.rollout.stages[0].hosts == ["h1"] && run.rollout.stages[0].state == .waiting)
            let other = try await env.engine.create(try Self.plan(["h1", "h5"]))
            do {
                _ = try await env.engine.start(other.id, reason: nil, stop: StopRequest())
                Issue.record("a host of an active rollout was taken")
            } catch {
                #expect("\(error)".contains("h1 (in rollout \(skipping.id), which is active)"), "\(error)")
            }
        }
    }

    @Test func theWriteGuardBlocksAHostTheLastGatherDidNotSee() async throws {
        try await withEngine { env in
            env.fake.files.withLock { $0["h1"] = ["override": Self.older] }
            let r = try await env.engine.create(try Self.plan())
            let run = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            #expect(run.failed.map(\.host) == ["h1"])
            #expect(run.rollout.host("h1")?.state == .failed && run.rollout.host("h1")?.result == "BLOCKED")
            #expect(run.rollout.host("h1")?.previousOverride == PriorFile(sha256: Digest.sha256Hex(Self.older)))
            #expect(env.fake.file("h1", "override") == Self.older, "the other override is untouched")
        }
    }

    @Test func canaryAdvanceAndAuditLines() async throws {
        try await withEngine { env in
            let r = try await env.engine.create(try Self.plan(gates: Self.fastGates))
            let canary = try await env.engine.start(r.id, reason: "go", stop: StopRequest())
            #expect(canary.results.map(\.host) == ["h1"] && canary.failed.isEmpty)
            #expect(env.fake.file("h1", "override") == Self.override)
            // Puppet has not run with the override yet: APPLIED is not Y, the gate fails.
            try await env.gathered("h1", applied: false)
            do { _ = try await env.engine.advance(r.id, batchSize: nil, force: false, reason: nil, refresh: false, stop: StopRequest()) } catch {
                #expect("\(error)".hasPrefix("advance refused: 1 gate(s) failed: applied_min_pct 0 < 100"), "\(error)")
            }
            // A puppet run after the write applied it.
            try await env.gathered("h1")
            let status = try await env.engine.status(r.id, refresh: false)
            #expect(status.gates.allSatisfy { $0.passed }, "\(status.gates.map(\.line))")
            guard case .advanced(let run, _, _) = try await env.engine.advance(r.id, batchSize: 2, force: false, reason: nil, refresh: false, stop: StopRequest()) else {
                Issue.record("not advanced"); return
            }
            #expect(run.results.map(\.host) == ["h2", "h3"] && run.rollout.stages.map(\.state) == [.advanced, .waiting])
            let lines = env.audit()
            #expect(lines.compactMap { $0["action"] as? String }.filter { $0.hasPrefix("rollout.") }
                    == ["rollout.create", "rollout.start", "rollout.advance", "rollout.advance"])
            let refusal = try #require(lines.first { $0["action"] as? String == "rollout.advance" })
            #expect(refusal["ok"] as? Bool == false && (refusal["gate_results"] as? [[String: Any]])?.count == 7)
            let writes = lines.filter { $0["action"] as? String == "host.set_override" && $0["result"] as? String == "OK" }
            // One stage's hosts are written at once, so their lines come in any order.
            let stageOf = Dictionary(writes.compactMap { w -> (String, Int)? in
                guard let host = w["host"] as? String, let stage = (w["parameters"] as? [String: Any])?["rollout_stage"] as? Int else { return nil }
                return (host, stage)
            }, uniquingKeysWith: { a, _ in a })
            #expect(writes.count == 3 && stageOf == ["h1": 0, "h2": 1, "h3": 1])
            #expect(writes.allSatisfy { ($0["parameters"] as? [String: Any])?["rollout_id"] as? String == r.id })
            let events = try await env.engine.store.events(id: r.id)
            #expect(events.map(\.action) == [.create, .start, .advance, .advance])
            #expect(events[3].gateResults.count == 7 && events[3].gates?.minSoakMinutes == 0 && events[3].actor == "relops")
        }
    }

    @Test func forceNeedsAReasonAndIsRecorded() async throws {
        try await withEngine { env in
            let r = try await env.engine.create(try Self.plan())
            _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            do {
                _ = try await env.engine.advance(r.id, batchSize: 1, force: true, reason: nil, refresh: false, stop: StopRequest())
                Issue.record("forced without a reason")
            } catch { #expect("\(error)".contains("--force needs --reason")) }
            _ = try await env.engine.advance(r.id, batchSize: 1, force: true, reason: "known flaky gate", refresh: false, stop: StopRequest())
            let line = try #require(env.audit().last { $0["action"] as? String == "rollout.advance" })
            #expect(line["force"] as? Bool == true && line["reason"] as? String == "known flaky gate" && line["ok"] as? Bool == true)
            let gates = try #require(line["gate_results"] as? [[String: Any]])
            #expect(gates.contains { $0["key"] as? String == "applied_min_pct" && $0["passed"] as? Bool == false })
            #expect(((line["gates"] as? [String: Any])?["applied_min_pct"] as? NSNumber)?.doubleValue == 100)
        }
    }

    @Test func aFailedPuppetRunOnAStageHostPausesTheRollout() async throws {
        try await withEngine { env in
            let r = try await env.engine.create(try Self.plan(gates: Self.fastGates))
            _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            try await env.gathered("h1", puppetFailed: true)
            // Another command holds the lock: this status shows the failure and pauses nothing.
            let held = try await env.engine.status(r.id, refresh: false, pauseLock: { false })
            #expect(!held.pausedNow && held.failedRuns == ["h1"] && held.rollout.state == .active)
            let status = try await env.engine.status(r.id, refresh: false, pauseLock: { true })
            #expect(status.pausedNow && status.failedRuns == ["h1"] && status.rollout.state == .paused)
            do {
                _ = try await env.engine.advance(r.id, batchSize: nil, force: true, reason: "x", refresh: false, stop: StopRequest())
                Issue.record("a paused rollout advanced")
            } catch { #expect("\(error)" == "advance refused: rollout is paused") }
            #expect(try await env.engine.store.events(id: r.id).last?.action == .autoPause)
            let resumed = try await env.engine.resume(r.id, reason: "fixed the host")
            #expect(resumed.state == .active)
        }
    }

    @Test func anInterruptedStageResumesWithoutRewritingFinishedHosts() async throws {
        // h2 and h3's first writes never answer; the stop stops the batch as a Ctrl-C would.
        let stop = StopRequest()
        try await withEngine(workers: 1, respond: { fake, call in
            if fake.cuts.withLock({ $0.remove(call.host) != nil }) { stop.request() }
            return fake.answer(call)
        }) { env in
            let r = try await env.engine.create(try Self.plan(gates: Self.fastGates))
            _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            try await env.gathered("h1")
            env.fake.cuts.withLock { $0 = ["h2"] }
            guard case .advanced(let first, _, _) = try await env.engine.advance(r.id, batchSize: 3, force: false, reason: nil, refresh: false, stop: stop) else {
                Issue.record("not advanced"); return
            }
            #expect(first.interrupted && first.results.map(\.host) == ["h2"], "h2 finished, h3 and h4 were not started")
            let stored = try await env.engine.load(r.id)
            #expect(stored.host("h2")?.state == .applied && stored.host("h3")?.state == .pending && stored.stages[1].state == .applying)
            let before = env.fake.writes.withLock { $0 }
            guard case .resumed(let again) = try await env.engine.advance(r.id, batchSize: 3, force: false, reason: nil, refresh: false, stop: StopRequest()) else {
                Issue.record("not resumed"); return
            }
            #expect(again.results.map(\.host) == ["h3", "h4"])
            #expect(env.fake.writes.withLock { $0 }.dropFirst(before.count) == ["h3 write override", "h4 write override"])
            #expect(again.rollout.stages[1].state == .waiting)
        }
    }

    @Test func aHostLeftWritingByACrashIsWrittenAgain() async throws {
        try await withEngine { env in
            let r = try await env.engine.create(try Self.plan())
            // What a fleetroll killed mid-write leaves: the stage started, h1 stored `writing`.
            var crashed = try r.started(at: Timestamp.iso(Date()))
            crashed = try crashed.writing("h1", at: Timestamp.iso(Date()), previousOverride: .absent, previousVault: nil)
            try await env.engine.store.save(crashed)
            env.fake.files.withLock { $0["h1"] = ["override": Self.override] }
            let run = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            #expect(run.results.first?.writes.first?.record.result == .noChange, "the host already had the file")
            #expect(run.rollout.host("h1")?.state == .applied && run.rollout.host("h1")?.previousOverride == PriorFile.absent)
        }
    }

    @Test func rollbackRestoresWhatEachHostHadBefore() async throws {
        try await withEngine { env in
            let vault = Data("---\nsecret: new\n".utf8), oldVault = Data("---\nsecret: old\n".utf8)
            try env.state.vaultStore.store(oldVault)
            env.fake.files.withLock { $0["h1"] = ["vault": oldVault] }
            let r = try await env.engine.create(try Self.plan(["h1", "h2"], vault: vault))
            _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            _ = try await env.engine.advance(r.id, batchSize: 1, force: true, reason: "test", refresh: false, stop: StopRequest())
            #expect(env.fake.file("h2", "override") == Self.override && env.fake.file("h1", "vault") == vault)
            env.fake.unreachable.withLock { $0 = ["h2"] }
            let first = try await env.engine.rollback(r.id, reason: "bad branch", stop: StopRequest())
            #expect(first.failed.map(\.host) == ["h2"] && first.rollout.state == .rollingBack)
            #expect(env.fake.file("h1", "override") == nil, "h1 had no override: none afterwards")
            #expect(env.fake.file("h1", "vault") == oldVault, "h1's old vault.yaml is written back")
            env.fake.unreachable.withLock { $0 = [] }
            let second = try await env.engine.rollback(r.id, reason: nil, stop: StopRequest())
            #expect(second.results.map(\.host) == ["h2"] && second.rollout.state == .rolledBack)
            #expect(env.fake.file("h2", "override") == nil && env.fake.file("h2", "vault") == nil)
            #expect(try await env.engine.store.events(id: r.id).filter { $0.action == .rollback }.count == 1, "one decision, resumed")
            let removals = env.audit().filter { $0["action"] as? String == "host.unset_override" && $0["result"] as? String == "OK" }
            #expect(removals.allSatisfy { ($0["parameters"] as? [String: Any])?["rollout_id"] as? String == r.id } && removals.count == 2)
        }
    }

    @Test func aHostThatStaysDownIsRetriedThenLeftBehindOnlyByForce() async throws {
        try await withEngine { env in
            env.fake.unreachable.withLock { $0 = ["h1"] }
            let r = try await env.engine.create(try Self.plan(["h1", "h2", "h3"]))
            _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            guard case .resumed(let again) = try await env.engine.advance(r.id, batchSize: 1, force: false, reason: nil, refresh: false, stop: StopRequest()) else {
                Issue.record("not resumed"); return
            }
            #expect(again.failed.map(\.host) == ["h1"] && again.rollout.stages[0].state == .applying)
            guard case .advanced(let run, _, let retried) = try await env.engine.advance(r.id, batchSize: 1, force: true, reason: "h1 is down",
                                                                                          refresh: false, stop: StopRequest()) else {
                Issue.record("not advanced"); return
            }
            #expect(retried?.failed.map(\.host) == ["h1"], "retried once more first")
            #expect(run.results.map(\.host) == ["h2"] && run.rollout.host("h1")?.state == .failed)
            let event = try #require(try await env.engine.store.events(id: r.id).last)
            #expect(event.action == .advance && event.force && event.outcome.contains("forced past stage 0's failed write(s) on h1"), "\(event.outcome)")
        }
    }

    @Test func statusRefreshesTheServicesForTheTargetsUnlessTold() async throws {
        try await withEngine { env in
            let r = try await env.engine.create(try Self.plan(["h1", "h2"]))
            let asked = Mutex<[[String]]>([])
            let engine = RolloutEngine(state: env.state, database: env.engine.database, writer: env.engine.writer, gatherer: nil,
                                       services: { targets in asked.withLock { $0.append(targets.map(\.description)) }; return ["gather-tc: a pool failed"] })
            let status = try await engine.status(r.id, refresh: true)
            #expect(asked.withLock { $0 } == [["h1", "h2"]] && status.refreshProblems == ["gather-tc: a pool failed"])
            #expect(status.gates.isEmpty, "not started: no stage to judge")
            _ = try await engine.status(r.id, refresh: false)
            #expect(asked.withLock { $0 }.count == 1, "--no-refresh contacts nothing")
        }
    }

    @Test func rollbackOfAHostNoWriteChangedIsDoneAsItIs() async throws {
        try await withEngine { env in
            env.fake.unreachable.withLock { $0 = ["h1"] }
            let r = try await env.engine.create(try Self.plan(["h1", "h2"]))
            let start = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            #expect(start.failed.map(\.host) == ["h1"] && start.rollout.host("h1")?.previousOverride == nil, "never gathered, never reached")
            let rollback = try await env.engine.rollback(r.id, reason: nil, stop: StopRequest())
            #expect(rollback.failed.isEmpty && rollback.rollout.state == .rolledBack)
            #expect(rollback.rollout.host("h1")?.state == .restored && rollback.rollout.host("h1")?.result == "NO_CHANGE")
            #expect(env.fake.writes.withLock { $0 }.isEmpty, "nothing was sent to it")
        }
    }

    @Test func finalizeRemovesTheOverrideFromEveryTarget() async throws {
        try await withEngine { env in
            let r = try await env.engine.create(try Self.plan(["h1", "h2"]))
            _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            do {
                _ = try await env.engine.finalize(r.id, merged: true, reason: nil, stop: StopRequest())
                Issue.record("finalized with a target never staged")
            } catch { #expect("\(error)".contains("were never in a stage (h2)")) }
            _ = try await env.engine.advance(r.id, batchSize: 1, force: true, reason: "test", refresh: false, stop: StopRequest())
            do {
                _ = try await env.engine.finalize(r.id, merged: false, reason: nil, stop: StopRequest())
                Issue.record("finalized without --merged")
            } catch { #expect("\(error)".contains("--merged is required")) }
            let run = try await env.engine.finalize(r.id, merged: true, reason: "merged in PR 1", stop: StopRequest())
            #expect(run.rollout.state == .finalized && run.failed.isEmpty)
            #expect(env.fake.file("h1", "override") == nil && env.fake.file("h2", "override") == nil)
            #expect(try await env.engine.store.memberships().isEmpty, "a finalized rollout holds no host")
        }
    }

    /// APPLIED counts only from a gather after the write that saw the rollout's file: data from
    /// before the write (a write not gathered, then `--no-refresh`) is unknown and fails the gate.
    @Test func gatesDoNotPassOnDataFromBeforeTheWrite() async throws {
        try await withEngine { env in
            // A successful run recorded before the rollout: no override, puppet OK.
            try await env.gathered("h1", ts: Timestamp.iso(Date().addingTimeInterval(-600)))
            let r = try await env.engine.create(try Self.plan(["h1", "h2"], gates: Self.fastGates))
            _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            let stale = try await env.engine.status(r.id, refresh: false)
            let applied = try #require(stale.gates.first(where: { $0.key == GateKey.appliedMinPct.rawValue }))
            #expect(!applied.passed && stale.facts["h1"]?.applied == nil, "\(applied.line)")
            try await env.gathered("h1")
            let fresh = try await env.engine.status(r.id, refresh: false)
            #expect(fresh.gates.first(where: { $0.key == GateKey.appliedMinPct.rawValue })?.passed == true)
        }
    }

    /// A target whose write was BLOCKED by someone else's override, forced past, keeps that
    /// override when the rollout is finalized.
    @Test func finalizeLeavesAHostTheRolloutNeverChanged() async throws {
        try await withEngine { env in
            let r = try await env.engine.create(try Self.plan(["h1", "h2", "h3"]))
            _ = try await env.engine.start(r.id, reason: nil, stop: StopRequest())
            env.fake.files.withLock { $0["h2", default: [:]]["override"] = Self.older }
            _ = try await env.engine.advance(r.id, batchSize: 1, force: true, reason: "test", refresh: false, stop: StopRequest())
            #expect(try await env.engine.load(r.id).host("h2")?.result == "BLOCKED")
            // Forced past h2's refused write: h3 is written, h2 left as it is.
            _ = try await env.engine.advance(r.id, batchSize: 1, force: true, reason: "h2 belongs to another team", refresh: false, stop: StopRequest())
            #expect(env.fake.file("h3", "override") == Self.override)
            let run = try await env.engine.finalize(r.id, merged: true, reason: "merged", stop: StopRequest())
            #expect(run.rollout.state == .finalized)
            #expect(env.fake.file("h1", "override") == nil && env.fake.file("h2", "override") == Self.older, "another team's override stays")
        }
    }
}
