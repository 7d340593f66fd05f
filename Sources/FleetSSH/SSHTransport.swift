import FleetCore
import Foundation
import Logging

/// Runs one remote command on one host over ssh and reports what came back.
public struct SSHTransport: Sendable {
    public var settings: SSHSettings
    let logger: Logger

    public init(settings: SSHSettings, logger: Logger = Logger(label: "fleetroll.ssh")) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs `script` with `sh -c` on the host. A failure to start ssh is reported in the
    /// result, never thrown, so one broken host cannot stop a batch.
    public func run(script: String, on target: HostTarget, stdin: Data? = nil) async -> AuditRun {
        let argv = settings.argv(target: target, remoteCommand: RemoteCommand.wrap(script))
        logger.debug("ssh \(target): \(argv.dropLast().joined(separator: " ")) <script>")
        do {
            let out = try await ProcessRunner.run(argv, stdin: stdin, timeout: settings.timeout)
            logger.debug("ssh \(target) finished in \(String(format: "%.2f", out.duration))s rc=\(out.exitCode)")
            var stderr = out.stderrText
            if out.timedOut && stderr.isEmpty { stderr = "ssh timeout" }
            return AuditRun(exitCode: out.exitCode, stdout: out.stdout, stderr: stderr, timedOut: out.timedOut)
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
    /// understands POSIX single quotes.
    public static func wrap(_ script: String) -> String {
        "sh -c " + ShellQuoting.quote(script)
    }
}
