import Foundation

/// What a running lab is made of, kept in `<lab dir>/lab.json` so `down` and `status` can find
/// every process it started.
public struct LabState: Codable, Sendable {
    public var directory: String
    /// The /24 of loopback addresses this lab owns, e.g. `127.77.3`.
    public var subnet: String
    public var port: Int
    public var user: String
    public var hosts: [LabHostState]
    /// The fake Taskcluster and GitHub server, when the lab runs one.
    public var servicesPID: Int32?
    public var servicesURL: String?
    /// SHAs of the lab ronin_puppet repository's commits, by name.
    public var commits: [String: String]?

    public var sshConfigPath: String { directory + "/ssh_config" }
    /// A fleetroll config.toml pointing at the lab's services: copy it to `<state>/config.toml`.
    public var configPath: String { directory + "/fleetroll-config.toml" }

    /// Where a file a lab host sees at `path` (under /etc, /root, /opt, /var/root or /home)
    /// lives on this machine, for checking from outside what the host holds.
    public func fileOnHost(_ host: String, _ path: String) -> String? {
        guard let (dir, rest) = HostDirectory.mountedPath(for: path) else { return nil }
        return "\(directory)/hosts/\(host)/\(dir)/\(rest)"
    }

    /// The command lines of every process running on a lab host (found by its mount namespace),
    /// for checking from outside what a host is still doing.
    public func processes(onHost name: String) -> [(pid: pid_t, command: String)] {
        guard let ns = hosts.first(where: { $0.name == name })?.mountNamespace else { return [] }
        return Lab.processes(inMountNamespace: ns).compactMap { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            return (pid, String(decoding: raw, as: UTF8.self).split(separator: "\0").joined(separator: " "))
        }
    }

    /// The group id `wheel` has on the lab's macOS hosts.
    public static let wheelGID = HostDirectory.wheelGID
    public var hostListPath: String { directory + "/hosts.list" }

    public static func load(directory: String) throws -> LabState {
        guard let data = FileManager.default.contents(atPath: directory + "/lab.json") else { throw LabError.noLab(directory) }
        return try JSONDecoder().decode(LabState.self, from: data)
    }

    func save() throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try e.encode(self).write(to: URL(fileURLWithPath: directory + "/lab.json"), options: .atomic)
    }
}

public struct LabHostState: Codable, Sendable {
    public var name: String
    public var address: String
    public var os: LabOS
    public var fault: LabFault
    /// The sshd started for this host (nil for a `down` host).
    public var pid: Int32?
    /// The host's mount namespace (`mnt:[...]`): every process in it belongs to this host.
    public var mountNamespace: String?
}

/// Hands out loopback /24s (`127.77.N`) so that labs running at the same time never share an
/// address. A claim is a file in /run/fleetroll-lab naming the lab directory; a claim whose lab
/// is gone is taken over.
enum SubnetRegistry {
    static let registry = "/run/fleetroll-lab"

    static func claim(for directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: registry, withIntermediateDirectories: true)
        // One claimant at a time, so two labs cannot both take over the same stale claim.
        let lock = open(registry + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw LabError.setup("cannot open \(registry)/.lock") }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }
        for n in 1...254 {
            let subnet = "127.77.\(n)"
            let path = "\(registry)/\(subnet)"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd >= 0 {
                _ = directory.withCString { write(fd, $0, strlen($0)) }
                close(fd)
                return subnet
            }
            if isStale(path: path, subnet: subnet) {
                unlink(path)
                let retry = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
                if retry >= 0 {
                    _ = directory.withCString { write(retry, $0, strlen($0)) }
                    close(retry)
                    return subnet
                }
            }
        }
        throw LabError.setup("no free loopback subnet left in 127.77.0.0/16 (see \(registry))")
    }

    static func release(_ subnet: String, directory: String) {
        let path = "\(registry)/\(subnet)"
        if let owner = try? String(contentsOfFile: path, encoding: .utf8), owner == directory { unlink(path) }
    }

    /// A claim is stale when its lab directory no longer describes a lab on that subnet.
    static func isStale(path: String, subnet: String) -> Bool {
        guard let owner = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        guard let state = try? LabState.load(directory: owner) else {
            // A lab being set up has no lab.json yet; give it a minute before taking over.
            let age = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date).map { Date().timeIntervalSince($0) } ?? 0
            return age > 60
        }
        return state.subnet != subnet
    }
}
