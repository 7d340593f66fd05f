import FleetSSH
import Foundation
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM handling. Whatever a command does on a signal, it ends with the
/// shell's convention, 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM (README: exit status).
enum Interrupts {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let received = Mutex<Int32?>(nil)

    /// The first signal that arrived, if any.
    static var signal: Int32? { received.withLock { $0 } }

    /// 128 + the signal that arrived (130 when none did: the command stopped on Ctrl-C's behalf).
    static var exitCode: Int32 { 128 + (signal ?? SIGINT) }

    /// Calls `handler` on each signal (with its number) instead of letting the process die.
    static func install(signals: [Int32] = [SIGINT, SIGTERM], _ handler: @escaping @Sendable (Int32) -> Void) {
        for sig in signals {
            Foundation.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                received.withLock { if $0 == nil { $0 = sig } }
                handler(sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// For read-only commands: stop every ssh still running and exit 130 (143 on SIGTERM) at once.
    @Sendable static func terminateAndExit(_ sig: Int32) {
        ProcessRunner.terminateAllBeforeExit()
        FileHandle.standardError.write(Data("\nERROR: interrupted\n".utf8))
        Foundation.exit(128 + sig)
    }

    /// For commands whose normal end is a signal (following the report): no message, exit 0 on
    /// Ctrl-C, 143 on SIGTERM.
    @Sendable static func quietExit(_ sig: Int32) {
        ProcessRunner.terminateAllBeforeExit()
        Foundation.exit(sig == SIGINT ? 0 : 128 + sig)
    }
}

/// How many signals arrived, for "a second Ctrl-C ends it now".
final class SignalCount: Sendable {
    private let count = Mutex(0)

    /// Counts one more and returns the count.
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
}
