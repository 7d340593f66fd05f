import FleetCore
import Foundation

/// The one place that knows where fleetroll keeps its state.
///
/// The root is `--state-dir`, else `$FLEETROLL_HOME`, else `~/.fleetroll`. Everything else is
/// derived from it, so a test or a second team member's checkout can keep a whole separate state.
///
/// `~/.fleetroll` is the Python fleetroll's directory too, and both tools may use it during a
/// switch. So ours is `store.db` and the Python tool's `fleetroll.db` is only ever read (by the
/// import); the audit log and the content stores have one format and are shared:
///
///     store.db (-wal, -shm)     this fleetroll's database
///     fleetroll.db              the Python fleetroll's database (read only, by import-python)
///     notes.jsonl               the Python fleetroll's notes (imported; ours live in store.db)
///     audit.jsonl               the audit log both tools append to
///     overrides/, vault_yamls/  contents by SHA-256 prefix, shared
///     config.toml, filters/, filter_history, monitor.log, ssh/
///     puppet_runs/              the end of each host's latest host-run-puppet output
///     rollouts.lock             held by the rollout command that is running (`RolloutLock`)
public struct StateDirectory: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> StateDirectory {
        if let explicit, !explicit.isEmpty { return StateDirectory(root: URL(fileURLWithPath: expandTilde(explicit))) }
        if let env = environment["FLEETROLL_HOME"], !env.isEmpty { return StateDirectory(root: URL(fileURLWithPath: expandTilde(env))) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return StateDirectory(root: URL(fileURLWithPath: home).appendingPathComponent(".fleetroll"))
    }

    /// This fleetroll's database.
    public var database: URL { root.appendingPathComponent("store.db") }
    /// The Python fleetroll's database, which earlier versions of this tool also used for theirs.
    public var pythonDatabase: URL { root.appendingPathComponent("fleetroll.db") }
    /// The Python fleetroll's notes when it was not run from a source checkout.
    public var pythonNotes: URL { root.appendingPathComponent("notes.jsonl") }
    public var auditLog: URL { root.appendingPathComponent("audit.jsonl") }
    public var overrides: URL { root.appendingPathComponent("overrides") }
    public var vaultYAMLs: URL { root.appendingPathComponent("vault_yamls") }
    public var config: URL { root.appendingPathComponent("config.toml") }
    /// The last part of each host's latest host-run-puppet output (`PuppetRunLogs`).
    public var puppetRuns: URL { root.appendingPathComponent("puppet_runs") }

    /// Override files seen on hosts, by SHA-256 (readable: they hold no secrets).
    public var overrideStore: ContentStore { ContentStore(directory: overrides, fileMode: 0o644) }
    /// vault.yaml files, by SHA-256: secrets, so 0600 in a 0700 directory.
    public var vaultStore: ContentStore { ContentStore(directory: vaultYAMLs, fileMode: 0o600) }

    /// Either tool's database is here: ours, or one that opening ours imports or moves.
    public var hasDatabase: Bool {
        [database, pythonDatabase].contains { FileManager.default.fileExists(atPath: $0.path) }
    }

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
        if stat(root.path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw StateDirectoryError.cannotCreate(root.path, "it is a file, not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(at: root.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw StateDirectoryError.cannotCreate(root.path, ErrorText.describe(error))
        }
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
    case lock(String, String)
    case legacyStoreInUse(String)
    case legacyStoreMove(String, String)

    public var description: String {
        switch self {
        case .unsafeControlDirectory(let path, let why): return "cannot use \(path) for ssh control sockets: \(why)"
        case .cannotCreate(let path, let why): return "cannot use \(path) as the state directory: \(why)"
        case .lock(let path, let why): return "cannot lock \(path): \(why)"
        case .legacyStoreInUse(let path):
            return "\(path) holds this fleetroll's store from an earlier version and is moving to store.db, but another process (an older fleetroll?) has it open: stop it and run the command again"
        case .legacyStoreMove(let path, let why): return "cannot move the earlier store \(path) to store.db: \(why)"
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
