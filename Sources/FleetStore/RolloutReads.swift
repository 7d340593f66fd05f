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

    /// Every rollout with its hosts, newest first, and each one's latest decision.
    public func everyRollout() async throws -> [(rollout: Rollout, latest: RolloutEvent?)] {
        try await database.writer.read { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM rollouts ORDER BY created_ts DESC, id DESC")
            let latest = try Row.fetchAll(db, sql: """
                SELECT rollout_id, data FROM rollout_events WHERE id IN (SELECT MAX(id) FROM rollout_events GROUP BY rollout_id)
                """)
            var events: [String: RolloutEvent] = [:]
            for row in latest { events[row[0]] = try StoredJSON.decode(row[1] as String, as: RolloutEvent.self) }
            return try ids.compactMap { id in try Self.rollout(id: id, in: db).map { ($0, events[id]) } }
        }
    }
}
