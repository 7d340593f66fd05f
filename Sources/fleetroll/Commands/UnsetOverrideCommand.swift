import ArgumentParser
import FleetCore
import FleetSSH
import FleetWrite

struct UnsetOverrideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-unset-override",
        abstract: "Remove the override file from hosts (backed up first, logged).",
        discussion: """
            Without --confirm nothing changes. A host with no override is NO_CHANGE; a host where \
            sudo fails is FAIL (never "there was no override"). A symbolic link (or other non-file) at \
            the path is BLOCKED unless --force. Exit status as for host-set-override.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var write: WriteOptions
    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions

    @Flag(help: "Also remove a symbolic link (or other non-file) at the path: the link itself, never its target.")
    var force = false

    func run() async throws {
        let selection = try resolveHosts(hosts)
        let plan = WritePlan.remove(.override, backup: write.backupPolicy(), reason: write.reason, force: force)
        var flow = WriteFlow(plan: plan, selection: selection, global: global, ssh: ssh, options: write, noun: "override")
        guard write.confirm else {
            flow.expected = await Expectations.load(selection, global: global) { observed in
                if let kind = observed.overrideKind, kind.exists, kind != .file { return force ? "REMOVE" : "BLOCKED (\(kind.phrase))" }
                return observed.overridePresent ? "REMOVE" : "NO_CHANGE"
            }
            flow.dryRun()
            return
        }
        try await flow.run()
    }
}
