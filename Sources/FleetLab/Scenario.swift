import Foundation
import Yams

/// A lab fleet described in YAML: one entry per fake host.
///
/// ```yaml
/// hosts:
///   - name: t-linux64-ms-001.test.releng.mdc1.mozilla.com
///     os: linux                 # linux | macos
///     role: gecko_t_linux_talos
///     uptime: 259200            # seconds
///     override: |               # the override file (ronin_settings); omit for none
///       PUPPET_BRANCH="master"
///     vault: |                  # vault.yaml; omit for none
///       secret: x
///     puppet_state:             # written as last_run_metadata.json (schema_version 1)
///       git_sha: 48ab8fa4...
///     puppet_state_raw: "..."   # or the file's exact text (for broken files)
///     fault: none               # none | down | hang | sudo-broken | slow
///     slow_seconds: 5           # with fault: slow
///     files:                    # any other files, by absolute path
///       /opt/puppetlabs/puppet/cache/state/last_run_summary.yaml: "..."
///     large_files:              # files of N bytes ('a'), by absolute path
///       /etc/puppet_role: 52428800
///     links:                    # symbolic links, by absolute path: path -> target
///       /etc/puppet/ronin_settings: /etc/shadow
///     special_files:            # fifo | directory | device (a character device like /dev/zero)
///       /root/vault.yaml: fifo
///     tools:                    # programs put first on PATH (/usr/local/bin), by name
///       uname: |
///         #!/bin/sh
///         printf 'Linux\033]0;pwned\007\n'
/// ```
public struct Scenario: Codable, Sendable, Equatable {
    public var hosts: [ScenarioHost]
    /// The fake Taskcluster's settings (see `TaskclusterScenario`).
    public var taskcluster: TaskclusterScenario?
    /// The fake GitHub's repositories and settings (see `GitHubScenario`). A branch head written
    /// `@name` is the SHA of the lab commit `name`.
    public var github: GitHubScenario?
    /// Commits of the lab's ronin_puppet repository, one branch each (`master` is always made).
    public var commits: [String]?

    public init(hosts: [ScenarioHost], taskcluster: TaskclusterScenario? = nil, github: GitHubScenario? = nil, commits: [String]? = nil) {
        self.hosts = hosts
        self.taskcluster = taskcluster
        self.github = github
        self.commits = commits
    }

    /// Every lab commit name the scenario uses.
    public var commitNames: [String] {
        Array(Set(["master"] + (commits ?? []) + hosts.compactMap { $0.puppetRun?.commit })).sorted()
    }

    public static func load(path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LabError.scenario("cannot read \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    public static func parse(_ yaml: String, source: String = "scenario") throws -> Scenario {
        let scenario: Scenario
        do { scenario = try YAMLDecoder().decode(Scenario.self, from: yaml) } catch {
            throw LabError.scenario("\(source): \(error)")
        }
        try scenario.validate(source: source)
        return scenario
    }

    public func yaml() throws -> String { try YAMLEncoder().encode(self) }

    func validate(source: String) throws {
        if hosts.isEmpty { throw LabError.scenario("\(source): no hosts") }
        if hosts.count > 250 { throw LabError.scenario("\(source): at most 250 hosts per lab") }
        var seen = Set<String>()
        for h in hosts {
            guard !h.name.isEmpty, h.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }),
                  !h.name.hasPrefix("-") else {
                throw LabError.scenario("\(source): '\(h.name)' is not a usable host name")
            }
            if !seen.insert(h.name).inserted { throw LabError.scenario("\(source): \(h.name) is listed twice") }
            for path in h.extraPaths where HostDirectory.mountedPath(for: path) == nil || path.contains("/../") {
                throw LabError.scenario("\(source): \(h.name): file \(path) is not under /etc, /root, /opt, /var/root or /home")
            }
            for name in (h.tools ?? [:]).keys where name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) {
                throw LabError.scenario("\(source): \(h.name): '\(name)' is not a usable tool name")
            }
            if h.puppetRun != nil && (h.puppetState != nil || h.puppetStateRaw != nil) {
                throw LabError.scenario("\(source): \(h.name) has both puppet_run and puppet_state")
            }
            if h.fault == .slow && (h.slowSeconds ?? 0) <= 0 {
                throw LabError.scenario("\(source): \(h.name) has fault slow but no slow_seconds")
            }
        }
    }
}

/// What a `special_files` entry is.
public enum SpecialFile: String, Codable, Sendable {
    case fifo, directory, device
}

public enum LabOS: String, Codable, Sendable {
    case linux, macos
}

public enum LabFault: String, Codable, Sendable {
    /// A healthy host.
    case none
    /// Nothing listens on its address: connections are refused.
    case down
    /// sshd is stopped (SIGSTOP): the kernel accepts the TCP connection, nothing ever answers.
    case hang
    /// The login user has no sudo rights, so `sudo -n` fails.
    case sudoBroken = "sudo-broken"
    /// Every login waits `slow_seconds` before the shell starts.
    case slow
}

