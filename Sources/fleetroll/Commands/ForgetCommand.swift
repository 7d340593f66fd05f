import ArgumentParser
import FleetCore
import FleetOps
import FleetStore
import Foundation

struct ForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Remove hosts' data from the local store (a typo'd or retired host); recorded in the audit log.",
        discussion: """
            Removes every observation, Taskcluster record and note of each host, and its report \
            summary, so it leaves the report, data-freshness --all and the live view. Hosts are \
            named as everywhere (short names expand; a list file or - works too). Nothing on the \
            hosts is touched. Without --confirm, only says what it would remove. Each removed host \
            gets a "host.forget" line in <state>/audit.jsonl.
            Exit status: 0 when every host was found (and removed), 1 when one was not in the store, \
            2 for usage errors.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, one .list file, or - for standard input.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var global: GlobalOptions<NoDebug>

    @Flag(help: "Remove the data. Without it, fleetroll shows what it would remove.")
    var confirm = false

    @Option(help: "Why; recorded in the audit log.")
    var reason: String?

    @Flag(help: "Print one JSON object: {dry_run, hosts: [{host, found, observations, taskcluster_records, notes}], removed} (schemas/forget.schema.json).")
    var json = false

    func run() async throws {
        let names = try resolveHosts(hosts).hosts.map(\.host)
        let fleet = try global.fleet()
        let database = try global.openDatabase()
        let result: [ForgottenHost]
        if confirm {
            do { result = try await fleet.forget(database, hosts: names, reason: reason) } catch let error as ForgetError {
                throw CLIError.failed(error.description)
            }
        } else {
            result = try await database.holdings(hosts: names)
        }
        let missing = result.filter { !$0.found }
        if json {
            let rows: [[String: Any]] = result.map {
                ["host": $0.host, "found": $0.found, "observations": $0.observations,
                 "taskcluster_records": $0.taskclusterRecords, "notes": $0.notes]
            }
            print(JSONOutput.render(["dry_run": !confirm, "hosts": rows, "removed": confirm ? result.count - missing.count : 0] as [String: Any]))
        } else {
            if !confirm { print(Terminal.yellow("DRY RUN: --confirm not provided; nothing will be removed.")) }
            for h in result where h.found {
                print("\(confirm ? "REMOVED" : "WOULD REMOVE") \(h.host): \(h.observations) observation(s), "
                      + "\(h.taskclusterRecords) Taskcluster record(s), \(h.notes) note record(s)")
            }
            if confirm && result.count > missing.count { print("Audit log: \(global.state.auditLog.path)") }
            if !confirm && result.count > missing.count { print(Terminal.yellow("Run again with --confirm to remove them.")) }
        }
        guard missing.isEmpty else {
            throw CLIError.failed("not in the store: \(missing.map(\.host).joined(separator: ", "))")
        }
    }
}
