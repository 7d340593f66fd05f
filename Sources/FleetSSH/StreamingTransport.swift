import FleetCore
import Foundation

/// A transport that can also run a script in a pseudo-terminal and hand its output over as it
/// arrives, for runs that take minutes and that an operator watches (host-run-puppet).
public protocol StreamingHostTransport: HostTransport {
    /// Runs `script` on the host in a pseudo-terminal (stderr and stdout are one stream there),
    /// calling `output` with each piece of output as it comes. The result's `stdout` is empty:
    /// the receiver keeps what it needs. `timeout` bounds this run locally.
    func stream(script: String, on target: HostTarget, timeout: Double,
                output: @escaping @Sendable (Data) -> Void) async -> AuditRun
}

extension SSHTransport: StreamingHostTransport {
    public func stream(script: String, on target: HostTarget, timeout: Double,
                       output: @escaping @Sendable (Data) -> Void) async -> AuditRun {
        // No session watchdog from the transport: the script bounds its own command (see
        // PuppetRunScript) and the local limit here ends the session, which hangs up the host's run.
        let argv = settings.argv(target: target, remoteCommand: RemoteCommand.wrap(script), tty: true)
        logger.debug("ssh -tt \(target): \(argv.dropLast().joined(separator: " ")) <script>")
        do {
            let out = try await ProcessRunner.run(argv, stdin: nil, timeout: timeout, errorLimit: HostLimits.sessionErrorBytes,
                                                  onStdout: output)
            logger.debug("ssh \(target) finished in \(String(format: "%.2f", out.duration))s rc=\(out.exitCode)")
            var stderr = out.stderrText
            if out.timedOut && stderr.isEmpty { stderr = "ssh timeout" }
            return AuditRun(exitCode: out.exitCode, stdout: Data(), stderr: stderr, timedOut: out.timedOut, cancelled: out.cancelled)
        } catch {
            return AuditRun(exitCode: -1, stdout: Data(), stderr: "", timedOut: false, launchError: Self.launchMessage(error))
        }
    }

    static func launchMessage(_ error: Error) -> String {
        if case ProcessRunnerError.spawnFailed(_, let code) = error, code == ENOENT {
            return "ssh binary not found on PATH. Install OpenSSH client (ssh)."
        }
        return "\(error)"
    }
}

extension ScriptedTransport: StreamingHostTransport {
    /// The scripted answer's stdout, handed over in pieces of `chunk` bytes (so receivers see
    /// lines cut across reads, as from a real pipe).
    public func stream(script: String, on target: HostTarget, timeout: Double,
                       output: @escaping @Sendable (Data) -> Void) async -> AuditRun {
        var run = await self.run(script: script, on: target, stdin: nil)
        let bytes = run.stdout
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let end = bytes.index(offset, offsetBy: min(7, bytes.endIndex - offset))
            output(Data(bytes[offset..<end]))
            offset = end
        }
        run.stdout = Data()
        return run
    }
}
