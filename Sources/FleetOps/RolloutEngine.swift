import FleetCore
import FleetGather
import FleetSSH
import FleetStore
import FleetWrite
import Foundation
import Synchronization

/// Why the engine refused or could not do a step.
public enum RolloutEngineError: Error, CustomStringConvertible {
    case refused(RolloutError)
    case notFound(String)
    /// Targets that already have an override or are in another active rollout.
    case startRefused([String: String])
    /// A file the rollout (or a rollback) needs is not in the content store.
    case contentMissing(String)
    /// The audit log cannot take the decision's line: nothing was done.
    case auditLog(String)
    /// Ctrl-C came before the decision: nothing was decided or written.
    case interrupted

    public var description: String {
        switch self {
        case .refused(let e): return e.description
        case .notFound(let id): return RolloutStoreError.notFound(id).description
        case .startRefused(let why):
            let hosts = why.keys.naturallySorted { $0 }
            return "start refused: \(hosts.count) target(s) cannot take part: "
                + hosts.map { "\($0) (\(why[$0]!))" }.joined(separator: ", ")
                + "; create a new rollout with --skip HOST for each, or clear them first"
        case .contentMissing(let what): return what
        case .auditLog(let why): return "the audit log cannot be written (\(why)); nothing was done"
        case .interrupted: return "interrupted before the gates were judged: nothing was decided or written"
        }
    }
}

/// Refreshes Taskcluster and GitHub data for hosts (what `gather` does after its ssh step);
/// returns the problems met, in words. Handed in by the command, which knows the services.
public typealias RolloutServiceRefresh = @Sendable ([HostTarget]) async -> [String]

/// Runs rollouts: every step reads the stored value, applies a transition, records the
/// decision (store and audit log) and writes hosts through the verified writer, storing each
/// host's state before and after its write.
public struct RolloutEngine: Sendable {
    public let state: StateDirectory
    public let database: FleetDatabase
    public let store: RolloutStore
    public let writer: HostWriter
    /// nil: hosts are not gathered after writes (and status cannot refresh).
    public let gatherer: HostGatherer?
    public let services: RolloutServiceRefresh?
    public var backup = true
    /// Gather the written hosts after a pass (`--no-audit` turns it off; status still gathers).
    public var gatherAfterWrites = true

    public var context: RunContext { writer.context }
    var auditLog: AuditLog { writer.auditLog }

    public init(state: StateDirectory, database: FleetDatabase, writer: HostWriter, gatherer: HostGatherer?,
                services: RolloutServiceRefresh?) {
        self.state = state; self.database = database; self.store = RolloutStore(database: database)
        self.writer = writer; self.gatherer = gatherer; self.services = services
    }

    public func load(_ id: String) async throws -> Rollout {
        guard let r = try await store.rollout(id: id) else { throw RolloutEngineError.notFound(id) }
        return r.normalized()
    }

    func stamp(_ reason: String? = nil) -> Rollout.Stamp { Rollout.Stamp(ts: context.timestamp, actor: context.actor, reason: reason) }

    /// Stores a decision with the value and appends its audit line (the line first: a decision
    /// the audit log cannot record is not taken).
    func decide(_ r: Rollout, _ event: RolloutEvent, ok: Bool = true, save: Bool = true) async throws {
        do { try auditLog.append(RolloutAuditLine(event, rollout: r, ok: ok)) } catch {
            throw RolloutEngineError.auditLog(ErrorText.describe(error))
        }
        if save { try await store.save(r, event: event) } else { try await store.record(event) }
    }

    // MARK: create

    public struct Plan: Sendable {
        public var name: String
        public var override: Data
        public var overrideSource: String
        public var vault: Data?
        public var vaultSource: String?
        public var targets: [String]
        public var skipped: [String]
        public var canary: Int
        public var batchPct: Int
        public var gates: GateConfig
        public var reason: String?

