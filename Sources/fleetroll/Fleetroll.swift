import ArgumentParser
import FleetCore
import Foundation

@main
struct Fleetroll: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "fleetroll",
        abstract: "See and change the state of a fleet of puppet-managed CI hosts.",
        discussion: """
            fleetroll gathers the truth from every host over SSH (puppet role, override file, \
            vault.yaml, uptime, the last puppet run) and keeps it in a local SQLite store.
            State lives in ~/.fleetroll unless --state-dir or FLEETROLL_HOME says otherwise.

            Exit status: 0 success, 1 a host or a step failed, 2 usage or input errors (an unknown \
            command too), 130 Ctrl-C, 143 SIGTERM. Errors go to stderr as "ERROR: ...".
            Shell completion: fleetroll --generate-completion-script bash (or zsh, fish).
            """,
        version: "fleetroll, version \(version)",
        subcommands: [
            GatherHostCommand.self, GatherTCCommand.self, GatherGHCommand.self, GatherCommand.self, SetOverrideCommand.self, UnsetOverrideCommand.self, SetVaultCommand.self, RunPuppetCommand.self,
            ShowOverrideCommand.self, ShowVaultCommand.self, HostMonitorCommand.self, DataFreshnessCommand.self, NoteAddCommand.self, NoteClearCommand.self,
            ShowNotesCommand.self, HostVerifyStateCommand.self, WebCommand.self, HostKitCommand.self, MaintainCommand.self, ImportPythonCommand.self,
            ConfigCommand.self, ForgetCommand.self, DebugHostScriptCommand.self, RolloutCommand.self,
        ]
    )

    /// Runs the command and maps errors to the exit codes users script against:
    /// 0 success, 1 a host failed, 2 usage or input errors, 130 Ctrl-C, 143 SIGTERM.
    /// Every message goes to stderr with one prefix, `ERROR: ` (warnings `WARNING: `).
    static func main() async {
        let arguments = LeadingOptions.hoisted(Array(CommandLine.arguments.dropFirst()), commands: configuration.subcommands)
        refuseMistypedCommand(arguments)
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            // Messages echo what was given (a host name from a list file, a value from an
            // override file): cleaned, so an escape sequence in them cannot reach the terminal.
            if let message = error.message { Terminal.error(message) }
            Foundation.exit(error.exitCode)
        } catch let error as ExitCode {
            // A status chosen on purpose (the live view ended by SIGTERM): nothing to say.
            Foundation.exit(error.rawValue)
        } catch {
            let code = exitCode(for: error)
            // Help, --version and completion scripts: ArgumentParser prints them on stdout.
            if code == .success { exit(withError: error) }
            let isUsage = code == .validationFailure || error is ValidationError
            var text = isUsage ? fullMessage(for: error) : ErrorText.describe(error)
            // ArgumentParser's own prefix, made ours.
            if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
            Terminal.error(text.trimmingCharacters(in: .newlines))
            Foundation.exit(isUsage ? 2 : (code.rawValue == 0 ? 1 : code.rawValue))
        }
    }

    /// A typo in the command's name is exit 2 whatever follows it; so is no command at all
    /// (bare `fleetroll`, `fleetroll config`): the help then goes to stderr, since a script that
    /// ran it did nothing.
    static func refuseMistypedCommand(_ arguments: [String]) {
        switch CommandCheck.check(arguments, root: self) {
        case .parse:
            return
        case .missing(let path):
            var command: ParsableCommand.Type = self
            for name in path {
                command = command.configuration.subcommands.first { LeadingOptions.names($0).contains(name) } ?? command
            }
            FileHandle.standardError.write(Data((helpMessage(for: command) + "\n").utf8))
            Terminal.error("no command given: run `fleetroll \(path.map { $0 + " " }.joined())COMMAND`; the commands are listed above")
            Foundation.exit(2)
        case .unknown(let word, let path, let suggestion):
            let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
            let help = (["fleetroll"] + path + ["--help"]).joined(separator: " ")
            Terminal.error("unknown command '\(word)'\(hint); `\(help)` lists the commands")
            Foundation.exit(2)
        }
    }
}

/// Errors the commands raise on purpose.
enum CLIError: Error {
    /// Bad arguments, input files or lookups: `ERROR: ...` on stderr, exit 2.
    case usage(String)
    /// The command ran but some hosts failed; it has already said so. Exit 1.
    case hostsFailed
    /// Ctrl-C (exit 130) or SIGTERM (exit 143): `Interrupts.exitCode`.
    case interrupted
    /// Something the command needs failed (the audit log could not be written): `ERROR: ...`, exit 1.
    case failed(String)

    var message: String? {
        switch self {
        case .usage(let m), .failed(let m): return m
        case .hostsFailed: return nil
        case .interrupted: return "interrupted"
        }
    }

    var exitCode: Int32 {
        switch self {
        case .usage: return 2
        case .hostsFailed, .failed: return 1
        case .interrupted: return Interrupts.exitCode
        }
    }
}
