/// Why a gather of one host failed. Reports show it, so an unreachable host never passes for one
/// whose older data is still current.
public enum ErrorClass: String, Codable, Sendable, CaseIterable {
    /// Nothing answered: connection refused, no route, name not resolved, connection reset.
    case unreachable
    /// Something answered but not within the time allowed.
    case timeout
    /// ssh could not log in: key refused, host key rejected.
    case auth
    /// Logged in, but `sudo -n` failed, so the privileged files could not be read.
    case sudo
    /// The audit output stopped before its end marker, or content did not match its SHA-256.
    case truncated
    /// The remote command itself failed (non-zero exit that is not ssh's own 255).
    case remote
    /// Any other ssh failure.
    case ssh
    /// fleetroll could not run ssh at all.
    case local
    /// The host sent more than fleetroll accepts (`HostLimits`): a file or value over its size
    /// limit, a role that is not one word, or a flood of output. None of it is kept.
    case oversized
    /// fleetroll stopped the session itself (Ctrl-C, a cancelled batch) before the host answered:
    /// nothing was learned, so such a gather is never stored.
    case interrupted
}

/// Metadata of a file on a host. Values are kept as strings, as the old records had them; the
/// mode is always four octal digits (`0644`) on every OS.
public struct FileMeta: Codable, Equatable, Sendable {
    public var mode: String?
    public var owner: String?
    public var group: String?
    public var size: String?
    public var mtimeEpoch: String?

    public init(mode: String? = nil, owner: String? = nil, group: String? = nil, size: String? = nil, mtimeEpoch: String? = nil) {
        self.mode = mode; self.owner = owner; self.group = group; self.size = size; self.mtimeEpoch = mtimeEpoch
    }

    enum CodingKeys: String, CodingKey {
        case mode, owner, group, size
        case mtimeEpoch = "mtime_epoch"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode)
        try c.encode(owner, forKey: .owner)
        try c.encode(group, forKey: .group)
        try c.encode(size, forKey: .size)
        try c.encode(mtimeEpoch, forKey: .mtimeEpoch)
    }
}

