/// A key press, as the view understands it. The ncurses runner translates its key codes into
/// these, so every key's effect can be tested without a terminal.
public enum Key: Equatable, Sendable {
    case char(Character)
    /// Ctrl plus a letter (`ctrl("u")` is Ctrl-U).
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, delete, tab, backTab
    case resize

    /// The printable ASCII character this key types, if it types one.
    var printable: Character? {
        if case .char(let c) = self, c.isASCII, let v = c.asciiValue, v >= 32, v < 127 { return c }
        return nil
    }
}

/// What a key asks of the runner beyond changing the view.
public enum KeyAction: Equatable, Sendable {
    case none
    case quit
    /// Reload everything from the store now.
    case reload
    /// Open the named-filter picker (the runner reads the filter files).
    case openPicker
    /// Show a host's detail (the runner reads its notes and records).
    case showDetail(String)
}
