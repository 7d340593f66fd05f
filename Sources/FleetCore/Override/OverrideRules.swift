/// The rules an override file must follow before fleetroll sends it to a host. Messages keep the
/// old tool's wording, with the line they are about.
public enum OverrideRules {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Checks the values puppet and Taskcluster act on. Both quoted and bare assignments are
    /// checked (the old tool looked at quoted ones only), and the last assignment of a name is the
    /// one checked, because it is the one the shell keeps.
    public static func check(_ file: OverrideFile) -> [Problem] {
        var problems: [Problem] = []
        for a in file.assignments {
            guard let what = a.prefixes, !problems.contains(where: { $0.line == a.line }) else { continue }
            let follows = what == "|" || what == "&" ? "'\(what)'" : "the command '\(what)'"
            problems.append(Problem(line: a.line, message: "\(a.name)=… is followed by \(follows) on the same line, so bash sets \(a.name) only for that command and leaves it unset; put each assignment on a line of its own"))
        }
        for name in ["PUPPET_REPO", "PUPPET_BRANCH", "PUPPET_MAIL", "WORKER_TYPE_OVERRIDE"] {
            guard let a = file.assignment(name) else { continue }
            if a.continues {
                problems.append(Problem(line: a.line, message: "\(name) must be on one line: its quote or backslash continues onto the next line, so the shell would read a different value"))
                continue
            }
            if a.expands {
                problems.append(Problem(line: a.line, message: "\(name) must be a literal value, not a shell expansion. Got: '\(a.value)'"))
                continue
            }
            if let message = check(name: name, value: a.value) { problems.append(Problem(line: a.line, message: message)) }
        }
        return problems
    }

    /// Refuses carriage returns: bash reads a CR as part of the line (so `PUPPET_BRANCH="x"\r`
    /// holds `x\r`), and in a file with CR-only line endings bash sees a single line, where
    /// what looks like a comment or a second line is code. Names the line (counting CR, CRLF and
    /// LF as line ends, as an editor shows it) and never quotes the file.
    public static func lineEndingProblem(_ text: String) -> Problem? {
        var line = 1
        var iterator = text.unicodeScalars.makeIterator()
        while let s = iterator.next() {
            if s == "\r" {
                let why = iterator.next() == "\n"
                    ? "the file has Windows (CRLF) line endings, which bash reads as part of each line"
                    : "a carriage return (CR) ends it, which bash reads as part of the line (a file with CR line endings is one single line to bash)"
                return Problem(line: line, message: "\(why). Save the file with Unix (LF) line endings, e.g. with dos2unix")
            }
            if s == "\n" { line += 1 }
        }
        return nil
    }

    static func check(name: String, value v: String) -> String? {
        switch name {
        case "PUPPET_REPO":
            if !v.hasSuffix(".git") { return "PUPPET_REPO must end with '.git' for proper git cloning. Got: '\(v)'" }
            if !(v.hasPrefix("http://") || v.hasPrefix("https://") || v.hasPrefix("git@")) || v.contains(where: { $0 == " " }) {
                return "PUPPET_REPO must be a valid git URL (http://, https://, or git@). Got: '\(v)'"
            }
        case "PUPPET_BRANCH":
            // git allows dots (release-1.2); the old rule refused them.
            let allowed = !v.isEmpty && v.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_.-".contains($0)) }
            let shapeOK = !v.hasPrefix("-") && !v.hasPrefix("/") && !v.hasSuffix("/") && !v.hasSuffix(".")
                && !v.contains("..") && !v.contains("//") && !v.hasSuffix(".lock")
            if !(allowed && shapeOK) {
                return "PUPPET_BRANCH contains invalid characters. Only alphanumeric, dashes, underscores, dots, and slashes allowed (as a valid git branch name). Got: '\(v)'"
            }
        case "PUPPET_MAIL":
            let parts = v.split(separator: "@", omittingEmptySubsequences: false)
            let ok = parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
                && !parts[1].hasSuffix(".") && !v.contains(where: { $0 == " " })
            if !ok { return "PUPPET_MAIL must be a valid email address. Got: '\(v)'" }
        case "WORKER_TYPE_OVERRIDE":
            if v.isEmpty || !v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                return "WORKER_TYPE_OVERRIDE contains invalid characters. Only alphanumeric and dashes allowed. Got: '\(v)'"
            }
        default:
            break
        }
        return nil
    }
}
