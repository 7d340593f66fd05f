import ArgumentParser
import FleetCore
import FleetStore
import Foundation

/// The host a note is about, stored without any `user@`. Short names expand as on every other
/// command (`ms4` → `t-linux64-ms-004.test.releng.mdc1.mozilla.com`, said on stderr), so a note
/// lands on the host the report shows.
func noteHost(_ raw: String) throws -> String {
    let target: HostTarget
    do { target = try HostTarget.parse(raw) } catch { throw CLIError.usage(error.description) }
    let expanded = target.expandingShortName()
    if expanded != target { Terminal.note("Expanding \(raw) → \(expanded.host)") }
    return expanded.host
}

/// `--notes-file`, as the Python tool had it: the team's shared notes file. Its notes are imported
/// first, and new records are written to it as well, in that tool's layout, so whoever still runs
/// the Python tool sees them.
struct NotesFileOption: ParsableArguments {
    @Option(help: ArgumentHelp("A Python fleetroll notes file (the team's data/notes.jsonl): its notes are imported first, and new ones are also written to it.", valueName: "path"))
    var notesFile: String?

    var file: NotesFile? { notesFile.map { NotesFile(url: URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath)) } }

    /// Opens the store and brings the file's notes in (a missing file is fine: it is created on the first note).
    func openStore(_ global: some FleetOptions) throws -> NotesStore {
        let store = NotesStore(database: try global.openDatabase())
        guard let file else { return store }
        do {
            let imported = try store.importFile(file)
            if imported.added > 0 { Terminal.note("Imported \(imported.added) note record(s) from \(file.url.path).") }
            if imported.brokenLines > 0 {
                Terminal.warning("\(file.url.path): \(imported.brokenLines) line(s) could not be read and were skipped")
            }
        } catch let error as NotesFileError {
            throw CLIError.usage(error.description)
        }
        return store
    }

    /// Stores the record, then appends it to the notes file.
    func add(_ record: NoteRecord, to store: NotesStore) async throws {
        try await store.append(record)
        guard let file else { return }
        do { try file.append(record) } catch {
            throw CLIError.usage("the note is stored, but could not be added to \(file.url.path): \(ErrorText.describe(error))")
        }
    }
}

struct NoteAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note-add", abstract: "Add a note to a host (shown in the NOTE column).")

    @Argument(help: "The host (short names expand: ms4).") var hostname: String
    @Argument(help: "The note.") var text: String
    @OptionGroup var global: GlobalOptions<NoDebug>
    @OptionGroup var notes: NotesFileOption
    @Flag(help: "Print the stored record as JSON.") var json = false

    func run() async throws {
        let host = try noteHost(hostname)
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError.usage("the note is empty") }
        let record = NoteRecord(action: "host.note_add", actor: currentActor(), host: host, ts: Timestamp.now(), note: text)
        try await notes.add(record, to: try notes.openStore(global))
        print(json ? JSONOutput.compact(record) : "Note added for \(host): \(text)")
    }
}

struct NoteClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note-clear", abstract: "Clear a host's notes (kept in history).")

    @Argument(help: "The host (short names expand: ms4).") var hostname: String
    @Option(help: "Why they are cleared.") var reason: String?
    @OptionGroup var global: GlobalOptions<NoDebug>
    @OptionGroup var notes: NotesFileOption
    @Flag(help: "Print the stored record as JSON.") var json = false

    func run() async throws {
        let host = try noteHost(hostname)
        let record = NoteRecord(action: "host.note_clear", actor: currentActor(), host: host, ts: Timestamp.now(), reason: reason)
        try await notes.add(record, to: try notes.openStore(global))
        print(json ? JSONOutput.compact(record) : "Notes cleared for \(host)")
    }
}

struct ShowNotesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show-notes", abstract: "Show a host's notes.")

    @Argument(help: "The host (short names expand: ms4).") var hostname: String
    @Option(help: "Only the last N.") var limit: Int?
    @Flag(name: [.customShort("i"), .long], help: "Also show notes from before the last clear, and the clears.") var includeCleared = false
    @OptionGroup var global: GlobalOptions<NoDebug>
    @OptionGroup var notes: NotesFileOption
    @Flag(help: "Print a JSON array.") var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        let host = try noteHost(hostname)
        var records = try await notes.openStore(global).records(host: host)
        if !includeCleared {
            if let lastClear = records.lastIndex(where: \.isClear) { records = Array(records[(lastClear + 1)...]) }
        }
        if let limit { records = Array(records.suffix(limit)) }
        if json { print(JSONOutput.compact(records)); return }
        guard !records.isEmpty else { print("No notes for \(host)"); return }
        for r in records {
            if r.isClear {
                print("[\(r.ts)] (\(r.actor)) [CLEARED]" + (r.reason.map { " (\($0))" } ?? ""))
            } else {
                print("[\(r.ts)] (\(r.actor)) \(Terminal.clean(r.note ?? ""))")
            }
        }
    }
}

extension JSONOutput {
    static func compact<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
