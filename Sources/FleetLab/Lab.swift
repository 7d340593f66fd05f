import FleetSSH
import Foundation

/// Brings a fleet of fake hosts up and down. Each host is a real OpenSSH `sshd` on its own
/// loopback address, in its own mount and UTS namespace, with its own `/etc`, `/root`, `/opt`,
/// `/var/root` and `/home`; the machine's real files are never written.
public enum Lab {
    public static let defaultUser = "relops"

    /// Starts every host of `scenario` and writes `ssh_config`, `hosts.list` and `lab.json`
    /// into `directory`. On any failure what was started is stopped again.
    /// A port nothing else on a Debian machine uses; each lab has its own addresses anyway.
    public static let defaultPort = 10022

    /// `servicesExecutable` is a `fleetroll-lab` binary: given, the lab also runs its fake
    /// Taskcluster and GitHub (`fleetroll-lab serve`) on the subnet's `.1` address.
    public static func up(scenario: Scenario, directory: String, port: Int = defaultPort,
                          servicesExecutable: String? = nil) throws -> LabState {
        guard getuid() == 0 else { throw LabError.notRoot }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        try checkDirectory(dir)
        if FileManager.default.fileExists(atPath: dir + "/lab.json") {
            throw LabError.setup("a lab is already up in \(dir); run 'fleetroll-lab down --dir \(dir)' first")
        }
        try claimDirectory(dir)
        for required in ["/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/unshare", "/usr/bin/sudo"] where !FileManager.default.isExecutableFile(atPath: required) {
            throw LabError.setup("\(required) is missing: install openssh-server, openssh-client, util-linux and sudo")
        }
        // Mount points and sshd's privilege-separation directory; empty directories, the only
        // things the lab ever creates outside its own directory (besides its subnet claim).
        for mountPoint in ["/var/root", "/run/sshd"] {
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        }
        let subnet = try SubnetRegistry.claim(for: dir)
        var state = LabState(directory: dir, subnet: subnet, port: port, user: defaultUser, hosts: [])
        do {
            try keygen(dir + "/id_ed25519", comment: "fleetroll-lab client")
            try keygen(dir + "/ssh_host_ed25519_key", comment: "fleetroll-lab host")
            let clientKey = try String(contentsOfFile: dir + "/id_ed25519.pub", encoding: .utf8)
            let hostKey = try String(contentsOfFile: dir + "/ssh_host_ed25519_key.pub", encoding: .utf8)
                .split(separator: " ").prefix(2).joined(separator: " ")
            let now = Int(Date().timeIntervalSince1970)
            if scenario.hosts.contains(where: { $0.puppetRun != nil }) || scenario.commits != nil {
                state.commits = try LabRepository.create(at: dir + "/ronin_puppet.git", commits: scenario.commitNames)
            }
            for (i, host) in scenario.hosts.enumerated() {
                let address = "\(subnet).\(i + 2)"
                let hostDir = HostDirectory(host: host, path: "\(dir)/hosts/\(host.name)", address: address, port: port,
                                            labDirectory: dir, user: defaultUser)
                try hostDir.prepare(authorizedKey: clientKey, bootEpoch: now - host.uptime)
                if let run = host.puppetRun {
                    try LabRepository.checkout(dir + "/ronin_puppet.git", into: hostDir.checkoutPath(run), run: run, commits: state.commits ?? [:])
                }
                state.hosts.append(LabHostState(name: host.name, address: address, os: host.os, fault: host.fault))
            }
            try writeClientFiles(state, hostKey: hostKey)
            try state.save()
            for i in state.hosts.indices where state.hosts[i].fault != .down {
                try launch(dir: "\(dir)/hosts/\(state.hosts[i].name)")
            }
            if let exe = servicesExecutable {
                try startServices(&state, scenario: scenario, executable: exe)
                try state.save()
            }
            for i in state.hosts.indices where state.hosts[i].fault != .down {
                let hostDir = "\(dir)/hosts/\(state.hosts[i].name)"
                let pid = try waitUntilListening(state.hosts[i], hostDir: hostDir, port: port)
                state.hosts[i].pid = pid
                state.hosts[i].mountNamespace = mountNamespace(of: pid)
                if state.hosts[i].fault == .hang { kill(pid, SIGSTOP) }
                try state.save()
            }
            return state
        } catch {
            try? state.save()
            _ = try? down(directory: dir)
            throw error
        }
    }

    public struct DownReport: Sendable {
        public var processesStopped: Int
        public var hosts: Int
    }

