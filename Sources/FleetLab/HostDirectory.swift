import FleetSSH
import Foundation

/// The files of one lab host, prepared outside its namespace and mounted over the real
/// `/etc` (as an overlay), `/root`, `/opt`, `/var/root`, `/home` and `/usr/local/bin` inside it.
struct HostDirectory {
    static let loginUID = 4242
    static let wheelGID = 4240

    let host: ScenarioHost
    let path: String
    let address: String
    let port: Int
    let labDirectory: String
    let user: String

    var etcUpper: String { path + "/etc-upper" }

    func prepare(authorizedKey: String, bootEpoch: Int) throws {
        let fm = FileManager.default
        for d in ["etc-upper", "etc-work", "root", "opt", "varroot", "home", "bin"] {
            try fm.createDirectory(atPath: path + "/" + d, withIntermediateDirectories: true)
        }
        try chmod(path + "/root", 0o700)
        let mac = host.os == .macos
        let gid = mac ? Self.wheelGID : 0

        // Accounts: the real files plus the login user (and macOS's wheel group).
        let shell = host.fault == .slow ? "/usr/local/bin/lab-slow-shell" : "/bin/sh"
        try append(to: "passwd", "\(user):x:\(Self.loginUID):\(Self.loginUID):RelOps lab user:/home/\(user):\(shell)\n", mode: 0o644)
        try append(to: "group", "\(user):x:\(Self.loginUID):\n" + (mac ? "wheel:x:\(Self.wheelGID):root\n" : ""), mode: 0o644)
        try append(to: "shadow", "\(user):*:20000:0:99999:7:::\n", mode: 0o640, group: shadowGroup())
        try fm.createDirectory(atPath: path + "/home/\(user)", withIntermediateDirectories: true)
        try chown(path + "/home/\(user)", Self.loginUID, Self.loginUID)
        if host.fault != .sudoBroken {
            try write("\(etcUpper)/sudoers.d/fleetroll-lab", "\(user) ALL=(ALL) NOPASSWD: ALL\n", mode: 0o440)
        }
        try write("\(etcUpper)/ssh/lab_authorized_keys", authorizedKey, mode: 0o644)
        try write("\(etcUpper)/hostname", host.name + "\n", mode: 0o644)
        let hosts = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? ""
        try write("\(etcUpper)/hosts", hosts + "\(address)\t\(host.name) \(host.name.split(separator: ".").first ?? "")\n", mode: 0o644)

        // What puppet left on the host.
        if let role = host.role { try write("\(etcUpper)/puppet_role", role + "\n", mode: 0o644) }
        let overridePath = mac ? "\(path)/opt/puppet_environments/ronin_settings" : "\(etcUpper)/puppet/ronin_settings"
        let statePath = mac ? "\(path)/opt/puppet_environments/last_run_metadata.json" : "\(etcUpper)/puppet/last_run_metadata.json"
        let vaultPath = mac ? "\(path)/varroot/vault.yaml" : "\(path)/root/vault.yaml"
        if mac { try fm.createDirectory(atPath: "\(path)/opt/puppet_environments", withIntermediateDirectories: true) }
        else { try fm.createDirectory(atPath: "\(etcUpper)/puppet", withIntermediateDirectories: true) }
        if let o = host.override { try write(overridePath, o, mode: 0o644, gid: gid) }
        if let s = host.puppetStateFile { try write(statePath, s, mode: 0o644, gid: gid) }
        if let run = host.puppetRun {
            // The host's own puppet library and wrapper: the wrapper runs at start, in the host's
            // namespace, and our write_puppet_state records the run.
            try write("\(etcUpper)/puppet/lib/puppet_state_functions.sh", HostKit.puppetStateFunctions, mode: 0o644)
            try write("\(path)/bin/run-puppet.sh", Self.wrapper(run, owner: run.owner ?? "mozilla-platform-ops"), mode: 0o755)
        }
        if let v = host.vault { try write(vaultPath, v, mode: 0o640, gid: gid) }

        for (file, content) in host.files ?? [:] {
            if let (dir, rest) = Self.mountedPath(for: file) { try write("\(path)/\(dir)/\(rest)", content, mode: 0o644) }
        }
        try makeHostileFiles()

        // Tools: the macOS stand-ins, the slow login shell, and a fixed /proc/uptime.
        if mac {
            try write("\(path)/bin/uname", Shims.uname, mode: 0o755)
            try write("\(path)/bin/stat", Shims.stat, mode: 0o755)
            try write("\(path)/bin/sysctl", Shims.sysctl(bootEpoch: bootEpoch), mode: 0o755)
            try write("\(path)/bin/sw_vers", Shims.swVers, mode: 0o755)
        } else {
            try write("\(path)/uptime", "\(host.uptime).42 \(host.uptime * 2).17\n", mode: 0o444)
        }
        if host.fault == .slow {
            try write("\(path)/bin/lab-slow-shell", Shims.slowShell(seconds: host.slowSeconds ?? 1), mode: 0o755)
        }
        if mac {
            // BSD dd and mv lack GNU's nofollow and -T: the scripts' BSD paths run for real.
            try write("\(path)/bin/dd", Shims.bsdDD, mode: 0o755)
            try write("\(path)/bin/mv", Shims.bsdMV, mode: 0o755)
        }
        for (name, script) in host.tools ?? [:] { try write("\(path)/bin/\(name)", script, mode: 0o755) }
        try write("\(path)/sshd_config", sshdConfig, mode: 0o644)
        try write("\(path)/start.sh", startScript, mode: 0o755)
    }

