import FleetCore
import Foundation
import Synchronization

/// Where output goes and whether it may be coloured.
enum Terminal {
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }

    /// The terminal's width when stdout is one.
    static var stdoutColumns: Int? {
        guard stdoutIsTTY else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Colour only on a terminal, and never when NO_COLOR is set.
    static let colorEnabled: Bool = {
        stdoutIsTTY && (ProcessInfo.processInfo.environment["NO_COLOR"]?.isEmpty ?? true)
    }()

    static func paint(_ text: String, _ code: String) -> String {
        colorEnabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    static func green(_ s: String) -> String { paint(s, "32") }
    static func red(_ s: String) -> String { paint(s, "31") }
    static func yellow(_ s: String) -> String { paint(s, "33") }

    /// Text that came from a host, made safe for a terminal (see `TerminalText.clean`).
    static func clean(_ text: String, singleLine: Bool = false) -> String {
        TerminalText.clean(text, singleLine: singleLine)
    }

    /// Writes to stdout at once (a pipe sees each line as it comes).
    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    static func write(_ bytes: [UInt8]) { try? FileHandle.standardOutput.write(contentsOf: bytes) }

    /// Ends the process once a one-shot report is written (stdout is unbuffered, nothing is
    /// lost): a fleet's rows need not be freed one by one on the way out.
    static func exitNow() -> Never { exit(0) }

    /// Informational lines go to stderr, so stdout stays clean for --json and pipes.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: Sendable {
    private struct State { var done = 0; var total = 0 }
    private let label: String
    private let start = Date()
    private let enabled: Bool
    private let state = Mutex(State())

    init(total: Int, label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && Terminal.stderrIsTTY
        state.withLock { $0.total = total }
    }

    /// `total` changes the count when it was not known at the start (pools to scan).
    func update(done: Int, total newTotal: Int? = nil) {
        guard enabled else { return }
        let total = state.withLock { s in
            s.done = done
            if let newTotal { s.total = newTotal }
            return s.total
        }
        let width = 30
        let filled = total == 0 ? 0 : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = total == 0 ? 100 : 100 * done / total
        let counts = total == 0 ? "" : " \(done)/\(total) \(percent)% remaining: \(total - done)"
        let line = "\r\u{1B}[K\(label) [\(bar)]\(counts) elapsed: \(Self.clock(Date().timeIntervalSince(start)))"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// `MM:SS`, or `HH:MM:SS` past an hour.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s >= 3600 { return String(format: "%02d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60) }
        return String(format: "%02d:%02d", s / 60, s % 60)
    }
}

extension Terminal {
    /// `ERROR: message` on stderr, cleaned (messages echo what was given).
    static func error(_ message: String) { note("ERROR: " + clean(message)) }

    /// `WARNING: message` on stderr.
    static func warning(_ message: String) { note("WARNING: " + clean(message)) }
}
