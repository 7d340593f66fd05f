import FleetCore
import FleetReport
import Foundation

/// The fleet page (`/`): the live view's header, the filter box, saved filters, and the table a
/// page at a time, all as plain HTML that works without script (the filter is a GET form, sorting
/// and paging are links). The script swaps `#report` for a fresh copy when something changes.
struct HostsPage {
    let snapshot: WebModel.Snapshot
    let settings: WebSettings
    let filters: [NamedFilter]
    let warnings: [String]
    let now: Date

    func render(_ parameters: QueryParameters) -> (ok: Bool, html: String) {
        let filter = parameters["filter"] ?? ""
        let sort = parameters["sort"] ?? ""
        var selection: HostsSelection?
        var problem: String?
        do { selection = try HostsSelection(filter: filter, sort: sort, snapshot: snapshot) } catch { problem = error.message }
        let pages = max(1, ((selection?.rows.count ?? 0) + settings.pageSize - 1) / settings.pageSize)
        let page = min(max(1, Int(parameters["page"] ?? "") ?? 1), pages)
        // The header, then the filter box, then the table: the script swaps the header and the
        // table, never the box being typed in.
        let body = header(shown: selection?.rows.count) + form(filter: filter, sort: sort)
            + report(selection, problem: problem, filter: filter, sort: sort, page: page, pages: pages)
        let title = "fleetroll: \(selection?.rows.count ?? 0) of \(snapshot.rows.count) hosts"
        return (problem == nil, HTML.page(title: title, kind: "hosts", body: body))
    }

