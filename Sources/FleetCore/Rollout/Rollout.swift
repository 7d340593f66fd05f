import Foundation

/// A staged rollout of one override file (and optionally one vault.yaml) to a fixed list of
/// hosts: a canary stage, then batches the operator advances one at a time when the gates pass.
///
/// The value is the whole truth about the rollout: the store keeps it, every command reads it,
/// changes it through a transition (`RolloutTransitions.swift`) and stores it again, per host
/// before and after each write, so a command that dies mid-stage leaves a value the next one
/// resumes from. Contents are never held here, only their SHA-256 (the files are in the
/// content stores).
public struct Rollout: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Created; nothing was written yet.
        case planned
        /// Stages are being applied or assessed.
        case active
        /// A gate failed badly (a puppet run failed) or the operator paused it: no advance until resumed.
        case paused
        /// Rollback started and some hosts are not restored yet (re-run `rollout rollback`).
        case rollingBack = "rolling_back"
        case rolledBack = "rolled_back"
        /// Finalize started and some hosts still have the override (re-run `rollout finalize`).
        case finalizing
        case finalized

        /// A rollout in these states holds its targets: no other rollout may take them.
        public var holdsHosts: Bool { [.active, .paused, .rollingBack, .finalizing].contains(self) }

        /// The state in words, for messages ("rollout is rolled back").
        public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }
    }

    /// Who did something, when, and why.
    public struct Stamp: Codable, Sendable, Equatable {
        public var ts: String
        public var actor: String
        public var reason: String?

        public init(ts: String, actor: String, reason: String? = nil) {
            self.ts = ts; self.actor = actor; self.reason = reason
        }
    }

    public var id: String
    public var name: String
    public var created: Stamp
    public var overrideSHA256: String
    public var vaultSHA256: String?
    /// Where the files came from (`file:PATH`), for the audit lines of the writes.
    public var overrideSource: String?
    public var vaultSource: String?
    /// The hosts, resolved once at creation, in the order stages take them.
    public var targets: [String]
    /// Hosts the operator excluded with `--skip` (never touched).
    public var skipped: [String]
    /// How many targets the first stage takes.
    public var canary: Int
    /// A later stage's default size, in percent of the targets (`--batch-size` overrides it).
    public var batchPct: Int
    public var gates: GateConfig
    public var state: State
    public var stages: [Stage]
    /// One per target, in target order.
    public var hosts: [RolloutHost]
    /// When the operator last resumed it: puppet failures before that were looked at, and do
    /// not pause it again.
    public var resumedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, name, created, targets, skipped, canary, gates, state, stages, hosts
        case overrideSHA256 = "override_sha256", vaultSHA256 = "vault_sha256"
        case overrideSource = "override_source", vaultSource = "vault_source", batchPct = "batch_pct", resumedAt = "resumed_at"
    }
}

/// One stage: the hosts it took and where it stands.
public struct Stage: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Its hosts are being written (or a write was cut off: the next command resumes it).
        case applying
        /// Every host has the files (`applied_at`); the gates decide what comes next.
        case waiting = "waiting_for_assessment"
        /// The next stage was started from it.
        case advanced
        /// A puppet run failed on one of its hosts, or the operator paused the rollout.
        case paused
        case rolledBack = "rolled_back"
        case finalized

        public var words: String { self == .waiting ? "applied, waiting for assessment" : rawValue.replacingOccurrences(of: "_", with: " ") }
    }

    /// 0 is the canary.
    public var index: Int
    public var hosts: [String]
    public var state: State
    public var startedAt: String
    /// When its last host was written: soak time and task counts start here.
    public var appliedAt: String?

    public init(index: Int, hosts: [String], state: State, startedAt: String, appliedAt: String? = nil) {
        self.index = index; self.hosts = hosts; self.state = state; self.startedAt = startedAt; self.appliedAt = appliedAt
    }

    enum CodingKeys: String, CodingKey {
        case index, hosts, state
        case startedAt = "started_at", appliedAt = "applied_at"
    }
}

