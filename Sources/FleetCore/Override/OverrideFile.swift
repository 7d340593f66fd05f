/// An override file (`ronin_settings`): a shell fragment that `run-puppet.sh` sources as root.
///
/// This is the one parser of override files in fleetroll: validation, gather-tc's pool lookup and
/// the reports all read assignments through it. It reads the file as bash would for the simple
/// assignments override files hold: lines end at LF only (a CR is part of the line, as for bash),
/// comments are skipped, `export` is allowed, values may be double-quoted, single-quoted or bare,
/// several assignments may share a line, and when a name is assigned twice the last one wins. An
/// assignment bash would not keep (one in front of a command, `PUPPET_BRANCH=x touch X`, or of a
/// pipe or `&`) is read but does not count: `assignment(_:)` skips it, the rules refuse it.
public struct OverrideFile: Sendable, Equatable {
    public struct Assignment: Sendable, Equatable {
        public var name: String
        public var value: String
        /// 1-based line number.
        public var line: Int
        /// The value uses `$` or backticks outside single quotes: the shell would expand it.
        public var expands: Bool
        /// The value runs onto the next line (an open quote, or a trailing backslash), so the
        /// shell would read more than this line holds.
        public var continues: Bool = false
        /// What follows the assignment and makes bash not keep it: the command it is the
        /// environment of (`touch`), or `|` or `&` (a subshell). nil when bash keeps it.
        public var prefixes: String? = nil
    }

    /// Every assignment of an uncommented line, in file order.
    public let assignments: [Assignment]

    public init(text: String) {
        var found: [Assignment] = []
        // Split on the LF scalar: in Swift "\r\n" is one Character and would not split.
        for (index, raw) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(String(String.UnicodeScalarView(raw))).drop(while: Self.isBlank)
            var exported = false
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                exported = true
                line = line.dropFirst(7).drop(while: Self.isBlank)
            }
            var onLine: [Assignment] = []
            var prefixes: String?
            var rest = line
            while !rest.isEmpty {
                if let eq = rest.firstIndex(of: "="), Self.isName(rest[..<eq]) {
                    let word = Self.shellWord(rest[rest.index(after: eq)...])
                    onLine.append(Assignment(name: String(rest[..<eq]), value: word.value, line: index + 1, expands: word.expands,
                                             continues: word.continues))
                    if word.continues { break }
                    rest = word.rest.drop(while: Self.isBlank)
                } else if let after = Self.redirection(rest) {
                    // `A=1 >file` keeps A: a redirection is not a command.
                    rest = Self.shellWord(after.drop(while: Self.isBlank)).rest.drop(while: Self.isBlank)
                } else {
                    if let c = rest.first, c != "#", c != ";", !rest.hasPrefix("&&"), !rest.hasPrefix("||"), !exported {
                        prefixes = c == "|" || c == "&" ? String(c) : String(Self.shellWord(rest).value.prefix(40))
                    }
                    break
                }
                if onLine.isEmpty { break }
            }
            found += onLine.map { var a = $0; a.prefixes = prefixes; return a }
        }
        assignments = found
    }

    /// The assignment that wins for `name` (the last one bash keeps), if any.
    public func assignment(_ name: String) -> Assignment? { assignments.last { $0.name == name && $0.prefixes == nil } }

    public var puppetRepo: String? { assignment("PUPPET_REPO")?.value }
    public var puppetBranch: String? { assignment("PUPPET_BRANCH")?.value }
    public var puppetMail: String? { assignment("PUPPET_MAIL")?.value }
    public var workerTypeOverride: String? { assignment("WORKER_TYPE_OVERRIDE")?.value }

    /// `owner/repo` of a GitHub `PUPPET_REPO` (https or git@ form, `.git` optional).
    public var githubRepository: (owner: String, repo: String)? {
        guard var url = puppetRepo else { return nil }
        for prefix in ["https://github.com/", "http://github.com/", "git@github.com:", "ssh://git@github.com/"] where url.hasPrefix(prefix) {
            url.removeFirst(prefix.count)
            if url.hasSuffix(".git") { url.removeLast(4) }
            let parts = url.split(separator: "/")
            guard parts.count == 2 else { return nil }
            return (String(parts[0]), String(parts[1]))
        }
        return nil
    }

    static func isName(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    static func isBlank(_ c: Character) -> Bool { c == " " || c == "\t" }

    /// The text after a redirection operator at the start of `text` (`>`, `>>`, `2>`, `<&`...), or nil.
    static func redirection(_ text: Substring) -> Substring? {
        let afterDigits = text.drop(while: { $0.isASCII && $0.isNumber })
        guard let c = afterDigits.first, c == "<" || c == ">" else { return nil }
        return afterDigits.drop(while: { $0 == "<" || $0 == ">" || $0 == "&" || $0 == "|" })
    }

    /// Reads one shell word: bare text, '…' and "…" segments joined, up to a blank, `;`, `&`, `|`,
    /// `<` or `>`. `continues` is set when a quote is left open or the
    /// line ends in a backslash; `rest` is what follows the word.
    static func shellWord(_ text: Substring) -> (value: String, expands: Bool, continues: Bool, rest: Substring) {
        var value = ""
        var expands = false
        var i = text.startIndex
        func next() -> Character? {
            guard i < text.endIndex else { return nil }
            defer { i = text.index(after: i) }
            return text[i]
        }
        while i < text.endIndex {
            let c = text[i]
            switch c {
            case " ", "\t", ";", "&", "|", "<", ">":
                return (value, expands, false, text[i...])
            case "'":
                i = text.index(after: i)
                var closed = false
                while let q = next() {
                    if q == "'" { closed = true; break }
                    value.append(q)
                }
                if !closed { return (value, expands, true, text[i...]) }
            case "\"":
                i = text.index(after: i)
                var closed = false
                while let q = next() {
                    if q == "\"" { closed = true; break }
                    if q == "\\", let n = next() {
                        if !"$`\"\\".contains(n) { value.append("\\") }
                        value.append(n)
                    } else {
                        if q == "$" || q == "`" { expands = true }
                        value.append(q)
                    }
                }
                if !closed { return (value, expands, true, text[i...]) }
            case "\\":
                i = text.index(after: i)
                guard let n = next() else { return (value, expands, true, text[i...]) }
                value.append(n)
            default:
                if c == "$" || c == "`" { expands = true }
                value.append(c)
                i = text.index(after: i)
            }
        }
        return (value, expands, false, text[i...])
    }
}
