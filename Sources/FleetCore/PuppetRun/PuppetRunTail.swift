import Foundation

/// The last part of a host's latest `host-run-puppet` output, with how that run ended: what the
/// host detail view shows.
public struct PuppetRunTail: Sendable, Equatable {
    public var record: PuppetRunRecord
    /// The last lines of output, cleaned of every control sequence.
    public var lines: [String]
    /// True when earlier output was dropped to keep only the last part.
    public var cut: Bool

    public init(record: PuppetRunRecord, lines: [String], cut: Bool) {
        self.record = record; self.lines = lines; self.cut = cut
    }

    /// `OK changes applied (12.3s)`, `FAIL puppet exit 1 (4.0s)`, ...: the run in a few words.
    public var summary: String {
        let d = String(format: "%.1fs", record.observed.durationS)
        switch record.result {
        case .ok: return "OK \(record.observed.changesApplied ? "changes applied" : "no changes") (\(d))"
        case .fail: return "FAIL [\(record.errorClass?.rawValue ?? "error")] \(record.error ?? "") (\(d))"
        case .interrupted: return "INTERRUPTED (\(d))"
        case .notStarted: return "NOT_STARTED"
        }
    }
}

/// Keeps the last `limit` bytes' worth of lines of a stream, dropping the oldest first.
public struct TailBuffer: Sendable {
    public let limit: Int
    private var lines: [String] = []
    public private(set) var cut = false
    private var bytes = 0
    private var head = 0

    public init(limit: Int) { self.limit = max(1, limit) }

    public mutating func append(_ line: String) {
        lines.append(line)
        bytes += line.utf8.count + 1
        while bytes > limit, head < lines.count - 1 {
            bytes -= lines[head].utf8.count + 1
            head += 1
            cut = true
        }
        // Compact now and then instead of shifting the array on every line.
        if head > 1024 && head * 2 > lines.count {
            lines.removeFirst(head)
            head = 0
        }
    }

    /// The lines kept, oldest first.
    public var kept: [String] { Array(lines[head...]) }
}
