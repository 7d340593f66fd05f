import ArgumentParser
import FleetCore
import FleetGather
import FleetStore
import FleetTaskcluster
import FleetOps
import Foundation

struct GatherTCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gather-tc",
        abstract: "Record each host's Taskcluster worker: state, last active, latest task, quarantine.",
        discussion: """
            Each host's pool comes from its role (built-in table plus [taskcluster.pools] in the \
            config), or from WORKER_TYPE_OVERRIDE in its override file; Windows roles are matched \
            against the provisioner's worker types. Roles and overrides are read from each host's \
            latest successful gather-host. Pools are scanned with the ViewWorkers GraphQL query, \
            several at once, with retries on 5xx and connection errors. Every host gets a record: \
            its worker, "not_found", "scan_failed" or "no_pool", so old data never passes for current. \
            Each found worker's latest task run is stored too (TC_JOBS / TC_OK% count them); \
            --task-history also reads each found worker's recent tasks, one request per worker \
            (8 at once), which is what a rollout's job gates need. It is off by default: a fleet of \
            10,000 workers would be 10,000 requests. A worker whose history cannot be read is \
            named on stderr (WARNING); the rest is stored and the exit status is unchanged.
            Exit status: 0 when every pool was scanned, 1 when a pool failed, 2 for usage errors.
            """,
        aliases: ["tc-fetch"]
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var global: GlobalOptions<HTTPDebug>
    @OptionGroup var taskcluster: TaskclusterOptions

    @Flag(name: .shortAndLong, help: "Print one line only.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print one line per host.")
    var verbose = false

    @Flag(help: "Print the stored records as a JSON array (schemas/gather-tc.schema.json).")
    var json = false

    @Flag(help: "Also read each found worker's recent tasks (one request per worker; for TC_JOBS / TC_OK% and rollout gates).")
    var taskHistory = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("--verbose and --quiet are mutually exclusive.") }
    }

    func run() async throws {
        let selection = try resolveHosts(hosts)
        Interrupts.install(Interrupts.terminateAndExit)
        let report = try await Self.collect(selection, global: global, taskcluster: taskcluster, taskHistory: taskHistory)
        if json {
            print(JSONOutput.encode(report.records))
        } else {
            print(TaskclusterView(report: report, verbose: verbose).render(quiet: quiet))
        }
        // On stderr, so a cron job that drops stdout still sees them.
        for (host, error) in report.historyFailures { Terminal.warning("task history of \(host): \(error)") }
        if let problem = TaskclusterView(report: report, verbose: false).failure { throw CLIError.failed(problem) }
    }

    static func collect(_ selection: HostSelection, global: some FleetOptions, taskcluster: TaskclusterOptions,
                        taskHistory: Bool = false) async throws -> TaskclusterReport {
        let fleet = try global.fleet()
        let config = fleet.config
        let url = taskcluster.rootURL(config)
        let collector = fleet.taskcluster(try global.openDatabase(), client: taskcluster.client(config, logger: fleet.logger),
                                          table: taskcluster.poolTable(config), concurrency: taskcluster.concurrency(config))
        // On a terminal, say what is being read while it is (a slow service is otherwise silence).
        let bar = ProgressBar(total: 0, label: "Scanning Taskcluster pools at \(url)", enabled: true)
        bar.update(done: 0)
        defer { bar.finish() }
        let history = taskHistory ? Set(selection.hosts.map(\.description)) : []
        return try await collector.collect(selection.hosts, now: fleet.context.now, taskHistory: history) { done, total in
            bar.update(done: done, total: total)
        }
    }
}

/// Text output of gather-tc.
struct TaskclusterView {
    let report: TaskclusterReport
    let verbose: Bool

    /// Why the run exits 1, for stderr (the report on stdout may be going to /dev/null).
    var failure: String? {
        guard report.failedPools > 0 else { return nil }
        let first = report.pools.lazy.compactMap { entry -> String? in
            if case .failure(let e) = entry.result { return "\(entry.pool): \(e)" } else { return nil }
        }.first ?? report.warnings.first ?? ""
        return "gather-tc: \(report.failedPools) pool(s) could not be scanned; first: \(first)"
    }

    func render(quiet: Bool) -> String {
        let byType = Dictionary(grouping: report.records, by: \.type)
        let counts = "\(report.found) worker(s), \(byType[.notFound]?.count ?? 0) not found, "
            + "\(byType[.scanFailed]?.count ?? 0) not scanned, \(byType[.noPool]?.count ?? 0) without a pool"
        if quiet {
            let problems = report.failedPools + report.warnings.count + report.historyFailures.count
            return problems == 0 ? "\(Terminal.green("✓ SUCCESS")) \(counts)" : "\(Terminal.yellow("⚠ WARNING")) \(counts) (\(report.failedPools) pool(s) failed\(report.historyFailures.isEmpty ? "" : ", \(report.historyFailures.count) task history read(s) failed"))"
        }
        var lines = ["Taskcluster data for \(report.records.count) host(s):"]
        for (pool, hosts, result) in report.pools {
            switch result {
            case .success(let scan):
                var line = "  \(pool) (\(hosts) host(s)): \(scan.workers.count) worker(s) in \(scan.pages) page(s)"
                if let errors = report.partialErrors[pool] { line += ", \(errors.count) GraphQL error(s) with partial data" }
                lines.append(line)
            case .failure(let error):
                lines.append("  \(pool) (\(hosts) host(s)): \(Terminal.red("FAILED")): \(error)")
            }
        }
        for w in report.warnings { lines.append("\(Terminal.yellow("WARNING")): \(w)") }
        if !report.historyRead.isEmpty || !report.historyFailures.isEmpty {
            lines.append("Task history: read for \(report.historyRead.count) worker(s), \(report.historyFailures.count) failed.")
        }
        let problems = report.records.filter { $0.type != .worker }
        if !problems.isEmpty {
            lines.append("Hosts without current worker data:")
            for r in problems { lines.append("  \(r.host): \(r.type.rawValue): \(r.note ?? "")") }
        }
        if verbose {
            lines.append("Workers:")
            for r in report.records where r.type == .worker {
                let quarantine = r.isQuarantined() ? " QUARANTINED until \(r.quarantineUntil ?? "")" : ""
                lines.append("  \(r.host): \(r.state ?? "-") last active \(r.lastDateActive ?? "-") task \(r.taskState ?? "-")\(quarantine)")
            }
        }
        lines.append("Stored \(report.records.count) record(s): \(counts); \(report.taskRuns.count) task run(s).")
        return lines.joined(separator: "\n")
    }
}
