import ArgumentParser
import FleetCore
import FleetStore
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
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if all && !hosts.isEmpty { throw ValidationError("HOSTS_FILE and --all are mutually exclusive.") }
        if !all && hosts.isEmpty { throw ValidationError("Specify either HOSTS_FILE or --all.") }
        guard staleThreshold >= 1 else { throw ValidationError("--stale-threshold must be at least 1.") }
        guard (0...100).contains(minFreshPct) else { throw ValidationError("--min-fresh-pct must be from 0 to 100.") }
    }

    func run() async throws {
        let state = global.state
        var names: [String] = []
        var latest: [String: HostHistory] = [:]
        if !all { names = try resolveHosts(hosts).hosts.map(\.description) }
        if state.hasDatabase {
            let store = ObservationStore(database: try global.openDatabase())
            latest = try await store.latest(hosts: all ? nil : names)
            if all { names = latest.keys.sorted() }
        }
        let now = Date()
        let okTimes = names.compactMap { latest[$0]?.latestOK.flatMap { Timestamp.parse($0.ts) } }
        let fresh = okTimes.filter { max(0, now.timeIntervalSince($0)) <= Double(staleThreshold) }.count
        let pct = names.isEmpty ? 0 : (1000 * Double(fresh) / Double(names.count)).rounded() / 10
        let newest = okTimes.max()
        let status = names.isEmpty || okTimes.isEmpty ? "no_data" : (pct < minFreshPct ? "stale" : "fresh")
        let age = newest.map { max(0, Int(now.timeIntervalSince($0))) }
        let source = all ? "--all" : hosts.joined(separator: ",")
        if json {
            let fields: [(String, String)] = [
                ("status", "\"\(status)\""), ("host_source", JSONOutput.compact(source)),
                ("most_recent_ok_ts", newest.map { "\"\(Timestamp.iso($0))\"" } ?? "null"),
                ("ok_age_seconds", age.map(String.init) ?? "null"),
                ("ok_age_human", age.map { "\"\(Durations.humanize($0))\"" } ?? "null"),
                ("hosts_total", "\(names.count)"), ("hosts_with_ok", "\(okTimes.count)"), ("hosts_fresh", "\(fresh)"),
                ("fresh_pct", String(format: "%.1f", pct)), ("min_fresh_pct", String(format: "%g", minFreshPct)),
                ("stale_threshold_seconds", "\(staleThreshold)"),
            ]
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            func label(_ s: String) -> String { (s + ":").padding(toLength: 17, withPad: " ", startingAt: 0) }
            print(label("status") + status)
            print(label("host_source") + source)
            print(label("most_recent_ok") + "\(newest.map(Timestamp.iso) ?? "none") (\(age.map { Durations.humanize($0) } ?? "-") ago)")
            print(label("hosts_with_ok") + "\(okTimes.count)/\(names.count)")
            print(label("fresh") + "\(fresh)/\(names.count) (\(String(format: "%.1f", pct))%, min \(String(format: "%g", minFreshPct))%)")
            print(label("stale_threshold") + "\(staleThreshold)s")
        }
        if status != "fresh" { throw CLIError.hostsFailed }
    }
}
