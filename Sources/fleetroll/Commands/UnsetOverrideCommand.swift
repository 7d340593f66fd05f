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
            sudo fails is FAIL (never "there was no override"). Exit status as for host-set-override.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var write: WriteOptions
    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions

    func run() async throws {
        let selection = try resolveHosts(hosts)
        let plan = WritePlan.remove(.override, backup: write.backupPolicy(), reason: write.reason)
        var flow = WriteFlow(plan: plan, selection: selection, global: global, ssh: ssh, options: write, noun: "override")
        guard write.confirm else {
            flow.expected = await Expectations.load(selection, global: global) { $0.overridePresent ? "REMOVE" : "NO_CHANGE" }
            flow.dryRun()
            return
        }
        try await flow.run()
    }
}
