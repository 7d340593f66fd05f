import ArgumentParser
import FleetSSH

struct DebugHostScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-host-script",
        abstract: "Print the exact script gather-host runs on each host; connects to nothing."
    )

    @Flag(help: "Print the script as it is when override contents are not fetched.")
    var noContent = false

    @Flag(help: "Print the single argument ssh sends: sh -c '<script>'.")
    var wrap = false

    @Option(name: .customLong("known-vault"), help: ArgumentHelp(
        "A vault.yaml SHA-256 the local store already has (its content is then not sent). Repeatable.",
        valueName: "sha256"))
    var knownVaults: [String] = []

    func run() {
        let body = AuditScript(includeContent: !noContent, knownVaultSHAs: knownVaults).body
        print(wrap ? RemoteCommand.wrap(body) : body)
    }
}
