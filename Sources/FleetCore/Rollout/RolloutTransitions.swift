import Foundation

/// Why a rollout refused a step. The message always starts with the step: "advance refused: ...".
public enum RolloutError: Error, Equatable, CustomStringConvertible {
    case invalidPlan(String)
    /// The step is not allowed in this state.
    case wrongState(action: String, state: Rollout.State)
    /// The step needs the current stage applied first; the stage's command resumes it.
    case stageNotApplied(action: String, stage: Int, hosts: [String])
    /// Every target is in a stage already.
    case nothingLeft
    case gatesFailed([GateResult])
    case forceNeedsReason
    case notMerged
    /// Finalize needs every target to have been through a stage.
    case notAllStaged([String])
    case unknownHost(String)

    public var description: String {
        switch self {
        case .invalidPlan(let why): return "create refused: \(why)"
        case .wrongState(let action, let state): return "\(action) refused: rollout is \(state.words)"
        case .stageNotApplied(let action, let stage, let hosts):
            return "\(action) refused: stage \(stage) is not applied yet (\(Gates.names(hosts)) not written); "
                + "run the same command again to resume it"
        case .nothingLeft: return "advance refused: every target is in a stage already (finalize or roll back)"
        case .gatesFailed(let failed):
            return "advance refused: \(failed.count) gate(s) failed: " + failed.map(\.line).joined(separator: "; ")
        case .forceNeedsReason: return "advance refused: --force needs --reason TEXT (it is recorded in the audit log)"
        case .notMerged: return "finalize refused: --merged is required (confirm the change is merged, so hosts can follow the default branch)"
        case .notAllStaged(let hosts):
            return "finalize refused: \(hosts.count) target(s) were never in a stage (\(Gates.names(hosts))); advance first"
        case .unknownHost(let h): return "\(h) is not a target of this rollout"
        }
    }
}

