import FleetCore
import Foundation

/// What the views show of rollouts (the web's list and rollout page, the live view's header),
/// built from the stored values by `RolloutReader`. Encoded as `/api/rollouts` answers it:
/// snake_case keys, an unknown value left out.

/// Where a rollout stands: stage `number` of `of`.
public struct RolloutStagePosition: Codable, Sendable, Equatable {
    /// From 1: the canary is stage 1 of n (the CLI's stage index plus one).
    public var number: Int
    /// Stages so far plus those the targets in no stage yet need at the default batch size
    /// (`batch_pct`); for a rollout that is over, the stages it had.
    public var of: Int
    public var state: Stage.State

    public init(number: Int, of: Int, state: Stage.State) { self.number = number; self.of = of; self.state = state }
}

/// One decision, in short: who, when, what.
public struct RolloutDecision: Codable, Sendable, Equatable {
    public var action: RolloutEvent.Action
    public var ts: String
    public var actor: String
    public var force: Bool
    public var reason: String?
    public var outcome: String

    public init(_ e: RolloutEvent) {
        action = e.action; ts = e.ts; actor = e.actor; force = e.force; reason = e.reason; outcome = e.outcome
    }
}

/// One line of the rollouts list.
public struct RolloutListItem: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var state: Rollout.State
    /// nil before start.
    public var stage: RolloutStagePosition?
    /// Targets that have the rollout's files now, of all targets.
    public var hostsApplied: Int
    public var hostsTotal: Int
    public var createdBy: String
    public var createdAt: String
    public var lastDecision: RolloutDecision?

    enum CodingKeys: String, CodingKey {
        case id, name, state, stage
        case hostsApplied = "hosts_applied", hostsTotal = "hosts_total", createdBy = "created_by", createdAt = "created_at"
        case lastDecision = "last_decision"
    }

    /// `applied`: how many targets have the files (nil: count them in `r.hosts`, which a list
    /// read leaves empty).
    public init(_ r: Rollout, applied: Int? = nil, latest: RolloutEvent?) {
        id = r.id; name = r.name; state = r.state; stage = RolloutReport.position(r)
        hostsApplied = applied ?? r.appliedHosts.count; hostsTotal = r.targets.count
        createdBy = r.created.actor; createdAt = r.created.ts; lastDecision = latest.map(RolloutDecision.init)
    }

    /// Whether it holds its targets (active, paused, rolling back, finalizing): what headers name.
    public var isActive: Bool { state.holdsHosts }

    /// `stage 2/4 paused`: the rollout's state when it is not simply active, else its stage's.
    public var stageWords: String {
        guard let stage else { return state.words }
        let state = self.state == .active ? RolloutReport.shortWords(stage.state) : self.state.words
        return "stage \(stage.number)/\(stage.of) \(state)"
    }

    /// `rollout ro-20261202-ab12: stage 2/4 paused`, for a header.
    public var headline: String { "rollout \(id): \(stageWords)" }

    /// `ro-20261202-ab12 2/4 paused`, for a header with little room.
    public var compactHeadline: String {
        guard let stage else { return "\(id) \(state.words)" }
        return "\(id) \(stage.number)/\(stage.of) \(state == .active ? RolloutReport.shortWords(stage.state) : state.words)"
    }
}

/// A rollout's page: the plan, every stage with its hosts and the last gate evaluation about
/// it, the targets no stage took yet, and every decision.
public struct RolloutPage: Codable, Sendable, Equatable {
    public var summary: RolloutListItem
    public var overrideSHA256: String
    public var vaultSHA256: String?
    public var overrideSource: String?
    public var canary: Int
    public var batchPct: Int
    /// The gate configuration in force.
    public var gates: GateConfig
    public var skipped: [String]
    public var stages: [StageReport]
    /// Targets in no stage yet, in the order stages take them.
    public var unstaged: [String]
    /// Oldest first.
    public var events: [EventReport]

    enum CodingKeys: String, CodingKey {
        case summary, canary, gates, skipped, stages, unstaged, events
        case overrideSHA256 = "override_sha256", vaultSHA256 = "vault_sha256", overrideSource = "override_source", batchPct = "batch_pct"
    }

    public struct StageReport: Codable, Sendable, Equatable {
        /// The CLI's stage index (0: the canary).
        public var index: Int
        public var state: Stage.State
        public var startedAt: String
        public var appliedAt: String?
        public var hosts: [HostReport]
        /// The last decision that judged this stage's gates (nil: none did yet).
        public var gates: GateEvaluation?

        enum CodingKeys: String, CodingKey {
            case index, state, hosts, gates
            case startedAt = "started_at", appliedAt = "applied_at"
        }
    }

    public struct HostReport: Codable, Sendable, Equatable {
        public var host: String
        public var state: RolloutHost.State
        /// The last write's result (`OK`, `NO_CHANGE`, `FAIL`...) and error.
        public var result: String?
        public var error: String?
        public var updatedAt: String?
        public var verdict: CellVerdict

        enum CodingKeys: String, CodingKey {
            case host, state, result, error, verdict
            case updatedAt = "updated_at"
        }
    }