    /// Stops every process of the lab (each host's sshd and all its sessions, found by mount
    /// namespace), which also drops the host's mounts, then removes the lab directory.
    @discardableResult
    public static func down(directory: String, keepFiles: Bool = false) throws -> DownReport {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let state = try LabState.load(directory: dir)
        var victims: [pid_t] = []
        if let pid = state.servicesPID, runsServices(pid, directory: dir) { victims.append(pid) }
        let ownNamespace = mountNamespace(of: getpid())
        for host in state.hosts {
            // A host whose start was interrupted has no namespace on record yet: find its sshd by
            // the pid file, trusting the pid only if that process runs this host's sshd_config.
            let hostDir = "\(dir)/hosts/\(host.name)"
            let ns = host.mountNamespace ?? startedSSHD(hostDirectory: hostDir).flatMap(mountNamespace)
            // Never sweep the namespace fleetroll-lab itself runs in: that would be the whole machine.
            guard let ns, ns != ownNamespace else { continue }
            // Namespace ids are reused once a namespace is gone: sweep only while this host's
            // sshd is still the one living in it.
            let members = processes(inMountNamespace: ns)
            guard members.contains(where: { runsConfig($0, hostDirectory: hostDir) }) else { continue }
            victims += members
        }
        for pid in victims { kill(pid, SIGCONT); kill(pid, SIGTERM) }
        victims = Array(Set(victims))
        let deadline = Date().addingTimeInterval(3)
        while victims.contains(where: { isAlive($0) }) && Date() < deadline { usleep(50_000) }
        for pid in victims where isAlive(pid) { kill(pid, SIGKILL) }
        while victims.contains(where: { isAlive($0) }) && Date() < deadline.addingTimeInterval(2) { usleep(50_000) }
        SubnetRegistry.release(state.subnet, directory: dir)
        // Only what the lab created goes; the directory itself only if that leaves it empty.
        let created = keepFiles ? ["lab.json"] : createdFiles
        for name in created { try? FileManager.default.removeItem(atPath: dir + "/" + name) }
        if !keepFiles { rmdir(dir) }
        return DownReport(processesStopped: victims.count, hosts: state.hosts.count)
    }

    public struct HostStatus: Sendable {
        public var host: LabHostState
        /// `running`, `hung` (stopped on purpose), `down` (by scenario), or `dead` (should run, does not).
        public var state: String
        /// ssh connections that logged in to this host since the lab came up.
        public var connections: Int
    }

    public static func status(directory: String) throws -> (LabState, [HostStatus]) {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let state = try LabState.load(directory: dir)
        let rows = state.hosts.map { h -> HostStatus in
            let log = (try? String(contentsOfFile: "\(dir)/hosts/\(h.name)/sshd.log", encoding: .utf8)) ?? ""
            // sshd logs one "Accepted publickey" per ssh connection that logged in; sessions that
            // ride on an existing ControlMaster connection log none. (Its lines end in CRLF.)
            let connections = log.components(separatedBy: "Accepted publickey").count - 1
            let alive = h.pid.map { isAlive($0) && mountNamespace(of: $0) == h.mountNamespace } ?? false
            let word = h.fault == .down ? "down" : !alive ? "dead" : h.fault == .hang ? "hung" : "running"
            return HostStatus(host: h, state: word, connections: connections)
        }
        return (state, rows)
    }

    // MARK: - pieces

    /// Everything `up` creates in the lab directory.
    static let createdFiles = ["hosts", "lab.json", "ssh_config", "known_hosts", "hosts.list", "id_ed25519", "id_ed25519.pub",
                               "ssh_host_ed25519_key", "ssh_host_ed25519_key.pub", "scenario.yaml", "services.log",
                               "fleetroll-config.toml", "ronin_puppet.git"]

