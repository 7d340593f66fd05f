import FleetReport

/// The `f` popup: saved named filters and recent queries, narrowed by what is typed.
public struct FilterPicker: Sendable {
    public enum Tab: Sendable { case saved, recent }
    public struct Entry: Sendable, Equatable {
        public var label: String
        public var query: String
    }

    public var tab = Tab.saved
    public var search = ""
    var saved: [Entry]
    var recent: [Entry]
    /// Each tab keeps its own cursor.
    var cursor: [Tab: Int] = [.saved: 0, .recent: 0]

    public init(saved: [NamedFilter], recent: [String]) {
        self.saved = saved.map { Entry(label: $0.description.isEmpty ? $0.name : "\($0.name): \($0.description)", query: $0.query) }
        self.recent = recent.reversed().map { Entry(label: $0, query: $0) }
    }

    /// The entries of the current tab that match the search (in label or query, any case).
    public var visible: [Entry] {
        let all = tab == .saved ? saved : recent
        guard !search.isEmpty else { return all }
        let s = search.lowercased()
        return all.filter { $0.label.lowercased().contains(s) || $0.query.lowercased().contains(s) }
    }

    public var selected: Entry? {
        let v = visible
        guard !v.isEmpty else { return nil }
        return v[min(cursor[tab] ?? 0, v.count - 1)]
    }

    public mutating func move(_ delta: Int) {
        cursor[tab] = min(max(0, (cursor[tab] ?? 0) + delta), max(0, visible.count - 1))
    }

    public mutating func switchTab() { tab = tab == .saved ? .recent : .saved }

    public mutating func type(_ c: Character) {
        search.append(c)
        cursor[tab] = 0
    }

    public mutating func backspace() {
        if !search.isEmpty { search.removeLast() }
        cursor[tab] = 0
    }

    func lines(width: Int) -> [ScreenLine] {
        var out = [ScreenLine(pieces: [(MonitorView.fit("Filters   \(tab == .saved ? "[Saved]  Recent" : " Saved  [Recent]")   (←/→ tab, ↑/↓ move, Enter apply, Esc close)", width), .header)])]
        out.append(ScreenLine(pieces: [(MonitorView.fit("find: \(search)█", width), .plain)]))
        let v = visible
        if v.isEmpty { out.append(ScreenLine(pieces: [(MonitorView.fit("  no matches", width), .warn)])) }
        let current = min(cursor[tab] ?? 0, max(0, v.count - 1))
        for (i, e) in v.enumerated() {
            let text = MonitorView.fit("\(i == current ? "›" : " ") \(e.label)  —  \(e.query)", width)
            out.append(ScreenLine(pieces: [(text, i == current ? .bar : .plain)]))
        }
        return out
    }
}
