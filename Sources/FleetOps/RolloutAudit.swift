import FleetCore
import FleetStore
import Foundation

/// One line of audit.jsonl for a rollout decision (`rollout.create`, `rollout.advance`, ...):
/// who, when, why, forced or not, the effective gate configuration and every gate's value.
/// The writes a decision leads to have their own lines, which carry `parameters.rollout_id`.
struct RolloutAuditLine: Encodable {
    var ts: String
    var actor: String
    var action: String
    var rolloutID: String
    var name: String
    /// false: the step was refused (a failed gate, a paused rollout) or did not complete.
    var ok: Bool
    var result: String
    var reason: String?
    var force: Bool
    var stage: Int?
    var hosts: [String]
    var gates: GateConfig?
    var gateResults: [GateResult]
    var state: String
    var outcome: String
    var overrideSHA256: String
    var vaultSHA256: String?

    init(_ event: RolloutEvent, rollout: Rollout, ok: Bool) {
        ts = event.ts; actor = event.actor; action = event.action.auditAction; rolloutID = event.rolloutID
        name = rollout.name; self.ok = ok; result = ok ? "OK" : "REFUSED"; reason = event.reason; force = event.force
        stage = event.stage; hosts = event.hosts; gates = event.gates; gateResults = event.gateResults
        state = event.state.rawValue; outcome = event.outcome
        overrideSHA256 = rollout.overrideSHA256; vaultSHA256 = rollout.vaultSHA256
    }

    enum CodingKeys: String, CodingKey {
        case ts, actor, action, name, ok, result, reason, force, stage, hosts, gates, state, outcome
        case rolloutID = "rollout_id", gateResults = "gate_results"
        case overrideSHA256 = "override_sha256", vaultSHA256 = "vault_sha256"
    }
}
