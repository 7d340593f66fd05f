/// An operator's note on a host, or the tombstone that clears its notes. The JSON keys are the
/// old tool's notes.jsonl keys.
public struct NoteRecord: Codable, Equatable, Sendable {
    /// `host.note_add` or `host.note_clear`.
    public var action: String
    public var actor: String
    public var host: String
    public var ts: String
    public var note: String?
    public var reason: String?

    public init(action: String, actor: String, host: String, ts: String, note: String? = nil, reason: String? = nil) {
        self.action = action; self.actor = actor; self.host = host; self.ts = ts; self.note = note; self.reason = reason
    }

    public var isClear: Bool { action == "host.note_clear" }

    /// The NOTE column for a host's records in order: the latest note since the last clear,
    /// `(N) latest` when there are several, nil when there is none.
    public static func display(_ records: [NoteRecord]) -> String? {
        var count = 0
        var latest: String?
        for r in records {
            if r.isClear { count = 0; latest = nil }
            else if let n = r.note, !n.isEmpty { count += 1; latest = n }
        }
        guard let latest else { return nil }
        return count > 1 ? "(\(count)) \(latest)" : latest
    }
}