        public init(name: String, override: Data, overrideSource: String, vault: Data?, vaultSource: String?, targets: [String],
                    skipped: [String], canary: Int, batchPct: Int, gates: GateConfig, reason: String?) {
            self.name = name; self.override = override; self.overrideSource = overrideSource; self.vault = vault
            self.vaultSource = vaultSource; self.targets = targets; self.skipped = skipped; self.canary = canary
            self.batchPct = batchPct; self.gates = gates; self.reason = reason
        }
    }

    /// Checks the plan, keeps the files in the content stores and stores the rollout, planned.
    public func create(_ plan: Plan) async throws -> Rollout {
        var rollout: Rollout
        do {
            rollout = try Rollout.plan(id: "", name: plan.name, created: stamp(plan.reason), overrideSHA256: Digest.sha256Hex(plan.override),
                                       vaultSHA256: plan.vault.map(Digest.sha256Hex), targets: plan.targets, skipped: plan.skipped,
                                       canary: plan.canary, batchPct: plan.batchPct, gates: plan.gates)
        } catch { throw RolloutEngineError.refused(error) }
        rollout.overrideSource = plan.overrideSource
        rollout.vaultSource = plan.vaultSource
        try state.overrideStore.store(plan.override)
        if let vault = plan.vault { try state.vaultStore.store(vault) }
        do { try auditLog.checkWritable() } catch { throw RolloutEngineError.auditLog(ErrorText.describe(error)) }
        for _ in 0..<20 {
            rollout.id = RolloutID.make(date: context.now, random: UInt16.random(in: 0...UInt16.max))
            let event = RolloutEvent(rolloutID: rollout.id, action: .create, stamp: rollout.created, hosts: rollout.targets,
                                     gates: rollout.gates, state: .planned,
                                     outcome: "created: \(rollout.targets.count) target(s), canary \(rollout.canary), batch \(rollout.batchPct)%"
                                         + (rollout.skipped.isEmpty ? "" : ", skipped \(rollout.skipped.joined(separator: ","))"))
            do {
                try await store.create(rollout, event: event)
            } catch RolloutStoreError.duplicateID {
                continue
            }
            do { try auditLog.append(RolloutAuditLine(event, rollout: rollout, ok: true)) } catch {
                throw RolloutEngineError.auditLog(ErrorText.describe(error))
            }
            return rollout
        }
        throw RolloutEngineError.refused(.invalidPlan("no free rollout id today (20 tries)"))
    }

    // MARK: start

    /// Targets that may not take part: an override file on the host (other than this rollout's
    /// own, which a resumed start finds) as the latest gather saw it, or membership of another
    /// rollout that holds hosts.
    public func blockers(_ r: Rollout) async throws -> [String: String] {
        let latest = try await ObservationStore(database: database).latest(hosts: r.targets)
        let members = try await store.memberships()
        var why: [String: String] = [:]
        for host in r.targets {
            if let m = members[host], m.rolloutID != r.id {
                why[host] = "in rollout \(m.rolloutID), which is \(m.rolloutState.words)"
                continue
            }
            guard let o = latest[host]?.latestOK?.observed else { continue }
            if let kind = o.overrideKind, kind.exists, kind != .file {
                why[host] = "\(kind.phrase) is at the override's path"
            } else if o.overridePresent, o.overrideSHA256 != r.overrideSHA256 {
                why[host] = "has an override file" + (o.overrideSHA256.map { " (sha256 \($0.prefix(12))…)" } ?? "")
            }
        }
        return why
    }

