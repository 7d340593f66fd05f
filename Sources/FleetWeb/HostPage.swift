import FleetCore
import FleetReport
import Foundation

/// A host's page (`/hosts/{host}`): its cells with their verdicts, why HEALTHY says what it
/// says, then every record behind the row, recent history, notes, the override file and the
/// audit lines. The script refreshes `#report` when the host is gathered again.
struct HostPage {
    let view: HostDetailView
    let settings: WebSettings
    /// For the bar: the rollouts that hold hosts.
    var snapshot = WebModel.Snapshot()

    func render() -> String {
        let row = view.row
        var out = "<main id=\"report\" data-host=\"\(HTML.esc(row.host))\">"
        out += RolloutPages.bar(snapshot, settings: settings)
        out += "<h1>\(HTML.esc(row.host))</h1>"
        out += "<table class=\"cells\"><tbody>" + ReportColumn.displayed.map { c in
            let verdict = CellVerdict.of(c, row)
            return "<tr><th title=\"\(HTML.esc(HostsPage.meaning[c] ?? ""))\">\(c.header)</th>"
                + "<td class=\"c-\(c.rawValue)\(verdict == .neutral ? "" : " v-\(verdict.rawValue)")\">\(HTML.esc(row[c]))</td></tr>"
        }.joined() + "</tbody></table>"
        out += section("Why HEALTHY is \(row[.healthy])", id: "healthy", reasons())
        out += section("Latest gather", id: "latest", HTML.tree(json: encoded(view.data.latest)))
        if view.data.latestOK != view.data.latest {
            out += section("Latest successful gather", id: "latest-ok", HTML.tree(json: encoded(view.data.latestOK)))
        }
        out += section("History (newest first)", id: "history", history())
        out += section("Taskcluster", id: "taskcluster", HTML.tree(json: encoded(view.data.worker)))
        out += section("Notes", id: "notes", notes())
        if let text = view.data.overrideText {
            out += section("Override file" + (view.overrideSHA.map { " \(String($0.prefix(12)))" } ?? ""), id: "override",
                           "<pre>\(HTML.esc(text))</pre>")
        }
        out += section("Audit log (newest last)", id: "audit", audit())
        return HTML.page(title: "fleetroll: \(row.host)", kind: "host", body: out + "</main>")
    }

    func section(_ title: String, id: String, _ body: String) -> String {
        "<section id=\"\(id)\"><h2>\(HTML.esc(title))</h2>\(body)</section>"
    }

    func encoded<T: Encodable>(_ value: T?) -> String? { value.flatMap { try? JSONFormat.compactString($0) } }

    func reasons() -> String {
        let v = view.row.values
        var items = v.healthyReasons.map { "<li>\(HTML.esc($0))</li>" }
        // HEALTHY's reasons name PP_MATCH and APPLIED when they count; otherwise say them here.
        for (name, reason) in [("PP_MATCH", v.ppMatchReason), ("APPLIED", v.appliedReason)] {
            guard let reason, !v.healthyReasons.contains(where: { $0.contains(reason) }) else { continue }
            items.append("<li>\(name): \(HTML.esc(reason))</li>")
        }
        return items.isEmpty ? "<p>Everything known is good.</p>" : "<ul>" + items.joined() + "</ul>"
    }

    func history() -> String {
        guard !view.history.isEmpty else { return "<p>Never gathered.</p>" }
        return "<table class=\"plain\"><thead><tr><th>when</th><th>result</th><th>role</th><th>puppet</th><th>error</th></tr></thead><tbody>"
            + view.history.map { o in
                let result = o.ok ? "OK" : (o.errorClass?.rawValue.uppercased() ?? "FAILED")
                let puppet = o.observed?.puppet.gitSHA.map { String($0.prefix(12)) } ?? "-"
                return "<tr><td>\(HTML.esc(o.ts))</td><td class=\"\(o.ok ? "v-good" : "v-act")\">\(HTML.esc(result))</td>"
                    + "<td>\(HTML.esc(o.observed?.role ?? "-"))</td><td>\(HTML.esc(puppet))</td>"
                    + "<td>\(HTML.esc(o.ok ? "" : (o.stderr.isEmpty ? "-" : o.stderr)))</td></tr>"
            }.joined() + "</tbody></table>"
    }

    func notes() -> String {
        guard !view.data.notes.isEmpty else { return "<p>No notes.</p>" }
        return "<ul>" + view.data.notes.map { n in
            "<li>\(HTML.esc(n.ts)) \(HTML.esc(n.actor)): "
                + (n.isClear ? "<em>cleared</em>" + (n.reason.map { " (\(HTML.esc($0)))" } ?? "") : HTML.esc(n.note ?? "")) + "</li>"
        }.joined() + "</ul>"
    }

    func audit() -> String {
        guard !view.audit.isEmpty else { return "<p>No writes recorded for this host.</p>" }
        return "<ol class=\"audit\">" + view.audit.map { "<li>\(HTML.tree(json: $0))</li>" }.joined() + "</ol>"
    }
}
