import ArgumentParser
import FleetCore
import FleetSSH
import FleetStore
import FleetWrite
import Foundation

struct SetVaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-set-vault",
        abstract: "Set vault.yaml on hosts (atomic, verified, backed up, logged; contents never shown).",
        discussion: """
            Sends --from-file to /root/vault.yaml (macOS: /var/root/vault.yaml), mode 0640, after \
            checking that it is one YAML document. The same verified atomic write as \
            host-set-override; there is no guard against replacing a different vault, but a symbolic \
            link (or anything else that is not a regular file) at the path is BLOCKED unless --force. A local copy \
            is kept in <state>/vault_yamls (mode 0600) once at least one host has accepted the file. \
            The contents never appear in output or logs: only the SHA-256 and its humanhash.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var content: ContentOptions
    @OptionGroup var write: WriteOptions
    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions

    @Option(help: "Mode of the file on the host.")
    var mode = "0640"

    @Flag(help: "Replace a symbolic link (or another non-file) at the path with a regular file: the link itself, never its target. A different vault.yaml is replaced without it.")
    var force = false

    func run() async throws {
        let selection = try resolveHosts(hosts)
        let (bytes, verdict) = try await content.readChecked { data throws(ContentValidation.Failure) in
            try ContentValidation.checkVault(data)
        }
        let ownership = try content.ownership(mode: mode)
        let plan = WritePlan.write(.vault, content: bytes, source: "file:\(content.fromFile)", ownership: ownership,
                                   backup: write.backupPolicy(), force: force, reason: write.reason)
        var flow = WriteFlow(plan: plan, selection: selection, global: global, ssh: ssh, options: write, noun: "vault")
        let store = global.state.vaultStore
        guard write.confirm else {
            let sha = plan.parameters.sha256 ?? ""
            flow.details = content.dryRunLines("Vault", plan: plan, ownership: ownership, verdict: verdict) + [
                "Vault contents: (suppressed)",
                "Local store: \(store.directory.path) (written once a host accepts the file)",
            ]
            flow.expected = await Expectations.load(selection, global: global) { observed in
                if let kind = observed.vaultKind, kind.exists, kind != .file { return force ? "REPLACE" : "BLOCKED (\(kind.phrase))" }
                return observed.vaultSHA256 == sha ? "NO_CHANGE" : "WRITE"
            }
            flow.dryRun()
            return
        }
        try await flow.run(keepsVaultCopy: true)
    }
}
