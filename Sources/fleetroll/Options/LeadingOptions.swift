import ArgumentParser

/// Options the Python fleetroll took before the command name (`fleetroll -d gather-gh`). Our
/// commands take them after it, so they are moved there before parsing.
enum LeadingOptions {
    static let movable: Set<String> = ["-d", "--debug"]

    /// `arguments` without the program name. Leading movable options go right after the
    /// command's name (and its subcommand's, as in `config show`); anything else is left for the
    /// parser to judge.
    static func hoisted(_ arguments: [String], commands: [ParsableCommand.Type]) -> [String] {
        let leading = arguments.prefix { movable.contains($0) }
        guard !leading.isEmpty else { return arguments }
        var rest = Array(arguments.dropFirst(leading.count))
        var level = commands
        var depth = 0
        while depth < rest.count, let command = level.first(where: { names($0).contains(rest[depth]) }) {
            depth += 1
            level = command.configuration.subcommands
        }
        guard depth > 0 else { return arguments }
        rest.insert(contentsOf: leading, at: depth)
        return rest
    }

    static func names(_ command: ParsableCommand.Type) -> [String] {
        [command.configuration.commandName ?? command._commandName] + command.configuration.aliases
    }
}
