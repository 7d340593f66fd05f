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

    /// Where ssh ControlMaster sockets live. A Unix socket path holds at most 104 bytes on macOS
    /// (108 on Linux); ssh adds `/` and the 40 characters of `%C`, plus 17 while it creates the
    /// socket. A deep state directory therefore falls back to a short per-state directory in /tmp,
    /// and so does one whose path has characters an ssh option cannot carry safely (quotes,
    /// backslashes, control characters; spaces and `%` are fine, see `SSHSettings`).
    public var sshControl: URL {
        let preferred = root.appendingPathComponent("ssh")
        let portable = preferred.path.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || " /._-%+,@=:~".unicodeScalars.contains($0))
        }
        if portable && preferred.path.utf8.count + 58 < 104 { return preferred }
        let tag = Digest.sha256Hex(Data(root.path.utf8)).prefix(12)
        return URL(fileURLWithPath: "/tmp/fleetroll-ssh-\(getuid())-\(tag)")
    }

    /// Creates the root and the ssh control directory. The control directory is private: its
    /// sockets are open logins to hosts. One that exists must be ours, a real directory, and
    /// closed to others (the /tmp fallback has a predictable name).
    public func prepare() throws {
        try createRoot()
        let control = sshControl.path
        if mkdir(control, 0o700) != 0 && errno != EEXIST {
            throw StateDirectoryError.unsafeControlDirectory(control, String(cString: strerror(errno)))
        }
        var st = stat()
        guard lstat(control, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == getuid(), st.st_mode & 0o077 == 0 else {
            throw StateDirectoryError.unsafeControlDirectory(control, "it must be a directory of yours with mode 0700")
        }
    }

    /// Creates the root when it is missing, mode 0700 whatever the umask: it holds vault files,
    /// the audit log and open ssh logins. A root that exists is left as its owner set it.
    public func createRoot() throws {
        var st = stat()
        if stat(root.path, &st) == 0 { return }
        try FileManager.default.createDirectory(at: root.deletingLastPathComponent(), withIntermediateDirectories: true)
        if mkdir(root.path, 0o700) != 0 {
            guard errno == EEXIST else { throw StateDirectoryError.cannotCreate(root.path, String(cString: strerror(errno))) }
            return
        }
        // mkdir's mode passes through the umask; set it outright.
        chmod(root.path, 0o700)
    }

    static func expandTilde(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }
}

public enum StateDirectoryError: Error, CustomStringConvertible {
    case unsafeControlDirectory(String, String)
    case cannotCreate(String, String)

    public var description: String {
        switch self {
        case .unsafeControlDirectory(let path, let why): return "cannot use \(path) for ssh control sockets: \(why)"
        case .cannotCreate(let path, let why): return "cannot create \(path): \(why)"
        }
    }
}

extension StateDirectory {
    /// Changes when a file is added to or removed from the content stores (override files and
    /// vault files and their names), which the report's OVR_BCH and VLT_SHA cells read.
    public func contentStamp() -> [Date] {
        [overrides, vaultYAMLs].map {
            ((try? FileManager.default.attributesOfItem(atPath: $0.path))?[.modificationDate] as? Date) ?? .distantPast
        }
    }
}
