import FleetCore

/// How fleetroll runs `ssh`: timeouts, the user's extra options, and connection reuse.
public struct SSHSettings: Sendable {
    /// ssh `ConnectTimeout`, in seconds.
    public var connectTimeout: Int = 10
    /// Wall-clock limit on one whole ssh run, in seconds.
    public var timeout: Double = 10
    /// Extra arguments, already shell-split (`--ssh-option "-F lab/ssh_config"` → `-F`, `lab/ssh_config`).
    public var extraArguments: [String] = []
    /// Directory for ControlMaster sockets; nil turns connection reuse off.
    public var controlDirectory: String?
    /// How long an idle master connection stays open. Longer than the 5 minutes between the
    /// gathers a team usually runs, so each one reuses the last one's connections.
    public var controlPersist = "15m"
    /// The ssh binary.
    public var sshPath = "ssh"

    public init() {}

    /// Turns `--ssh-option` values into arguments with POSIX shell-word rules.
    public static func splitOptions(_ values: [String]) throws(ShellSplitError) -> [String] {
        var out: [String] = []
        for v in values { out += try ShellQuoting.split(v) }
        return out
    }

    /// The full argv for running `remoteCommand` on `target`.
    ///
    /// The user's options come first: ssh keeps the first value it sees for an option, so this
    /// order lets `--ssh-option "-o StrictHostKeyChecking=yes"` win over fleetroll's defaults
    /// (the old tool put them the other way round and silently ignored the user's). The host
    /// follows `--`, so it can never be read as an option.
    ///
    /// fleetroll trusts a host key on first sight (hosts are reimaged regularly), unless the user
    /// brings their own config with `-F`: command-line options would override that file, so the
    /// host-key defaults are then left to it.
    ///
    /// `tty` forces a pseudo-terminal on the host (`-tt`, even though fleetroll's own stdin is
    /// not one): what puppet runs need, so they print as they do for an operator, and so a
    /// session that goes away hangs up the host's run.
    public func argv(target: HostTarget, remoteCommand: String, tty: Bool = false) -> [String] {
        var args = [sshPath]
        args += extraArguments
        if tty { args.append("-tt") }
        args += ["-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeout)"]
        if !userGivesConfigFile {
            for (key, value) in [("StrictHostKeyChecking", "accept-new"), ("UserKnownHostsFile", "/dev/null")]
            where !userSets(key) {
                args += ["-o", "\(key)=\(value)"]
            }
        }
        // Keeps "Permanently added ... to the list of known hosts" out of every stored stderr.
        args += ["-o", "LogLevel=ERROR"]
        if let dir = controlDirectory {
            args += [
                "-o", "ControlMaster=auto",
                "-o", "ControlPath=\(Self.controlPathValue(dir))",
                "-o", "ControlPersist=\(controlPersist)",
            ]
        }
        args += ["--", target.sshDestination, remoteCommand]
        return args
    }

    /// `<dir>/%C` as ssh reads an option value: ssh expands `%` tokens in ControlPath, so a `%`
    /// of the directory is written `%%`; a path with blanks is double-quoted. (StateDirectory
    /// never hands over a path with quotes, backslashes or control characters.)
    static func controlPathValue(_ dir: String) -> String {
        let path = dir.replacingOccurrences(of: "%", with: "%%") + "/%C"
        return path.contains(where: { $0 == " " || $0 == "\t" }) ? "\"\(path)\"" : path
    }

    var userGivesConfigFile: Bool { extraArguments.contains { $0 == "-F" || ($0.hasPrefix("-F") && $0.count > 2) } }

    /// Whether the user's arguments set ssh option `key` (`-o Key=v`, `-oKey=v`, `-o "Key v"`).
    func userSets(_ key: String) -> Bool {
        var values: [String] = []
        for (i, arg) in extraArguments.enumerated() {
            if arg == "-o", i + 1 < extraArguments.count { values.append(extraArguments[i + 1]) }
            else if arg.hasPrefix("-o") && arg.count > 2 { values.append(String(arg.dropFirst(2))) }
        }
        return values.contains { $0.lowercased().hasPrefix(key.lowercased() + "=") || $0.lowercased().hasPrefix(key.lowercased() + " ") }
    }
}
