import FleetCore

/// A terminal colour: the eight basic ones or a 256-colour index.
public enum TermColor: Hashable, Sendable {
    case black, red, green, yellow, blue, magenta, cyan, white
    case indexed(Int16)

    /// The curses colour number.
    public var number: Int16 {
        switch self {
        case .black: return 0
        case .red: return 1
        case .green: return 2
        case .yellow: return 3
        case .blue: return 4
        case .magenta: return 5
        case .cyan: return 6
        case .white: return 7
        case .indexed(let n): return n
        }
    }
}

/// How a cell looks. Colours are dropped when the terminal has none (or NO_COLOR is set);
/// bold, reverse and underline still show.
public struct Style: Hashable, Sendable {
    public var fg: TermColor?
    public var bg: TermColor?
    public var bold = false
    public var reverse = false
    public var underline = false

    public init(fg: TermColor? = nil, bg: TermColor? = nil, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.reverse = reverse; self.underline = underline
    }

    public static let plain = Style()
    public static let bold = Style(bold: true)
    public static let reverse = Style(reverse: true)
    public static func fg(_ c: TermColor, bold: Bool = false) -> Style { Style(fg: c, bold: bold) }
}

/// The screen as a grid of characters and styles. Views draw into it (popups on top of the
/// table), tests read its text, and the ncurses runner paints it in runs of equal style.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    var chars: [[Character]]
    var styles: [[Style]]
    /// Where the terminal cursor should show (the filter bar), if anywhere.
    public var cursor: (y: Int, x: Int)?

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        chars = Array(repeating: Array(repeating: " ", count: self.width), count: self.height)
        styles = Array(repeating: Array(repeating: .plain, count: self.width), count: self.height)
    }

    /// Writes `text` at (y, x), clipped to the screen and to `limit` characters; returns the
    /// column after the text (even where it was clipped).
    @discardableResult
    public mutating func put(_ text: String, y: Int, x: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        var col = x
        guard y >= 0, y < height else { return x + text.count }
        let end = limit.map { min(width, x + max(0, $0)) } ?? width
        for ch in text {
            if col >= end { break }
            if col >= 0 {
                chars[y][col] = Self.oneCell(ch)
                styles[y][col] = style
            }
            col += 1
        }
        return x + text.count
    }

    /// The character as one terminal cell. Control characters would move the terminal's cursor,
    /// and characters two cells wide (CJK, emoji) would push the rest of the line out of its
    /// columns; both show as `?`.
    static func oneCell(_ ch: Character) -> Character {
        if ch.isASCII { return (ch.asciiValue ?? 32) < 32 || ch.asciiValue == 127 ? "?" : ch }
        guard let first = ch.unicodeScalars.first else { return "?" }
        if TerminalText.isUnsafe(first) { return "?" }
        if first.properties.isEmojiPresentation || ch.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return "?" }
        switch first.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return "?"
        default:
            return ch
        }
    }

    /// Puts styled pieces one after another; returns the column after them.
    @discardableResult
    public mutating func put(_ pieces: [(String, Style)], y: Int, x: Int, limit: Int? = nil) -> Int {
        var col = x
        let end = limit.map { x + $0 }
        for (text, style) in pieces {
            col = put(text, y: y, x: col, style: style, limit: end.map { $0 - col })
        }
        return col
    }

    /// Restyles `count` cells from (y, x), keeping their text.
    public mutating func restyle(y: Int, x: Int, count: Int, _ change: (inout Style) -> Void) {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<max(max(0, x), min(width, x + count)) { change(&styles[y][col]) }
    }

    /// Clears a rectangle to blanks in `style`.
    public mutating func clear(y: Int, x: Int, height h: Int, width w: Int, style: Style = .plain) {
        for row in max(0, y)..<max(max(0, y), min(height, y + h)) {
            for col in max(0, x)..<max(max(0, x), min(width, x + w)) {
                chars[row][col] = " "
                styles[row][col] = style
            }
        }
    }

    /// A cleared box with a line border and an optional title centred on the top edge.
    public mutating func box(y: Int, x: Int, height h: Int, width w: Int, title: String = "", style: Style = .plain) {
        guard h >= 2, w >= 2 else { return }
        clear(y: y, x: x, height: h, width: w)
        put("┌" + String(repeating: "─", count: w - 2) + "┐", y: y, x: x, style: style)
        for row in y + 1..<y + h - 1 {
            put("│", y: row, x: x, style: style)
            put("│", y: row, x: x + w - 1, style: style)
        }
        put("└" + String(repeating: "─", count: w - 2) + "┘", y: y + h - 1, x: x, style: style)
        if !title.isEmpty {
            let t = String(title.prefix(max(0, w - 4)))
            put(t, y: y, x: x + max(1, (w - t.count) / 2), style: Style(bold: true))
        }
    }

    /// One line's text, trailing blanks included.
    public func text(_ y: Int) -> String { y >= 0 && y < height ? String(chars[y]) : "" }

    public var lines: [String] { (0..<height).map(text) }

    public func style(y: Int, x: Int) -> Style { styles[y][x] }

    /// A line as runs of equal style, for painting.
    public func runs(_ y: Int) -> [(String, Style)] {
        var out: [(String, Style)] = []
        var current = ""
        var style = Style.plain
        for col in 0..<width {
            if col > 0 && styles[y][col] != style {
                out.append((current, style))
                current = ""
            }
            style = styles[y][col]
            current.append(chars[y][col])
        }
        if !current.isEmpty { out.append((current, style)) }
        return out
    }
}