public struct ScenarioHost: Codable, Sendable, Equatable {
    public var name: String
    public var os: LabOS = .linux
    public var role: String?
    public var uptime: Int = 86400
    public var override: String?
    public var vault: String?
    public var puppetState: [String: ScalarValue]?
    public var puppetStateRaw: String?
    public var fault: LabFault = .none
    public var slowSeconds: Int?
    /// Any other files the host holds, by absolute path (under /etc, /root, /opt, /var/root or /home).
    public var files: [String: String]?
    /// The host's Taskcluster worker; omit for a host Taskcluster does not know.
    public var worker: WorkerScenario?
    /// A real puppet-wrapper run that writes the state file (instead of `puppet_state`).
    public var puppetRun: PuppetRunScenario?
    /// Files of this many bytes, by absolute path (a flood the host could send).
    public var largeFiles: [String: Int]?
    /// Symbolic links, by absolute path, to the target given (which need not exist).
    public var links: [String: String]?
    /// Things that are not regular files, by absolute path: `fifo`, `directory` or `device`.
    public var specialFiles: [String: SpecialFile]?
    /// Programs that come first on the host's PATH (`/usr/local/bin`, also under sudo), by name:
    /// hostile or slow stand-ins for `uname`, `sudo`, `mv`...
    public var tools: [String: String]?

    public init(name: String, os: LabOS = .linux) {
        self.name = name
        self.os = os
    }

    enum CodingKeys: String, CodingKey {
        case name, os, role, uptime, override, vault, fault, files, worker
        case puppetState = "puppet_state", puppetStateRaw = "puppet_state_raw", slowSeconds = "slow_seconds", puppetRun = "puppet_run"
        case largeFiles = "large_files", links, specialFiles = "special_files", tools
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        os = try c.decodeIfPresent(LabOS.self, forKey: .os) ?? .linux
        role = try c.decodeIfPresent(String.self, forKey: .role)
        uptime = try c.decodeIfPresent(Int.self, forKey: .uptime) ?? 86400
        override = try c.decodeIfPresent(String.self, forKey: .override)
        vault = try c.decodeIfPresent(String.self, forKey: .vault)
        puppetState = try c.decodeIfPresent([String: ScalarValue].self, forKey: .puppetState)
        puppetStateRaw = try c.decodeIfPresent(String.self, forKey: .puppetStateRaw)
        fault = try c.decodeIfPresent(LabFault.self, forKey: .fault) ?? .none
        slowSeconds = try c.decodeIfPresent(Int.self, forKey: .slowSeconds)
        files = try c.decodeIfPresent([String: String].self, forKey: .files)
        worker = try c.decodeIfPresent(WorkerScenario.self, forKey: .worker)
        puppetRun = try c.decodeIfPresent(PuppetRunScenario.self, forKey: .puppetRun)
        largeFiles = try c.decodeIfPresent([String: Int].self, forKey: .largeFiles)
        links = try c.decodeIfPresent([String: String].self, forKey: .links)
        specialFiles = try c.decodeIfPresent([String: SpecialFile].self, forKey: .specialFiles)
        tools = try c.decodeIfPresent([String: String].self, forKey: .tools)
    }

    /// Every path the host gets besides its standard files.
    var extraPaths: [String] {
        Array((files ?? [:]).keys) + Array((largeFiles ?? [:]).keys) + Array((links ?? [:]).keys) + Array((specialFiles ?? [:]).keys)
    }

    /// The text of last_run_metadata.json this host holds, if any: the raw text, or the
    /// mapping written with the schema's key order.
    public var puppetStateFile: String? {
        if let raw = puppetStateRaw { return raw }
        guard let state = puppetState else { return nil }
        let order = ["schema_version", "ts", "duration_s", "success", "exit_code", "role", "git_repo", "git_branch",
                     "git_sha", "git_dirty", "vault_path", "vault_sha", "override_path", "override_sha"]
        let keys = order.filter { state[$0] != nil } + state.keys.filter { !order.contains($0) }.sorted()
        let body = keys.map { "  \(ScalarValue.string($0).json): \(state[$0]!.json)" }.joined(separator: ",\n")
        return "{\n\(body)\n}\n"
    }
}

/// A YAML scalar kept with its type, so `success: true` stays a JSON boolean.
public enum ScalarValue: Codable, Sendable, Equatable {
    case null, bool(Bool), int(Int), string(String)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }

    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .string(let s):
            let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }
}

public enum LabError: Error, CustomStringConvertible {
    case scenario(String)
    case setup(String)
    case notRoot
    case noLab(String)

    public var description: String {
        switch self {
        case .scenario(let m): return "scenario: \(m)"
        case .setup(let m): return m
        case .notRoot: return "the lab needs root: it starts sshd processes in private mount namespaces (run as root, or with sudo)"
        case .noLab(let d): return "no lab in \(d) (no lab.json)"
        }
    }
}
