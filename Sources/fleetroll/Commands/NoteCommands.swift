import ArgumentParser
import FleetCore
import FleetStore
import Foundation

/// The host a note is about: a fully-qualified name, stored without any `user@`.
func noteHost(_ raw: String) throws -> String {
    let target: HostTarget
    do { target = try HostTarget.parse(raw) } catch { throw CLIError.usage(error.description) }
    guard target.host.contains(".") else {
        throw CLIError.usage("Hostname must be a fully-qualified domain name (got '\(raw)')")
    }
    return target.host
}

struct NoteAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note-add", abstract: "Add a note to a host (shown in the NOTE column).")

    @Argument(help: "The host's fully-qualified name.") var hostname: String
    @Argument(help: "The note.") var text: String
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the stored record as JSON.") var json = false

    func run() async throws {
        let host = try noteHost(hostname)
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError.usage("the note is empty") }
        let record = NoteRecord(action: "host.note_add", actor: currentActor(), host: host, ts: Timestamp.now(), note: text)
        try await NotesStore(database: try global.openDatabase()).append(record)
        print(json ? JSONOutput.compact(record) : "Note added for \(host): \(text)")
    }
}

struct NoteClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note-clear", abstract: "Clear a host's notes (kept in history).")

    @Argument(help: "The host's fully-qualified name.") var hostname: String
    @Option(help: "Why they are cleared.") var reason: String?
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the stored record as JSON.") var json = false

    func run() async throws {
        let host = try noteHost(hostname)
        let record = NoteRecord(action: "host.note_clear", actor: currentActor(), host: host, ts: Timestamp.now(), reason: reason)
        try await NotesStore(database: try global.openDatabase()).append(record)
        print(json ? JSONOutput.compact(record) : "Notes cleared for \(host)")
    }
}

struct ShowNotesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show-notes", abstract: "Show a host's notes.")

    @Argument(help: "The host.") var hostname: String
    @Option(help: "Only the last N.") var limit: Int?
    @Flag(name: [.customShort("i"), .long], help: "Also show notes from before the last clear, and the clears.") var includeCleared = false
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print a JSON array.") var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        let host = (try? HostTarget.parse(hostname))?.host ?? hostname
        var records = try await NotesStore(database: try global.openDatabase()).records(host: host)
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