    func form(filter: String, sort: String) -> String {
        let saved = filters.map { f in
            "<li><a data-nav\(f.query == filter ? " class=\"active\"" : "") href=\"\(HTML.href("/", [("filter", f.query)]))\">"
                + "<b>\(HTML.esc(f.name))</b> <span>\(HTML.esc(f.description))</span> <code>\(HTML.esc(f.query))</code></a></li>"
        }.joined()
        return """
            <form id="filter-form" class="filters" method="get" action="/" role="search">
            <input id="filter" name="filter" type="search" value="\(HTML.esc(filter))" placeholder="os=L pp_last&gt;1h sort:pp_last:desc" autocomplete="off" spellcheck="false" aria-label="Filter">
            \(sort.isEmpty ? "" : "<input id=\"sort\" type=\"hidden\" name=\"sort\" value=\"\(HTML.esc(sort))\">")
            <button type="submit">Apply</button>
            <a class="button" data-nav href="/">Clear</a>
            <details class="menu" id="saved"><summary>Saved</summary><ul>\(saved.isEmpty ? "<li>No named filters.</li>" : saved)</ul></details>
            <details class="menu" id="recent" hidden><summary>Recent</summary><ul id="recent-list"></ul>
            <button type="button" id="clear-history">Clear history</button></details>
            <button type="button" id="theme" hidden title="Light or dark">Theme</button>
            </form>
            """
    }

    func report(_ selection: HostsSelection?, problem: String?, filter: String, sort: String, page: Int, pages: Int) -> String {
        let rows = selection?.rows ?? []
        let first = (page - 1) * settings.pageSize
        let shown = rows.isEmpty ? [] : rows[first..<min(rows.count, first + settings.pageSize)]
        var out = "<main id=\"report\" data-generation=\"\(snapshot.generation)\" data-filter=\"\(HTML.esc(filter))\" "
            + "data-sort=\"\(HTML.esc(sort))\" data-ok=\"\(problem == nil)\">"
        if let problem { out += "<p class=\"error\" id=\"filter-error\" role=\"alert\">\(HTML.esc(problem))</p>" }
        out += "<table class=\"hosts\"><thead><tr>" + ReportColumn.displayed.map { heading($0, filter: filter, sort: sort) }.joined()
            + "</tr></thead><tbody>"
        var cells = ""
        cells.reserveCapacity(shown.count * 600)
        for row in shown { cells += line(row) }
        out += cells + "</tbody></table>"
        if shown.isEmpty {
            let why = problem != nil ? "Fix the filter to see hosts."
                : snapshot.rows.isEmpty ? "No hosts in the store yet: run fleetroll gather-host." : "No host matches the filter."
            out += "<p class=\"empty\" id=\"empty\">\(why)</p>"
        }
        if pages > 1 { out += pager(page: page, pages: pages, count: rows.count, filter: filter, sort: sort) }
        return out + "</main>"
    }

    /// The live view's header: version, the rollouts page and the rollouts holding hosts, source,
    /// hosts shown/total, updated, `[stale]`, large logs.
    func header(shown: Int?) -> String {
        let total = snapshot.rows.count
        let hosts = shown.map { $0 == total ? "hosts=\(total)" : "hosts=\($0)/\(total)" } ?? "hosts=-/\(total)"
        var parts = ["<span class=\"brand\">fleetroll v\(HTML.esc(settings.version))</span>",
                     "<a href=\"/rollouts\" id=\"rollouts-link\">rollouts</a>"] + RolloutPages.active(snapshot)
            + ["<span>source=\(HTML.esc(settings.source))</span>"]
        if let suffix = snapshot.fqdnSuffix { parts.append("<span>fqdn=\(HTML.esc(suffix))</span>") }
        parts.append("<span id=\"count\">\(hosts)</span>")
        if let updated = snapshot.updated {
            parts.append("<span>updated=<time id=\"updated\" data-epoch=\"\(Int(updated.timeIntervalSince1970))\">"
                         + "\(Self.ago(now.timeIntervalSince(updated)))</time></span>")
        }
        if snapshot.stale { parts.append("<span class=\"stale\">[stale]</span>") }
        if !warnings.isEmpty {
            parts.append("<span class=\"stale\" title=\"Run fleetroll maintain to clean up\">Large logs: \(HTML.esc(warnings.joined(separator: ", ")))</span>")
        }
        if let error = snapshot.storeError { parts.append("<span class=\"stale\">store: \(HTML.esc(error))</span>") }
        parts.append("<span id=\"live\" class=\"live\" hidden></span>")
        return "<div class=\"bar\" id=\"bar\">" + parts.joined(separator: " ") + "</div>"
    }

    /// A column heading that sorts by it: ascending, then descending, then not.
    func heading(_ column: ReportColumn, filter: String, sort: String) -> String {
        let key = column.rawValue
        let next = sort == key ? key + ":desc" : sort == key + ":desc" ? "" : key
        let primary = sort.split(separator: ",").first.map(String.init) ?? ""
        let mark = primary == key ? " ↑" : primary == key + ":desc" ? " ↓" : ""
        return "<th class=\"c-\(key)\"><a data-nav href=\"\(HTML.href("/", [("filter", filter), ("sort", next)]))\" "
            + "title=\"\(HTML.esc(Self.meaning[column] ?? column.header)): sort\">\(column.header)\(mark)</a></th>"
    }

    func line(_ row: HostRow) -> String {
        var out = "<tr data-host=\"\(HTML.esc(row.host))\">"
        for c in ReportColumn.displayed {
            let verdict = CellVerdict.of(c, row)
            let cls = "c-\(c.rawValue)" + (verdict == .neutral ? "" : " v-\(verdict.rawValue)")
            if c == .host {
                let short = snapshot.fqdnSuffix.flatMap { row.host.hasSuffix($0) && row.host.count > $0.count ? String(row.host.dropLast($0.count)) : nil }
                out += "<td class=\"\(cls)\"><a href=\"\(HTML.esc(HTML.hostPath(row.host)))\" title=\"\(HTML.esc(row.host))\">"
                    + "\(HTML.esc(short ?? row.host))</a></td>"
            } else {
                out += "<td class=\"\(cls)\">\(HTML.esc(row[c]))</td>"
            }
        }
        return out + "</tr>"
    }

    func pager(page: Int, pages: Int, count: Int, filter: String, sort: String) -> String {
        func link(_ p: Int, _ text: String) -> String {
            "<a data-nav href=\"\(HTML.href("/", [("filter", filter), ("sort", sort), ("page", p == 1 ? "" : String(p))]))\">\(text)</a>"
        }
        let first = (page - 1) * settings.pageSize + 1
        let last = min(count, page * settings.pageSize)
        return "<nav class=\"pager\" id=\"pager\">" + (page > 1 ? link(1, "« first") + " " + link(page - 1, "‹ previous") : "")
            + " <span>page \(page) of \(pages) (hosts \(first)–\(last) of \(count))</span> "
            + (page < pages ? link(page + 1, "next ›") + " " + link(pages, "last »") : "") + "</nav>"
    }

    /// `45s ago`, `12m ago`, `3h ago`, `2d ago`.
    static func ago(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        return s < 60 ? "\(s)s ago" : s < 3600 ? "\(s / 60)m ago" : s < 86400 ? "\(s / 3600)h ago" : "\(s / 86400)d ago"
    }

    /// Heading tooltips: what each column says (README's table, shorter).
    static let meaning: [ReportColumn: String] = [
        .host: "The host", .os: "L Linux, M macOS, W Windows", .role: "Its puppet role",
        .vltSHA: "vault.yaml's SHA-256 prefix and humanhash", .sha: "The override's branch and SHA prefix",
        .uptime: "Uptime", .ppLast: "Age of the last puppet run (FAIL when it failed)", .ppSHA: "The commit puppet applied",
        .ppExp: "The commit it should have applied", .ppMatch: "Y when puppet applied the expected commit and succeeded",
        .applied: "Y when the last run applied exactly the override and vault.yaml on the host now",
        .tcAct: "Time since the worker was last active", .tcTaskDuration: "The last task's duration",
        .tcQuar: "YES while quarantined",
        .tcJobs: "The worker's jobs in the 24 hours before its latest Taskcluster scan", .tcOkPct: "The share of those finished that completed, in percent",
        .rollout: "The rollout holding the host, and its stage there (0: the canary)", .data: "Age of the latest successful gather / of the Taskcluster scan",
        .healthy: "N when anything is known wrong, Y when all is known good", .status: "The latest gather: OK, UNK or its error class",
        .note: "The latest note",
    ]
}
