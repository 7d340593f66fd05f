/// POSIX shell quoting and word splitting, used to build remote commands and to read
/// `--ssh-option "-J bastion"` values the way a shell would.
public enum ShellQuoting {
    /// Single-quotes `s` for a POSIX shell; an embedded `'` becomes `'"'"'`.
    public static func quote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
    }

    /// Splits a string into words with POSIX rules for quotes and backslashes (no expansions).
    public static func split(_ s: String) throws(ShellSplitError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = s.makeIterator()
        while let c = iterator.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let q = iterator.next() {
                    if q == "'" { closed = true; break }
                    current.append(q)
                }
                if !closed { throw .unclosedQuote(s) }
            case "\"":
                inWord = true
                var closed = false
                while let q = iterator.next() {
                    if q == "\"" { closed = true; break }
                    if q == "\\" {
                        guard let n = iterator.next() else { throw .unclosedQuote(s) }
                        if !"$`\"\\\n".contains(n) { current.append("\\") }
                        if n != "\n" { current.append(n) }
                        continue
                    }
                    current.append(q)
                }
                if !closed { throw .unclosedQuote(s) }
            case "\\":
                inWord = true
                guard let n = iterator.next() else { throw .trailingBackslash(s) }
                if n != "\n" { current.append(n) }
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

public enum ShellSplitError: Error, Equatable, CustomStringConvertible {
    case unclosedQuote(String)
    case trailingBackslash(String)

    public var description: String {
        switch self {
        case .unclosedQuote(let s): return "unclosed quote in: \(s)"
        case .trailingBackslash(let s): return "trailing backslash in: \(s)"
        }
    }
}
