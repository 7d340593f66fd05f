import FleetCore
import FleetOps
import FleetStore
import Foundation

/// Text and JSON of the rollout commands.
enum RolloutView {
    // MARK: text

    static func header(_ r: Rollout) -> [String] {
        var lines = ["Rollout \(r.id) \"\(Terminal.clean(r.name, singleLine: true))\": \(stateWord(r.state))"]
        lines.append("  created \(r.created.ts) by \(r.created.actor)" + (r.created.reason.map { " (\(Terminal.clean($0, singleLine: true)))" } ?? ""))
        lines.append("  override sha256 \(r.overrideSHA256.prefix(12))… " + (r.overrideSource.map { "from \($0)" } ?? ""))
        if let v = r.vaultSHA256 { lines.append("  vault.yaml sha256 \(v.prefix(12))… (contents never shown)") }
        lines.append("  targets \(r.targets.count), canary \(r.canary), batch \(r.batchPct)%"
                     + (r.skipped.isEmpty ? "" : ", skipped: \(r.skipped.joined(separator: ", "))"))
        lines.append("  gates: \(r.gates.summary)")
        return lines
    }

    static func stateWord(_ s: Rollout.State) -> String {
        switch s {
        case .active, .finalized: return Terminal.green(s.rawValue.uppercased())
        case .paused, .rollingBack, .finalizing: return Terminal.yellow(s.rawValue.uppercased())
        case .planned, .rolledBack: return s.rawValue.uppercased()
        }
    }

    static func stages(_ r: Rollout) -> [String] {
        guard !r.stages.isEmpty else { return ["Stages: none yet (rollout start ID --confirm writes the canary)"] }
        var lines = ["Stages:"]
        for s in r.stages {
            lines.append("  stage \(s.index)\(s.index == 0 ? " (canary)" : ""): \(s.state.words), \(s.hosts.count) host(s), started \(s.startedAt)"
                         + (s.appliedAt.map { ", applied \($0)" } ?? ""))
        }
        let left = r.unstaged.count
        if left > 0 { lines.append("  \(left) target(s) in no stage yet") }
        return lines
    }

