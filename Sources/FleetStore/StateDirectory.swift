import FleetCore
import Foundation

/// The one place that knows where fleetroll keeps its state.
///
/// The root is `--state-dir`, else `$FLEETROLL_HOME`, else `~/.fleetroll`. Everything else is
/// derived from it, so a test or a second team member's checkout can keep a whole separate state.
public struct StateDirectory: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> StateDirectory {
        if let explicit, !explicit.isEmpty { return StateDirectory(root: URL(fileURLWithPath: expandTilde(explicit))) }
        if let env = environment["FLEETROLL_HOME"], !env.isEmpty { return StateDirectory(root: URL(fileURLWithPath: expandTilde(env))) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return StateDirectory(root: URL(fileURLWithPath: home).appendingPathComponent(".fleetroll"))
    }

    public var database: URL { root.appendingPathComponent("fleetroll.db") }
    public var auditLog: URL { root.appendingPathComponent("audit.jsonl") }
    public var overrides: URL { root.appendingPathComponent("overrides") }
    public var vaultYAMLs: URL { root.appendingPathComponent("vault_yamls") }
    public var config: URL { root.appendingPathComponent("config.toml") }

    /// Where ssh ControlMaster sockets live. A Unix socket path is limited to about 104 bytes and
    /// `%C` adds 40, so a deep state directory falls back to a short per-state directory in /tmp.
    public var sshControl: URL {
        let preferred = root.appendingPathComponent("ssh")
        if preferred.path.utf8.count + 42 <= 100 { return preferred }
        let tag = Digest.sha256Hex(Data(root.path.utf8)).prefix(12)
        return URL(fileURLWithPath: "/tmp/fleetroll-ssh-\(getuid())-\(tag)")
    }

    /// Creates the root and the ssh control directory (private: sockets grant access to hosts).
    public func prepare() throws {
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        try fm.createDirectory(at: sshControl, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    static func expandTilde(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }
}
