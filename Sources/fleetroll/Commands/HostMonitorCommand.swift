import ArgumentParser
import FleetCore
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
            TC_T_DUR TC_QUAR DATA HEALTHY STATUS NOTE (filter-only: pool, wt_ovr).
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
            durations like 20h or 1d 04h compare as time; a|b alternatives; col= for "no value") and \
            sort:col[:desc],... For example: --filter 'healthy=n pp_last>20h sort:pp_last:desc'.
            On a terminal, without --once, it opens the live view: rows change as gathers store data; \
            press ? there for its keys (paging, filters, named filters, a host's detail on Enter). \
            Without --once, when the output is not a terminal (or with --json), the report is printed and then \
            every new observation is printed as it is stored (one table line or one JSON line), \
            honouring the filter, until interrupted.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file; omit for every host in the store.", valueName: "HOST_OR_FILE"))
    var hosts: [String] = []

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print once and exit.")
    var once = false

    @Flag(help: "Print a JSON array of {host, row, values, status, observed, record, taskcluster}.")
    var json = false

    @Option(help: "Base order before any sort: host, role or ovr_bch.")
    var sort = "host"

    @Option(help: "Query: conditions and sort: keys.")
    var filter: String?

    @Option(help: ArgumentHelp("A filter file, or the name of one in ./configs/filters or <state>/filters.", valueName: "name-or-path"))
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
            for name in columns.split(separator: ",") where ReportColumn.named(String(name).trimmingCharacters(in: .whitespaces)) == nil {
                throw ValidationError("--columns: unknown column '\(name)' (known: \(ReportColumn.allCases.map(\.rawValue).joined(separator: ", ")))")
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
        let state = global.state
        let database = try global.openDatabase()
        let loader = ReportLoader(state: state, database: database)
        let names = hosts.isEmpty ? try await loader.knownHosts() : try resolveHosts(hosts).hosts.map(\.description)
        let store = ObservationStore(database: database)
        var newest = try await store.newestID()
        // The report stops at `newest` and following starts after it: each observation once.
        let report = try await loader.report(for: names, order: BaseOrder(rawValue: sort.lowercased()) ?? .host, through: newest)
        let rows = query.apply(report.rows)
        var table = ReportTable(columns: selectedColumns ?? ReportColumn.displayed)
        // A table wider than the terminal would wrap into an unreadable mess: the least needed
        // columns go (never HOST, HEALTHY or STATUS), and stderr says which. A pipe gets them all.
        if selectedColumns == nil, !json, !hostnameOnly, let width = Terminal.stdoutColumns {
            let hidden = table.fit(rows, width: width)
            if !hidden.isEmpty {
                Terminal.note("(\(hidden.count) column\(hidden.count == 1 ? "" : "s") hidden to fit \(width) columns: "
                              + hidden.map(\.header).joined(separator: " ") + "; --columns picks them, a pipe shows them all)")
            }
        }
        let text = hostnameOnly ? rows.map(\.host).joined(separator: "\n")
            : json ? ReportJSON.render(rows, inputs: report.inputs) : table.render(rows)
        FileHandle.standardOutput.write(Data((text + (text.isEmpty ? "" : "\n")).utf8))
        guard follow else { return }
        Interrupts.install(Interrupts.terminateAndExit)
        let widths = table.widths(rows)
        let watched = Set(names)
        while true {
            try await Task.sleep(nanoseconds: 500_000_000)
            let (records, id) = try await store.observations(after: newest)
            newest = id
            let touched = records.filter { self.hosts.isEmpty || watched.contains($0.host) }
            guard !touched.isEmpty else { continue }
            var seen = Set<String>()
            var inputs = try await loader.inputs(for: touched.map(\.host).filter { seen.insert($0).inserted })
            // One line per stored observation, each as the row looked when it was stored.
            for record in touched {
                loader.apply([record], to: &inputs)
                for row in query.apply([RowBuilder(inputs: inputs).row(for: record.host)]) {
                    let text = json ? ReportJSON.line(row, inputs: inputs) : table.line(row, widths: widths)
                    // Unbuffered, so a pipe sees each line as it comes.
                    FileHandle.standardOutput.write(Data((text + "\n").utf8))
                }
            }
        }
    }

    /// The live view in the terminal (ncurses).
    func runTerminalView() async throws {
        // A query with a problem is applied anyway and its problem shown in the view, as the
        // filter bar does: the operator fixes it there with / and ↑.
        let queryText = try resolveQuery() ?? ""
        guard isatty(0) == 1 else {
            throw CLIError.usage("the live view reads keys from the terminal, but standard input is not one; use --once or --json")
        }
        let loader = ReportLoader(state: global.state, database: try global.openDatabase())
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
        let app = MonitorApp(loader: loader, options: options)
        // A closed terminal (SIGHUP) ends the view like q does, so the filter history is kept.
        Interrupts.install(signals: [SIGINT, SIGTERM, SIGHUP]) { app.requestStop() }
        try await app.run()
    }

    /// `--columns`, parsed (validate() has checked the names).
    var selectedColumns: [ReportColumn]? {
        columns.map { $0.split(separator: ",").compactMap { ReportColumn.named(String($0).trimmingCharacters(in: .whitespaces)) } }
    }

    func resolveQuery() throws -> String? {
        guard let filterFile else { return filter }
        let dirs = [FileManager.default.currentDirectoryPath + "/configs/filters", global.state.root.path + "/filters"]
        do { return try NamedFilters.resolve(filterFile, directories: dirs).query } catch { throw CLIError.usage(error.message) }
    }
}

