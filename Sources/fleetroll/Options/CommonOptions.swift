import ArgumentParser
import FleetConfig
import FleetCore
import FleetOps
import FleetSSH
import FleetStore
import Foundation
import Logging

/// What `-d/--debug` logs for a command, so its help promises only what the command does.
protocol DebugTopic { static var help: ArgumentHelp { get } }

enum SSHDebug: DebugTopic {
    static let help = ArgumentHelp("Log debug messages to stderr: each ssh command line, retries and timings.")
}

enum HTTPDebug: DebugTopic {
    static let help = ArgumentHelp("Log debug messages to stderr: each HTTP request, its status and time, and every retry.")
}

enum GatherDebug: DebugTopic {
    static let help = ArgumentHelp("Log debug messages to stderr: ssh command lines, HTTP requests, retries and timings.")
}

/// Commands that reach no host and no service have nothing to log; `-d` is still accepted there,
/// as on every command (`fleetroll -d COMMAND`, the Python tool's habit).
enum NoDebug: DebugTopic {
    static let help = ArgumentHelp("Accepted on every command; this one has nothing to log.", visibility: .hidden)
}

/// Options every command has: where the state is, and debug logging.
protocol FleetOptions: Sendable {
    var stateDir: String? { get }
    var auditLog: String? { get }
    var debug: Bool { get }
}

struct GlobalOptions<Topic: DebugTopic>: ParsableArguments, FleetOptions {
    @Option(name: .long, help: ArgumentHelp("Directory for fleetroll's state (default: $FLEETROLL_HOME, else ~/.fleetroll).", valueName: "dir"))
    var stateDir: String?

    /// The old tool's way to move its files: they lived next to the audit log. Accepted so
    /// existing scripts keep working; the state directory becomes the log's directory, or the
    /// path itself when it is a directory (the old `maintain --audit-log` took the directory).
    @Option(help: ArgumentHelp("Old form of --state-dir: the state directory is this file's directory.", valueName: "path", visibility: .hidden))
    var auditLog: String?

    @Flag(name: [.customShort("d"), .long], help: Topic.help)
    var debug = false
}

extension FleetOptions {
    var state: StateDirectory {
        StateDirectory.resolve(explicit: stateDir ?? auditLog.map(Self.stateDirectory(forAuditLog:)))
    }

    static func stateDirectory(forAuditLog path: String) -> String {
        var isDirectory: ObjCBool = false
        let expanded = (path as NSString).expandingTildeInPath
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue { return path }
        return (path as NSString).deletingLastPathComponent
    }

    /// Prepares the state directory and opens its database; problems are usage errors.
    ///
    /// When the state directory holds a Python fleetroll database this store never imported, it
    /// is imported first (README: "Switching from the Python fleetroll"): the import only reads
    /// that tool's files, so the operator's first command shows their fleet. A failed import is
    /// a warning; the command goes on, and the next one tries again.
    func openDatabase(retention: Int = 10, importPython: Bool = true) throws -> FleetDatabase {
        let database: FleetDatabase
        do {
            try state.prepare()
            database = try FleetDatabase(state: state, retention: retention)
        } catch let error as StateDirectoryError {
            throw CLIError.usage(error.description)
        } catch {
            throw CLIError.usage("cannot open the state directory \(state.root.path): \(ErrorText.describe(error))")
        }
        if importPython { importPythonIfNeeded(into: database) }
        return database
    }

    private func importPythonIfNeeded(into database: FleetDatabase) {
        let importer = PythonImporter(state: state, database: database)
        guard (try? importer.needsImport()) == true else { return }
        do {
            let report = try importer.run()
            Terminal.note(PythonImportView(report: report).automatic())
        } catch {
            Terminal.warning("could not import the Python fleetroll's data from \(state.pythonDatabase.path): \(ErrorText.describe(error))\n"
                             + "This command goes on without it; the next command (or `fleetroll import-python`) tries again.")
        }
    }

