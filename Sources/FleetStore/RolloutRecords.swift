import FleetCore
import Foundation
import GRDB

/// The tables of the "v7-rollouts" migration. Written once; later changes are new migrations.
enum RolloutSchema {
    static func create(_ db: Database) throws {
        // One row per rollout: what the queries need as columns, the whole value (without its
        // hosts, which have their own rows) as JSON.
        try db.create(table: "rollouts") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("state", .text).notNull()
            t.column("created_ts", .text).notNull()
            t.column("created_actor", .text).notNull()
            t.column("override_sha256", .text).notNull()
            t.column("vault_sha256", .text)
            t.column("current_stage", .integer)
            t.column("updated_ts", .text).notNull()
            t.column("data", .text).notNull()
        }
        // One row per target: its stage, state and what it had before, stored before and after
        // each write to it, so an interrupted command loses nothing.
        try db.create(table: "rollout_hosts") { t in
            t.column("rollout_id", .text).notNull().references("rollouts", onDelete: .cascade)
            t.column("host", .text).notNull()
            t.column("position", .integer).notNull()
            t.column("stage", .integer)
            t.column("state", .text).notNull()
            t.column("previous_override_sha256", .text)
            t.column("previous_vault_sha256", .text)
            t.column("updated_ts", .text)
            t.column("data", .text).notNull()
            t.primaryKey(["rollout_id", "host"])
        }
        try db.create(index: "rollout_hosts_by_host", on: "rollout_hosts", columns: ["host"])
        // Every decision: who, when, why, forced or not, and what the gates said.
        try db.create(table: "rollout_events") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("rollout_id", .text).notNull().references("rollouts", onDelete: .cascade)
            t.column("ts", .text).notNull()
            t.column("action", .text).notNull()
            t.column("actor", .text).notNull()
            t.column("force", .boolean).notNull()
            t.column("reason", .text)
            t.column("stage", .integer)
            t.column("data", .text).notNull()
        }
        try db.create(index: "rollout_events_by_rollout", on: "rollout_events", columns: ["rollout_id", "id"])
    }
}

/// `rollouts`: one rollout, its hosts apart.
struct StoredRollout: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "rollouts"
    var id: String
    var name: String
    var state: String
    var createdTS: String
    var createdActor: String
    var overrideSHA256: String
    var vaultSHA256: String?
    var currentStage: Int?
    var updatedTS: String
    var data: String

    enum CodingKeys: String, CodingKey {
        case id, name, state, data
        case createdTS = "created_ts", createdActor = "created_actor", overrideSHA256 = "override_sha256"
        case vaultSHA256 = "vault_sha256", currentStage = "current_stage", updatedTS = "updated_ts"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let state = Column(CodingKeys.state)
        static let createdTS = Column(CodingKeys.createdTS)
        static let data = Column(CodingKeys.data)
    }

    init(_ r: Rollout, updated: String) throws {
        var shell = r
        shell.hosts = []
        id = r.id; name = r.name; state = r.state.rawValue; createdTS = r.created.ts; createdActor = r.created.actor
        overrideSHA256 = r.overrideSHA256; vaultSHA256 = r.vaultSHA256; currentStage = r.currentStage?.index
        updatedTS = updated; data = try StoredJSON.string(shell)
    }
}

/// `rollout_hosts`: one target of a rollout.
struct StoredRolloutHost: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "rollout_hosts"
    var rolloutID: String
    var host: String
    var position: Int
    var stage: Int?
    var state: String
    var previousOverrideSHA256: String?
    var previousVaultSHA256: String?
    var updatedTS: String?
    var data: String

    enum CodingKeys: String, CodingKey {
        case host, position, stage, state, data
        case rolloutID = "rollout_id", previousOverrideSHA256 = "previous_override_sha256"
        case previousVaultSHA256 = "previous_vault_sha256", updatedTS = "updated_ts"
    }

    enum Columns {
        static let rolloutID = Column(CodingKeys.rolloutID)
        static let host = Column(CodingKeys.host)
        static let position = Column(CodingKeys.position)
        static let stage = Column(CodingKeys.stage)
        static let state = Column(CodingKeys.state)
        static let data = Column(CodingKeys.data)
    }

    init(_ h: RolloutHost, rollout: String, position: Int) throws {
        rolloutID = rollout; host = h.host; self.position = position; stage = h.stage; state = h.state.rawValue
        previousOverrideSHA256 = h.previousOverride?.sha256; previousVaultSHA256 = h.previousVault?.sha256
        updatedTS = h.updatedAt; data = try StoredJSON.string(h)
    }
}

/// `rollout_events`: one decision.
struct StoredRolloutEvent: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "rollout_events"
    var id: Int64?
    var rolloutID: String
    var ts: String
    var action: String
    var actor: String
    var force: Bool
    var reason: String?
    var stage: Int?
    var data: String

    enum CodingKeys: String, CodingKey {
        case id, ts, action, actor, force, reason, stage, data
        case rolloutID = "rollout_id"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let rolloutID = Column(CodingKeys.rolloutID)
        static let data = Column(CodingKeys.data)
    }

    init(_ e: RolloutEvent) throws {
        rolloutID = e.rolloutID; ts = e.ts; action = e.action.rawValue; actor = e.actor; force = e.force
        reason = e.reason; stage = e.stage; data = try StoredJSON.string(e)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
