import FleetCore
import FleetGather
import FleetOps
import FleetSSH
import FleetStore
import FleetWrite
import Foundation
import Logging

/// What host-set-override, host-unset-override and host-set-vault share: the dry run, the run
/// itself with progress and Ctrl-C, the per-host lines, the summary and the refresh afterwards.
struct WriteFlow {
    let plan: WritePlan
    let selection: HostSelection
    let global: any FleetOptions
    let ssh: SSHOptions
    let options: WriteOptions
    /// "override" or "vault".
    let noun: String
    /// Extra dry-run lines (source, checksum, contents...).
    var details: [String] = []
    /// What the last gather says each host will answer, for the dry run.
    var expected: [String: String] = [:]

    var state: StateDirectory { global.state }

    var actionText: String {
        if case .remove = plan.operation { return "unset \(noun) on \(selection.hosts.count) host(s)" }
        return "set \(noun) on \(selection.hosts.count) host(s)"
    }

    // MARK: dry run

    func dryRun() {
        if options.json {
            var object: [String: Any] = [
                "dry_run": true, "action": plan.action, "host_count": selection.hosts.count,
                "hosts": selection.hosts.map(\.description), "host": selection.isBatch ? NSNull() : selection.hosts[0].description as Any,
                "host_file": selection.listFile as Any? ?? NSNull(), "backup": plan.backup.enabled,
                "backup_suffix_format": "%Y%m%dT%H%M%SZ", "reason": plan.parameters.reason as Any? ?? NSNull(),
                "audit_log": state.auditLog.path, "expected": expected,
            ]
            let p = plan.parameters
            for (key, value) in [("sha256", p.sha256), ("humanhash", p.humanhash), ("source", p.source), ("mode", p.mode),
                                 ("owner", p.owner), ("group", p.group)] where value != nil {
                object[key] = value
            }
            print(JSONOutput.render(object))
            return
        }
        var lines = [Terminal.yellow("DRY RUN: --confirm not provided; no changes will be made.")]
        if selection.isBatch {
            if let file = selection.listFile { lines.append("Hosts file: \(file)") }
            lines.append("Host count: \(selection.hosts.count)")
            lines.append("Hosts:")
            lines += HostPreview.lines(selection.hosts.map(\.description))
        } else {
            lines.append("Host: \(selection.hosts[0])")
        }
        lines.append("Action: \(actionText)")
        lines += details
        lines.append("Backup: \(plan.backup.enabled ? "yes" : "no")")
        if let r = plan.parameters.reason { lines.append("Reason: \(r)") }
        if !expected.isEmpty {
            let counts = Dictionary(grouping: expected.values, by: { $0 }).mapValues(\.count)
            let summary = counts.keys.sorted().map { "\($0)=\(counts[$0]!)" }.joined(separator: " ")
            lines.append("Expected from the last gather (the hosts decide): \(summary)")
            for host in expected.keys.naturallySorted(by: { $0 }) where expected[host]!.hasPrefix("BLOCKED") {
                lines.append("  \(host): \(expected[host]!)")
            }
        }
        lines.append("Audit log: \(state.auditLog.path)")
        lines.append("")
        lines.append(Terminal.yellow("Run again with --confirm to apply changes."))
        print(lines.joined(separator: "\n"))
    }

    // MARK: the run

    func run(keepsVaultCopy: Bool = false) async throws {
        do { try state.prepare() } catch {
            throw CLIError.usage("cannot use the state directory \(state.root.path): \(error)")
        }
        let fleet = try global.fleet()
        let transport = fleet.transport(try ssh.settings(state: state, config: fleet.config))
        // Every change must be recorded: with no audit log to write to, no host is touched.
        do { try AuditLog(url: state.auditLog).checkWritable() } catch {
            throw CLIError.failed("the audit log cannot be written (\(error)); no host was touched")
        }
        var gather = GatherOptions()
        gather.workers = options.workers
        let flow = WriteAndRefresh(writer: fleet.writer(transport: transport, workers: options.workers, keepsVaultCopy: keepsVaultCopy),
                                   gatherer: options.noAudit ? nil : fleet.gatherer(try global.openDatabase(), transport: transport, options: gather))
        let stop = StopRequest()
        Interrupts.install { _ in
            stop.request()
            Terminal.note("\nStopping: hosts not started yet will not be started (Ctrl-C again ends the sessions in flight).")
        }
        let label = plan.operation.isRemove ? "Unsetting \(noun)s" : "Setting \(noun)s"
        let bar = ProgressBar(total: selection.hosts.count, label: label, enabled: !options.json)
        let outcome = await flow.run(plan, on: selection.hosts, stop: stop, progress: { done, _ in bar.update(done: done) }) { results, elapsed in
            bar.finish()
            if options.json {
                let records = results.map(\.record)
                // An array whatever the number of hosts (schemas/host-write.schema.json).
                print(JSONOutput.encode(records))
            } else {
                print(report(results, elapsed: elapsed))
            }
        }
        if !outcome.refreshed.isEmpty {
            let failed = outcome.refreshed.filter { !$0.observation.ok }.count
            Terminal.note("Audit refreshed for \(outcome.refreshed.count - failed) host(s)." + (failed > 0 ? " \(failed) could not be gathered." : ""))
        }
        let results = outcome.results
        let unrecorded = results.filter { !$0.logged }
        if !unrecorded.isEmpty {
            let hosts = unrecorded.map { "\($0.target) (\($0.record.result.rawValue))" }.joined(separator: ", ")
            throw CLIError.failed("the audit log \(state.auditLog.path) could not record \(unrecorded.count) host(s): "
                + "\(hosts): \(unrecorded[0].auditError ?? "")")
        }
        if stop.isRequested { throw CLIError.interrupted }
        if results.contains(where: { !$0.record.result.succeeded }) { throw CLIError.hostsFailed }
    }

