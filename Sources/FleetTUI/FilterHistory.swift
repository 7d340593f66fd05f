import Foundation

/// The queries typed in the filter bar, oldest first, kept in `<state>/filter_history` (one a
/// line, the newest 100).
public struct FilterHistory: Sendable {
    public static let limit = 100
    public let path: String
    public private(set) var entries: [String]

    public init(path: String) {
        self.path = path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        entries = Array(text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .suffix(Self.limit))
    }

    /// Moves `query` to the newest place (no duplicates) and trims the oldest beyond the limit.
    public mutating func add(_ query: String) {
        let q = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !q.isEmpty else { return }
        entries.removeAll { $0 == q }
        entries.append(q)
        if entries.count > Self.limit { entries.removeFirst(entries.count - Self.limit) }
    }

    /// Writes the file; a failure is not worth stopping for.
    public func save() {
        let text = entries.isEmpty ? "" : entries.joined(separator: "\n") + "\n"
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