/// The report as a text table: widths fitted to the content, nothing cut, two spaces apart.
struct ReportTable {
    var columns: [ReportColumn]

    /// Which columns go first when the table is wider than the terminal: the least needed to judge
    /// a host. HOST, HEALTHY and STATUS always stay.
    static let dropOrder: [ReportColumn] = [
        .data, .tcTaskDuration, .uptime, .ppExp, .vltSHA, .os, .note, .ppSHA, .tcAct, .role, .ppLast, .sha, .tcQuar, .applied, .ppMatch,
    ]

    /// Drops columns until every line fits `width`; returns the ones dropped, in table order.
    mutating func fit(_ rows: [HostRow], width: Int) -> [ReportColumn] {
        let all = columns
        let w = Dictionary(uniqueKeysWithValues: zip(all, widths(rows)))
        func total() -> Int { columns.reduce(0) { $0 + w[$1]! } + 2 * max(0, columns.count - 1) }
        for c in Self.dropOrder where total() > width { columns.removeAll { $0 == c } }
        return all.filter { !columns.contains($0) }
    }

    func render(_ rows: [HostRow]) -> String {
        let table = rows.map { row in columns.map { Terminal.clean(row[$0]) } }
        var widths = columns.map(\.header.count)
        for cells in table {
            for (i, cell) in cells.enumerated() where cell.count > widths[i] { widths[i] = cell.count }
        }
        func line(_ cells: [String], colour: (Int, String) -> String) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i > 0 { out += "  " }
                // The last cell is not padded, so lines carry no trailing spaces.
                let padded = i == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[i] - cell.count))
                out += colour(i, padded)
            }
            return out
        }
        var out = [line(columns.map(\.header)) { _, s in s }]
        out.reserveCapacity(rows.count + 1)
        let colourOn = Terminal.colorEnabled
        for cells in table {
            out.append(line(cells) { i, s in colourOn ? colour(columns[i], s) : s })
        }
        return out.joined(separator: "\n")
    }

    func widths(_ rows: [HostRow]) -> [Int] {
        var widths = columns.map(\.header.count)
        for row in rows {
            for (i, c) in columns.enumerated() { widths[i] = max(widths[i], Terminal.clean(row[c]).count) }
        }
        return widths
    }

    /// One row with the widths fixed at the start of a follow; longer cells end in `...`.
    func line(_ row: HostRow, widths: [Int]) -> String {
        columns.enumerated().map { i, c in
            var cell = Terminal.clean(row[c])
            if cell.count > widths[i] { cell = widths[i] <= 3 ? String(cell.prefix(widths[i])) : String(cell.prefix(widths[i] - 3)) + "..." }
            return i == columns.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
        }.joined(separator: "  ")
    }

    /// Only the verdict columns are coloured, and only on a terminal.
    func colour(_ column: ReportColumn, _ text: String) -> String {
        let value = text.trimmingCharacters(in: .whitespaces)
        switch column {
        case .healthy, .ppMatch, .applied:
            return value == "Y" ? Terminal.green(text) : value == "N" ? Terminal.red(text) : text
        case .status:
            return value == "OK" ? text : Terminal.red(text)
        case .tcQuar:
            return value == "YES" ? Terminal.yellow(text) : text
        default:
            return text
        }
    }
}

/// The report as JSON: rows in display order, each with its display strings (keyed like the
/// query language), typed values, and the raw records it was built from.
enum ReportJSON {
    struct Row: Encodable {
        var host: String
        var row: [String: String]
        var values: RowValues
        var status: String
        var error: String?
        var errorClass: ErrorClass?
        var observed: ObservedState?
        var record: HostObservation?
        var taskcluster: WorkerRecord?

        enum CodingKeys: String, CodingKey {
            case host, row, values, status, error, observed, record, taskcluster
            case errorClass = "error_class"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(host, forKey: .host)
            try c.encode(row, forKey: .row)
            try c.encode(values, forKey: .values)
            try c.encode(status, forKey: .status)
            try c.encode(error, forKey: .error)
            try c.encode(errorClass, forKey: .errorClass)
            try c.encode(observed, forKey: .observed)
            try c.encode(record, forKey: .record)
            try c.encode(taskcluster, forKey: .taskcluster)
        }
    }

    static func render(_ rows: [HostRow], inputs: ReportInputs) -> String {
        JSONOutput.encode(rows.map { row($0, inputs: inputs) })
    }

    /// One row as one line of JSON (following new observations).
    static func line(_ r: HostRow, inputs: ReportInputs) -> String { JSONOutput.compact(row(r, inputs: inputs)) }

    static func row(_ r: HostRow, inputs: ReportInputs) -> Row {
        let h = inputs.history[r.host]
        var cells: [String: String] = [:]
        for c in ReportColumn.allCases { cells[c.rawValue] = r[c] }
        return Row(host: r.host, row: cells, values: r.values, status: r.status, error: r.error,
                   errorClass: h?.latest.errorClass, observed: (h?.latest.ok == true ? h?.latest : h?.latestOK)?.observed,
                   record: h?.latest, taskcluster: inputs.workers[r.host])
    }
}
