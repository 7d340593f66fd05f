import ArgumentParser
import FleetCore
import FleetOps
import Foundation

struct DataFreshnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-freshness",
        abstract: "Say whether enough hosts have a recent successful gather (for cron and CI).",
        discussion: "Exit status 0 when fresh, 1 when stale or there is no data, 2 for usage errors."
    )

    @Argument(help: ArgumentHelp("A host list (or hosts); or use --all.", valueName: "HOSTS_FILE")) var hosts: [String] = []
    @Flag(name: [.customShort("a"), .long], help: "Every host in the store.") var all = false
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "A host is fresh when its latest successful gather is at most this many seconds old.") var staleThreshold = 3600
    @Option(help: "The percentage of fresh hosts needed.") var minFreshPct: Double = 80
    @OptionGroup var global: GlobalOptions<NoDebug>

    func validate() throws {
        if all && !hosts.isEmpty { throw ValidationError("HOSTS_FILE and --all are mutually exclusive.") }
        if !all && hosts.isEmpty { throw ValidationError("Specify either HOSTS_FILE or --all.") }
        guard staleThreshold >= 1 else { throw ValidationError("--stale-threshold must be at least 1.") }
        guard (0...100).contains(minFreshPct) else { throw ValidationError("--min-fresh-pct must be from 0 to 100.") }
    }

    func run() async throws {
        let state = global.state
        let names = all ? nil : try resolveHosts(hosts).hosts.map(\.description)
        let database = state.hasDatabase ? try global.openDatabase() : nil
        let r = try await DataFreshness.judge(database, hosts: names, staleAfter: staleThreshold, minFreshPct: minFreshPct,
                                              now: try global.fleet().context.now)
        let status = r.status.rawValue, newest = r.newestOK, age = r.newestAgeS, pct = r.freshPct, fresh = r.hostsFresh
        let total = r.hostsTotal, withOK = r.hostsWithOK
        let source = all ? "--all" : hosts.joined(separator: ",")
        if json {
            let fields: [(String, String)] = [
                ("status", "\"\(status)\""), ("host_source", JSONOutput.compact(source)),
                ("most_recent_ok_ts", newest.map { "\"\(Timestamp.iso($0))\"" } ?? "null"),
                ("ok_age_seconds", age.map(String.init) ?? "null"),
                ("ok_age_human", age.map { "\"\(Durations.humanize($0))\"" } ?? "null"),
                ("hosts_total", "\(total)"), ("hosts_with_ok", "\(withOK)"), ("hosts_fresh", "\(fresh)"),
                ("fresh_pct", String(format: "%.1f", pct)), ("min_fresh_pct", String(format: "%g", minFreshPct)),
                ("stale_threshold_seconds", "\(staleThreshold)"),
            ]
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            func label(_ s: String) -> String { (s + ":").padding(toLength: 17, withPad: " ", startingAt: 0) }
            print(label("status") + status)
            print(label("host_source") + source)
            print(label("most_recent_ok") + "\(newest.map(Timestamp.iso) ?? "none") (\(age.map { Durations.humanize($0) } ?? "-") ago)")
            print(label("hosts_with_ok") + "\(withOK)/\(total)")
            print(label("fresh") + "\(fresh)/\(total) (\(String(format: "%.1f", pct))%, min \(String(format: "%g", minFreshPct))%)")
            print(label("stale_threshold") + "\(staleThreshold)s")
        }
        if r.status != .fresh { throw CLIError.hostsFailed }
    }
}
