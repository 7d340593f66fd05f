import FleetReport
import Foundation

/// The `f` popup: saved named filters and recent queries, narrowed by what is typed. Every
/// printable key is search text (the old tool could not search for f, j, k or G).
public struct FilterPicker: Sendable {
    public enum Tab: Sendable { case saved, recent }
    public struct Entry: Sendable, Equatable {
        public var label: String
        public var query: String
        public var description: String
    }

    public private(set) var tab = Tab.saved
    public private(set) var search = ""
    var saved: [Entry]
    var recent: [Entry]
    /// Each tab keeps its own cursor and scroll position.
    var cursor: [Tab: Int] = [.saved: 0, .recent: 0]
    var start: [Tab: Int] = [.saved: 0, .recent: 0]
    /// The query in force when the picker opened (marked `●`).
    let active: String
    /// A short message on the bottom border (`no matches`) and when it goes.
    var flash: (text: String, until: Date)?

    public init(saved: [NamedFilter], recent: [String], active: String = "") {
        self.saved = saved.map { Entry(label: $0.name, query: $0.query, description: $0.description) }
        self.recent = recent.reversed().filter { !$0.isEmpty }.map { Entry(label: "", query: $0, description: "") }
        self.active = active
        // Open where the active query is: on its saved filter, else in the recent tab.
        if let i = self.saved.firstIndex(where: { $0.query == active }), !active.isEmpty {
            cursor[.saved] = i
        } else if let i = self.recent.firstIndex(where: { $0.query == active }), !active.isEmpty {
            tab = .recent
            cursor[.recent] = i
        }
    }

    /// The entries of the current tab that match the search (in label or query, any case).
    public var visible: [Entry] {
        let all = tab == .saved ? saved : recent
        let s = search.lowercased().trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return all }
        return all.filter { "\($0.label) \($0.query) \($0.description)".lowercased().contains(s) }
    }

    var index: Int { min(cursor[tab] ?? 0, max(0, visible.count - 1)) }

    public var selected: Entry? {
        let v = visible
        return v.isEmpty ? nil : v[index]
    }

    public mutating func move(_ delta: Int) {
        cursor[tab] = min(max(0, index + delta), max(0, visible.count - 1))
    }

    public mutating func switchTab(to new: Tab? = nil) { tab = new ?? (tab == .saved ? .recent : .saved) }

    mutating func setSearch(_ s: String) {
        search = s
        cursor = [.saved: 0, .recent: 0]
        start = [.saved: 0, .recent: 0]
    }

    public mutating func type(_ c: Character) { setSearch(search + String(c)) }

    public mutating func backspace() { setSearch(String(search.dropLast())) }

    public enum Outcome: Equatable { case open, close, apply(String) }

    public mutating func handle(_ key: Key, now: Date = Date()) -> Outcome {
        switch key {
        case .escape: return .close
        case .enter:
            guard let entry = selected else {
                flash = ("no matches", now.addingTimeInterval(2))
                return .open
            }
            let q = entry.query.trimmingCharacters(in: .whitespaces)
            return q.isEmpty ? .open : .apply(q)
        case .left: switchTab(to: .saved)
        case .right: switchTab(to: .recent)
        case .tab, .backTab: switchTab()
        case .up, .ctrl("p"): move(-1)
        case .down, .ctrl("n"): move(1)
        case .pageUp: move(-10)
        case .pageDown: move(10)
        case .home: move(-index)
        case .end: move(visible.count)
        case .ctrl("u"): setSearch("")
        case .backspace: backspace()
        default:
            if let c = key.printable { type(c) }
        }
        return .open
    }

    /// The first row shown, so that the cursor stays in a window of `visible` rows.
    static func viewport(selected: Int, start: Int, visible: Int, total: Int) -> Int {
        guard visible > 0, total > 0 else { return 0 }
        var s = min(max(0, start), max(total - visible, 0))
        if selected < s { s = selected }
        if selected >= s + visible { s = selected - visible + 1 }
        return s
    }

    /// Scrolls the current tab's list so its cursor is among the `rows` shown.
    mutating func keepInView(rows: Int) {
        start[tab] = Self.viewport(selected: index, start: start[tab] ?? 0, visible: rows, total: visible.count)
    }

    /// Draws the popup centred on the canvas.
    func draw(on canvas: inout Canvas, now: Date) {
        let H = canvas.height, W = canvas.width
        guard H >= 10, W >= 30 else {
            let y = max(0, (H - 3) / 2), x = max(0, (W - 19) / 2)
            canvas.box(y: y, x: x, height: 3, width: 19)
            canvas.put("resize terminal", y: y + 1, x: x + 2)
            return
        }
        let h = min(max(H - 6, 6), 25), w = min(max(W - 4, 30), 100)
        let y0 = (H - h) / 2, x0 = (W - w) / 2
        canvas.box(y: y0, x: x0, height: h, width: w, title: " Filters ")
        var x = x0 + 2
        for t in [Tab.saved, .recent] {
            let label = t == .saved ? "Saved" : "Recent"
            canvas.put(label, y: y0 + 1, x: x, style: t == tab ? Style(bold: true, reverse: true) : .plain)
            x += label.count + 2
        }
        let rows = visible
        let innerW = w - 4
        let shown = h - 5
        let sel = index
        let first = Self.viewport(selected: sel, start: start[tab] ?? 0, visible: shown, total: rows.count)
        let labelW = min(rows.map(\.label.count).max() ?? 0, max(innerW / 3, 10))
        for (i, entry) in rows.dropFirst(first).prefix(max(0, shown)).enumerated() {
            let n = first + i
            var text = "\(n == sel ? "›" : " ") \(entry.query == active && !active.isEmpty ? "●" : " ") "
            if labelW > 0 { text += entry.label.padding(toLength: labelW, withPad: " ", startingAt: 0) + "  " }
            text += entry.query
            if !entry.description.isEmpty { text += "  — " + entry.description }
            text = String(text.prefix(innerW - 2)).padding(toLength: innerW - 2, withPad: " ", startingAt: 0)
            canvas.put(text, y: y0 + 3 + i, x: x0 + 2, style: n == sel ? .reverse : .plain)
        }
        if first > 0 { canvas.put("▲", y: y0 + 3, x: x0 + w - 2) }
        if first + shown < rows.count { canvas.put("▼", y: y0 + h - 3, x: x0 + w - 2) }
        let status: String
        if let f = flash, f.until > now {
            status = " \(f.text) "
        } else if !search.isEmpty {
            status = " find: \(search)_ "
        } else {
            status = " type to filter · ↑↓ nav · ←→ tabs · ↵ apply · esc close "
        }
        let count = " \(rows.count)/\((tab == .saved ? saved : recent).count) "
        canvas.put(count, y: y0 + h - 1, x: x0 + max(w - count.count - 2, 2))
        canvas.put(status, y: y0 + h - 1, x: x0 + 2, style: flash.map { $0.until > now } == true ? .fg(.red, bold: true) : .plain,
                   limit: max(0, w - count.count - 5))
    }
}
