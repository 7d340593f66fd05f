import FleetCore
import Foundation
import TOMLKit

/// `<state>/config.toml`: settings that would otherwise be repeated on every command line.
///
/// ```toml
/// [taskcluster]
/// root_url = "https://firefox-ci-tc.services.mozilla.com"
/// concurrency = 4                      # pools scanned at once
/// [taskcluster.pools]                  # role = "provisioner/workerType", adds to or replaces the built-in table
/// gecko_t_linux_2404_talos = "releng-hardware/gecko-t-linux-talos-2404"
/// [github]
/// api_url = "https://api.github.com"
/// api_token = "ghp_..."                # GITHUB_TOKEN or GH_TOKEN win over this
/// [ssh]
/// options = ["-J bastion"]             # like repeated --ssh-option
/// connect_timeout = 10
/// timeout = 10
/// [gather]
/// workers = 10
/// batch_timeout = 600
/// ```
public struct FleetConfig: Sendable, Equatable {
    public var taskclusterRootURL: String?
    public var taskclusterConcurrency: Int?
    public var pools: [String: WorkerPool] = [:]
    public var githubAPIURL: String?
    public var githubToken: String?
    public var sshOptions: [String] = []
    public var connectTimeout: Int?
    public var timeout: Double?
    public var workers: Int?
    public var batchTimeout: Double?
    /// `[filters] directory`: more named filters (a team's shared checkout, say).
    public var filtersDirectory: String?

    public init() {}

