/// How a puppet run ended on one host.
public enum PuppetRunStatus: String, Codable, Sendable, CaseIterable {
    /// Puppet exited 0 (no changes) or 2 (changes applied).
    case ok = "OK"
    case fail = "FAIL"
    /// Ctrl-C ended the run while it was going.
    case interrupted = "INTERRUPTED"
    /// Ctrl-C came (or the audit log failed) before the host was started: nothing ran there.
    case notStarted = "NOT_STARTED"
}

/// Why a run failed. Transport failures use the gather classes' names (`unreachable`, `auth`,
/// `ssh`, `local`); the rest are a run's own.
public enum PuppetRunErrorClass: String, Codable, Sendable, CaseIterable {
    /// The wrapper ran and exited with a code other than 0 or 2.
    case puppet
    /// `sudo -n` failed on the host: nothing ran.
    case sudo
    /// The wrapper is not on the host (or not executable): nothing ran.
    case missingWrapper = "missing_wrapper"
    /// The run went past `--timeout` and was ended, on the host too.
    case timeout
    case unreachable
    case auth
    case ssh
    /// fleetroll could not run ssh at all.
    case local
    /// The session ended without the run's exit status (the connection dropped mid-run).
    case noStatus = "no_status"
    case interrupted

    /// The class of a transport failure, from the gather classifier's verdict.
    public init(transport: ErrorClass) {
        switch transport {
        case .unreachable: self = .unreachable
        case .timeout: self = .timeout
        case .auth: self = .auth
        case .local: self = .local
        case .interrupted: self = .interrupted
        case .sudo: self = .sudo
        default: self = .ssh
        }
    }
}

/// What a run showed. Field names are the old tool's (`puppet_exit`, `changes_applied`,
/// `duration_s`), so existing jq filters keep working.
public struct PuppetRunObserved: Codable, Equatable, Sendable {
    /// The wrapper's exit status; nil when it did not finish by itself (never ran, timed out, cut).
    public var puppetExit: Int?
    public var changesApplied: Bool
    public var durationS: Double
    /// Bytes of output the host sent (the raw output is never in the audit log).
    public var outputBytes: Int
    /// Where the last part of the output is kept, under the state directory.
    public var outputLog: String?

    public init(puppetExit: Int? = nil, changesApplied: Bool = false, durationS: Double = 0, outputBytes: Int = 0, outputLog: String? = nil) {
        self.puppetExit = puppetExit; self.changesApplied = changesApplied; self.durationS = durationS
        self.outputBytes = outputBytes; self.outputLog = outputLog
    }

    enum CodingKeys: String, CodingKey {
        case puppetExit = "puppet_exit", changesApplied = "changes_applied", durationS = "duration_s"
        case outputBytes = "output_bytes", outputLog = "output_log"
    }

    /// `puppet_exit` is written as null when unknown, as the old tool did.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(puppetExit, forKey: .puppetExit)
        try c.encode(changesApplied, forKey: .changesApplied)
        try c.encode(durationS, forKey: .durationS)
        try c.encode(outputBytes, forKey: .outputBytes)
        try c.encodeIfPresent(outputLog, forKey: .outputLog)
    }
}

public struct PuppetRunParameters: Codable, Equatable, Sendable {
    public var reason: String?
    /// The per-host limit, in seconds.
    public var timeoutS: Double

    public init(reason: String?, timeoutS: Double) {
        self.reason = reason; self.timeoutS = timeoutS
    }

    enum CodingKeys: String, CodingKey {
        case reason, timeoutS = "timeout_s"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reason, forKey: .reason)
        try c.encode(timeoutS, forKey: .timeoutS)
    }
}

/// One `host.run_puppet` line of `audit.jsonl`: one host, one run, whatever its outcome (a
/// transport failure and a host Ctrl-C kept from starting included). Never the raw output.
public struct PuppetRunRecord: Codable, Equatable, Sendable {
    public static let action = "host.run_puppet"

    public var ts: String
    public var actor: String
    public var action: String
    public var host: String
    public var ok: Bool
    public var result: PuppetRunStatus
    /// ssh's exit status; nil when ssh never ran.
    public var sshRC: Int?
    /// ssh's own messages (the host's output goes through the terminal, not here).
    public var stderr: String
    public var error: String?
    public var errorClass: PuppetRunErrorClass?
    public var observed: PuppetRunObserved
    public var parameters: PuppetRunParameters
    /// The same id as the host's `STARTED` line, when it had one.
    public var runID: String?

    public init(ts: String, actor: String, host: String, result: PuppetRunStatus, sshRC: Int?, stderr: String,
                error: String?, errorClass: PuppetRunErrorClass?, observed: PuppetRunObserved,
                parameters: PuppetRunParameters, runID: String?) {
        self.ts = ts; self.actor = actor; self.action = Self.action; self.host = host
        self.ok = result == .ok; self.result = result; self.sshRC = sshRC; self.stderr = stderr
        self.error = error; self.errorClass = errorClass; self.observed = observed
        self.parameters = parameters; self.runID = runID
    }

    enum CodingKeys: String, CodingKey {
        case ts, actor, action, host, ok, result, stderr, error, observed, parameters
        case sshRC = "ssh_rc", errorClass = "error_class", runID = "run_id"
    }

    /// `ssh_rc`, `error` and `error_class` are written as null when absent, as the old tool's
    /// records had them.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ts, forKey: .ts)
        try c.encode(actor, forKey: .actor)
        try c.encode(action, forKey: .action)
        try c.encode(host, forKey: .host)
        try c.encode(ok, forKey: .ok)
        try c.encode(result, forKey: .result)
        try c.encode(sshRC, forKey: .sshRC)
        try c.encode(stderr, forKey: .stderr)
        try c.encode(error, forKey: .error)
        try c.encode(errorClass, forKey: .errorClass)
        try c.encode(observed, forKey: .observed)
        try c.encode(parameters, forKey: .parameters)
        try c.encodeIfPresent(runID, forKey: .runID)
    }
}

extension StartedLine where Parameters == PuppetRunParameters {
    /// A puppet run's `STARTED` line: on disk before fleetroll contacts the host, so a fleetroll
    /// killed during a long run still leaves a record that the host may have run puppet.
    public init(ts: String, actor: String, host: String, runID: String, parameters: PuppetRunParameters) {
        self.init(ts: ts, actor: actor, action: PuppetRunRecord.action, host: host, idKey: "run_id", id: runID, parameters: parameters)
    }
}
