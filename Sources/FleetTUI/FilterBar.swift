import FleetCore

/// The `/` filter bar: a one-line editor with a cursor and the query history on ↑/↓.
public struct FilterBar: Sendable {
    public private(set) var text: String
    /// Cursor position in characters.
    public private(set) var cursor: Int
    /// While browsing the history: the entry shown, and the text typed before browsing began.
    private(set) var browsing: (index: Int, typed: String)?

    public init(text: String) {
        self.text = text
        cursor = text.count
    }

    public enum Outcome: Equatable { case editing, apply(String), cancel }

    public mutating func handle(_ key: Key, history: [String]) -> Outcome {
        switch key {
        case .enter: return .apply(text)
        case .escape: return .cancel
        case .ctrl("u"): set("")
        case .ctrl("a"), .home: cursor = 0
        case .ctrl("e"), .end: cursor = text.count
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .backspace:
            guard cursor > 0 else { break }
            var chars = Array(text)
            chars.remove(at: cursor - 1)
            cursor -= 1
            edit(String(chars))
        case .delete, .ctrl("d"):
            guard cursor < text.count else { break }
            var chars = Array(text)
            chars.remove(at: cursor)
            edit(String(chars))
        case .ctrl("w"):
            // Deletes the word before the cursor, as shells do.
            let chars = Array(text)
            var start = cursor
            while start > 0 && chars[start - 1] == " " { start -= 1 }
            while start > 0 && chars[start - 1] != " " { start -= 1 }
            edit(String(chars[..<start]) + String(chars[cursor...]))
            cursor = start
        case .up:
            guard !history.isEmpty else { break }
            let index = browsing.map { max(0, $0.index - 1) } ?? history.count - 1
            browsing = (index, browsing?.typed ?? text)
            show(history[index])
        case .down:
            guard let b = browsing else { break }
            if b.index + 1 < history.count {
                browsing = (b.index + 1, b.typed)
                show(history[b.index + 1])
            } else {
                browsing = nil
                show(b.typed)
            }
        default:
            guard let c = key.printable else { break }
            var chars = Array(text)
            chars.insert(c, at: cursor)
            cursor += 1
            edit(String(chars))
        }
        return .editing
    }

    /// Typing ends history browsing; moving the cursor does not.
    private mutating func edit(_ new: String) {
        text = new
        browsing = nil
    }

    private mutating func set(_ new: String) {
        edit(new)
        cursor = new.count
    }

    private mutating func show(_ entry: String) {
        text = entry
        cursor = entry.count
    }

    /// `Filter: ` with no history; otherwise an arrow saying which way there is more history.
    public func prompt(historyCount: Int) -> String {
        guard historyCount > 0 else { return "Filter: " }
        guard let b = browsing else { return "Filter ↑: " }
        return b.index == 0 ? "Filter ↓: " : "Filter ↕: "
    }

    /// The text coloured as it is parsed: known columns cyan, unknown red, operators bold,
    /// values green, `sort:` yellow, directions magenta; a token still being typed is plain.
    public static func highlight(_ text: String) -> [(String, Style)] {
        var pieces: [(String, Style)] = []
        var last = text.startIndex
        for (token, offset) in Query.tokens(text) {
            let start = text.index(text.startIndex, offsetBy: offset)
            if start > last { pieces.append((String(text[last..<start]), .plain)) }
            let end = text.index(start, offsetBy: token.count)
            last = end
            if token.lowercased().hasPrefix("sort:") {
                pieces.append((String(token.prefix(5)), .fg(.yellow, bold: true)))
                let keys = token.dropFirst(5).split(separator: ",", omittingEmptySubsequences: false)
                for (i, key) in keys.enumerated() {
                    if i > 0 { pieces.append((",", .plain)) }
                    let parts = key.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                    let name = String(parts[0])
                    pieces.append((name, ReportColumn.named(name) != nil ? .fg(.cyan) : .fg(.red)))
                    if parts.count > 1 {
                        let dir = String(parts[1])
                        pieces.append((":", .plain))
                        pieces.append((dir, ["asc", "desc"].contains(dir.lowercased()) ? .fg(.magenta) : .fg(.red)))
                    }
                }
                continue
            }
            guard let (_, range) = Query.findOperator(token) else {
                pieces.append((token, .plain))
                continue
            }
            let column = String(token[..<range.lowerBound])
            pieces.append((column, ReportColumn.named(column) != nil ? .fg(.cyan, bold: true) : .fg(.red, bold: true)))
            pieces.append((String(token[range]), .bold))
            // Alternatives: each `|` is an operator between green values.
            let values = token[range.upperBound...].split(separator: "|", omittingEmptySubsequences: false)
            for (i, value) in values.enumerated() {
                if i > 0 { pieces.append(("|", .bold)) }
                if !value.isEmpty { pieces.append((String(value), .fg(.green))) }
            }
        }
        if last < text.endIndex { pieces.append((String(text[last...]), .plain)) }
        return pieces
    }
}
