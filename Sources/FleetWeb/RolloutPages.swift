import FleetCore
import FleetReport
import Foundation

/// The rollout pages, read-only: `/rollouts` (every rollout, newest first) and
/// `/rollouts/{id}` (its plan, stages with their hosts and gates, and every decision). Colours
/// come from `CellVerdict`, as on the hosts' pages; every stored string is escaped. The script
/// refreshes `#report` on a `rollout` event (and, on a rollout's page, on a gather of its hosts).
struct RolloutPages {
    let snapshot: WebModel.Snapshot
    let settings: WebSettings

    /// The bar at the top of every page: the name, the pages, and the rollouts that hold hosts.
    static func bar(_ snapshot: WebModel.Snapshot, settings: WebSettings, extra: [String] = []) -> String {
        let parts = ["<span class=\"brand\">fleetroll v\(HTML.esc(settings.version))</span>",
                     "<a href=\"/\" data-back>all hosts</a>", "<a href=\"/rollouts\" id=\"rollouts-link\">rollouts</a>"]
            + active(snapshot) + extra + ["<span id=\"live\" class=\"live\" hidden></span>"]
        return "<div class=\"bar\" id=\"bar\">" + parts.joined(separator: " ") + "</div>"
    }

    /// `rollout ro-…: stage 2/4 paused`, one link per rollout that holds hosts.
    static func active(_ snapshot: WebModel.Snapshot) -> [String] {
        snapshot.activeRollouts.map { r in
            "<a class=\"rollout\(verdictClass(CellVerdict.of(rollout: r.state)))\" href=\"\(HTML.esc(path(r.id)))\" "
                + "title=\"\(HTML.esc(r.name))\">\(HTML.esc(r.headline))</a>"
        }
    }

    static func path(_ id: String) -> String { "/rollouts/" + HTML.encode(id) }

    static func verdictClass(_ v: CellVerdict) -> String { v == .neutral ? "" : " v-\(v.rawValue)" }

    // MARK: the list

    func list() -> String {
        var out = "<main id=\"report\" data-generation=\"\(snapshot.generation)\"><h1>Rollouts</h1>"
        if snapshot.rollouts.isEmpty {
            out += "<p class=\"empty\" id=\"empty\">No rollouts yet: fleetroll rollout create starts one.</p>"
        } else {
            out += "<table class=\"rollouts\"><thead><tr><th>ID</th><th>NAME</th><th>STATE</th><th>STAGE</th><th>HOSTS</th>"
                + "<th>CREATED</th><th>LAST DECISION</th></tr></thead><tbody>"
            for r in snapshot.rollouts {
                let decision = r.lastDecision.map { d in
                    "\(d.ts) \(d.actor): \(d.action.rawValue)\(d.force ? " (forced)" : "")"
                        + (d.reason.map { " (\($0))" } ?? "") + ": \(d.outcome)"
                } ?? "-"
                out += "<tr data-rollout=\"\(HTML.esc(r.id))\"><td><a href=\"\(HTML.esc(Self.path(r.id)))\">\(HTML.esc(r.id))</a></td>"
                    + "<td>\(HTML.esc(r.name))</td>"
                    + "<td class=\"state\(Self.verdictClass(CellVerdict.of(rollout: r.state)))\">\(HTML.esc(r.state.words))</td>"
                    + "<td>\(HTML.esc(r.stage.map { "\($0.number)/\($0.of) \(RolloutReport.shortWords($0.state))" } ?? "-"))</td>"
                    + "<td>\(r.hostsApplied)/\(r.hostsTotal) applied</td>"
                    + "<td>\(HTML.esc(r.createdAt)) by \(HTML.esc(r.createdBy))</td>"
                    + "<td class=\"decision\">\(HTML.esc(decision))</td></tr>"
            }
            out += "</tbody></table>"
        }
        let body = Self.bar(snapshot, settings: settings) + out + "</main>"
        return HTML.page(title: "fleetroll: rollouts", kind: "rollouts", body: body)
    }

    // MARK: one rollout