/// What a successful gather saw on a host. The JSON keys are the old tool's `observed` keys, so
/// `jq '.observed.role'` and friends keep working; keys the old tool did not have are added.
public struct ObservedState: Codable, Equatable, Sendable {
    public var osType: String?
    public var remoteHostname: String?
    public var uptimeS: Int?
    public var rolePresent = false
    public var role: String?
    public var overridePresent = false
    public var overrideMeta: FileMeta?
    public var overrideSHA256: String?
    public var overrideFilePath: String?
    /// Why a fetched content was not kept (it did not match its SHA-256, or could not be stored).
    public var contentError: String?
    public var vaultPresent = false
    public var vaultMeta: FileMeta?
    public var vaultSHA256: String?
    public var vaultFilePath: String?
    public var vaultFetchError: String?
    public var puppet = PuppetState()
    /// What is at each managed path (nil in records older than these fields). Only a regular
    /// file is read: for anything else (a symbolic link above all) nothing is read or stored.
    public var roleKind: HostFileKind?
    public var overrideKind: HostFileKind?
    public var vaultKind: HostFileKind?
    public var puppetStateKind: HostFileKind?
    /// Why the puppet state file that is there could not be used (not JSON, wrong types, a link).
    public var puppetStateError: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case osType = "os_type", remoteHostname = "remote_hostname", uptimeS = "uptime_s"
        case rolePresent = "role_present", role
        case overridePresent = "override_present", overrideMeta = "override_meta"
        case overrideSHA256 = "override_sha256", overrideFilePath = "override_file_path", contentError = "content_error"
        case vaultPresent = "vault_present", vaultMeta = "vault_meta", vaultSHA256 = "vault_sha256"
        case vaultFilePath = "vault_file_path", vaultFetchError = "vault_fetch_error"
        case puppetStateTS = "puppet_state_ts", puppetLastRunEpoch = "puppet_last_run_epoch"
        case puppetSuccess = "puppet_success", puppetExitCode = "puppet_exit_code"
        case puppetDurationS = "puppet_duration_s", puppetRole = "puppet_role"
        case puppetGitRepo = "puppet_git_repo", puppetGitBranch = "puppet_git_branch"
        case puppetGitSHA = "puppet_git_sha", puppetGitDirty = "puppet_git_dirty"
        case puppetOverrideSHAApplied = "puppet_override_sha_applied"
        case puppetVaultSHAApplied = "puppet_vault_sha_applied"
        case roleKind = "role_kind", overrideKind = "override_kind", vaultKind = "vault_kind"
        case puppetStateKind = "puppet_state_kind", puppetStateError = "puppet_state_error"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        osType = try c.decodeIfPresent(String.self, forKey: .osType)
        remoteHostname = try c.decodeIfPresent(String.self, forKey: .remoteHostname)
        uptimeS = try c.decodeIfPresent(Int.self, forKey: .uptimeS)
        rolePresent = try c.decodeIfPresent(Bool.self, forKey: .rolePresent) ?? false
        role = try c.decodeIfPresent(String.self, forKey: .role)
        overridePresent = try c.decodeIfPresent(Bool.self, forKey: .overridePresent) ?? false
        overrideMeta = try c.decodeIfPresent(FileMeta.self, forKey: .overrideMeta)
        overrideSHA256 = try c.decodeIfPresent(String.self, forKey: .overrideSHA256)
        overrideFilePath = try c.decodeIfPresent(String.self, forKey: .overrideFilePath)
        contentError = try c.decodeIfPresent(String.self, forKey: .contentError)
        vaultPresent = try c.decodeIfPresent(Bool.self, forKey: .vaultPresent) ?? false
        vaultMeta = try c.decodeIfPresent(FileMeta.self, forKey: .vaultMeta)
        vaultSHA256 = try c.decodeIfPresent(String.self, forKey: .vaultSHA256)
        vaultFilePath = try c.decodeIfPresent(String.self, forKey: .vaultFilePath)
        vaultFetchError = try c.decodeIfPresent(String.self, forKey: .vaultFetchError)
        puppet.ts = try c.decodeIfPresent(String.self, forKey: .puppetStateTS)
        puppet.lastRunEpoch = try c.decodeIfPresent(Int.self, forKey: .puppetLastRunEpoch)
        puppet.success = try c.decodeIfPresent(Bool.self, forKey: .puppetSuccess)
        puppet.exitCode = try c.decodeIfPresent(Int.self, forKey: .puppetExitCode)
        puppet.durationS = try c.decodeIfPresent(Int.self, forKey: .puppetDurationS)
        puppet.role = try c.decodeIfPresent(String.self, forKey: .puppetRole)
        puppet.gitRepo = try c.decodeIfPresent(String.self, forKey: .puppetGitRepo)
        puppet.gitBranch = try c.decodeIfPresent(String.self, forKey: .puppetGitBranch)
        puppet.gitSHA = try c.decodeIfPresent(String.self, forKey: .puppetGitSHA)
        puppet.gitDirty = try c.decodeIfPresent(Bool.self, forKey: .puppetGitDirty)
        puppet.overrideSHA = try c.decodeIfPresent(String.self, forKey: .puppetOverrideSHAApplied)
        puppet.vaultSHA = try c.decodeIfPresent(String.self, forKey: .puppetVaultSHAApplied)
        roleKind = try? c.decodeIfPresent(HostFileKind.self, forKey: .roleKind)
        overrideKind = try? c.decodeIfPresent(HostFileKind.self, forKey: .overrideKind)
        vaultKind = try? c.decodeIfPresent(HostFileKind.self, forKey: .vaultKind)
        puppetStateKind = try? c.decodeIfPresent(HostFileKind.self, forKey: .puppetStateKind)
        puppetStateError = try c.decodeIfPresent(String.self, forKey: .puppetStateError)
    }

    /// Every key is written, with `null` for unknown values, as the old records had them.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(osType, forKey: .osType)
        try c.encode(remoteHostname, forKey: .remoteHostname)
        try c.encode(uptimeS, forKey: .uptimeS)
        try c.encode(rolePresent, forKey: .rolePresent)
        try c.encode(role, forKey: .role)
        try c.encode(overridePresent, forKey: .overridePresent)
        try c.encode(overrideMeta, forKey: .overrideMeta)
        try c.encode(overrideSHA256, forKey: .overrideSHA256)
        try c.encode(overrideFilePath, forKey: .overrideFilePath)
        try c.encode(contentError, forKey: .contentError)
        try c.encode(vaultPresent, forKey: .vaultPresent)
        try c.encode(vaultMeta, forKey: .vaultMeta)
        try c.encode(vaultSHA256, forKey: .vaultSHA256)
        try c.encode(vaultFilePath, forKey: .vaultFilePath)
        try c.encode(vaultFetchError, forKey: .vaultFetchError)
        try c.encode(puppet.ts, forKey: .puppetStateTS)
        try c.encode(puppet.lastRunEpoch, forKey: .puppetLastRunEpoch)
        try c.encode(puppet.success, forKey: .puppetSuccess)
        try c.encode(puppet.exitCode, forKey: .puppetExitCode)
        try c.encode(puppet.durationS, forKey: .puppetDurationS)
        try c.encode(puppet.role, forKey: .puppetRole)
        try c.encode(puppet.gitRepo, forKey: .puppetGitRepo)
        try c.encode(puppet.gitBranch, forKey: .puppetGitBranch)
        try c.encode(puppet.gitSHA, forKey: .puppetGitSHA)
        try c.encode(puppet.gitDirty, forKey: .puppetGitDirty)
        try c.encode(puppet.overrideSHA, forKey: .puppetOverrideSHAApplied)
        try c.encode(puppet.vaultSHA, forKey: .puppetVaultSHAApplied)
        try c.encode(roleKind, forKey: .roleKind)
        try c.encode(overrideKind, forKey: .overrideKind)
        try c.encode(vaultKind, forKey: .vaultKind)
        try c.encode(puppetStateKind, forKey: .puppetStateKind)
        try c.encode(puppetStateError, forKey: .puppetStateError)
    }
}

