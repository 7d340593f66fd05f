/// Cuts a byte stream into whole lines, whatever sizes its pieces arrive in, so a line that
/// came in two reads is still shown as one (and two hosts' output never mix within a line).
///
/// A line longer than `maxLine` bytes is handed out in pieces of `maxLine`: what a host may
/// make fleetroll hold is bounded.
public struct LineSplitter: Sendable {
    public let maxLine: Int
    private var pending: [UInt8] = []

    public init(maxLine: Int = 64 << 10) { self.maxLine = max(1, maxLine) }

    /// The lines `bytes` completes, without their newline.
    public mutating func feed<S: Sequence>(_ bytes: S) -> [[UInt8]] where S.Element == UInt8 {
        var lines: [[UInt8]] = []
        for b in bytes {
            if b == UInt8(ascii: "\n") {
                lines.append(pending)
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(b)
                if pending.count >= maxLine {
                    lines.append(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return lines
    }

    /// What is left after the stream ended: a last line without a newline, if any.
    public mutating func finish() -> [UInt8]? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : pending
    }

    /// A line as a terminal would end up showing it: a pseudo-terminal ends lines with CR LF,
    /// and a progress display rewrites a line after a bare CR, so only the text after the last
    /// CR is what was left on the screen.
    public static func text(_ line: [UInt8]) -> String {
        var end = line.count
        while end > 0 && line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        var start = 0
        if let cr = line[0..<end].lastIndex(of: UInt8(ascii: "\r")) { start = cr + 1 }
        return String(decoding: line[start..<end], as: UTF8.self)
    }
}
