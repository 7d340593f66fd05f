import ArgumentParser
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
            """,
        version: "fleetroll, version \(version)",
        subcommands: [
            GatherHostCommand.self, GatherTCCommand.self, GatherGHCommand.self, GatherCommand.self, SetOverrideCommand.self, UnsetOverrideCommand.self, SetVaultCommand.self,
            ShowOverrideCommand.self, ShowVaultCommand.self, HostMonitorCommand.self, DataFreshnessCommand.self, NoteAddCommand.self, NoteClearCommand.self,
            ShowNotesCommand.self, HostVerifyStateCommand.self, WebCommand.self, HostKitCommand.self, MaintainCommand.self, ImportPythonCommand.self, ConfigCommand.self,
            DebugHostScriptCommand.self,
        ]
    )

    /// Runs the command and maps errors to the exit codes users script against:
    /// 0 success, 1 a host failed, 2 usage or input errors, 130 interrupted.
    static func main() async {
        do {
            let arguments = LeadingOptions.hoisted(Array(CommandLine.arguments.dropFirst()), commands: configuration.subcommands)
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            // Messages echo what was given (a host name from a list file, a value from an
            // override file): cleaned, so an escape sequence in them cannot reach the terminal.
            if let message = error.message { FileHandle.standardError.write(Data("ERROR: \(Terminal.clean(message))\n".utf8)) }
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((Terminal.clean(fullMessage(for: error)) + "\n").utf8))
                Foundation.exit(2)
            }
            // Help and --version: ArgumentParser prints them on stdout.
            if code == .success { exit(withError: error) }
            FileHandle.standardError.write(Data((Terminal.clean(fullMessage(for: error)) + "\n").utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// Errors the commands raise on purpose.
enum CLIError: Error {
    /// Bad arguments, input files or lookups: `ERROR: ...`, exit 2.
    case usage(String)
    /// The command ran but some hosts failed; it has already said so. Exit 1.
    case hostsFailed
    /// Ctrl-C. Exit 130.
    case interrupted
    /// Something the command needs failed (the audit log could not be written): `ERROR: ...`, exit 1.
    case failed(String)

    var message: String? {
        switch self {
        case .usage(let m), .failed(let m): return m
        case .hostsFailed: return nil
        case .interrupted: return "Interrupted"
        }
    }

    var exitCode: Int32 {
        switch self {
        case .usage: return 2
        case .hostsFailed, .failed: return 1
        case .interrupted: return 130
        }
    }
}
