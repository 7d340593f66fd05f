import FleetCore
import FleetGather
import FleetSSH
import FleetStore
import FleetWrite
import Foundation
import Synchronization

/// The writes of a rollout: a stage's hosts get the files, a rollback gives them back what they
/// had, a finalize takes the override off. Each host's state is stored before its write starts
/// and after it ends; a host's row is its own, so hosts are written side by side and the
/// rollout's own row is stored whole once the pass is over (a pass that dies leaves the host
/// rows, from which `Rollout.normalized` rebuilds the stage).
extension RolloutEngine {
    /// One host's writes, in order (a failed one stops the rest).
    typealias Writes = @Sendable (RolloutHost) throws -> [WritePlan]

    func applyCurrentStage(_ r: Rollout, stop: StopRequest, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> StageRun {
        guard let stage = r.currentStage else { throw RolloutEngineError.refused(.wrongState(action: "apply", state: r.state)) }
        let override = try content(state.overrideStore, r.overrideSHA256, "the rollout's override file")
        let vault = try r.vaultSHA256.map { try content(state.vaultStore, $0, "the rollout's vault.yaml") }
        let observations = ObservationStore(database: database)
        var seen = try await observations.latest(hosts: stage.hosts)
        // A host never gathered: gathered first, so what it had before is known before it changes.
        let unknown = r.unwrittenInCurrentStage.filter { seen[$0]?.latestOK == nil }.compactMap { try? HostTarget.parse($0) }
        if let gatherer, !unknown.isEmpty, !stop.isRequested {
            _ = await stop.cancellable { await gatherer.gather(unknown) }
            seen = try await observations.latest(hosts: stage.hosts)
        }
        let latest = seen
        let backup = backupPolicy()
        let plans: Writes = { host in
            var out: [WritePlan] = []
            if let vault {
                // The vault first: an override that names new secrets never runs without them.
                out.append(tagged(WritePlan.write(.vault, content: vault, source: r.vaultSource ?? "rollout:\(r.id)",
                                                  ownership: FileOwnership(mode: "0640"), backup: backup, force: false, reason: "rollout \(r.id): \(r.name)"), r, host))
            }
            // Not forced: a host that has another override is BLOCKED by the write's own guard.
            out.append(tagged(WritePlan.write(.override, content: override, source: r.overrideSource ?? "rollout:\(r.id)",
                                              ownership: FileOwnership(mode: "0644"), backup: backup, force: false, reason: "rollout \(r.id): \(r.name)"), r, host))
            return out
        }
        return try await pass(r, hosts: r.unwrittenInCurrentStage, stop: stop, progress: progress, plans: plans,
                              prior: { host in
                                  let o = latest[host]?.latestOK?.observed
                                  return (o.map { PriorFile(sha256: $0.overridePresent ? $0.overrideSHA256 : nil) },
                                          vault == nil ? nil : o.map { PriorFile(sha256: $0.vaultPresent ? $0.vaultSHA256 : nil) })
                              },
                              done: { ok in ok ? .applied : .failed },
                              finish: { $0.normalized() })
    }

    func restore(_ r: Rollout, stop: StopRequest, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> StageRun {
        let backup = backupPolicy()
        let overrides = state.overrideStore, vaults = state.vaultStore
        let hasVault = r.vaultSHA256 != nil
        let plans: Writes = { host in
            let untouched = Self.neverChanged(host)
            let never = "what it had before the rollout was never recorded; restore it by hand"
            var out: [WritePlan] = []
            if let prior = host.previousOverride {
                out.append(tagged(try Self.restorePlan(.override, prior, store: overrides, mode: "0644", backup: backup, reason: "rollback of \(r.id)"), r, host))
            } else if !untouched {
                throw RolloutEngineError.contentMissing("\(host.host): the override \(never)")
            }
            if hasVault {
                if let priorVault = host.previousVault {
                    out.append(tagged(try Self.restorePlan(.vault, priorVault, store: vaults, mode: "0640", backup: backup, reason: "rollback of \(r.id)"), r, host))
                } else if !untouched {
                    throw RolloutEngineError.contentMissing("\(host.host): vault.yaml: \(never)")
                }
            }
            return out
        }
        return try await pass(r, hosts: r.toRestore, stop: stop, progress: progress, plans: plans, prior: { _ in (nil, nil) },
                              done: { ok in ok ? .restored : .failed }, finish: { $0.rollbackFinished() })
    }

    func removeOverride(_ r: Rollout, stop: StopRequest, progress: @escaping @Sendable (Int, Int) -> Void) async throws -> StageRun {
        // The snapshot before removal: each host's state as it is now, in the store.
        if let gatherer, !stop.isRequested {
            _ = await stop.cancellable { await gatherer.gather(r.toFinalize.compactMap { try? HostTarget.parse($0) }) }
        }
        let backup = backupPolicy()
        // A host no write of this rollout changed (one BLOCKED by another override and forced
        // past) keeps its file: finalize removes only what the rollout put there.
        let plans: Writes = { host in
            Self.neverChanged(host) ? [] : [tagged(WritePlan.remove(.override, backup: backup, reason: "finalize of \(r.id)"), r, host)]
        }
        return try await pass(r, hosts: r.toFinalize, stop: stop, progress: progress, plans: plans, prior: { _ in (nil, nil) },
                              done: { ok in ok ? .finalized : .failed }, finish: { $0.finalizeFinished() })
    }

    /// True when no write of the rollout changed the host: never written, or its last write
    /// ended FAIL or BLOCKED (the scripts change nothing then) or never started.
    static func neverChanged(_ host: RolloutHost) -> Bool {
        host.state == .pending || (host.state == .failed && ["FAIL", "BLOCKED", "NOT_STARTED"].contains(host.result ?? ""))
    }

    /// Writes what a host had before: the file back from the content store, or no file.
    static func restorePlan(_ file: ManagedFile, _ prior: PriorFile, store: ContentStore, mode: String, backup: BackupPolicy,
                            reason: String) throws -> WritePlan {
        guard let sha = prior.sha256 else { return WritePlan.remove(file, backup: backup, reason: reason) }
        guard let url = store.path(forSHA: sha), let data = FileManager.default.contents(atPath: url.path) else {
            throw RolloutEngineError.contentMissing("the \(file == .override ? "override" : "vault.yaml") the host had before "
                                                    + "(sha256 \(sha.prefix(12))…) is not in \(store.directory.path)")
        }
        var plan = WritePlan.write(file, content: data, source: "content-store:\(sha.prefix(12))", ownership: FileOwnership(mode: mode),
                                   backup: backup, force: false, reason: reason)
        // The rollout's own file is there: replaced without the guard against another override,
        // but a link or other non-file at the path is still never replaced.
        plan.operation = .write(content: data, ownership: FileOwnership(mode: mode), guardExisting: false, replaceOther: false)
        return plan
    }

    func backupPolicy() -> BackupPolicy { BackupPolicy(enabled: backup, suffix: WritePlan.backupSuffix(context.now)) }

    func content(_ store: ContentStore, _ sha: String, _ what: String) throws -> Data {
        guard let url = store.path(forSHA: sha), let data = FileManager.default.contents(atPath: url.path) else {
            throw RolloutEngineError.contentMissing("\(what) (sha256 \(sha.prefix(12))…) is not in \(store.directory.path)")
        }
        return data
    }

    /// One pass: each host (at most `writer.workers` at once) is stored `writing`, written, then
    /// stored with its outcome; Ctrl-C starts no new host. The written hosts are gathered again
    /// afterwards, and the rollout is stored whole after `finish`.
    func pass(_ start: Rollout, hosts: [String], stop: StopRequest, progress: @escaping @Sendable (Int, Int) -> Void,
              plans: @escaping Writes, prior: @escaping @Sendable (String) -> (PriorFile?, PriorFile?),
              done: @escaping @Sendable (Bool) -> RolloutHost.State, finish: (Rollout) -> Rollout) async throws -> StageRun {
        let began = context.now
        let value = PassState(start)
        let store = self.store, writer = self.writer, context = self.context
        let results = await runBounded(count: hosts.count, width: writer.workers,
                                       admit: { !stop.isRequested && value.failure.withLock { $0 == nil } },
                                       skipped: { HostWrites(host: hosts[$0], writes: [], skipped: true) },
                                       progress: { progress($0, hosts.count) }) { index -> HostWrites in
            let name = hosts[index]
            do {
                return try await Self.writeHost(name, value: value, store: store, writer: writer, context: context, stop: stop,
                                                plans: plans, prior: prior, done: done)
            } catch {
                // The store could not record the host: nothing more is started.
                value.failure.withLock { if $0 == nil { $0 = error } }
                return HostWrites(host: name, writes: [], error: ErrorText.describe(error))
            }
        }
        let final = finish(value.rollout.withLock { $0 }).normalized()
        try await store.save(final)
        if let error = value.failure.withLock({ $0 }) { throw error }
        var refreshed: [GatherResult] = []
        if let gatherer, gatherAfterWrites, !stop.isRequested {
            let changed = results.filter { $0.writes.contains { $0.record.result.succeeded } }.compactMap { try? HostTarget.parse($0.host) }
            if !changed.isEmpty { refreshed = await stop.cancellable { await gatherer.gather(changed) } }
        }
        let started = results.filter { !$0.skipped && !$0.notStarted }
        return StageRun(rollout: final, results: started, refreshed: refreshed, elapsed: context.now.timeIntervalSince(began),
                        interrupted: stop.isRequested && started.count < hosts.count)
    }

    static func writeHost(_ name: String, value: PassState, store: RolloutStore, writer: HostWriter, context: RunContext,
                          stop: StopRequest, plans: Writes, prior: (String) -> (PriorFile?, PriorFile?),
                          done: (Bool) -> RolloutHost.State) async throws -> HostWrites {
        let target = try HostTarget.parse(name)
        guard let before = value.rollout.withLock({ $0.host(name) }) else { throw RolloutError.unknownHost(name) }
        let planned: [WritePlan]
        do { planned = try plans(before) } catch {
            // Nothing can be sent to this host (a file to restore is missing): it fails, the others
            // go on. Its own result, not FAIL: a rollback run again must not take it for a host
            // that no write changed, and mark it restored untouched.
            let text = ErrorText.describe(error)
            let failed = try value.rollout.withLock { v -> Rollout in
                v = try v.written(name, state: .failed, result: "NOT_PLANNED", error: text, at: context.timestamp)
                return v
            }
            try await store.save(failed, host: name)
            return HostWrites(host: name, writes: [], error: text)
        }
        if planned.isEmpty {
            // Nothing to send (a rollback of a host no write changed): done as it is.
            let unchanged = try value.rollout.withLock { v -> Rollout in
                v = try v.written(name, state: done(true), result: "NO_CHANGE", error: nil, at: context.timestamp)
                return v
            }
            try await store.save(unchanged, host: name)
            return HostWrites(host: name, writes: [], nothingToDo: true)
        }
        let (priorOverride, priorVault) = prior(name)
        // Stored before the host is contacted: a fleetroll killed now leaves it `writing`.
        let writing = try value.rollout.withLock { v -> Rollout in
            v = try v.writing(name, at: context.timestamp, previousOverride: priorOverride, previousVault: priorVault)
            return v
        }
        try await store.save(writing, host: name)
        var writes: [WriteResult] = []
        for plan in planned {
            let result = await writer.run(plan, on: [target], stop: stop)[0]
            writes.append(result)
            if !result.record.result.succeeded { break }
        }
        let outcome = HostWrites(host: name, writes: writes)
        let last = writes.last?.record
        let ended = try value.rollout.withLock { v -> Rollout in
            if outcome.notStarted {
                // Ctrl-C came first: the host was not touched.
                v = try v.written(name, state: before.state == .writing ? .writing : before.state, result: "NOT_STARTED",
                                  error: last?.error, at: context.timestamp)
                return v
            }
            // The first write's own reading of what was there is better than the last gather's.
            if before.previousOverride == nil, let first = writes.first(where: { $0.record.action == "host.set_override" }),
               let seen = Self.seenBefore(first.record) {
                v = try v.learned(name, previousOverride: seen, previousVault: nil)
            }
            if before.previousVault == nil, let first = writes.first(where: { $0.record.action == "host.set_vault" }),
               let seen = Self.seenBefore(first.record) {
                v = try v.learned(name, previousOverride: nil, previousVault: seen)
            }
            let failed = writes.first { !$0.record.result.succeeded }?.record
            v = try v.written(name, state: done(outcome.succeeded), result: (failed ?? last)?.result.rawValue ?? "NOT_STARTED",
                              error: failed.map { Self.why($0) }, at: context.timestamp)
            return v
        }
        try await store.save(ended, host: name)
        return outcome
    }

    /// What a write found at the path before it wrote, when the host said.
    static func seenBefore(_ r: WriteRecord) -> PriorFile? {
        guard r.result.succeeded || r.result == .blocked else { return nil }
        if r.observed.existingKind == HostFileKind.missing.rawValue { return .absent }
        if let sha = r.observed.existingSHA256, r.observed.existingKind == nil || r.observed.existingKind == HostFileKind.file.rawValue {
            // The rollout's own file means a resumed write: what was there first is not known from it.
            return sha == r.parameters.sha256 ? nil : PriorFile(sha256: sha)
        }
        return nil
    }

    static func why(_ r: WriteRecord) -> String {
        switch r.result {
        case .blocked:
            return "BLOCKED: " + (r.observed.existingKind.flatMap { $0 == HostFileKind.file.rawValue ? nil : "a \($0) is at the path" }
                                  ?? "a different override is on the host" + (r.observed.existingSHA256.map { " (sha256 \($0.prefix(12))…)" } ?? ""))
        default:
            return "\(r.result.rawValue)" + (r.errorClass.map { " [\($0.rawValue)]" } ?? "") + (r.error.map { ": \($0)" } ?? "")
        }
    }
}

/// The rollout as a pass changes it, and the first store failure of the pass.
final class PassState: Sendable {
    let rollout: Mutex<Rollout>
    let failure = Mutex<Error?>(nil)

    init(_ r: Rollout) { rollout = Mutex(r) }
}

/// The audit parameters of a rollout's write: its id and the host's stage.
func tagged(_ plan: WritePlan, _ r: Rollout, _ host: RolloutHost) -> WritePlan {
    var p = plan
    p.parameters.rolloutID = r.id
    p.parameters.rolloutStage = host.stage
    return p
}
