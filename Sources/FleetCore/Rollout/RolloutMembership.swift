import Foundation

/// A host's place in a rollout that holds it (active, paused, rolling back or finalizing).
public struct RolloutMembership: Sendable, Equatable {
    public var rolloutID: String
    /// nil: a target no stage has taken yet.
    public var stage: Int?
    public var state: RolloutHost.State
    /// The rollout's own state.
    public var rolloutState: Rollout.State

    public init(rolloutID: String, stage: Int?, state: RolloutHost.State, rolloutState: Rollout.State) {
        self.rolloutID = rolloutID; self.stage = stage; self.state = state; self.rolloutState = rolloutState
    }

    /// The ROLLOUT cell: the rollout's id and the host's stage index (0: the canary), `-` for a
    /// target no stage has taken yet: `ro-20261202-ab12:0`.
    public var cell: String { "\(rolloutID):\(stage.map(String.init) ?? "-")" }
}
