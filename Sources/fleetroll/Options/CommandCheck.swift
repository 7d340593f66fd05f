import ArgumentParser

/// Catches a mistyped command before ArgumentParser sees it. Left to the parser,
/// `fleetroll nosuch --ssh-option "-F x"` printed the top-level help and exited 0 (the option's
/// value read as a cluster of short flags holding `h`), so a script with a typo did nothing and
/// succeeded. Here an unknown command is an error, exit 2, whatever follows it.
enum CommandCheck {
    enum Verdict: Equatable {
        case parse
        /// A command was needed here (bare `fleetroll`, bare `fleetroll config`): its help goes
        /// to stderr and the exit status is 2.
        case missing(path: [String])
        case unknown(String, path: [String], suggestion: String?)
    }

    /// `arguments` without the program name, after `LeadingOptions.hoisted`.
    static func check(_ arguments: [String], root: ParsableCommand.Type) -> Verdict {
        var args = arguments[...]
        if args.first == "help" {
            // `fleetroll help a b`: every word must name a command, as `fleetroll a b` would.
            args = args.dropFirst().filter { !$0.hasPrefix("-") }[...]
            return walk(args, level: root.configuration.subcommands, path: [], requireCommand: false)
        }
        return walk(args, level: root.configuration.subcommands, path: [], requireCommand: true)
    }

    static func walk(_ args: ArraySlice<String>, level: [ParsableCommand.Type], path: [String], requireCommand: Bool) -> Verdict {
        guard let word = args.first else { return requireCommand ? .missing(path: path) : .parse }
        // Options here are the parser's (--help, --version, --generate-completion-script).
        if word.hasPrefix("-") { return .parse }
        guard let command = level.first(where: { LeadingOptions.names($0).contains(word) }) else {
            return .unknown(word, path: path, suggestion: suggestion(for: word, among: level.flatMap(LeadingOptions.names)))
        }
        let sub = command.configuration.subcommands
        guard !sub.isEmpty, command.configuration.defaultSubcommand == nil else { return .parse }
        return walk(args.dropFirst(), level: sub, path: path + [LeadingOptions.names(command)[0]], requireCommand: requireCommand)
    }

    /// The known name closest to a typo: one that starts with it, else one at most 2 edits away.
    static func suggestion(for word: String, among names: [String]) -> String? {
        if word.count >= 3, let prefixed = names.first(where: { $0.hasPrefix(word) }) { return prefixed }
        let scored = names.map { ($0, distance(Array(word), Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