    // MARK: text report

    func report(_ results: [WriteResult], elapsed: Double) -> String {
        var lines: [String] = []
        for r in results.naturallySorted(by: { $0.record.host }) { lines.append(line(r.record)) }
        var counts: [WriteStatus: Int] = [:]
        for r in results { counts[r.record.result, default: 0] += 1 }
        var summary = "Summary: total=\(results.count) changed=\(counts[.ok] ?? 0) no_change=\(counts[.noChange] ?? 0)"
        summary += " blocked=\(counts[.blocked] ?? 0) failed=\(counts[.fail] ?? 0)"
        if let n = counts[.interrupted] { summary += " interrupted=\(n)" }
        if let n = counts[.unknown] { summary += " unknown=\(n)" }
        if let n = counts[.notStarted] { summary += " not_started=\(n)" }
        summary += String(format: " duration=%.1fs", elapsed)
        lines += ["", summary, "Audit log: \(state.auditLog.path)"]
        if let stored = results.lazy.compactMap(\.record.parameters.storedPath).first {
            lines.append("Local copy: \(stored)")
        }
        return lines.joined(separator: "\n")
    }

    /// One host's line. Everything in it that came from the host (messages, its SHA text) is
    /// cleaned for the terminal.
    func line(_ r: WriteRecord) -> String {
        let removing = plan.operation.isRemove
        let error = Terminal.clean(r.error ?? "unknown error", singleLine: true)
        switch r.result {
        case .ok:
            var text = "\(Terminal.green("OK")) \(r.host) \(noun) \(removing ? "removed" : "set")"
            if let b = r.observed.backupPath, !b.isEmpty { text += " (backup: \(Terminal.clean(b, singleLine: true)))" }
            if let v = r.observed.verification { text += " (\(Terminal.clean(v, singleLine: true)))" }
            return text
        case .noChange:
            return "NO_CHANGE \(r.host) " + (removing ? "no \(noun) to remove" : "\(noun) already current")
        case .blocked:
            if let kind = r.observed.existingKind.flatMap(HostFileKind.init(rawValue:)), kind != .file {
                let what = removing ? "remove it" : "replace it with a regular file"
                return "\(Terminal.yellow("BLOCKED")) \(r.host) \(kind.phrase) is at the \(noun)'s path; it is not followed. "
                    + "Use --force to \(what) (a link's target is never touched)"
            }
            let existing = r.observed.existingSHA256.map { " (sha256 \(Terminal.clean(String($0.prefix(12)), singleLine: true))…)" } ?? ""
            return "\(Terminal.yellow("BLOCKED")) \(r.host) a different \(noun) is there\(existing); use --force to replace it"
        case .fail:
            return "\(Terminal.red("FAIL")) \(r.host) [\(r.errorClass?.rawValue ?? "error")] \(error)"
        case .interrupted:
            return "\(Terminal.red("INTERRUPTED")) \(r.host) \(Terminal.clean(r.error ?? "", singleLine: true))"
        case .unknown:
            return "\(Terminal.red("UNKNOWN")) \(r.host) \(error)"
        case .notStarted:
            return "NOT_STARTED \(r.host) " + (r.error.map { Terminal.clean($0, singleLine: true) } ?? "not touched")
        }
    }
}

extension WritePlan.Operation {
    var isRemove: Bool {
        if case .remove = self { return true }
        return false
    }
}

/// The first hosts of a list and how many more there are.
enum HostPreview {
    static let limit = 5

    static func lines(_ hosts: [String]) -> [String] {
        var out = hosts.prefix(limit).map { "  - \($0)" }
        let more = hosts.count - limit
        if more > 0 { out.append("  ... and \(more) more host\(more == 1 ? "" : "s")") }
        return out
    }
}

/// JSON on stdout: sorted keys, pretty, slashes unescaped.
enum JSONOutput {
    static func render(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
