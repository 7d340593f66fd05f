import ArgumentParser
import FleetSSH
import FleetStore

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
        "A vault.yaml SHA-256 whose content the host should not send. Repeatable; the state directory's vault store is used when none is given.",
        valueName: "sha256"))
    var knownVaults: [String] = []

    @OptionGroup var global: GlobalOptions<NoDebug>

    func run() {
        let known = knownVaults.isEmpty
            ? global.state.vaultStore.storedSHAs() : knownVaults
        let body = AuditScript(includeContent: !noContent, knownVaultSHAs: known).body
        print(wrap ? RemoteCommand.wrap(body) : body)
    }
}