    /// Starts `fleetroll-lab serve` for this lab and waits until it answers.
    static func startServices(_ state: inout LabState, scenario: Scenario, executable: String) throws {
        let dir = state.directory
        try scenario.yaml().write(toFile: dir + "/scenario.yaml", atomically: true, encoding: .utf8)
        let address = "\(state.subnet).1"
        let command = "setsid '\(executable)' serve --dir '\(dir)' </dev/null >'\(dir)/services.log' 2>&1 & echo $!"
        let out = try ProcessRunner.runBlocking(["/bin/sh", "-c", command], stdin: nil, timeout: 10)
        guard let pid = pid_t(String(decoding: out.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw LabError.setup("could not start the lab services: \(out.stderrText)")
        }
        state.servicesPID = pid
        let deadline = Date().addingTimeInterval(20)
        while !canConnect(address, LabServices.port) {
            guard Date() < deadline, isAlive(pid) else {
                let log = (try? String(contentsOfFile: dir + "/services.log", encoding: .utf8)) ?? ""
                throw LabError.setup("the lab services did not start on \(address):\(LabServices.port):\n\(log)")
            }
            usleep(50_000)
        }
        let url = "http://\(address):\(LabServices.port)"
        state.servicesURL = url
        try """
            # fleetroll settings for the lab in \(dir): copy to <state>/config.toml
            [taskcluster]
            root_url = "\(url)"

            [github]
            api_url = "\(url)"

            """.write(toFile: state.configPath, atomically: true, encoding: .utf8)
    }

    static func runsServices(_ pid: pid_t, directory: String) -> Bool {
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let args = String(decoding: cmdline, as: UTF8.self).split(separator: "\0").map(String.init)
        return args.contains("serve") && args.contains(directory)
    }

    /// The lab directory must be new, or an empty directory root owns that nobody else can
    /// write: root writes /etc files and start scripts there, so another user must not be able
    /// to plant links in it (the default lives in /tmp).
    static func claimDirectory(_ dir: String) throws {
        if mkdir(dir, 0o700) == 0 { return }
        guard errno == EEXIST else { throw LabError.setup("cannot create \(dir): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard lstat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw LabError.setup("\(dir) exists and is not a directory")
        }
        guard st.st_uid == 0, st.st_mode & 0o022 == 0 else {
            throw LabError.setup("\(dir) exists but is not owned by root or is writable by others; remove it or choose another --dir")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        guard entries.isEmpty else {
            throw LabError.setup("\(dir) is not empty; choose a new directory (the lab removes what it creates on down)")
        }
    }

    static func runsConfig(_ pid: pid_t, hostDirectory: String) -> Bool {
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        // sshd rewrites its title ("sshd: /usr/sbin/sshd -D -f <config> ... [listener]"), so
        // look for the config path anywhere in it.
        return String(decoding: cmdline, as: UTF8.self).contains(hostDirectory + "/sshd_config ")
            || String(decoding: cmdline, as: UTF8.self).contains(hostDirectory + "/sshd_config\0")
    }

    static func checkDirectory(_ dir: String) throws {
        if dir == "/" || ["/tmp", "/var", "/usr", "/run", "/srv", "/mnt", "/boot", "/dev", "/sys", "/bin", "/sbin", "/lib", "/var/tmp"].contains(dir) {
            throw LabError.setup("\(dir) cannot be a lab directory; use a directory of its own, e.g. /tmp/fleetroll-lab")
        }
        guard dir.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-".contains($0)) }) else {
            throw LabError.setup("lab directory \(dir): use only letters, digits, '/', '.', '_' and '-' in its path")
        }
        for hidden in ["/etc", "/root", "/opt", "/var/root", "/home", "/usr/local/bin", "/proc"]
        where dir == hidden || dir.hasPrefix(hidden + "/") {
            throw LabError.setup("lab directory \(dir) is under \(hidden), which each lab host mounts over; choose another (e.g. /tmp/fleetroll-lab)")
        }
    }

    static func keygen(_ path: String, comment: String) throws {
        let out = try ProcessRunner.runBlocking(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path], stdin: nil, timeout: 30)
        guard out.exitCode == 0 else { throw LabError.setup("ssh-keygen failed: \(out.stderrText)") }
    }

    static func writeClientFiles(_ state: LabState, hostKey: String) throws {
        var config = """
            # Written by fleetroll-lab for the lab in \(state.directory).
            # Use it as you would a bastion's config:
            #   fleetroll gather-host --ssh-option "-F \(state.sshConfigPath)" \(state.hostListPath)

            """
        var knownHosts = ""
        var list = "# fleetroll lab hosts (\(state.directory))\n"
        for h in state.hosts {
            config += "Host \(h.name)\n  HostName \(h.address)\n\n"
            knownHosts += "\(h.name),\(h.address) \(hostKey)\n"
            list += h.name + "\n"
        }
        config += """
            Host *
              Port \(state.port)
              User \(state.user)
              IdentityFile \(state.directory)/id_ed25519
              IdentitiesOnly yes
              UserKnownHostsFile \(state.directory)/known_hosts
              StrictHostKeyChecking yes

            """
        try config.write(toFile: state.sshConfigPath, atomically: true, encoding: .utf8)
        try knownHosts.write(toFile: state.directory + "/known_hosts", atomically: true, encoding: .utf8)
        try list.write(toFile: state.hostListPath, atomically: true, encoding: .utf8)
    }

    static func launch(dir hostDir: String) throws {
        let command = "setsid unshare --mount --uts -- /bin/sh '\(hostDir)/start.sh' </dev/null >'\(hostDir)/start.log' 2>&1 &"
        let out = try ProcessRunner.runBlocking(["/bin/sh", "-c", command], stdin: nil, timeout: 10)
        guard out.exitCode == 0 else { throw LabError.setup("could not start \(hostDir): \(out.stderrText)") }
    }

    static func waitUntilListening(_ host: LabHostState, hostDir: String, port: Int) throws -> pid_t {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: hostDir + "/sshd.pid", encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), isAlive(pid),
               canConnect(host.address, port) {
                return pid
            }
            usleep(20_000)
        }
        let log = [(try? String(contentsOfFile: hostDir + "/start.log", encoding: .utf8)) ?? "",
                   (try? String(contentsOfFile: hostDir + "/sshd.log", encoding: .utf8)) ?? ""].joined()
        throw LabError.setup("sshd for \(host.name) did not start listening on \(host.address):\(port):\n\(log)")
    }

    static func canConnect(_ address: String, _ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &addr.sin_addr)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        // A zombie still answers kill(0); its state in /proc says otherwise.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    static func startedSSHD(hostDirectory: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: hostDirectory + "/sshd.pid", encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              runsConfig(pid, hostDirectory: hostDirectory) else { return nil }
        return pid
    }

    static func mountNamespace(of pid: pid_t) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/mnt")
    }

    static func processes(inMountNamespace ns: String) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { mountNamespace(of: $0) == ns }
    }
}
