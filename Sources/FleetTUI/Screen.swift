import CNcurses
import Foundation

/// The terminal through ncurses: set up on creation, given back on `close` (every exit path
/// calls it), keys translated to `Key`, canvases painted in runs of one style.
struct ScreenError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

final class Screen {
    private(set) var colours = 0
    private var pairs: [Style: Int16] = [:]
    private var open = true

    /// Fails (instead of exiting, as `initscr` would) when the terminal type is unknown.
    init() throws {
        fr_set_utf8_locale()
        guard fr_newterm() != nil else {
            let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
            throw ScreenError(message: "cannot drive this terminal (TERM=\(term.isEmpty ? "unset" : term)); try TERM=xterm-256color, or --once")
        }
        // cbreak, not raw: Ctrl-C stays a signal, so it ends the view from any popup, and
        // Ctrl-Z suspends it.
        cbreak()
        noecho()
        keypad(fr_stdscr(), true)
        // Esc answers at once instead of after ncurses' default second.
        set_escdelay(25)
        curs_set(0)
        let wanted = ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        if wanted && has_colors() {
            start_color()
            use_default_colors()
            colours = fr_colors() >= 256 ? 256 : 8
        }
    }

    func close() {
        guard open else { return }
        open = false
        endwin()
    }

    var width: Int { Int(fr_cols()) }
    var height: Int { Int(fr_lines()) }

    /// The next key: waits up to 200 ms for the first, then only takes what is already there.
    func key(wait: Bool) -> Key? {
        timeout(wait ? 200 : 0)
        while true {
            let code = getch()
            if code == ERR { return nil }
            if let key = Self.translate(code) { return key }
        }
    }

    static func translate(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER, 10, 13: return .enter
        case KEY_BACKSPACE, 127, 8: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        case 9: return .tab
        case 27: return .escape
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(code) + 96)))
        case 32...126: return .char(Character(Unicode.Scalar(UInt8(code))))
        default: return nil
        }
    }

    func paint(_ canvas: Canvas) {
        for y in 0..<min(canvas.height, height) {
            _ = fr_move(Int32(y), 0)
            var x = 0
            for (text, style) in canvas.runs(y) {
                let room = width - x
                guard room > 0 else { break }
                _ = fr_attrset(attribute(style))
                // Drawing the bottom-right cell reports an error; there is nothing to do about it.
                _ = String(text.prefix(room)).withCString { fr_addstr($0) }
                x += text.count
            }
        }
        _ = fr_attrset(0)
        if let (y, x) = canvas.cursor {
            curs_set(1)
            _ = fr_move(Int32(y), Int32(x))
        } else {
            curs_set(0)
        }
        refresh()
    }

    func attribute(_ style: Style) -> Int32 {
        var a: Int32 = 0
        if style.bold { a |= Int32(fr_attr_bold()) }
        if style.reverse { a |= Int32(fr_attr_reverse()) }
        if style.underline { a |= Int32(fr_attr_underline()) }
        if colours > 0, style.fg != nil || style.bg != nil, let pair = pair(fg: style.fg, bg: style.bg) {
            a |= Int32(fr_color_pair(Int32(pair)))
        }
        return a
    }

    /// Colour pairs are made as styles need them, up to what the terminal offers.
    func pair(fg: TermColor?, bg: TermColor?) -> Int16? {
        let key = Style(fg: fg, bg: bg)
        if let p = pairs[key] { return p }
        let next = Int16(pairs.count + 1)
        guard Int(next) < min(Int(fr_color_pairs()), 256) else { return nil }
        for c in [fg, bg].compactMap({ $0 }) where Int(c.number) >= Int(fr_colors()) { return nil }
        init_pair(next, fg?.number ?? -1, bg?.number ?? -1)
        pairs[key] = next
        return next
    }
}