    func page(_ p: RolloutPage) -> String {
        let r = p.summary
        let hosts = p.stages.flatMap { $0.hosts.map(\.host) } + p.unstaged
        var out = "<main id=\"report\" data-generation=\"\(snapshot.generation)\" data-rollout=\"\(HTML.esc(r.id))\" "
            + "data-hosts=\"\(HTML.esc(hosts.joined(separator: " ")))\">"
        out += "<h1>Rollout \(HTML.esc(r.id)): \(HTML.esc(r.name))</h1>"
        let facts: [(String, String, CellVerdict)] = [
            ("STATE", r.state.words, CellVerdict.of(rollout: r.state)),
            ("STAGE", r.stage.map { "\($0.number) of \($0.of): \($0.state.words)" } ?? "not started", .neutral),
            ("HOSTS", "\(r.hostsApplied) of \(r.hostsTotal) applied", .neutral),
            ("CREATED", "\(r.createdAt) by \(r.createdBy)", .neutral),
            ("OVERRIDE", "sha256 \(p.overrideSHA256)" + (p.overrideSource.map { " from \($0)" } ?? ""), .neutral),
            ("VAULT", p.vaultSHA256.map { "sha256 \($0) (contents never shown)" } ?? "-", .neutral),
            ("PLAN", "canary \(p.canary), then \(p.batchPct)% of the targets a stage", .neutral),
            ("GATES", p.gates.summary, .neutral),
            ("SKIPPED", p.skipped.isEmpty ? "-" : p.skipped.joined(separator: ", "), .neutral),
        ]
        out += "<table class=\"cells\"><tbody>" + facts.map { name, value, verdict in
            "<tr><th>\(name)</th><td class=\"\(verdict == .neutral ? "" : "v-\(verdict.rawValue)")\">\(HTML.esc(value))</td></tr>"
        }.joined() + "</tbody></table>"
        if p.stages.isEmpty { out += "<p class=\"empty\">No stage yet: rollout start ID --confirm writes the canary.</p>" }
        let wanted = Set(hosts)
        let rows = Dictionary(snapshot.rows.filter { wanted.contains($0.host) }.map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
        for s in p.stages { out += stage(s, of: r.stage?.of ?? p.stages.count, rows: rows) }
        if !p.unstaged.isEmpty {
            out += "<section id=\"unstaged\"><h2>In no stage yet (\(p.unstaged.count))</h2><p>"
                + p.unstaged.map(hostLink).joined(separator: " ") + "</p></section>"
        }
        out += "<section id=\"events\"><h2>Decisions (oldest first)</h2>" + events(p.events) + "</section>"
        let body = Self.bar(snapshot, settings: settings) + out + "</main>"
        return HTML.page(title: "fleetroll: rollout \(r.id)", kind: "rollout", body: body)
    }

    func hostLink(_ host: String) -> String {
        "<a href=\"\(HTML.esc(HTML.hostPath(host)))\">\(HTML.esc(host))</a>"
    }

    /// Columns of the report shown beside each host: what the gates read.
    static let hostColumns: [ReportColumn] = [.sha, .ppMatch, .applied, .healthy, .status]

    func stage(_ s: RolloutPage.StageReport, of count: Int, rows: [String: HostRow]) -> String {
        var out = "<section id=\"stage-\(s.index)\" class=\"stage\"><h2>Stage \(s.index)\(s.index == 0 ? " (canary)" : "")"
            + " – \(s.index + 1) of \(count): \(HTML.esc(s.state.words))</h2>"
        out += "<p>started \(HTML.esc(s.startedAt))" + (s.appliedAt.map { ", applied \(HTML.esc($0))" } ?? "") + "</p>"
        out += "<table class=\"plain stage-hosts\"><thead><tr><th>HOST</th><th>STATE</th><th>RESULT</th><th>UPDATED</th>"
            + Self.hostColumns.map { "<th>\($0.header)</th>" }.joined() + "</tr></thead><tbody>"
        for h in s.hosts {
            out += "<tr data-host=\"\(HTML.esc(h.host))\"><td>\(hostLink(h.host))</td>"
                + "<td class=\"\(h.verdict == .neutral ? "" : "v-\(h.verdict.rawValue)")\">\(HTML.esc(h.state.rawValue))</td>"
                + "<td>\(HTML.esc(h.result ?? "-"))\(h.error.map { ": " + HTML.esc($0) } ?? "")</td>"
                + "<td>\(HTML.esc(h.updatedAt ?? "-"))</td>"
            for c in Self.hostColumns {
                guard let row = rows[h.host] else { out += "<td>?</td>"; continue }
                let v = CellVerdict.of(c, row)
                out += "<td class=\"c-\(c.rawValue)\(Self.verdictClass(v))\">\(HTML.esc(row[c]))</td>"
            }
            out += "</tr>"
        }
        out += "</tbody></table>"
        if let g = s.gates {
            out += "<h3>Gates, as judged \(HTML.esc(g.ts)) by \(HTML.esc(g.actor)) (\(HTML.esc(g.action.rawValue)))</h3>" + gates(g.results)
        } else {
            out += "<p class=\"empty\">Gates not judged yet (rollout status ID judges them).</p>"
        }
        return out + "</section>"
    }

    func gates(_ results: [RolloutPage.GateReport]) -> String {
        "<table class=\"plain gates\"><thead><tr><th>GATE</th><th>VALUE</th><th>THRESHOLD</th><th>RESULT</th><th>WHY</th></tr></thead><tbody>"
            + results.map { g in
                let verdict = g.threshold == 0 ? "off" : g.passed ? "PASS" : "FAIL"
                return "<tr data-gate=\"\(HTML.esc(g.key))\"><td>\(HTML.esc(g.key))</td>"
                    + "<td>\(HTML.esc(g.value.map(GateResult.format) ?? "none"))</td><td>\(HTML.esc(GateResult.format(g.threshold)))</td>"
                    + "<td class=\"\(g.verdict == .neutral ? "" : "v-\(g.verdict.rawValue)")\">\(verdict)</td>"
                    + "<td>\(HTML.esc(g.explanation))</td></tr>"
            }.joined() + "</tbody></table>"
    }

    func events(_ events: [RolloutPage.EventReport]) -> String {
        guard !events.isEmpty else { return "<p>No decisions recorded.</p>" }
        return "<table class=\"plain events\"><thead><tr><th>WHEN</th><th>WHO</th><th>WHAT</th><th>STAGE</th><th>FORCE</th>"
            + "<th>REASON</th><th>OUTCOME</th><th>GATES</th></tr></thead><tbody>"
            + events.map { e in
                let gates = e.gateResults.map { g in
                    "<span class=\"\(g.verdict == .neutral ? "" : "v-\(g.verdict.rawValue)")\">\(HTML.esc(g.key))="
                        + "\(HTML.esc(g.value.map(GateResult.format) ?? "none"))</span>"
                }.joined(separator: " ")
                return "<tr data-action=\"\(HTML.esc(e.action.rawValue))\"><td>\(HTML.esc(e.ts))</td><td>\(HTML.esc(e.actor))</td>"
                    + "<td>\(HTML.esc(e.action.rawValue))</td><td>\(e.stage.map(String.init) ?? "-")</td>"
                    + "<td class=\"\(e.force ? "v-watch" : "")\">\(e.force ? "yes" : "no")</td><td>\(HTML.esc(e.reason ?? "-"))</td>"
                    + "<td>\(HTML.esc(e.outcome))</td><td>\(gates.isEmpty ? "-" : gates)</td></tr>"
            }.joined() + "</tbody></table>"
    }

    /// 404: no rollout of that id.
    func missing(_ id: String) -> String {
        let body = Self.bar(snapshot, settings: settings)
            + "<main id=\"report\"><p class=\"error\">No such rollout: \(HTML.esc(id))</p><p><a href=\"/rollouts\">All rollouts</a></p></main>"
        return HTML.page(title: "fleetroll: unknown rollout", kind: "missing", body: body)
    }
}
