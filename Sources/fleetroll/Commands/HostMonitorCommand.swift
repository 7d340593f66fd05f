import ArgumentParser
import FleetCore
import FleetOps
import FleetReport
import FleetStore
import FleetTUI
import Foundation

struct HostMonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-monitor",
        abstract: "Report the fleet: one row per host with the columns a rollout is judged by.",
        discussion: """
            Columns: HOST OS ROLE VLT_SHA OVR_BCH UPTIME PP_LAST PP_SHA PP_EXP PP_MATCH APPLIED TC_ACT \
            TC_T_DUR TC_QUAR TC_JOBS TC_OK% DATA HEALTHY STATUS ROLLOUT NOTE (filter-only: pool, wt_ovr). \
            ROLLOUT: the rollout holding the host and its stage there (rollout=ID finds its hosts).
            TC_JOBS: the worker's task runs that started in the 24 hours before its latest scan, as stored by gather-tc \
            (each scan keeps every worker's latest task; --task-history reads all its recent ones). \
            TC_OK%: the share of those that finished which completed, in whole percent (- when none \
            finished); failed and exception count against it, running ones not at all. \
            PP_MATCH: puppet's last run applied the head of the branch the host should follow and \
            succeeded. APPLIED: that run applied exactly the override and vault.yaml on the host now. \
            HEALTHY: N when anything is known wrong (the latest gather failed, PP_MATCH or APPLIED N, \
            the last puppet run failed, the worker quarantined, idle for an hour or not in its pool); \
            Y only when all of it is known good; - when nothing is known wrong but something is unknown \
            (--json: values.healthy_reasons says what). \
            STATUS: OK, UNK (never gathered) or the latest gather's error class. \
            On a terminal narrower than the table, --once leaves out the least needed columns (stderr \
            says which); a pipe gets every column.

            --filter takes the query language: conditions COL OP VALUE (OP one of = != > < >= <= ~; \
            durations like 20h, 1d04h or "1d 04h" (quoted) compare as time; tc_jobs and tc_ok_pct as numbers; a|b alternatives; col= \
            for "no value") and sort:col[:desc],... For example: --filter 'healthy=n pp_last>20h \
            sort:pp_last:desc'. A value a column cannot hold (healthy=maybe) is an error. Named \
            filters (--filter-file NAME): [filters] directory, <state>/filters, then the ones \
            shipped with fleetroll.
            On a terminal, without --once, it opens the live view: rows change as gathers store data; \
            press ? there for its keys (paging, filters, named filters, a host's detail on Enter). \
            Without --once, when the output is not a terminal (or with --json), the report is printed and then \
            every new observation is printed as it is stored (one table line or one JSON line), \
            honouring the filter, until interrupted.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file; omit for every host in the store.", valueName: "HOST_OR_FILE"))
    var hosts: [String] = []

    @OptionGroup var global: GlobalOptions<NoDebug>

    @Flag(help: "Print once and exit.")
    var once = false

    @Flag(help: "Print a JSON array of {host, row, values, status, observed, record, taskcluster} (following: one such object per line).")
    var json = false

    @Option(help: "Base order before any sort: host, role or ovr_bch.")
    var sort = "host"

    @Option(help: "Query: conditions and sort: keys.")
    var filter: String?

    @Option(help: ArgumentHelp("A filter file, or the name of a named filter: in [filters] directory, <state>/filters, or shipped with fleetroll.", valueName: "name-or-path"))
    var filterFile: String?

    @Option(help: ArgumentHelp("Columns to show, in order, e.g. host,pp_match,healthy,status.", valueName: "cols"))
    var columns: String?

    @Flag(help: "Print only the host names that pass the filter, one per line.")
    var hostnameOnly = false

    @Option(help: .hidden)
    var benchmark: Int?

    func validate() throws {
        if filter != nil && filterFile != nil { throw ValidationError("--filter and --filter-file are mutually exclusive.") }
        if hostnameOnly && json { throw ValidationError("--hostname-only and --json are mutually exclusive.") }
        if hostnameOnly && !once { throw ValidationError("--hostname-only requires --once.") }
        guard BaseOrder(rawValue: sort.lowercased()) != nil else { throw ValidationError("--sort must be host, role or ovr_bch.") }
        if let columns {
            let names = columns.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let known = ReportColumn.displayed.map(\.rawValue).joined(separator: ", ")
            if names.allSatisfy(\.isEmpty) { throw ValidationError("--columns: no column given (known: \(known))") }
            for name in names where ReportColumn.named(name) == nil || name.isEmpty {
                throw ValidationError("--columns: unknown column '\(name)' (known: \(known))")
            }
        }
    }

    func run() async throws {
        let follow = !once && !hostnameOnly
        if benchmark != nil && (!follow || json || !Terminal.stdoutIsTTY) {
            throw CLIError.usage("--benchmark draws the live view: it needs a terminal and no --once or --json.")
        }
        if follow && !json && Terminal.stdoutIsTTY {
            try await runTerminalView()
            return
        }
        let queryText = try resolveQuery()
        let query = Query(queryText ?? "")
        if let text = queryText, let issue = query.validate(text) { throw CLIError.usage("--filter: \(issue)") }
        let fleet = try global.fleet()
        let database = try global.openDatabase()
        let loader = fleet.report(database)
        let names = hosts.isEmpty ? nil : try resolveHosts(hosts).hosts.map(\.description)
        let order = BaseOrder(rawValue: sort.lowercased()) ?? .host
        var table = ReportTable(columns: selectedColumns ?? ReportColumn.displayed, colour: Terminal.colorEnabled)
        guard follow else {
            let rows = query.apply(try await loader.rows(hosts: names, order: order, now: fleet.context.now))
            if hostnameOnly {
                Terminal.write(rows.map { $0.host + "\n" }.joined())
            } else if json {
                try await loader.json(rows) { Terminal.write($0) }
            } else {
                fitToTerminal(&table, rows)
                table.render(rows) { Terminal.write($0) }
            }
            Terminal.exitNow()
        }
        // Following: the report, then one line per observation stored after it (the feed reads
        // the report and the ids to follow from in one transaction, so each is printed once).
        let feed = fleet.liveReport(database, hosts: names)
        try await feed.load()
        let rows = query.apply(ReportLoader.sorted(await feed.rows, order, byHost: true))
        let widths = table.widths(rows)
        if json {
            // JSON lines throughout: the report's rows, then each new one.
            let stored = try await loader.json(rows)
            Terminal.write(ReportJSON.lines(fromArray: stored))
        } else {
            table.render(rows) { Terminal.write($0) }
        }
        // Ctrl-C is how following ends: no message, exit 0 (SIGTERM: 143).
        Interrupts.install(Interrupts.quietExit)
        while true {
            try await Task.sleep(nanoseconds: 500_000_000)
            for case .observation(let event) in try await feed.poll() where !query.apply([event.row]).isEmpty {
                // Unbuffered, so a pipe sees each line as it comes.
                Terminal.write((json ? try await feed.jsonLine(event) : table.line(event.row, widths: widths)) + "\n")
            }
        }
    }

    /// A table wider than the terminal would wrap into an unreadable mess: the least needed
    /// columns go (never HOST, HEALTHY or STATUS), and stderr says which. A pipe gets them all.
    func fitToTerminal(_ table: inout ReportTable, _ rows: [HostRow]) {
        guard selectedColumns == nil, let width = Terminal.stdoutColumns else { return }
        let hidden = table.fit(rows, width: width)
        guard !hidden.isEmpty else { return }
        Terminal.note("(\(hidden.count) column\(hidden.count == 1 ? "" : "s") hidden to fit \(width) columns: "
                      + hidden.map(\.header).joined(separator: " ") + "; --columns picks them, a pipe shows them all)")
    }

    /// The live view in the terminal (ncurses).
    func runTerminalView() async throws {
        // A query with a problem is applied anyway and its problem shown in the view, as the
        // filter bar does: the operator fixes it there with / and ↑.
        let queryText = try resolveQuery() ?? ""
        guard isatty(0) == 1 else {
            throw CLIError.usage("the live view reads keys from the terminal, but standard input is not one; use --once or --json")
        }
        let state = global.state
        let fleet = try global.fleet()
        let database = try global.openDatabase()
        let names = hosts.isEmpty ? nil : try resolveHosts(hosts).hosts.map(\.description)
        let source = hosts.count == 1 ? (hosts[0] as NSString).lastPathComponent : (hosts.isEmpty ? "all hosts" : "\(hosts.count) args")
        var options = MonitorApp.Options()
        options.hosts = names
        options.query = queryText
        options.order = BaseOrder(rawValue: sort.lowercased()) ?? .host
        options.columns = selectedColumns
        options.source = source
        options.version = Fleetroll.version
        options.benchmarkFrames = benchmark
        options.historyPath = state.root.appendingPathComponent("filter_history").path
        options.logPath = state.root.appendingPathComponent("monitor.log").path
        options.filterDirectories = filterDirectories
        options.watchedFiles = [("audit", state.auditLog.path), ("db", state.database.path)]
        let app = MonitorApp(feed: fleet.liveReport(database, hosts: names), options: options)
        // A closed terminal (SIGHUP) ends the view like q does, so the filter history is kept.
        Interrupts.install(signals: [SIGINT, SIGTERM, SIGHUP]) { _ in app.requestStop() }
        try await app.run()
        // q and Ctrl-C are the normal end (0); SIGTERM and SIGHUP end it as signals do.
        if let sig = Interrupts.signal, sig != SIGINT { throw ExitCode(128 + sig) }
    }

    /// `--columns`, parsed (validate() has checked the names).
    var selectedColumns: [ReportColumn]? {
        columns.map { $0.split(separator: ",").compactMap { ReportColumn.named(String($0).trimmingCharacters(in: .whitespaces)) } }
    }

    func resolveQuery() throws -> String? {
        guard let filterFile else { return filter }
        do { return try NamedFilters.resolve(filterFile, directories: filterDirectories).query } catch { throw CLIError.usage(error.message) }
    }

    /// Where named filters are looked for, before the ones shipped with fleetroll: the
    /// configured directory, then `<state>/filters` (README: named filters).
    var filterDirectories: [String] {
        let configured = (try? global.config())?.filtersDirectory
        return (configured.map { [$0] } ?? []) + [global.state.root.path + "/filters"]
    }
}
