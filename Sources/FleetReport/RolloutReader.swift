import FleetCore
import FleetStore
import Foundation

/// Reads rollouts from the store for the views (which never read the store themselves).
public struct RolloutReader: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) { self.database = database }

    /// Every rollout, newest first.
    public func list() async throws -> [RolloutListItem] {
        try await RolloutStore(database: database).everyRollout().map { RolloutListItem($0.rollout, applied: $0.applied, latest: $0.latest) }
    }

    /// One rollout's page; nil when the store has no rollout of that id.
    public func page(id: String) async throws -> RolloutPage? {
        let store = RolloutStore(database: database)
        guard let rollout = try await store.rollout(id: id) else { return nil }
        return RolloutPage(rollout, events: try await store.events(id: id))
    }

    /// The rollout holding each host (the ROLLOUT cells).
    public func memberships() async throws -> [String: RolloutMembership] {
        try await RolloutStore(database: database).memberships()
    }

    /// Changes whenever anything a rollout view shows was stored.
    func stamp() async throws -> RolloutStamp { try await RolloutStore(database: database).stamp() }
}