    /// One line per target: its place in the rollout, and (with rows) what the hosts say now.
    static func hosts(_ r: Rollout, rows: [String: HostRow]?) -> [String] {
        var table: [[String]] = [["HOST", "STAGE", "STATE", "RESULT"] + (rows == nil ? [] : ["OVR_BCH", "PP_MATCH", "APPLIED", "HEALTHY", "STATUS"])]
        for h in r.hosts {
            var cells = [h.host, h.stage.map(String.init) ?? "-", h.state.rawValue, h.result ?? "-"]
            if let rows {
                let row = rows[h.host]
                cells += [ReportColumn.sha, .ppMatch, .applied, .healthy, .status].map { column in
                    row.map { Terminal.clean($0[column], singleLine: true) } ?? "?"
                }
            }
            table.append(cells)
        }
        let widths = (0..<table[0].count).map { c in table.map { $0[c].count }.max() ?? 0 }
        var lines = table.map { row in
            "  " + row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        for h in r.hosts where h.error != nil && h.state == .failed {
            lines.append("  \(h.host): \(Terminal.clean(h.error ?? "", singleLine: true))")
        }
        return lines
    }

    static func gates(_ results: [GateResult]) -> [String] {
        guard !results.isEmpty else { return [] }
        return ["Gates (current stage):"] + results.map { g in
            "  \(g.passed ? Terminal.green("PASS") : Terminal.red("FAIL")) \(g.line)"
        }
    }

    static func status(_ s: RolloutStatus) -> String {
        var lines = header(s.rollout) + stages(s.rollout) + ["Hosts:"] + hosts(s.rollout, rows: s.rows) + gates(s.gates)
        if !s.failedRuns.isEmpty {
            lines.append(Terminal.yellow("Puppet failed after the stage was applied on: \(s.failedRuns.joined(separator: ", "))")
                         + (s.pausedNow ? " (the rollout is now PAUSED)" : ""))
        }
        // Problems quote what Taskcluster, GitHub or a host answered: cleaned for the terminal.
        for p in s.refreshProblems { lines.append("\(Terminal.yellow("WARNING")): \(Terminal.clean(p, singleLine: true))") }
        return lines.joined(separator: "\n")
    }

    /// A pass of writes: one line per host, then a summary.
    static func run(_ run: StageRun, title: String) -> String {
        var lines = [title]
        for h in run.results {
            if let error = h.error {
                lines.append("\(Terminal.red("FAIL")) \(h.host) \(Terminal.clean(error, singleLine: true))")
                continue
            }
            for w in h.writes { lines.append(writeLine(w.record)) }
        }
        let failed = run.failed.count
        lines.append("")
        lines.append("Summary: hosts=\(run.results.count) ok=\(run.results.count - failed) failed=\(failed)"
                     + (run.interrupted ? " interrupted" : "") + String(format: " duration=%.1fs", run.elapsed))
        lines.append("Rollout \(run.rollout.id) is \(run.rollout.state.words)"
                     + (run.rollout.currentStage.map { "; stage \($0.index): \($0.state.words)" } ?? ""))
        return lines.joined(separator: "\n")
    }

    static func writeLine(_ r: WriteRecord) -> String {
        let what: String
        switch r.action {
        case "host.set_override": what = "override set"
        case "host.unset_override": what = "override removed"
        case "host.set_vault": what = "vault set"
        case "host.unset_vault": what = "vault removed"
        default: what = r.action
        }
        let stage = r.parameters.rolloutStage.map { " (stage \($0))" } ?? ""
        switch r.result {
        case .ok: return "\(Terminal.green("OK")) \(r.host) \(what)\(stage)"
        case .noChange: return "NO_CHANGE \(r.host) \(what): already so\(stage)"
        case .notStarted: return "NOT_STARTED \(r.host)"
        case .blocked:
            return "\(Terminal.yellow("BLOCKED")) \(r.host) another override is there"
                + (r.observed.existingSHA256.map { " (sha256 \(Terminal.clean(String($0.prefix(12)), singleLine: true))…)" } ?? "")
        default:
            return "\(Terminal.red(r.result.rawValue)) \(r.host) [\(r.errorClass?.rawValue ?? "error")] \(Terminal.clean(r.error ?? "", singleLine: true))"
        }
    }

    // MARK: JSON

    static func object<T: Encodable>(_ value: T) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(JSONOutput.encode(value).utf8), options: [.fragmentsAllowed])) ?? NSNull()
    }

    /// `rollout show --json`, `rollout create --json`: the rollout and its decisions.
    static func showJSON(_ r: Rollout, events: [RolloutEvent]) -> String {
        JSONOutput.render(["rollout": object(r), "events": object(events)])
    }

    static func statusJSON(_ s: RolloutStatus) -> String {
        let hosts: [[String: Any]] = s.rollout.hosts.map { h in
            let row = s.rows[h.host]
            return [
                "host": h.host, "stage": h.stage as Any? ?? NSNull(), "state": h.state.rawValue, "result": h.result as Any? ?? NSNull(),
                "override": row.map { $0[.sha] } as Any? ?? NSNull(), "override_sha256": row?.overrideSHA as Any? ?? NSNull(),
                "pp_match": row.map { $0[.ppMatch] } as Any? ?? NSNull(), "applied": row.map { $0[.applied] } as Any? ?? NSNull(),
                "healthy": row.map { $0[.healthy] } as Any? ?? NSNull(), "status": row?.status as Any? ?? NSNull(),
            ]
        }
        return JSONOutput.render([
            "rollout": object(s.rollout), "hosts": hosts, "gates": object(s.gates), "failed_runs": s.failedRuns,
            "paused_now": s.pausedNow, "refreshed": s.refreshed, "refresh_problems": s.refreshProblems,
        ])
    }

    static func runJSON(_ run: StageRun, action: String, gates: [GateResult] = []) -> String {
        let hosts: [[String: Any]] = run.results.map { h in
            ["host": h.host, "state": run.rollout.host(h.host)?.state.rawValue ?? "pending", "error": h.error as Any? ?? NSNull(),
             "writes": object(h.writes.map(\.record))]
        }
        return JSONOutput.render([
            "rollout_id": run.rollout.id, "action": action, "state": run.rollout.state.rawValue,
            "stage": run.rollout.currentStage?.index as Any? ?? NSNull(), "interrupted": run.interrupted, "hosts": hosts,
            "gates": object(gates), "rollout": object(run.rollout),
        ])
    }

    static func listJSON(_ list: [RolloutSummary]) -> String {
        JSONOutput.render(list.map { s -> [String: Any] in
            ["id": s.id, "name": s.name, "state": s.state.rawValue, "created": object(s.created), "targets": s.targets,
             "applied": s.applied, "stage": s.stage as Any? ?? NSNull(), "stage_state": s.stageState?.rawValue as Any? ?? NSNull()]
        })
    }
}
