/// Text that came from a host, made safe for a terminal or a log line: control and format
/// characters (the escape sequences a hostile host could send) are shown as `?`. The one
/// cleaning every view uses.
public enum TerminalText {
    /// Newlines and tabs stay (multi-line text such as an override file).
    public static func clean(_ text: String) -> String {
        // Most cells are plain ASCII text; only look closer when there is something to replace.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { s in
            s == "\n" || s == "\t" || !isControl(s) ? s : "?"
        }))
    }

    /// One line: line breaks and tabs become `?` too.
    public static func cleanLine(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? "?" : $0 }))
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.properties.generalCategory == .control || s.properties.generalCategory == .format
            || s.properties.generalCategory == .lineSeparator || s.properties.generalCategory == .paragraphSeparator
    }
}