    /// Large files, links and non-files, made where the host will see them at their paths.
    private func makeHostileFiles() throws {
        func local(_ file: String) throws -> String {
            guard let (dir, rest) = Self.mountedPath(for: file) else { throw LabError.setup("\(file) is not a lab host path") }
            let target = "\(path)/\(dir)/\(rest)"
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: target)
            return target
        }
        for (file, size) in host.largeFiles ?? [:] {
            let target = try local(file)
            guard FileManager.default.createFile(atPath: target, contents: nil),
                  let handle = FileHandle(forWritingAtPath: target) else { throw LabError.setup("cannot create \(target)") }
            let chunk = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
            var left = size
            while left > 0 {
                handle.write(left >= chunk.count ? chunk : chunk.prefix(left))
                left -= min(left, chunk.count)
            }
            try handle.close()
        }
        for (file, destination) in host.links ?? [:] {
            try FileManager.default.createSymbolicLink(atPath: try local(file), withDestinationPath: destination)
        }
        for (file, kind) in host.specialFiles ?? [:] {
            let target = try local(file)
            let ok: Bool
            switch kind {
            case .fifo: ok = mkfifo(target, 0o644) == 0
            case .directory: ok = mkdir(target, 0o755) == 0
            // 1:5 is /dev/zero (Linux's device numbers: major << 8 | minor): reading it never ends.
            case .device: ok = mknod(target, S_IFCHR | 0o644, dev_t(1 << 8 | 5)) == 0
            }
            if !ok { throw LabError.setup("cannot make \(kind.rawValue) \(target): \(String(cString: strerror(errno)))") }
        }
    }

    /// Where the host's puppet checkout is, in the host directory (Linux and macOS paths of A.6).
    func checkoutPath(_ run: PuppetRunScenario) -> String {
        let owner = run.owner ?? "mozilla-platform-ops"
        return host.os == .macos ? "\(path)/opt/puppet_environments/\(owner)/ronin_puppet" : "\(etcUpper)/puppet/environments/\(owner)/code"
    }

    /// A stand-in for run-puppet.sh: no puppet, but what host-run-puppet meets in a real wrapper.
    ///
    /// At the lab's start (`FLEETROLL_LAB_BOOT=1`) it records the scenario's run and ends. Run
    /// on demand, each attempt prints puppet-like output (colours and a cursor escape included),
    /// takes `run_seconds` (or hangs), moves the checkout to the override's branch (else master)
    /// as the real wrapper does, and records its `run_exit_code` through our write_puppet_state.
    /// A failed attempt is retried forever unless `FLEETROLL_SINGLE_RUN` is set, as in the real
    /// one. Every attempt is also noted in /root/lab-run-puppet.log, for tests to count.
    static func wrapper(_ run: PuppetRunScenario, owner: String) -> String {
        let lines = max(0, run.runOutputLines ?? 6)
        return """
        #!/bin/sh
        # fleetroll lab: stands in for run-puppet.sh.
        . /etc/puppet/lib/puppet_state_functions.sh
        if [ "$(uname -s)" = Darwin ]; then
          ovr=/opt/puppet_environments/ronin_settings; vlt=/var/root/vault.yaml
          wd=/opt/puppet_environments/\(owner)/ronin_puppet
        else
          ovr=/etc/puppet/ronin_settings; vlt=/root/vault.yaml
          wd=/etc/puppet/environments/\(owner)/code
        fi
        if [ -f "$ovr" ]; then . "$ovr"; fi
        role=$(cat /etc/puppet_role 2>/dev/null || true)
        host=$(hostname)
        if [ -n "${FLEETROLL_LAB_BOOT:-}" ]; then
          # The run the host went through before the lab came up: "puppet apply" exited \(run.exitCode ?? 2) after \(run.duration ?? 45)s.
          \(run.overrideAfterRun == true ? "if [ -f \"$ovr\" ]; then mv \"$ovr\" \"$ovr.lab-later\"; fi" : ":")
          write_puppet_state "$wd" "$role" \(run.exitCode ?? 2) \(run.duration ?? 45) "$ovr" "$vlt"
          \(run.overrideAfterRun == true ? "if [ -f \"$ovr.lab-later\" ]; then mv \"$ovr.lab-later\" \"$ovr\"; fi" : ":")
          exit 0
        fi
        attempt=0
        while :; do
          attempt=$((attempt + 1))
          echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) attempt $attempt single=${FLEETROLL_SINGLE_RUN:-}" >>/root/lab-run-puppet.log
          printf '\\033[0;36mInfo: Using environment production on %s (attempt %s)\\033[0m\\n' "$host" "$attempt"
          branch=${PUPPET_BRANCH:-master}
          if git -C "$wd" rev-parse -q --verify "refs/remotes/origin/$branch" >/dev/null 2>&1; then
            git -C "$wd" checkout -q --detach "origin/$branch" 2>&1
          fi
          i=1
          while [ "$i" -le \(lines) ]; do
            printf 'Notice: /Stage[main]/Lab/Line[%s]: %s line %s of %s\\033[K .........................................................\\n' "$i" "$host" "$i" \(lines)
            i=$((i + 1))
          done
          \(run.runHang == true ? "echo \"Info: waiting for a lock that never comes\"; sleep 86399" : "sleep \(max(0, run.runSeconds ?? 1))")
          code=\(run.runExitCode ?? 2)
          case "$code" in
            0|2) printf '\\033[0;32mNotice: Applied catalog in \(run.runSeconds ?? 1).00 seconds\\033[0m\\n' ;;
            *) printf '\\033[1;31mError: Could not apply the catalog (exit %s)\\033[0m\\n' "$code" ;;
          esac
          write_puppet_state "$wd" "$role" "$code" \(max(0, run.runSeconds ?? 1)) "$ovr" "$vlt"
          case "$code" in 0|2) exit "$code" ;; esac
          if [ -n "${FLEETROLL_SINGLE_RUN:-}" ]; then
            echo "run-puppet.sh: puppet failed (exit $code); single run: not retrying"
            exit "$code"
          fi
          echo "run-puppet.sh: puppet failed (exit $code); retrying in \(max(0, run.retrySeconds ?? 2))s"
          sleep \(max(0, run.retrySeconds ?? 2))
        done

        """
    }

    /// Where an absolute host path lives in the host directory: (subdirectory, path inside it).
    static func mountedPath(for file: String) -> (String, String)? {
        let mounts = [("/etc/", "etc-upper"), ("/root/", "root"), ("/opt/", "opt"), ("/var/root/", "varroot"), ("/home/", "home")]
        for (prefix, dir) in mounts where file.hasPrefix(prefix) && file.count > prefix.count {
            return (dir, String(file.dropFirst(prefix.count)))
        }
        return nil
    }

    var sshdConfig: String {
        """
        # fleetroll lab host \(host.name)
        ListenAddress \(address):\(port)
        HostKey \(labDirectory)/ssh_host_ed25519_key
        PidFile \(path)/sshd.pid
        AuthorizedKeysFile /etc/ssh/lab_authorized_keys
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        UsePAM no
        StrictModes no
        PrintMotd no
        LogLevel VERBOSE
        MaxStartups 200:30:400
        MaxSessions 200
        Subsystem sftp internal-sftp

        """
    }

    /// Runs inside `unshare --mount --uts`: builds the host's view of the file system, names
    /// the host, and becomes its sshd.
    var startScript: String {
        let p = path
        // macOS's /bin/sh is bash in POSIX mode: give the macOS hosts that, so the remote
        // scripts run under both shells fleetroll meets (dash on Debian).
        let platform = host.os == .linux ? "mount --bind '\(p)/uptime' /proc/uptime\n"
            : "mount --bind /usr/bin/bash \"$(readlink -f /bin/sh)\"\n"
        return """
        #!/bin/sh
        set -eu
        mount --make-rprivate /
        mount -t overlay overlay -o 'lowerdir=/etc,upperdir=\(p)/etc-upper,workdir=\(p)/etc-work' /etc
        mount --bind '\(p)/root' /root
        mount --bind '\(p)/opt' /opt
        mount --bind '\(p)/varroot' /var/root
        mount --bind '\(p)/home' /home
        mount --bind '\(p)/bin' /usr/local/bin
        \(platform)hostname '\(host.name)'
        \(host.puppetRun != nil ? "FLEETROLL_LAB_BOOT=1 FLEETROLL_SINGLE_RUN=1 /usr/local/bin/run-puppet.sh >'\(p)/puppet-run.log' 2>&1 || true" : "")
        exec /usr/sbin/sshd -D -f '\(p)/sshd_config' -E '\(p)/sshd.log'

        """
    }

    private func append(to name: String, _ extra: String, mode: Int, group: Int = 0) throws {
        let base = (try? String(contentsOfFile: "/etc/\(name)", encoding: .utf8)) ?? ""
        try write("\(etcUpper)/\(name)", base + (base.hasSuffix("\n") || base.isEmpty ? "" : "\n") + extra, mode: mode, gid: group)
    }

    private func shadowGroup() -> Int {
        guard let g = getgrnam("shadow") else { return 0 }
        return Int(g.pointee.gr_gid)
    }

    private func write(_ file: String, _ text: String, mode: Int, gid: Int = 0) throws {
        let dir = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.writeClosingOnExec(file, Data(text.utf8))
        try chown(file, 0, gid)
        try chmod(file, mode)
    }

    /// Writes `data` to `file` through a descriptor that no child process can inherit. A
    /// descriptor open for writing that leaks into a process started meanwhile (by another test,
    /// or an ssh master living 15 minutes) makes every later exec of the file fail with "Text
    /// file busy": the lab's wrapper scripts are executed.
    static func writeClosingOnExec(_ file: String, _ data: Data) throws {
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LabError.setup("create \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw LabError.setup("write \(file): \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
    }

    private func chmod(_ file: String, _ mode: Int) throws {
        guard Foundation.chmod(file, mode_t(mode)) == 0 else { throw LabError.setup("chmod \(file): \(String(cString: strerror(errno)))") }
    }

    private func chown(_ file: String, _ uid: Int, _ gid: Int) throws {
        guard Foundation.chown(file, uid_t(uid), gid_t(gid)) == 0 else { throw LabError.setup("chown \(file): \(String(cString: strerror(errno)))") }
    }
}