/// What a host had at a managed path before the rollout first wrote it: nothing (`sha256` nil),
/// or a file whose content is in the content store under this SHA-256.
public struct PriorFile: Codable, Sendable, Equatable {
    public var sha256: String?

    public init(sha256: String?) { self.sha256 = sha256 }

    public static let absent = PriorFile(sha256: nil)

    public var words: String { sha256.map { "file \($0.prefix(12))…" } ?? "none" }
}

/// One target's place in the rollout.
public struct RolloutHost: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Not written yet (in no stage, or in one not applied yet).
        case pending
        /// A write (apply, restore or removal) started and its outcome is not recorded: the
        /// host holds the old file or the new one. The next command writes it again.
        case writing
        /// Has the rollout's files.
        case applied
        /// The last write failed; it is written again when its stage resumes.
        case failed
        /// Rollback gave it back what it had before.
        case restored
        /// Finalize removed the override.
        case finalized
    }

    public var host: String
    /// The stage that took it (nil: none yet).
    public var stage: Int?
    public var state: State
    /// What it had before the rollout's first write (nil: not recorded yet).
    public var previousOverride: PriorFile?
    public var previousVault: PriorFile?
    /// The last write's result (`OK`, `NO_CHANGE`, `FAIL`...) and error.
    public var result: String?
    public var error: String?
    public var updatedAt: String?

    public init(host: String, stage: Int? = nil, state: State = .pending) {
        self.host = host; self.stage = stage; self.state = state
    }

    enum CodingKeys: String, CodingKey {
        case host, stage, state, result, error
        case previousOverride = "previous_override", previousVault = "previous_vault", updatedAt = "updated_at"
    }
}

/// One decision about a rollout, as the store and the audit log keep it.
public struct RolloutEvent: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable {
        case create, start, advance, pause, resume, rollback, finalize
        /// A status (or advance) that found a failed puppet run and paused the rollout itself.
        case autoPause = "auto_pause"
        /// Gates evaluated and recorded without a change of state (status, a refused advance).
        case assess

        /// The audit log's action (`rollout.advance`).
        public var auditAction: String { "rollout." + rawValue }
    }

    public var rolloutID: String
    public var action: Action
    public var ts: String
    public var actor: String
    public var reason: String?
    public var force: Bool
    /// The stage the decision is about (advance: the stage it started).
    public var stage: Int?
    /// The hosts it wrote or is about.
    public var hosts: [String]
    /// The effective gate configuration and every gate's value, when gates were evaluated.
    public var gates: GateConfig?
    public var gateResults: [GateResult]
    /// The state after the decision.
    public var state: Rollout.State
    /// What happened, in one line ("advance refused: gate applied_min_pct 0 < 100").
    public var outcome: String

    public init(rolloutID: String, action: Action, stamp: Rollout.Stamp, force: Bool = false, stage: Int? = nil,
                hosts: [String] = [], gates: GateConfig? = nil, gateResults: [GateResult] = [], state: Rollout.State, outcome: String) {
        self.rolloutID = rolloutID; self.action = action; self.ts = stamp.ts; self.actor = stamp.actor; self.reason = stamp.reason
        self.force = force; self.stage = stage; self.hosts = hosts; self.gates = gates; self.gateResults = gateResults
        self.state = state; self.outcome = outcome
    }

    enum CodingKeys: String, CodingKey {
        case action, ts, actor, reason, force, stage, hosts, gates, state, outcome
        case rolloutID = "rollout_id", gateResults = "gate_results"
    }
}

/// Rollout ids: `ro-<yyyymmdd>-<4 hex>`, short enough to type, sortable by day.
public enum RolloutID {
    public static func make(date: Date, random: UInt16) -> String {
        let day = Timestamp.iso(date).prefix(10).replacingOccurrences(of: "-", with: "")
        let hex = String(random, radix: 16)
        return "ro-\(day)-" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    public static func isValid(_ text: String) -> Bool {
        text.wholeMatch(of: /ro-[0-9]{8}-[0-9a-f]{4}/) != nil
    }
}