    /// The composition root for this command: the state directory, its configuration, the user
    /// and the clock.
    func fleet() throws -> Fleet {
        Fleet(state: state, config: try config(), context: .live(), logger: makeLogger("fleetroll"))
    }

    /// `<state>/config.toml`; a broken file is a usage error naming the file and key.
    func config() throws -> FleetConfig {
        do { return try FleetConfig.load(path: state.config.path) } catch { throw CLIError.usage(error.description) }
    }

    func makeLogger(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = debug ? .debug : .warning
        return logger
    }
}

/// How to reach hosts over ssh.
struct SSHOptions: ParsableArguments {
    @Option(name: .customLong("ssh-option"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "Extra ssh arguments, split like a shell would, e.g. --ssh-option \"-J bastion\" or --ssh-option \"-F lab/ssh_config\". Repeatable; they win over fleetroll's own defaults. Without -F, host keys are trusted on first sight (hosts are reimaged); with -F, your config decides.",
        valueName: "args"))
    var sshOptions: [String] = []

    @Option(help: ArgumentHelp("ssh ConnectTimeout in seconds (default: [ssh] connect_timeout, else 10).", valueName: "seconds"))
    var connectTimeout: Int?

    @Option(help: ArgumentHelp("Wall-clock limit for each host's whole ssh session, in seconds (default: [ssh] timeout, else 10).", valueName: "seconds"))
    var timeout: Double?

    @Flag(name: .customLong("no-multiplex"), help: "Do not reuse ssh connections (ControlMaster); every run pays a full handshake.")
    var noMultiplex = false

    func validate() throws {
        if let c = connectTimeout, c < 1 { throw ValidationError("--connect-timeout must be at least 1 second.") }
        if let t = timeout, t <= 0 { throw ValidationError("--timeout must be more than 0 seconds.") }
        do { _ = try SSHSettings.splitOptions(sshOptions) } catch {
            throw ValidationError("--ssh-option: \(error)")
        }
    }

    /// The ssh settings: command-line values, else the config file's, else the defaults. The
    /// config's `[ssh] options` come before the command line's.
    func settings(state: StateDirectory, config: FleetConfig) throws -> SSHSettings {
        var s = SSHSettings()
        s.connectTimeout = connectTimeout ?? config.connectTimeout ?? 10
        s.timeout = timeout ?? config.timeout ?? 10
        do { s.extraArguments = try SSHSettings.splitOptions(config.sshOptions + sshOptions) } catch {
            throw CLIError.usage("[ssh] options in \(state.config.path): \(error)")
        }
        s.controlDirectory = noMultiplex ? nil : state.sshControl.path
        return s
    }
}

/// Resolves HOST_OR_FILE arguments, turning every problem into a usage error before any
/// host is contacted. `-` alone reads a host list from standard input
/// (`... | fleetroll gather-host -`), in the list-file syntax.
func resolveHosts(_ arguments: [String]) throws -> HostSelection {
    let selection: HostSelection
    do {
        if arguments.contains("-") {
            guard arguments == ["-"] else {
                throw CLIError.usage("'-' (hosts from standard input) cannot be mixed with other hosts or files")
            }
            if isatty(STDIN_FILENO) == 1 { Terminal.note("Reading hosts from standard input (one a line; Ctrl-D ends)...") }
            let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            selection = try HostSelection.resolve(listText: text, name: "<stdin>")
        } else {
            selection = try HostSelection.resolve(arguments)
        }
    } catch let error as HostSelectionError { throw CLIError.usage(error.description) }
    for e in selection.expansions { Terminal.note("Expanding \(e.from) → \(e.to)") }
    if selection.duplicatesDropped > 0 {
        Terminal.note("Dropped \(selection.duplicatesDropped) duplicate host\(selection.duplicatesDropped == 1 ? "" : "s").")
    }
    return selection
}
