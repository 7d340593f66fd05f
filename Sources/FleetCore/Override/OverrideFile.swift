/// An override file (`ronin_settings`): a shell fragment that `run-puppet.sh` sources as root.
///
/// This is the one parser of override files in fleetroll: validation, gather-tc's pool lookup and
/// the reports all read assignments through it. It reads the file as the shell would for the
/// simple assignments override files hold: comments are skipped, `export` is allowed, values may
/// be double-quoted, single-quoted or bare, and when a name is assigned twice the last one wins.
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
    }

    /// Every assignment at the start of an uncommented line, in file order.
    public let assignments: [Assignment]

    public init(text: String) {
        var found: [Assignment] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw).drop(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = line.dropFirst(7).drop(while: { $0 == " " || $0 == "\t" })
            }
            guard let eq = line.firstIndex(of: "="), Self.isName(line[..<eq]) else { continue }
            let word = Self.shellWord(line[line.index(after: eq)...])
            found.append(Assignment(name: String(line[..<eq]), value: word.value, line: index + 1, expands: word.expands,
                                    continues: word.continues))
        }
        assignments = found
    }

    /// The assignment that wins for `name` (the last one), if any.
    public func assignment(_ name: String) -> Assignment? { assignments.last { $0.name == name } }

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

    /// Reads one shell word: bare text, '…' and "…" segments joined, up to a blank, `;`, `&`, `|`
    /// or a `#` that starts a comment. `continues` is set when a quote is left open or the line
    /// ends in a backslash.
    static func shellWord(_ text: Substring) -> (value: String, expands: Bool, continues: Bool) {
        var value = ""
        var expands = false
        var chars = text.makeIterator()
        var pending = chars.next()
        while let c = pending {
            pending = chars.next()
            switch c {
            case " ", "\t", ";", "&", "|", "\r":
                return (value, expands, false)
            case "'":
                while let q = pending, q != "'" { value.append(q); pending = chars.next() }
                if pending == nil { return (value, expands, true) }
                pending = chars.next()
            case "\"":
                while let q = pending, q != "\"" {
                    if q == "\\", let n = chars.next() {
                        if !"$`\"\\".contains(n) { value.append("\\") }
                        value.append(n)
                    } else {
                        if q == "$" || q == "`" { expands = true }
                        value.append(q)
                    }
                    pending = chars.next()
                }
                if pending == nil { return (value, expands, true) }
                pending = chars.next()
            case "\\":
                guard let n = pending else { return (value, expands, true) }
                value.append(n)
                pending = chars.next()
            default:
                if c == "$" || c == "`" { expands = true }
                value.append(c)
            }
        }
        return (value, expands, false)
    }
}
