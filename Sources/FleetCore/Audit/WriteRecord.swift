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

    public init() {}

    enum CodingKeys: String, CodingKey {
        case contentChanged = "content_changed", removed, backupPath = "backup_path"
        case existingSHA256 = "existing_sha256", backupsPruned = "backups_pruned"
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

    public init(backup: Bool, backupSuffix: String, reason: String?, force: Bool) {
        self.backup = backup; self.backupSuffix = backupSuffix; self.reason = reason; self.force = force
    }

    enum CodingKeys: String, CodingKey {
        case source, sha256, humanhash, mode, owner, group, backup, reason, force
        case backupSuffix = "backup_suffix", storedPath = "stored_path"
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

    public init(ts: String, actor: String, action: String, host: String, result: WriteStatus, sshRC: Int?,
                stderr: String, error: String?, errorClass: ErrorClass?, durationS: Double,
                observed: WriteObserved, parameters: WriteParameters) {
        self.ts = ts; self.actor = actor; self.action = action; self.host = host
        self.ok = result.succeeded; self.result = result; self.sshRC = sshRC; self.stderr = stderr
        self.error = error; self.errorClass = errorClass; self.durationS = durationS
        self.observed = observed; self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey {
        case ts, actor, action, host, ok, result, stderr, error, observed, parameters
        case sshRC = "ssh_rc", errorClass = "error_class", durationS = "duration_s"
    }
}