/// One gather of one host, successful or not: the `host.audit` record that is stored and that
/// `--json` prints. Failures are records too, with their error class.
public struct HostObservation: Codable, Equatable, Sendable {
    public var ts: String
    public var actor: String
    public var action = "host.audit"
    public var host: String
    public var ok: Bool
    public var sshRC: Int?
    public var stderr: String
    public var error: String?
    public var errorClass: ErrorClass?
    public var attempts: Int
    public var durationS: Double
    public var observed: ObservedState?

    public init(ts: String, actor: String, host: String, ok: Bool, sshRC: Int?, stderr: String,
                error: String? = nil, errorClass: ErrorClass? = nil, attempts: Int = 1,
                durationS: Double = 0, observed: ObservedState? = nil) {
        self.ts = ts; self.actor = actor; self.host = host; self.ok = ok; self.sshRC = sshRC
        self.stderr = stderr; self.error = error; self.errorClass = errorClass; self.attempts = attempts
        self.durationS = durationS; self.observed = observed
    }

    enum CodingKeys: String, CodingKey {
        case ts, actor, action, host, ok, stderr, error, attempts, observed
        case sshRC = "ssh_rc", errorClass = "error_class", durationS = "duration_s"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ts, forKey: .ts)
        try c.encode(actor, forKey: .actor)
        try c.encode(action, forKey: .action)
        try c.encode(host, forKey: .host)
        try c.encode(ok, forKey: .ok)
        try c.encode(sshRC, forKey: .sshRC)
        try c.encode(stderr, forKey: .stderr)
        try c.encode(error, forKey: .error)
        try c.encode(errorClass, forKey: .errorClass)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(durationS, forKey: .durationS)
        try c.encode(observed, forKey: .observed)
    }
}