    public struct GateEvaluation: Codable, Sendable, Equatable {
        public var ts: String
        public var actor: String
        public var action: RolloutEvent.Action
        public var results: [GateReport]
    }

    public struct GateReport: Codable, Sendable, Equatable {
        public var key: String
        /// What was measured (nil: nothing could be; the explanation says why).
        public var value: Double?
        public var threshold: Double
        public var passed: Bool
        public var explanation: String
        public var verdict: CellVerdict

        public init(_ g: GateResult) {
            key = g.key; value = g.value; threshold = g.threshold; passed = g.passed; explanation = g.explanation
            verdict = CellVerdict.of(gate: g)
        }
    }

    public struct EventReport: Codable, Sendable, Equatable {
        public var ts: String
        public var actor: String
        public var action: RolloutEvent.Action
        public var force: Bool
        public var reason: String?
        /// The stage index the decision is about (an advance: the one it started).
        public var stage: Int?
        public var hosts: [String]
        /// The state after the decision.
        public var state: Rollout.State
        public var outcome: String
        public var gateResults: [GateReport]

        enum CodingKeys: String, CodingKey {
            case ts, actor, action, force, reason, stage, hosts, state, outcome
            case gateResults = "gate_results"
        }

        init(_ e: RolloutEvent) {
            ts = e.ts; actor = e.actor; action = e.action; force = e.force; reason = e.reason; stage = e.stage
            hosts = e.hosts; state = e.state; outcome = e.outcome; gateResults = e.gateResults.map(GateReport.init)
        }
    }

    public init(_ r: Rollout, events: [RolloutEvent]) {
        summary = RolloutListItem(r, latest: events.last)
        overrideSHA256 = r.overrideSHA256; vaultSHA256 = r.vaultSHA256; overrideSource = r.overrideSource
        canary = r.canary; batchPct = r.batchPct; gates = r.gates; skipped = r.skipped; unstaged = r.unstaged
        self.events = events.map(EventReport.init)
        var judged: [Int: GateEvaluation] = [:]
        for e in events where !e.gateResults.isEmpty {
            guard let stage = RolloutReport.judgedStage(e) else { continue }
            judged[stage] = GateEvaluation(ts: e.ts, actor: e.actor, action: e.action, results: e.gateResults.map(GateReport.init))
        }
        stages = r.stages.map { s in
            StageReport(index: s.index, state: s.state, startedAt: s.startedAt, appliedAt: s.appliedAt, hosts: s.hosts.map { name in
                let h = r.host(name) ?? RolloutHost(host: name, stage: s.index)
                return HostReport(host: h.host, state: h.state, result: h.result, error: h.error, updatedAt: h.updatedAt,
                                  verdict: CellVerdict.of(rolloutHost: h.state))
            }, gates: judged[s.index])
        }
    }
}

/// The rules the values above are made by.
public enum RolloutReport {
    /// Stage k of n (see `RolloutStagePosition`); nil before start. From the stages alone (they
    /// take disjoint hosts), so a rollout read without its hosts has it too.
    public static func position(_ r: Rollout) -> RolloutStagePosition? {
        guard let current = r.currentStage else { return nil }
        var of = r.stages.count
        if [.active, .paused].contains(r.state) {
            let batch = r.nextBatchSize(nil)
            let unstaged = max(0, r.targets.count - r.stages.reduce(0) { $0 + $1.hosts.count })
            of += (unstaged + batch - 1) / batch
        }
        return RolloutStagePosition(number: current.index + 1, of: of, state: current.state)
    }

    /// The stage whose gates a decision judged: an advance that started a stage (it names the
    /// hosts it took) judged the one before; any other decision (a refused advance, an
    /// assessment, a pause on a failed run) judged the stage it names.
    public static func judgedStage(_ e: RolloutEvent) -> Int? {
        guard let stage = e.stage else { return nil }
        if e.action == .advance && !e.hosts.isEmpty { return stage > 0 ? stage - 1 : nil }
        return stage
    }

    /// A stage's state in one word, for a header.
    public static func shortWords(_ s: Stage.State) -> String {
        s == .waiting ? "waiting" : s.words
    }
}

extension CellVerdict {
    /// A gate: passed good, failed act; a gate turned off (threshold 0) says nothing.
    public static func of(gate: GateResult) -> CellVerdict {
        gate.threshold == 0 ? .neutral : gate.passed ? .good : .act
    }

    /// A rollout's state: active good, paused act (an operator must look), winding down watch.
    public static func of(rollout state: Rollout.State) -> CellVerdict {
        switch state {
        case .active, .finalized: return .good
        case .paused: return .act
        case .rollingBack, .finalizing, .rolledBack: return .watch
        case .planned: return .neutral
        }
    }

    /// A host's place in a rollout: has the files good, a failed write act, one in flight watch.
    public static func of(rolloutHost state: RolloutHost.State) -> CellVerdict {
        switch state {
        case .applied: return .good
        case .failed: return .act
        case .writing: return .watch
        case .pending, .restored, .finalized: return .neutral
        }
    }
}