    /// Reads the file; a missing file is an empty configuration. Every problem names the file and key.
    public static func load(path: String) throws(ConfigError) -> FleetConfig {
        guard FileManager.default.fileExists(atPath: path) else { return FleetConfig() }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError(file: path, key: nil, message: "cannot read the file") }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> FleetConfig {
        let root: TOMLTable
        do { root = try TOMLTable(string: text) } catch {
            throw ConfigError(file: file, key: nil, message: "not valid TOML: \(error)")
        }
        var c = FleetConfig()
        let reader = Reader(file: file)
        try reader.onlyKeys(root, ["taskcluster", "github", "ssh", "gather", "filters"], in: nil)
        if let tc = try reader.table(root, "taskcluster", in: nil) {
            try reader.onlyKeys(tc, ["root_url", "concurrency", "pools"], in: "taskcluster")
            c.taskclusterRootURL = try reader.url(tc, "root_url", in: "taskcluster")
            c.taskclusterConcurrency = try reader.int(tc, "concurrency", in: "taskcluster", range: 1...64)
            if let pools = try reader.table(tc, "pools", in: "taskcluster") {
                for (role, value) in pools {
                    guard let text = value.string, let pool = WorkerPool(text) else {
                        throw ConfigError(file: file, key: "taskcluster.pools.\(role)", message: "expected \"provisioner/workerType\"")
                    }
                    c.pools[role] = pool
                }
            }
        }
        if let gh = try reader.table(root, "github", in: nil) {
            try reader.onlyKeys(gh, ["api_url", "api_token"], in: "github")
            c.githubAPIURL = try reader.url(gh, "api_url", in: "github")
            c.githubToken = try reader.string(gh, "api_token", in: "github")
        }
        if let ssh = try reader.table(root, "ssh", in: nil) {
            try reader.onlyKeys(ssh, ["options", "connect_timeout", "timeout"], in: "ssh")
            if let value = ssh["options"] {
                guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
                    throw ConfigError(file: file, key: "ssh.options", message: "expected a list of strings")
                }
                c.sshOptions = array.compactMap(\.string)
            }
            c.connectTimeout = try reader.int(ssh, "connect_timeout", in: "ssh", range: 1...3600)
            c.timeout = try reader.int(ssh, "timeout", in: "ssh", range: 1...86400).map(Double.init)
        }
        if let g = try reader.table(root, "gather", in: nil) {
            try reader.onlyKeys(g, ["workers", "batch_timeout"], in: "gather")
            c.workers = try reader.int(g, "workers", in: "gather", range: 1...1000)
            c.batchTimeout = try reader.int(g, "batch_timeout", in: "gather", range: 1...86400).map(Double.init)
        }
        if let f = try reader.table(root, "filters", in: nil) {
            try reader.onlyKeys(f, ["directory"], in: "filters")
            c.filtersDirectory = try reader.string(f, "directory", in: "filters").map { ($0 as NSString).expandingTildeInPath }
        }
        return c
    }

    /// The effective settings as one JSON-ready object (`config show --json`), the token masked.
    public func describeObject(tokenSource: String?) -> [String: Any] {
        let table = PoolTable.builtIn.merging(pools)
        return [
            "taskcluster": [
                "root_url": taskclusterRootURL ?? "https://firefox-ci-tc.services.mozilla.com",
                "concurrency": taskclusterConcurrency ?? 4,
                "pools": Dictionary(uniqueKeysWithValues: table.entries.map { ($0.key, $0.value.description) }),
                "pools_from_config": pools.keys.sorted(),
            ] as [String: Any],
            "github": [
                "api_url": githubAPIURL ?? "https://api.github.com",
                "api_token": tokenSource == nil ? NSNull() : "****", "api_token_source": tokenSource as Any? ?? NSNull(),
            ] as [String: Any],
            "ssh": ["options": sshOptions, "connect_timeout": connectTimeout ?? 10, "timeout": Int(timeout ?? 10)] as [String: Any],
            "gather": ["workers": workers ?? 10, "batch_timeout": Int(batchTimeout ?? 600)],
            "filters": ["directory": filtersDirectory as Any? ?? NSNull()],
        ]
    }

    /// The effective settings as TOML-like lines, the token masked.
    public func describe(tokenSource: String?) -> [String] {
        func q(_ s: String) -> String { "\"\(s)\"" }
        var lines = ["[taskcluster]"]
        lines.append("root_url = \(q(taskclusterRootURL ?? "https://firefox-ci-tc.services.mozilla.com"))")
        lines.append("concurrency = \(taskclusterConcurrency ?? 4)")
        lines += ["", "[taskcluster.pools]"]
        let table = PoolTable.builtIn.merging(pools)
        for role in table.entries.keys.sorted() {
            lines.append("\(role) = \(q(table.entries[role]!.description))\(pools[role] != nil ? "   # from config" : "")")
        }
        lines += ["", "[github]", "api_url = \(q(githubAPIURL ?? "https://api.github.com"))"]
        lines.append("api_token = \(tokenSource.map { q("****") + "   # from \($0)" } ?? "(none)")")
        lines += ["", "[ssh]", "options = [\(sshOptions.map(q).joined(separator: ", "))]"]
        lines.append("connect_timeout = \(connectTimeout ?? 10)")
        lines.append("timeout = \(Int(timeout ?? 10))")
        lines += ["", "[gather]", "workers = \(workers ?? 10)", "batch_timeout = \(Int(batchTimeout ?? 600))"]
        lines += ["", "[filters]", "directory = \(filtersDirectory.map(q) ?? "(none)")"]
        return lines
    }
}

public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var key: String?
    public var message: String

    public var description: String {
        key.map { "\(file): \($0): \(message)" } ?? "\(file): \(message)"
    }
}

/// Typed reads that name the key on failure.
private struct Reader {
    let file: String

    func path(_ key: String, _ section: String?) -> String { section.map { "\($0).\(key)" } ?? key }

    func onlyKeys(_ t: TOMLTable, _ allowed: [String], in section: String?) throws(ConfigError) {
        for key in t.keys where !allowed.contains(key) {
            throw ConfigError(file: file, key: path(key, section), message: "unknown key (known: \(allowed.joined(separator: ", ")))")
        }
    }

    func table(_ t: TOMLTable, _ key: String, in section: String?) throws(ConfigError) -> TOMLTable? {
        guard let v = t[key] else { return nil }
        guard let table = v.table else { throw ConfigError(file: file, key: path(key, section), message: "expected a table") }
        return table
    }

    func string(_ t: TOMLTable, _ key: String, in section: String?) throws(ConfigError) -> String? {
        guard let v = t[key] else { return nil }
        guard let s = v.string else { throw ConfigError(file: file, key: path(key, section), message: "expected a string") }
        return s
    }

    func url(_ t: TOMLTable, _ key: String, in section: String?) throws(ConfigError) -> String? {
        guard let s = try string(t, key, in: section) else { return nil }
        guard s.hasPrefix("http://") || s.hasPrefix("https://"), URL(string: s)?.host != nil else {
            throw ConfigError(file: file, key: path(key, section), message: "expected an http:// or https:// URL, got \"\(s)\"")
        }
        return s
    }

    func int(_ t: TOMLTable, _ key: String, in section: String?, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let v = t[key] else { return nil }
        guard let i = v.int, range.contains(i) else {
            throw ConfigError(file: file, key: path(key, section), message: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return i
    }
}
