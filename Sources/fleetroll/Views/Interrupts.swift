import FleetSSH
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM handling for commands that run ssh sessions.
enum Interrupts {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Calls `handler` on each signal instead of letting the process die.
    static func install(signals: [Int32] = [SIGINT, SIGTERM], _ handler: @escaping @Sendable () -> Void) {
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
    }

    /// For read-only commands: stop every ssh still running and exit 130 at once.
    @Sendable static func terminateAndExit() {
        ProcessRunner.terminateAllBeforeExit()
        FileHandle.standardError.write(Data("\nERROR: Interrupted\n".utf8))
        Foundation.exit(130)
    }
}