extension Rollout {
    /// A new rollout, planned: targets in order, none of them skipped, the canary the first
    /// `canary` of them.
    public static func plan(id: String, name: String, created: Stamp, overrideSHA256: String, vaultSHA256: String?,
                            targets: [String], skipped: [String], canary: Int, batchPct: Int, gates: GateConfig) throws(RolloutError) -> Rollout {
        let skip = Set(skipped)
        var seen = Set<String>()
        let kept = targets.filter { !skip.contains($0) && seen.insert($0).inserted }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalidPlan("the rollout needs a name") }
        if kept.isEmpty { throw .invalidPlan("no targets left" + (skipped.isEmpty ? "" : " after --skip")) }
        if canary < 1 { throw .invalidPlan("--canary must be at least 1") }
        if !(1...100).contains(batchPct) { throw .invalidPlan("--batch-pct must be from 1 to 100") }
        let unknownSkips = skipped.filter { !targets.contains($0) }
        if !unknownSkips.isEmpty { throw .invalidPlan("--skip names host(s) that are not targets: \(Gates.names(unknownSkips))") }
        return Rollout(id: id, name: name, created: created, overrideSHA256: overrideSHA256, vaultSHA256: vaultSHA256,
                       overrideSource: nil, vaultSource: nil, targets: kept, skipped: skipped.filter { targets.contains($0) },
                       canary: min(canary, kept.count), batchPct: batchPct, gates: gates, state: .planned, stages: [],
                       hosts: kept.map { RolloutHost(host: $0) }, resumedAt: nil)
    }

    public var currentStage: Stage? { stages.last }

    public func host(_ name: String) -> RolloutHost? { hosts.first { $0.host == name } }

    /// The current stage's hosts that do not have the files yet: what resuming it writes.
    public var unwrittenInCurrentStage: [String] {
        guard let stage = currentStage, stage.state == .applying else { return [] }
        return stage.hosts.filter { host($0)?.state != .applied }
    }

    /// Targets no stage has taken yet, in order.
    public var unstaged: [String] { hosts.filter { $0.stage == nil }.map(\.host) }

    /// Hosts a rollback restores: every one a write may have reached.
    public var toRestore: [String] { hosts.filter { [.applied, .writing, .failed].contains($0.state) && $0.stage != nil }.map(\.host) }

    /// Hosts a finalize still has to remove the override from.
    public var toFinalize: [String] { hosts.filter { $0.state != .finalized }.map(\.host) }

    /// Every host that has the rollout's files.
    public var appliedHosts: [String] { hosts.filter { $0.state == .applied }.map(\.host) }

    /// The size of the next stage: `batchSize`, else `batch_pct` of the targets (at least one).
    public func nextBatchSize(_ batchSize: Int?) -> Int {
        if let batchSize { return max(1, batchSize) }
        return max(1, Int((Double(targets.count) * Double(batchPct) / 100).rounded(.up)))
    }

    // MARK: transitions

    /// planned → active, with the canary stage applying. Starting a rollout that is already
    /// active with its canary not applied yet is resuming: the value is returned as it is.
    public func started(at ts: String) throws(RolloutError) -> Rollout {
        if state == .active, stages.count == 1, stages[0].state == .applying { return self }
        guard state == .planned else { throw .wrongState(action: "start", state: state) }
        var r = self
        r.state = .active
        let canaryHosts = Array(targets.prefix(canary))
        r.stages = [Stage(index: 0, hosts: canaryHosts, state: .applying, startedAt: ts)]
        r.assign(canaryHosts, to: 0)
        return r
    }

    /// A host's write is about to start: recorded before it does. What the host had before is
    /// kept from the first write only (a resumed write finds the rollout's own file there).
    public func writing(_ name: String, at ts: String, previousOverride: PriorFile?, previousVault: PriorFile?) throws(RolloutError) -> Rollout {
        var r = self
        try r.update(name) { h in
            h.state = .writing
            if h.previousOverride == nil { h.previousOverride = previousOverride }
            if h.previousVault == nil { h.previousVault = previousVault }
            h.updatedAt = ts
        }
        return r
    }

    /// What a host had before, as its first write found it (better than the last gather's word).
    public func learned(_ name: String, previousOverride: PriorFile?, previousVault: PriorFile?) throws(RolloutError) -> Rollout {
        var r = self
        try r.update(name) { h in
            if let previousOverride { h.previousOverride = previousOverride }
            if let previousVault { h.previousVault = previousVault }
        }
        return r
    }

    /// A host's write ended: `state` is what it now is (applied / failed for an apply, restored
    /// for a rollback, finalized for a finalize). A stage whose hosts all have the files is
    /// applied at `ts`.
    public func written(_ name: String, state newState: RolloutHost.State, result: String, error: String?, at ts: String) throws(RolloutError) -> Rollout {
        var r = self
        try r.update(name) { h in
            h.state = newState
            h.result = result
            h.error = error
            h.updatedAt = ts
        }
        if r.state == .active, let last = r.stages.indices.last, r.stages[last].state == .applying,
           r.stages[last].hosts.allSatisfy({ r.host($0)?.state == .applied }) {
            r.stages[last].state = .waiting
            r.stages[last].appliedAt = ts
        }
        return r
    }

    /// The next stage, when the gates passed (or `force` with a reason). The current stage must
    /// be applied (an applying one is resumed first, by the engine).
    public func advanced(at ts: String, batchSize: Int?, gates results: [GateResult], force: Bool, reason: String?) throws(RolloutError) -> Rollout {
        guard state == .active else { throw .wrongState(action: "advance", state: state) }
        guard let current = currentStage else { throw .wrongState(action: "advance", state: .planned) }
        if force && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty { throw .forceNeedsReason }
        // A stage whose writes failed on some hosts (and were retried) can be left behind only by
        // force; hosts not written yet never are.
        let unfinished = unwrittenInCurrentStage.filter { host($0)?.state != .failed }
        if current.state == .applying && (!force || !unfinished.isEmpty) {
            throw .stageNotApplied(action: "advance", stage: current.index, hosts: unwrittenInCurrentStage)
        }
        let failed = results.filter { !$0.passed }
        if !failed.isEmpty && !force { throw .gatesFailed(failed) }
        let next = Array(unstaged.prefix(nextBatchSize(batchSize)))
        guard !next.isEmpty else { throw .nothingLeft }
        var r = self
        r.stages[r.stages.count - 1].state = .advanced
        let index = r.stages.count
        r.stages.append(Stage(index: index, hosts: next, state: .applying, startedAt: ts))
        r.assign(next, to: index)
        return r
    }

    /// active → paused (the operator, or a failed puppet run on a stage host).
    public func paused() throws(RolloutError) -> Rollout {
        guard state == .active else { throw .wrongState(action: "pause", state: state) }
        var r = self
        r.state = .paused
        if let last = r.stages.indices.last, r.stages[last].state == .waiting { r.stages[last].state = .paused }
        return r
    }

    /// paused → active: the stage waits for assessment again.
    public func resumed(at ts: String) throws(RolloutError) -> Rollout {
        guard state == .paused else { throw .wrongState(action: "resume", state: state) }
        var r = self
        r.state = .active
        r.resumedAt = ts
        if let last = r.stages.indices.last, r.stages[last].state == .paused { r.stages[last].state = .waiting }
        return r
    }

    /// Starts (or resumes) a rollback: every host a write may have reached gets back what it had.
    public func rollingBack() throws(RolloutError) -> Rollout {
        guard [.active, .paused, .rollingBack].contains(state) else { throw .wrongState(action: "rollback", state: state) }
        var r = self
        r.state = .rollingBack
        return r
    }

    /// Rollback done once no host is left to restore.
    public func rollbackFinished() -> Rollout {
        guard state == .rollingBack, toRestore.isEmpty else { return self }
        var r = self
        r.state = .rolledBack
        if let last = r.stages.indices.last { r.stages[last].state = .rolledBack }
        return r
    }

    /// Starts (or resumes) a finalize: the override comes off every target. Only an active
    /// rollout whose every target went through a stage, once the operator says it is merged.
    public func finalizing(merged: Bool) throws(RolloutError) -> Rollout {
        guard [.active, .finalizing].contains(state) else { throw .wrongState(action: "finalize", state: state) }
        guard merged else { throw .notMerged }
        if state == .active {
            if !unstaged.isEmpty { throw .notAllStaged(unstaged) }
            if let current = currentStage, current.state == .applying {
                throw .stageNotApplied(action: "finalize", stage: current.index, hosts: unwrittenInCurrentStage)
            }
        }
        var r = self
        r.state = .finalizing
        return r
    }

    public func finalizeFinished() -> Rollout {
        guard state == .finalizing, toFinalize.isEmpty else { return self }
        var r = self
        r.state = .finalized
        if let last = r.stages.indices.last { r.stages[last].state = .finalized }
        return r
    }

    /// The current stage's hosts whose puppet run failed after the stage was applied: a status
    /// or advance that sees one pauses the rollout.
    public func failedPuppetRuns(_ facts: [GateHostFacts]) -> [String] {
        guard let stage = currentStage else { return [] }
        let stageSince = stage.appliedAt.flatMap(Timestamp.parse) ?? Timestamp.parse(stage.startedAt)
        let since = [stageSince, resumedAt.flatMap(Timestamp.parse)].compactMap { $0 }.max()
        let members = Set(stage.hosts)
        return facts.filter { f in
            guard members.contains(f.host), f.puppetFailed == true else { return false }
            guard let since, let at = f.puppetRunAt else { return true }
            return at >= since.addingTimeInterval(-1)
        }.map(\.host)
    }

    /// The value as its hosts say it is: a stage whose hosts all have the files is applied (at
    /// its last host's time), even when the process that wrote the last one died before it
    /// stored the stage (each host's row is stored on its own, before and after its write).
    public func normalized() -> Rollout {
        guard state == .active, let last = stages.indices.last, stages[last].state == .applying,
              stages[last].hosts.allSatisfy({ host($0)?.state == .applied }) else { return self }
        var r = self
        r.stages[last].state = .waiting
        r.stages[last].appliedAt = stages[last].hosts.compactMap { host($0)?.updatedAt }.max() ?? stages[last].startedAt
        return r
    }

    mutating func assign(_ names: [String], to stage: Int) {
        let set = Set(names)
        for i in hosts.indices where set.contains(hosts[i].host) {
            hosts[i].stage = stage
            hosts[i].state = .pending
        }
    }

    mutating func update(_ name: String, _ change: (inout RolloutHost) -> Void) throws(RolloutError) {
        guard let i = hosts.firstIndex(where: { $0.host == name }) else { throw .unknownHost(name) }
        change(&hosts[i])
    }
}
