import FleetCore
import Foundation
import Logging

/// How collectors and writers reach hosts: one script run on one host, its outcome as data
/// (never thrown, so one broken host cannot stop a batch). Cancelling the task that awaits a run
/// ends that run only. SSH is the real one; `ScriptedTransport` answers from a script, for tests.
public protocol HostTransport: Sendable {
    /// The wall-clock limit on one run, in seconds (messages quote it).
    var timeout: Double { get }
    func run(script: String, on target: HostTarget, stdin: Data?) async -> AuditRun
}

extension HostTransport {
    public func run(script: String, on target: HostTarget) async -> AuditRun { await run(script: script, on: target, stdin: nil) }
}

/// Runs one remote command on one host over ssh and reports what came back.
public struct SSHTransport: HostTransport {
    public var settings: SSHSettings
    let logger: Logger

    public init(settings: SSHSettings, logger: Logger = Logger(label: "fleetroll.ssh")) {
        self.settings = settings
        self.logger = logger
    }

    public var timeout: Double { settings.timeout }

    /// Runs `script` with `sh -c` on the host. A failure to start ssh is reported in the
    /// result, never thrown, so one broken host cannot stop a batch. The script's commands are
    /// ended on the host too once the time limit has passed (`RemoteShell.watchdog`), and what
    /// the host may send is bounded (`HostLimits`).
    public func run(script: String, on target: HostTarget, stdin: Data?) async -> AuditRun {
        let argv = settings.argv(target: target, remoteCommand: RemoteCommand.wrap(script, timeLimit: settings.timeout))
        logger.debug("ssh \(target): \(argv.dropLast().joined(separator: " ")) <script>")
        do {
            let out = try await ProcessRunner.run(argv, stdin: stdin, timeout: settings.timeout,
                                                  outputLimit: HostLimits.sessionOutputBytes, errorLimit: HostLimits.sessionErrorBytes)
            logger.debug("ssh \(target) finished in \(String(format: "%.2f", out.duration))s rc=\(out.exitCode)")
            var stderr = out.stderrText
            if out.timedOut && stderr.isEmpty { stderr = "ssh timeout" }
            return AuditRun(exitCode: out.exitCode, stdout: out.stdout, stderr: stderr, timedOut: out.timedOut,
                            outputLimitExceeded: out.outputLimitExceeded, cancelled: out.cancelled)
        } catch {
            let message: String
            if case ProcessRunnerError.spawnFailed(_, let code) = error, code == ENOENT {
                message = "ssh binary not found on PATH. Install OpenSSH client (ssh)."
            } else {
                message = "\(error)"
            }
            return AuditRun(exitCode: -1, stdout: Data(), stderr: "", timedOut: false, launchError: message)
        }
    }
}

/// The single argv element ssh sends to the remote login shell.
public enum RemoteCommand {
    /// `sh -c '<script>'`: works whatever the remote user's login shell is, as long as it
    /// understands POSIX single quotes. With `timeLimit`, the script's commands end on the host
    /// after that many seconds (rounded up), whether or not fleetroll is still listening.
    public static func wrap(_ script: String, timeLimit: Double? = nil) -> String {
        let limit = timeLimit.map { "fr_limit=\(max(1, Int($0.rounded(.up))))\n" } ?? ""
        return "sh -c " + ShellQuoting.quote(limit + script)
    }
}
