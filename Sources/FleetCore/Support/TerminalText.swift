/// The one place that makes text from hosts (and from files a user may have been handed) safe for
/// a terminal. Every view cleans host text with it before printing, so no byte a host sends can
/// move the cursor, change colours, retitle the window or fake lines of output.
public enum TerminalText {
    /// Control characters (C0, DEL, C1: escape sequences start with one) and format characters
    /// (bidirectional overrides that reorder what is shown) become `?`. Newlines and tabs stay
    /// unless `singleLine`, which shows a line break as `⏎` so a one-line field stays one line.
    public static func clean(_ text: String, singleLine: Bool = false) -> String {
        // Most text is plain printable ASCII: nothing to replace.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s == "\n" { out.append(contentsOf: singleLine ? "⏎".unicodeScalars : "\n".unicodeScalars) }
            else if s == "\t" { out.append(singleLine ? " " : "\t") }
            else if isUnsafe(s) { out.append("?") }
            else { out.append(s) }
        }
        return String(out)
    }

    /// A scalar a terminal would act on instead of showing (tabs and newlines included).
    public static func isUnsafe(_ s: Unicode.Scalar) -> Bool {
        s.properties.generalCategory == .control || s.properties.generalCategory == .format
    }
}
