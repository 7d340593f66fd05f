/// How a write ended on one host.
public enum WriteStatus: String, Codable, Sendable, CaseIterable {
    /// The file was written (or removed).
    case ok = "OK"
    /// The host already had this content (or, for a removal, no file): nothing changed.
    case noChange = "NO_CHANGE"
    /// A different override is on the host and --force was not given.
    case blocked = "BLOCKED"
    case fail = "FAIL"
    /// Ctrl-C ended the host's session; what the host holds is unknown until the next gather.
    case interrupted = "INTERRUPTED"
    /// The session ended before the host answered, and reading the file back failed too: the
    /// host has the old file or the new one (never a partial one), fleetroll cannot tell which.
    case unknown = "UNKNOWN"
    /// Ctrl-C came before the host was started: it was not touched.
    case notStarted = "NOT_STARTED"

    public var succeeded: Bool { self == .ok || self == .noChange }
}

/// What a write saw on the host.
public struct WriteObserved: Codable, Equatable, Sendable {
    public var contentChanged: Bool?
    public var removed: Bool?
    public var backupPath: String?
    public var existingSHA256: String?
    public var backupsPruned: Int?
    /// What was at the path before (`file`, `missing`, `symlink`...), from scripts that say.
    public var existingKind: String?
    /// When the session ended before the host answered: what reading the file back showed.
    public var verification: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case contentChanged = "content_changed", removed, backupPath = "backup_path"
        case existingSHA256 = "existing_sha256", backupsPruned = "backups_pruned"
        case existingKind = "existing_kind", verification
    }
}

/// What was asked for. Field names are the old tool's, so existing jq filters keep working.
public struct WriteParameters: Codable, Equatable, Sendable {
    public var source: String?
    public var sha256: String?
    public var humanhash: String?
    public var mode: String?
    public var owner: String?
    public var group: String?
    public var backup: Bool
    public var backupSuffix: String
    public var reason: String?
    public var force: Bool
    /// host.set_vault only: the local copy in the vault store, once a host accepted the file.
    public var storedPath: String?
    /// A rollout's write (apply, rollback or finalize): its id and the stage the host is in.
    public var rolloutID: String?
    public var rolloutStage: Int?

    public init(backup: Bool, backupSuffix: String, reason: String?, force: Bool) {
        self.backup = backup; self.backupSuffix = backupSuffix; self.reason = reason; self.force = force
    }

    enum CodingKeys: String, CodingKey {
        case source, sha256, humanhash, mode, owner, group, backup, reason, force
        case backupSuffix = "backup_suffix", storedPath = "stored_path"
        case rolloutID = "rollout_id", rolloutStage = "rollout_stage"
    }
}

/// One line of `audit.jsonl`: one host, one write. It never holds file contents.
public struct WriteRecord: Codable, Equatable, Sendable {
    public var ts: String
    public var actor: String
    /// `host.set_override`, `host.unset_override` or `host.set_vault`.
    public var action: String
    public var host: String
    public var ok: Bool
    public var result: WriteStatus
    public var sshRC: Int?
    public var stderr: String
    public var error: String?
    public var errorClass: ErrorClass?
    public var durationS: Double
    public var observed: WriteObserved
    public var parameters: WriteParameters
    /// The same id as the host's `STARTED` line (`StartedLine`), which came before this one.
    public var writeID: String?

    public init(ts: String, actor: String, action: String, host: String, result: WriteStatus, sshRC: Int?,
                stderr: String, error: String?, errorClass: ErrorClass?, durationS: Double,
                observed: WriteObserved, parameters: WriteParameters, writeID: String? = nil) {
        self.ts = ts; self.actor = actor; self.action = action; self.host = host
        self.ok = result.succeeded; self.result = result; self.sshRC = sshRC; self.stderr = stderr
        self.error = error; self.errorClass = errorClass; self.durationS = durationS
        self.observed = observed; self.parameters = parameters; self.writeID = writeID
    }

    enum CodingKeys: String, CodingKey {
        case ts, actor, action, host, ok, result, stderr, error, observed, parameters
        case sshRC = "ssh_rc", errorClass = "error_class", durationS = "duration_s", writeID = "write_id"
    }
}

/// The `STARTED` line of `audit.jsonl`: appended (and on disk) before fleetroll contacts a host to
/// change it or run puppet there, so that a fleetroll killed before the outcome still leaves a
/// line saying the host may have changed. The outcome line that follows carries the same id
/// (`write_id` for a write, `run_id` for a puppet run); a `STARTED` line without one means the
/// outcome was never seen (gather-host tells what the host holds).
public struct StartedLine<Parameters: Encodable & Sendable>: Encodable, Sendable {
    public var ts: String
    public var actor: String
    public var action: String
    public var host: String
    /// The id's key (`write_id`, `run_id`) and value.
    public var idKey: String
    public var id: String
    public var parameters: Parameters

    public init(ts: String, actor: String, action: String, host: String, idKey: String, id: String, parameters: Parameters) {
        self.ts = ts; self.actor = actor; self.action = action; self.host = host
        self.idKey = idKey; self.id = id; self.parameters = parameters
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// `ok` is null: a started write or run has not succeeded or failed yet.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(ts, forKey: Key("ts"))
        try c.encode(actor, forKey: Key("actor"))
        try c.encode(action, forKey: Key("action"))
        try c.encode(host, forKey: Key("host"))
        try c.encodeNil(forKey: Key("ok"))
        try c.encode("STARTED", forKey: Key("result"))
        try c.encode(id, forKey: Key(idKey))
        try c.encode(parameters, forKey: Key("parameters"))
    }
}

extension StartedLine where Parameters == WriteParameters {
    /// A write's `STARTED` line.
    public init(ts: String, actor: String, action: String, host: String, writeID: String, parameters: WriteParameters) {
        self.init(ts: ts, actor: actor, action: action, host: host, idKey: "write_id", id: writeID, parameters: parameters)
    }
}
