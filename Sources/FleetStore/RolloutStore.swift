import FleetCore
import Foundation
import GRDB

/// One line of `rollout list`.
public struct RolloutSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var state: Rollout.State
    public var created: Rollout.Stamp
    public var targets: Int
    public var applied: Int
    /// The current stage's index and state (nil: not started).
    public var stage: Int?
    public var stageState: Stage.State?
}

public enum RolloutStoreError: Error, CustomStringConvertible, Equatable {
    case duplicateID(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .duplicateID(let id): return "a rollout \(id) already exists"
        case .notFound(let id): return "no rollout \(id) (rollout list shows them)"
        }
    }
}

/// Rollouts in the store: the value, its hosts and its decisions.
///
/// Reads for the report and the web (read-only): `list()`, `rollout(id:)`, `events(id:)` and
/// `memberships()` (which rollout holds each host); each also has a `Database` form for a caller
/// already in a read transaction (`memberships(_:)`).
public struct RolloutStore: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) { self.database = database }

    // MARK: writes

    /// Stores a new rollout and its `create` decision; refuses an id already taken.
    public func create(_ rollout: Rollout, event: RolloutEvent) async throws {
        try await database.writer.write { db in
            if try StoredRollout.exists(db, key: rollout.id) { throw RolloutStoreError.duplicateID(rollout.id) }
            try Self.saveAll(rollout, in: db)
            var e = try StoredRolloutEvent(event)
            try e.insert(db)
        }
    }

    /// Stores the whole value (and a decision with it, in the same transaction).
    public func save(_ rollout: Rollout, event: RolloutEvent? = nil) async throws {
        try await database.writer.write { db in
            guard try StoredRollout.exists(db, key: rollout.id) else { throw RolloutStoreError.notFound(rollout.id) }
            try Self.saveAll(rollout, in: db)
            if let event {
                var e = try StoredRolloutEvent(event)
                try e.insert(db)
            }
        }
    }

    /// Stores the value's own row and one host's row: what changes around each host's write.
    public func save(_ rollout: Rollout, host: String) async throws {
        guard let position = rollout.hosts.firstIndex(where: { $0.host == host }) else { throw RolloutError.unknownHost(host) }
        let row = try StoredRolloutHost(rollout.hosts[position], rollout: rollout.id, position: position)
        let head = try StoredRollout(rollout, updated: rollout.hosts[position].updatedAt ?? rollout.created.ts)
        try await database.writer.write { db in
            try head.save(db)
            try row.save(db)
        }
    }

    /// Records a decision that changed nothing else (an assessment, a refused advance).
    public func record(_ event: RolloutEvent) async throws {
        try await database.writer.write { db in
            var e = try StoredRolloutEvent(event)
            try e.insert(db)
        }
    }

    static func saveAll(_ rollout: Rollout, in db: Database) throws {
        let updated = rollout.hosts.compactMap(\.updatedAt).max() ?? rollout.created.ts
        try StoredRollout(rollout, updated: updated).save(db)
        for (i, h) in rollout.hosts.enumerated() { try StoredRolloutHost(h, rollout: rollout.id, position: i).save(db) }
    }

    // MARK: reads

    /// A rollout with its hosts, in target order.
    public func rollout(id: String) async throws -> Rollout? {
        try await database.writer.read { db in try Self.rollout(id: id, in: db) }
    }

    static func rollout(id: String, in db: Database) throws -> Rollout? {
        guard let text = try String.fetchOne(db, StoredRollout.select(StoredRollout.Columns.data).filter(key: id)) else { return nil }
        var r = try StoredJSON.decode(text, as: Rollout.self)
        let hosts = try String.fetchAll(db, StoredRolloutHost.select(StoredRolloutHost.Columns.data)
            .filter(StoredRolloutHost.Columns.rolloutID == id).order(StoredRolloutHost.Columns.position))
        r.hosts = try hosts.map { try StoredJSON.decode($0, as: RolloutHost.self) }
        return r
    }

    /// Every decision about a rollout, oldest first.
    public func events(id: String) async throws -> [RolloutEvent] {
        try await database.writer.read { db in
            try String.fetchAll(db, StoredRolloutEvent.select(StoredRolloutEvent.Columns.data)
                .filter(StoredRolloutEvent.Columns.rolloutID == id).order(StoredRolloutEvent.Columns.id))
                .map { try StoredJSON.decode($0, as: RolloutEvent.self) }
        }
    }

    /// Every rollout, newest first.
    public func list() async throws -> [RolloutSummary] {
        try await database.writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.data, COUNT(h.host), SUM(CASE WHEN h.state = 'applied' THEN 1 ELSE 0 END)
                FROM rollouts r LEFT JOIN rollout_hosts h ON h.rollout_id = r.id
                GROUP BY r.id ORDER BY r.created_ts DESC, r.id DESC
                """)
            return try rows.map { row in
                let r = try StoredJSON.decode(row[0] as String, as: Rollout.self)
                return RolloutSummary(id: r.id, name: r.name, state: r.state, created: r.created, targets: row[1] ?? 0,
                                      applied: row[2] ?? 0, stage: r.currentStage?.index, stageState: r.currentStage?.state)
            }
        }
    }

    /// Each host held by a rollout (active, paused, rolling back or finalizing): which one, its
    /// stage and its state there.
    public func memberships() async throws -> [String: RolloutMembership] {
        try await database.writer.read { db in try Self.memberships(db) }
    }

    public static func memberships(_ db: Database) throws -> [String: RolloutMembership] {
        let holding = Rollout.State.allCases.filter(\.holdsHosts).map(\.rawValue)
        let rows = try Row.fetchAll(db, sql: """
            SELECT h.host, h.rollout_id, h.stage, h.state, r.state FROM rollout_hosts h JOIN rollouts r ON r.id = h.rollout_id
            WHERE r.state IN (SELECT value FROM json_each(?)) ORDER BY r.created_ts, r.id
            """, arguments: [try ObservationStore.jsonList(holding)])
        var out: [String: RolloutMembership] = [:]
        for row in rows {
            guard let state = RolloutHost.State(rawValue: row[3]), let rolloutState = Rollout.State(rawValue: row[4]) else { continue }
            let host: String = row[0]
            // Policy keeps a host in one such rollout; should two ever claim it, the older one is shown.
            if out[host] == nil { out[host] = RolloutMembership(rolloutID: row[1], stage: row[2], state: state, rolloutState: rolloutState) }
        }
        return out
    }
}
