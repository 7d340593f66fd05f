import ArgumentParser
import FleetCore
import FleetStore
import Foundation

/// Prints a stored override or vault.yaml found by SHA-256 prefix or humanhash.
struct ContentLookupOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A SHA-256 prefix (as in the store's file names) or a two-word humanhash such as texas-vermont.", valueName: "KEY"))
    var key: String

    @Flag(help: "Print the stored file's path instead of its content.")
    var path = false

    @OptionGroup var global: GlobalOptions<NoDebug>

    func show(in store: ContentStore, noun: String) throws {
        let result: ContentLookup
        do { result = try store.lookup(key) } catch {
            throw CLIError.usage("\(noun.capitalized) directory not found: \(store.directory.path)")
        }
        switch result {
        case .found(let url):
            if path {
                print(url.path)
            } else {
                let bytes = FileManager.default.contents(atPath: url.path) ?? Data()
                // The bytes came from a host: exact into a pipe or file, cleaned on a terminal.
                if Terminal.stdoutIsTTY {
                    FileHandle.standardOutput.write(Data(Terminal.clean(String(decoding: bytes, as: UTF8.self)).utf8))
                } else {
                    FileHandle.standardOutput.write(bytes)
                }
            }
        case .ambiguous(let matches):
            if matches.first?.contains(" (") == true {
                throw CLIError.usage("Ambiguous humanhash '\(key)', matches:\n" + matches.map { "- \($0)" }.joined(separator: "\n"))
            }
            throw CLIError.usage("Ambiguous prefix '\(key)', matches: \(matches.joined(separator: ", "))")
        case .notFound:
            if key.trimmingCharacters(in: .whitespaces).isEmpty { throw CLIError.usage("an empty key matches nothing") }
            throw CLIError.usage("No \(noun) file found for '\(key)' (neither a SHA-256 prefix nor the humanhash of a stored file)")
        }
    }
}

struct ShowOverrideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show-override",
        abstract: "Print a stored override file, found by SHA-256 prefix or humanhash."
    )

    @OptionGroup var lookup: ContentLookupOptions

    func run() throws {
        try lookup.show(in: lookup.global.state.overrideStore, noun: "override")
    }
}

struct ShowVaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show-vault",
        abstract: "Print a stored vault.yaml, found by SHA-256 prefix or humanhash."
    )

    @OptionGroup var lookup: ContentLookupOptions

    func run() throws {
        try lookup.show(in: lookup.global.state.vaultStore, noun: "vault")
    }
}
