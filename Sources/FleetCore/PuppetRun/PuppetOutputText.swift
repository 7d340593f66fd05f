/// One line of a puppet run's output made fit for the operator's terminal or a pipe.
///
/// Puppet and its wrappers print colours (SGR, `ESC[...m`) and, on a terminal, cursor moves and
/// erases (`ESC[40G`, `ESC[K`, `ESC[2J`, the alternate screen). Cursor control would scramble
/// a screen shared by several hosts' lines, so it always goes; colours stay only when asked
/// (a terminal without NO_COLOR), and a line that set a colour ends with a reset so the next
/// host's prefix is not painted with it. Every other control character goes too, and format
/// characters (bidirectional overrides) become `?`, as in `TerminalText`. The sequences removed
/// are the old tool's set (CSI, OSC, charset designators, two-byte escapes) plus DCS/SOS/PM/APC
/// strings.
public enum PuppetOutputText {
    public static func clean(_ line: String, color: Bool) -> String {
        // Most lines are plain printable ASCII: nothing to do.
        if line.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return line }
        let s = Array(line.unicodeScalars)
        var out = String.UnicodeScalarView()
        var coloured = false
        var i = 0
        while i < s.count {
            let c = s[i]
            guard c == "\u{1B}" else {
                if c == "\t" { out.append(c) }
                else if c.properties.generalCategory == .format { out.append("?") }
                else if c.properties.generalCategory != .control { out.append(c) }
                i += 1
                continue
            }
            guard i + 1 < s.count else { break }
            let next = s[i + 1]
            switch next {
            case "[":
                // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, one final byte 0x40-0x7E.
                var j = i + 2
                while j < s.count, (0x30...0x3F).contains(s[j].value) { j += 1 }
                let paramsEnd = j
                while j < s.count, (0x20...0x2F).contains(s[j].value) { j += 1 }
                guard j < s.count, (0x40...0x7E).contains(s[j].value) else { i = s.count; continue }
                let params = s[(i + 2)..<paramsEnd]
                if color, s[j] == "m", paramsEnd == j, params.allSatisfy({ ("0"..."9").contains($0) || $0 == ";" }) {
                    out.append(contentsOf: s[i...j])
                    coloured = true
                }
                i = j + 1
            case "]", "P", "X", "^", "_":
                // OSC, DCS, SOS, PM, APC: a string up to BEL or ESC \ (the whole rest if unterminated).
                var j = i + 2
                while j < s.count {
                    if s[j] == "\u{07}" { j += 1; break }
                    if s[j] == "\u{1B}", j + 1 < s.count, s[j + 1] == "\\" { j += 2; break }
                    j += 1
                }
                i = j
            case "(", ")", "*", "+", "#", "%":
                // Charset designators and the like: ESC, the designator, one more character.
                i = min(s.count, i + 3)
            default:
                // Any other two-character escape (ESC c, ESC 7, ESC 8, ESC =, ...).
                i += 2
            }
        }
        if coloured { out.append(contentsOf: "\u{1B}[0m".unicodeScalars) }
        return String(out)
    }
}