    /// planned → active, then the canary stage is written. Run again, it resumes the canary.
    public func start(_ id: String, reason: String?, stop: StopRequest, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> StageRun {
        var r = try await load(id)
        let blocked = try await blockers(r)
        if !blocked.isEmpty {
            let error = RolloutEngineError.startRefused(blocked)
            // The refusal is a decision too: who tried, when, and which hosts stood in the way.
            try await decide(r, RolloutEvent(rolloutID: r.id, action: .start, stamp: stamp(reason), hosts: blocked.keys.naturallySorted { $0 },
                                             gates: r.gates, state: r.state, outcome: error.description), ok: false, save: false)
            throw error
        }
        let wasPlanned = r.state == .planned
        do { r = try r.started(at: context.timestamp) } catch { throw RolloutEngineError.refused(error) }
        if wasPlanned {
            let event = RolloutEvent(rolloutID: r.id, action: .start, stamp: stamp(reason), stage: 0, hosts: r.stages[0].hosts,
                                     gates: r.gates, state: r.state, outcome: "started: canary stage 0 of \(r.stages[0].hosts.count) host(s)")
            try await decide(r, event)
        }
        return try await applyCurrentStage(r, stop: stop, progress: progress)
    }

    // MARK: pause, resume

    public func pause(_ id: String, reason: String?) async throws -> Rollout {
        let r = try await load(id)
        let paused: Rollout
        do { paused = try r.paused() } catch { throw RolloutEngineError.refused(error) }
        try await decide(paused, RolloutEvent(rolloutID: r.id, action: .pause, stamp: stamp(reason), stage: r.currentStage?.index,
                                              state: paused.state, outcome: "paused by the operator"))
        return paused
    }

    public func resume(_ id: String, reason: String?) async throws -> Rollout {
        let r = try await load(id)
        let resumed: Rollout
        do { resumed = try r.resumed(at: context.timestamp) } catch { throw RolloutEngineError.refused(error) }
        try await decide(resumed, RolloutEvent(rolloutID: r.id, action: .resume, stamp: stamp(reason), stage: r.currentStage?.index,
                                               state: resumed.state, outcome: "resumed"))
        return resumed
    }

    // MARK: advance

    public enum AdvanceOutcome: Sendable {
        /// The current stage was not applied yet (an earlier run was cut off): it was resumed.
        case resumed(StageRun)
        /// The gates passed (or were forced): the next stage was written. With `force`, a stage
        /// whose writes still failed on some hosts after being retried (`retried`) is left behind.
        case advanced(StageRun, RolloutStatus, retried: StageRun?)
    }

    /// Resumes a stage that is not applied yet; otherwise judges the gates from fresh data and,
    /// when they pass (or `force` with a reason), writes the next batch. A refused advance is
    /// recorded too, with the gates' values.
    public func advance(_ id: String, batchSize: Int?, force: Bool, reason: String?, refresh: Bool, stop: StopRequest,
                        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> AdvanceOutcome {
        let r = try await load(id)
        var retried: StageRun?
        if r.state == .active, let current = r.currentStage, current.state == .applying {
            let run = try await applyCurrentStage(r, stop: stop, progress: progress)
            let left = run.rollout.unwrittenInCurrentStage
            guard force, !stop.isRequested, !left.isEmpty, left.allSatisfy({ run.rollout.host($0)?.state == .failed }) else {
                return .resumed(run)
            }
            retried = run
        }
        let status = try await self.status(id, refresh: refresh, stop: stop)
        // A Ctrl-C while the hosts were gathered for the gates means "do not go on".
        if stop.isRequested { throw RolloutEngineError.interrupted }
        let now = status.rollout
        let next: Rollout
        do {
            next = try now.advanced(at: context.timestamp, batchSize: batchSize, gates: status.gates, force: force, reason: reason)
        } catch {
            if case .gatesFailed(let failed) = error {
                let event = RolloutEvent(rolloutID: now.id, action: .advance, stamp: stamp(reason), force: force, stage: now.currentStage?.index,
                                         gates: now.gates, gateResults: status.gates, state: now.state,
                                         outcome: "advance refused: \(failed.count) gate(s) failed: " + failed.map(\.key).joined(separator: ", "))
                try await decide(now, event, ok: false, save: false)
            }
            throw RolloutEngineError.refused(error)
        }
        let stage = next.stages[next.stages.count - 1]
        let failed = status.gates.filter { !$0.passed }
        let leftBehind = now.stages[now.stages.count - 1].state == .applying ? now.unwrittenInCurrentStage : []
        let outcome = "advanced to stage \(stage.index) (\(stage.hosts.count) host(s))"
            + (failed.isEmpty ? "" : "; forced past \(failed.count) failed gate(s): " + failed.map(\.key).joined(separator: ", "))
            + (leftBehind.isEmpty ? "" : "; forced past stage \(now.stages.count - 1)'s failed write(s) on " + Gates.names(leftBehind))
        try await decide(next, RolloutEvent(rolloutID: next.id, action: .advance, stamp: stamp(reason), force: force, stage: stage.index,
                                            hosts: stage.hosts, gates: next.gates, gateResults: status.gates, state: next.state, outcome: outcome))
        return .advanced(try await applyCurrentStage(next, stop: stop, progress: progress), status, retried: retried)
    }

    // MARK: rollback, finalize

    /// Gives every host a write may have reached what it had before the rollout. Run again, it
    /// resumes with the hosts not restored yet.
    public func rollback(_ id: String, reason: String?, stop: StopRequest, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> StageRun {
        let r = try await load(id)
        let rolling: Rollout
        do { rolling = try r.rollingBack() } catch { throw RolloutEngineError.refused(error) }
        if r.state != .rollingBack {
            try await decide(rolling, RolloutEvent(rolloutID: r.id, action: .rollback, stamp: stamp(reason), stage: r.currentStage?.index,
                                                   hosts: rolling.toRestore, gates: r.gates, state: rolling.state,
                                                   outcome: "rollback of \(rolling.toRestore.count) host(s)"))
        }
        return try await restore(rolling, stop: stop, progress: progress)
    }

    /// Removes the override from every target (the backups on the hosts and a gather of each
    /// host just before are the snapshots). Run again, it resumes.
    public func finalize(_ id: String, merged: Bool, reason: String?, stop: StopRequest,
                         progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> StageRun {
        let r = try await load(id)
        let finalizing: Rollout
        do { finalizing = try r.finalizing(merged: merged) } catch { throw RolloutEngineError.refused(error) }
        if r.state != .finalizing {
            try await decide(finalizing, RolloutEvent(rolloutID: r.id, action: .finalize, stamp: stamp(reason), stage: r.currentStage?.index,
                                                      hosts: finalizing.toFinalize, gates: r.gates, state: finalizing.state,
                                                      outcome: "finalize: the override comes off \(finalizing.toFinalize.count) host(s)"))
        }
        return try await removeOverride(finalizing, stop: stop, progress: progress)
    }
}

/// The outcome of one pass of writes over a rollout's hosts.
public struct StageRun: Sendable {
    /// The rollout as stored after the pass.
    public var rollout: Rollout
    /// Each host's writes (override, and vault when the rollout has one), in the pass's order.
    public var results: [HostWrites]
    public var refreshed: [GatherResult]
    public var elapsed: Double
    /// Ctrl-C stopped the pass: some hosts were not started.
    public var interrupted: Bool

    public var failed: [HostWrites] { results.filter { !$0.succeeded } }
}

/// One host's writes in a pass.
public struct HostWrites: Sendable {
    public var host: String
    public var writes: [WriteResult]
    /// Why nothing could be sent (a file to restore is missing), or the store failed.
    public var error: String?
    /// Ctrl-C came before the host's turn.
    public var skipped = false
    /// Nothing had to be written (a rollback of a host no write had changed).
    public var nothingToDo = false
    public var succeeded: Bool { error == nil && (nothingToDo || (!writes.isEmpty && writes.allSatisfy { $0.record.result.succeeded })) }
    public var notStarted: Bool { writes.first?.record.result == .notStarted }
    public var auditError: String? { writes.lazy.compactMap(\.auditError).first }
}

extension Fleet {
    /// The rollout engine over the state directory: writes through the verified writer (vault
    /// copies kept), hosts gathered again after writes and by status (unless `gather` is false).
    public func rolloutEngine(_ database: FleetDatabase, transport: any HostTransport, workers: Int, gather: Bool,
                              services: RolloutServiceRefresh?) -> RolloutEngine {
        var options = GatherOptions()
        options.workers = workers
        return RolloutEngine(state: state, database: database, writer: writer(transport: transport, workers: workers, keepsVaultCopy: true),
                             gatherer: gather ? gatherer(database, transport: transport, options: options) : nil, services: services)
    }
}
