import Foundation
import Testing

/// README.md and the binary's help say the same thing: every `fleetroll COMMAND` the README names
/// exists, every option it shows for a command is one of that command's, and every command and
/// public option of the binary is in the README. The command list comes from the binary's own
/// help, so a new command is covered the day it is added.
@Suite("README and --help")
struct ReadmeContractTests {
    static let readme: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// `fleetroll <path> --help` (or `--help-hidden`, which lists hidden options too).
    static func help(_ path: [String], hidden: Bool = false) throws -> String {
        let r = try runCommand([Binaries.fleetroll] + path + [hidden ? "--help-hidden" : "--help"], environment: ["COLUMNS": "200"])
        #expect(r.exitCode == 0, "fleetroll \(path.joined(separator: " ")) --help: \(r.stderr)")
        return r.stdout
    }

    /// The lines of a help section (`OPTIONS:`, `SUBCOMMANDS:`).
    static func section(_ text: String, _ title: String) -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(title) }) else { return [] }
        return Array(lines[(start + 1)...].prefix { !$0.isEmpty && $0.first == " " })
    }

    /// Every command path the binary has, from its help: `["gather-host"]`, `["config", "show"]`, ...
    static func commands() throws -> [(path: [String], aliases: [String])] {
        func children(_ path: [String]) throws -> [(path: [String], aliases: [String])] {
            var out: [(path: [String], aliases: [String])] = []
            for line in section(try help(path), "SUBCOMMANDS:") where line.hasPrefix("  ") && !line.hasPrefix("   ") {
                let label = line.dropFirst(2).components(separatedBy: "  ")[0]
                let names = label.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " (default)", with: "") }
                guard let name = names.first, name != "help" else { continue }
                let sub = try children(path + [name])
                out += sub.isEmpty ? [(path + [name], Array(names.dropFirst()))] : sub
            }
            return out
        }
        return try children([])
    }

    /// The options a command's help lists (long and short), without -h/--help and --version.
    static func options(_ path: [String], hidden: Bool = false) throws -> Set<String> {
        var out = Set<String>()
        for line in section(try help(path, hidden: hidden), "OPTIONS:") {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("-") else { continue }
            let label = trimmed.components(separatedBy: "  ")[0]
            for m in label.matches(of: /(^|[\s,])(--?[a-zA-Z][a-zA-Z0-9-]*)/) { out.insert(String(m.2)) }
        }
        return out.subtracting(["-h", "--help", "--version", "--help-hidden"])
    }

    /// The README's code: fenced blocks' lines and inline code spans.
    static func codeLines(_ text: String) -> [(line: String, section: [String])] {
        var out: [(String, [String])] = []
        var inFence = false
        var scope: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if raw.hasPrefix("```") { inFence.toggle(); continue }
            if inFence { out.append((raw, scope)); continue }
            if raw.hasPrefix("## ") { scope = [] }
            if raw.hasPrefix("### ") { scope = commandsNamed(in: raw).map { $0.joined(separator: " ") } }
            for m in raw.matches(of: /`([^`]+)`/) { out.append((String(m.1), scope)) }
        }
        return out
    }

    /// `fleetroll WORD [SUBWORD]` in a piece of code, and where each ends. Words are the
    /// lower-case ones that can be command names; `fleetroll -d gather-gh` names gather-gh.
    static func commandsNamed(in code: String) -> [[String]] {
        code.matches(of: /(?:^|[\s|;(`$"'])fleetroll((?:\s+-[a-z])*)\s+([a-z][a-z0-9-]*)(?:\s+([a-z][a-z0-9-]*))?/).map { m in
            [String(m.2)] + (m.3.map { [String($0)] } ?? [])
        }
    }

    /// The part of a code line that belongs to the fleetroll command it starts: up to a pipe,
    /// `;`, `&&`, a redirection or a comment, with quoted values taken out (they hold other
    /// programs' options: `--ssh-option "-J bastion"`, `jq '...'`).
    static func ownPart(_ code: String) -> String {
        var s = code.replacing(/"[^"]*"|'[^']*'/, with: "\"\"")
        if let cut = s.firstMatch(of: /\s(\||;|&&|>|#)/) { s = String(s[..<cut.range.lowerBound]) }
        return s
    }

    static func optionTokens(_ code: String) -> [String] {
        code.matches(of: /(?:^|[\s\[(\/,])(--?[a-zA-Z][a-zA-Z0-9-]*)/).map { String($0.1) }
    }

    @Test func readmeNamesOnlyRealCommandsAndOptions() throws {
        #expect(!Self.readme.isEmpty, "README.md not found")
        let commands = try Self.commands()
        var byName: [String: [String]] = [:]
        for c in commands {
            byName[c.path.joined(separator: " ")] = c.path
            for a in c.aliases { byName[(c.path.dropLast() + [a]).joined(separator: " ")] = c.path }
        }
        var optionCache: [String: Set<String>] = [:]
        func knownOptions(_ path: [String]) throws -> Set<String> {
            let key = path.joined(separator: " ")
            if let o = optionCache[key] { return o }
            let o = try Self.options(path, hidden: true)
            optionCache[key] = o
            return o
        }
        let everyOption = try commands.reduce(into: Set<String>()) { $0.formUnion(try knownOptions($1.path)) }
        // A command is one or two words (`config show`); a group's subcommand must be named.
        func resolve(_ words: [String]) -> [String]? {
            if words.count == 2, let p = byName[words.joined(separator: " ")] { return p }
            // `fleetroll help`, and a group alone (`fleetroll config`), are real too.
            if words[0] == "help" || commands.contains(where: { $0.path.count > 1 && $0.path[0] == words[0] }) { return [words[0]] }
            return byName[words[0]]
        }
        for (code, scope) in Self.codeLines(Self.readme) {
            let own = Self.ownPart(code)
            let named = Self.commandsNamed(in: own)
            for words in named {
                #expect(resolve(words) != nil, "README names `fleetroll \(words.joined(separator: " "))`, which the binary does not have (in: \(code))")
            }
            // Options on a line that runs a command are that command's. Code that only shows
            // options (`--workers N`, `-q/--quiet`) is about its section's commands, or, outside
            // any command's section, about some command. Other programs' lines (`ssh -F`) are not ours.
            let tokens: [String]
            let owners: [[String]]
            if named.isEmpty {
                guard own.trimmingCharacters(in: .whitespaces).hasPrefix("-") else { continue }
                tokens = Self.optionTokens(own)
                owners = scope.compactMap { resolve($0.split(separator: " ").map(String.init)) }
            } else {
                tokens = Self.optionTokens(own.components(separatedBy: "fleetroll ").dropFirst().joined(separator: " "))
                owners = named.compactMap(resolve)
            }
            for option in tokens where !["-h", "--help", "--version", "--help-hidden", "--generate-completion-script"].contains(option) {
                if owners.isEmpty {
                    // Outside a command's section short words are file suffixes and other tools' flags (`-wal`, `mv -T`).
                    guard option.hasPrefix("--") else { continue }
                    #expect(everyOption.contains(option), "README shows \(option), which no command has (in: \(code))")
                } else {
                    let ok = try owners.contains { try knownOptions($0).contains(option) }
                    #expect(ok, "README shows \(option) for \(owners.map { $0.joined(separator: " ") }), whose --help does not list it (in: \(code))")
                }
            }
        }
    }

    @Test func everyCommandAndPublicOptionIsInTheReadme() throws {
        let code = Self.codeLines(Self.readme)
        var named = Set<String>()
        for (line, _) in code { for words in Self.commandsNamed(in: line) { named.insert(words.joined(separator: " ")); named.insert(words[0]) } }
        let readmeOptions = Set(Self.optionTokens(Self.readme.replacing(/`/, with: " ")))
        for c in try Self.commands() {
            let name = c.path.joined(separator: " ")
            #expect(named.contains(name), "`fleetroll \(name)` is not in README.md")
            for option in try Self.options(c.path) {
                #expect(readmeOptions.contains(option), "\(option) of `fleetroll \(name)` is not in README.md")
            }
        }
    }

    @Test func completionScriptsAreDocumentedAndWork() throws {
        #expect(Self.readme.contains("--generate-completion-script"))
        for shell in ["bash", "zsh", "fish"] {
            let r = try runCommand([Binaries.fleetroll, "--generate-completion-script", shell])
            #expect(r.exitCode == 0 && r.stdout.contains("gather-host"), "\(shell): \(r.stderr)")
        }
    }
}
