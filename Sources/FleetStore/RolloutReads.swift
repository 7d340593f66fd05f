import FleetCore
import Foundation
import GRDB

/// Numbers that change whenever a rollout, a decision or a host's place in a rollout that holds
/// hosts is stored, so a live view can poll for rollout news as cheaply as for observations.
public struct RolloutStamp: Equatable, Sendable {
    /// The newest decision: every change of a rollout's state comes with one.
    public var events: Int64
    public var rollouts: Int
    public var rolloutsUpdated: String?
    /// Hosts of rollouts that hold hosts: their count, newest update and a position-weighted sum
    /// of their states (a host going from writing to applied in the same second as it started
    /// changes no timestamp, but changes this sum).
    public var hosts: Int
    public var hostsUpdated: String?
    public var hostStates: Int64

    public init(events: Int64 = 0, rollouts: Int = 0, rolloutsUpdated: String? = nil, hosts: Int = 0,
                hostsUpdated: String? = nil, hostStates: Int64 = 0) {
        self.events = events; self.rollouts = rollouts; self.rolloutsUpdated = rolloutsUpdated
        self.hosts = hosts; self.hostsUpdated = hostsUpdated; self.hostStates = hostStates
    }
}

/// Whole reads for the read model (FleetReport), each in one read transaction.
extension RolloutStore {
    /// The rollout tables' change stamp: a few index lookups, and one scan of the hosts of the
    /// rollouts still holding hosts (finished ones change only with a decision).
    public func stamp() async throws -> RolloutStamp {
        let holding = try ObservationStore.jsonList(Rollout.State.allCases.filter(\.holdsHosts).map(\.rawValue))
        let weights = RolloutHost.State.allCases.enumerated().map { "WHEN '\($1.rawValue)' THEN \($0 + 1)" }.joined(separator: " ")
        return try await database.writer.read { db in
            let head = try Row.fetchOne(db, sql: """
                SELECT (SELECT COALESCE(MAX(id), 0) FROM rollout_events), (SELECT COUNT(*) FROM rollouts),
                       (SELECT MAX(updated_ts) FROM rollouts)
                """)!
            let hosts = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), MAX(updated_ts), COALESCE(SUM((CASE state \(weights) ELSE 0 END) * (position + 1)), 0)
                FROM rollout_hosts WHERE rollout_id IN (SELECT id FROM rollouts WHERE state IN (SELECT value FROM json_each(?)))
                """, arguments: [holding])!
            return RolloutStamp(events: head[0], rollouts: head[1], rolloutsUpdated: head[2],
                                hosts: hosts[0], hostsUpdated: hosts[1], hostStates: hosts[2])
        }
    }

    /// Every rollout without its hosts (`hosts` empty: a 10,000-host rollout is not decoded for
    /// a list), how many of its targets have the files, and its latest decision; newest first.
    public func everyRollout() async throws -> [(rollout: Rollout, applied: Int, latest: RolloutEvent?)] {
        try await database.writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.id, r.data, (SELECT COUNT(*) FROM rollout_hosts h WHERE h.rollout_id = r.id AND h.state = 'applied'),
                       (SELECT e.data FROM rollout_events e WHERE e.rollout_id = r.id ORDER BY e.id DESC LIMIT 1)
                FROM rollouts r ORDER BY r.created_ts DESC, r.id DESC
                """)
            return try rows.map { row in
                let latest = try (row[3] as String?).map { try StoredJSON.decode($0, as: RolloutEvent.self) }
                return (try StoredJSON.decode(row[1] as String, as: Rollout.self), row[2] as Int, latest)
            }
        }
    }
}
