import ArgumentParser
import FleetStore
import Foundation

struct ImportPythonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-python",
        abstract: "Import what the Python fleetroll recorded: gathers, Taskcluster and GitHub data, notes, stored files.",
        discussion: """
            DIR is a state directory of the Python fleetroll (default: the state directory, which \
            both tools can share). Its fleetroll.db is opened read-only and its other files are only \
            read, so the Python tool goes on working. Every gather-host record is imported, failed \
            ones too (with the error class fleetroll would give them), and the tc_workers, \
            github_refs and windows_pools rows; notes from DIR/notes.jsonl and from each --notes-file \
            (clears included); and, when DIR is another directory, its overrides/ and vault_yamls/ \
            (the names given to vault files included).

            Each run adds only what the Python tool wrote since the last one: running it twice adds \
            nothing. A record older than what fleetroll already holds for the same host is passed \
            over, so it never shows as the latest. The first command run on a state directory \
            holding a Python database that was never imported does this import by itself.

            Exit status: 0 when everything was imported, 1 when something was left out (said on \
            stderr), 2 when nothing could be imported (a missing directory, a file that is not a \
            Python fleetroll database...).
            """
    )

    @Argument(help: ArgumentHelp("A Python fleetroll state directory (default: the state directory).", valueName: "DIR"))
    var directory: String?

    @Option(help: ArgumentHelp("Also import the notes in this file (the team keeps theirs in data/notes.jsonl). Repeatable.", valueName: "file"))
    var notesFile: [String] = []

    @OptionGroup var global: GlobalOptions<NoDebug>

    @Flag(help: "Print what was imported as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print one line only.")
    var quiet = false

    func run() throws {
        let state = global.state
        let source = directory.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
        let notes = notesFile.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
        // Not the automatic import: this command is the import, and says what it did.
        let database = try global.openDatabase(importPython: false)
        let report: PythonImportReport
        do {
            report = try PythonImporter(state: state, database: database).run(from: source, notesFiles: notes)
        } catch let error as PythonImportError {
            throw CLIError.usage(error.description)
        } catch let error as NotesFileError {
            throw CLIError.usage(error.description)
        }
        let view = PythonImportView(report: report)
        print(json ? view.json() : quiet ? view.quietLine() : view.detail())
        for problem in view.leftOut { Terminal.warning(problem) }
        if !view.leftOut.isEmpty { throw CLIError.hostsFailed }
    }
}

/// What an import did, for people and for scripts.
struct PythonImportView {
    let report: PythonImportReport

    var from: String { report.database ?? report.directory }

    /// Everything that was not imported, one line each.
    var leftOut: [String] {
        let unreadable = [("host_observations", report.observations), ("tc_workers", report.workers)]
            .filter { $0.1.unreadable > 0 }
            .map { "\($0.1.unreadable) \($0.0) row(s) in \(from) could not be read and were skipped" }
        return unreadable + report.problems
    }

    func tableLine(_ name: String, _ rows: PythonImportReport.Rows) -> String {
        var parts = ["\(rows.added) added"]
        if rows.alreadyImported > 0 { parts.append("\(rows.alreadyImported) imported before") }
        if rows.olderThanOurs > 0 { parts.append("\(rows.olderThanOurs) older than fleetroll's own, passed over") }
        if rows.unreadable > 0 { parts.append("\(rows.unreadable) unreadable") }
        return "  " + name.padding(toLength: 15, withPad: " ", startingAt: 0) + parts.joined(separator: ", ")
    }

    func detail() -> String {
        var lines = [report.database.map { "Imported from \($0) (the Python fleetroll's database, left as it was):" }
                     ?? "Imported from \(report.directory) (no Python fleetroll database there):"]
        if report.database != nil {
            lines.append(tableLine("gathers", report.observations))
            lines.append(tableLine("taskcluster", report.workers))
            lines.append(tableLine("github refs", report.refs))
            lines.append(tableLine("windows pools", report.windowsPools))
        }
        let files = report.notesFiles.isEmpty ? "no notes file" : report.notesFiles.joined(separator: ", ")
        lines.append("  " + "notes".padding(toLength: 15, withPad: " ", startingAt: 0)
                     + "\(report.notesAdded) added, \(report.notesPresent) already here (\(files))")
        if report.contentsCopied + report.contentsPresent + report.linksMade > 0 {
            lines.append("  " + "stored files".padding(toLength: 15, withPad: " ", startingAt: 0)
                         + "\(report.contentsCopied) copied, \(report.contentsPresent) already here, \(report.linksMade) name link(s) made")
        }
        lines.append("Run it again at any time: it adds only what the Python fleetroll wrote since.")
        return lines.joined(separator: "\n")
    }

    func quietLine() -> String {
        let mark = leftOut.isEmpty ? Terminal.green("✓ SUCCESS") : Terminal.yellow("⚠ WARNING")
        return "\(mark) Imported \(report.added) record(s) from \(from)"
            + (leftOut.isEmpty ? "" : " (\(leftOut.count) problem(s))")
    }

    func json() -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? e.encode(report)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// The note a command prints (on stderr) after importing by itself.
    func automatic() -> String {
        var lines = ["Imported the Python fleetroll's data from \(from) (left as it was): "
                     + "\(report.observations.added) gather(s), \(report.workers.added) Taskcluster record(s), "
                     + "\(report.refs.added) GitHub ref(s), \(report.windowsPools.added) Windows pool(s), \(report.notesAdded) note(s)."]
        lines += leftOut.map { "WARNING: \($0)" }
        lines.append("Run `fleetroll import-python` to bring in what the Python tool writes from now on.")
        return lines.joined(separator: "\n")
    }
}
