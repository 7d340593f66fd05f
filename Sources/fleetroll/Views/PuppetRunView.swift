import FleetCore
import FleetSSH
import FleetWrite
import Foundation
import Synchronization

/// What host-run-puppet shows: each host's lines as they arrive, after its short name; a
/// progress line on stderr when that is a terminal; then the results and a summary.
///
/// Every write goes through one lock and is a whole line, so two hosts' output never mixes
/// within a line, and the progress line is taken away before a line is written and drawn again
/// after it.
final class PuppetRunView: Sendable {
    private struct State {
        /// Runs in flight: host, and when it started (in start order).
        var running: [(host: String, since: Date)] = []
        var done = 0
        var progressShown = false
        var ticker: Task<Void, Never>?
    }

    private let total: Int
    private let quiet: Bool
    private let json: Bool
    private let auditLog: String
    private let prefixes: [String: String]
    private let shortNames: [String: String]
    private let progress: Bool
    private let state = Mutex(State())

    init(targets: [HostTarget], quiet: Bool, json: Bool, auditLog: String) {
        total = targets.count
        self.quiet = quiet
        self.json = json
        self.auditLog = auditLog
        progress = Terminal.stderrIsTTY
        let width = targets.map { Self.shortName($0).count }.max() ?? 0
        var prefixes: [String: String] = [:], shortNames: [String: String] = [:]
        for t in targets {
            shortNames[t.description] = Self.shortName(t)
            let name = Self.shortName(t).padding(toLength: width, withPad: " ", startingAt: 0)
            prefixes[t.description] = Terminal.paint(name, "36") + " | "
        }
        self.prefixes = prefixes
        self.shortNames = shortNames
    }

    /// The host part up to its first dot (an IP literal as it is): what tells fleet hosts apart.
    static func shortName(_ target: HostTarget) -> String {
        if target.host.contains(":") || target.host.allSatisfy({ $0.isNumber || $0 == "." }) { return target.host }
        return String(target.host.prefix { $0 != "." })
    }

    // MARK: dry run

    func dryRun(selection: HostSelection, windows: [HostTarget], workers: Int, timeout: Double, reason: String?, autoAudit: Bool) {
        let hosts = selection.hosts.filter { !$0.isWindows }
        let action = "sudo -n env FLEETROLL_SINGLE_RUN=1 \(PuppetRunScript.wrapperPath)"
        if json {
            Terminal.write(JSONOutput.render([
                "dry_run": true, "action": PuppetRunRecord.action, "command": action, "host_count": hosts.count,
                "hosts": hosts.map(\.description), "host": NSNull(), "host_file": selection.listFile as Any? ?? NSNull(),
                "skipped_windows": windows.count, "workers": workers, "timeout_s": timeout,
                "reason": reason as Any? ?? NSNull(), "auto_audit": autoAudit, "audit_log": auditLog,
            ] as [String: Any]) + "\n")
            return
        }
        var lines = [Terminal.yellow("DRY RUN: --confirm not provided; puppet runs nowhere.")]
        if let file = selection.listFile { lines.append("Hosts file: \(file)") }
        lines.append("Host count: \(hosts.count)")
        if !windows.isEmpty { lines.append("Skipped (Windows): \(windows.count)") }
        lines.append("Hosts:")
        lines += HostPreview.lines(hosts.map(\.description))
        lines.append("Action: \(action) on \(hosts.count) host(s), \(min(workers, max(1, hosts.count))) at a time, each ended after \(Self.seconds(timeout))")
        if let reason { lines.append("Reason: \(reason)") }
        lines.append("Auto-audit after: \(autoAudit ? "yes" : "no")")
        lines.append("Audit log: \(auditLog)")
        lines.append("")
        lines.append(Terminal.yellow("Run again with --confirm to run puppet."))
        Terminal.write(lines.joined(separator: "\n") + "\n")
    }

    // MARK: while it runs

    func begin(workers: Int, timeout: Double) {
        if !json {
            out("Running puppet on \(total) host(s) with \(workers) worker(s), each ended after \(Self.seconds(timeout))...\n")
        }
        guard progress else { return }
        let ticker = Task { [weak self] in
            while !Task.isCancelled {
                self?.redraw()
                try? await Task.sleep(nanoseconds: 1_000_000_000)
            }
        }
        state.withLock { $0.ticker = ticker }
    }

    @Sendable func handle(_ event: PuppetRunner.Event) {
        switch event {
        case .started(let target):
            state.withLock { $0.running.append((target.description, Date())) }
            if !quiet { out("START \(target)\n") }
        case .line(let target, let text):
            if !quiet {
                out((prefixes[target.description] ?? "") + PuppetOutputText.clean(text, color: Terminal.colorEnabled) + "\n")
            }
        case .finished(let result):
            state.withLock { s in
                s.running.removeAll { $0.host == result.target.description }
                s.done += 1
            }
            if !quiet { out(Self.line(result.record) + "\n") }
        }
        redraw()
    }

    /// A message on stderr that the progress line does not overwrite.
    func note(_ text: String) {
        state.withLock { s in
            clearProgress(&s)
            FileHandle.standardError.write(Data(("\n" + text + "\n").utf8))
        }
    }

    private func out(_ text: String) {
        state.withLock { s in
            clearProgress(&s)
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    private func redraw() {
        guard progress else { return }
        state.withLock { s in
            guard s.ticker != nil else { return }
            let now = Date()
            let running = s.running.map { "\(shortNames[$0.host] ?? $0.host) \(Self.elapsed(now.timeIntervalSince($0.since)))" }
            var line = "\(s.done)/\(total) done, \(s.running.count) running" + (running.isEmpty ? "" : ": " + running.joined(separator: ", "))
            let width = Self.stderrColumns() - 1
            if line.count > width { line = String(line.prefix(max(0, width - 1))) + "…" }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            s.progressShown = true
        }
    }

    private func clearProgress(_ s: inout State) {
        guard s.progressShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        s.progressShown = false
    }

    // MARK: the end

    func finish(_ results: [PuppetRunResult], elapsed: Double, windows: [HostTarget], single: Bool) {
        state.withLock { s in
            s.ticker?.cancel()
            s.ticker = nil
            clearProgress(&s)
        }
        if json {
            // An array whatever the number of hosts (schemas/host-run-puppet.schema.json).
            Terminal.write(JSONOutput.render(results.map(Self.jsonObject)) + "\n")
            return
        }
        var lines: [String] = []
        if !single || quiet {
            lines += results.naturallySorted(by: { $0.record.host }).map { Self.line($0.record) }
        }
        if !single {
            var counts: [PuppetRunStatus: Int] = [:]
            for r in results { counts[r.record.result, default: 0] += 1 }
            let changed = results.filter { $0.record.observed.changesApplied }.count
            var summary = "Summary: total=\(results.count) successful=\(counts[.ok] ?? 0) changed=\(changed) failed=\(counts[.fail] ?? 0)"
            if let n = counts[.interrupted] { summary += " interrupted=\(n)" }
            if let n = counts[.notStarted] { summary += " not_started=\(n)" }
            summary += " skipped=\(windows.count)" + String(format: " duration=%.1fs", elapsed)
            lines += ["", summary]
            if !windows.isEmpty { lines.append("Skipped (Windows): " + windows.map(\.description).joined(separator: ", ")) }
        }
        lines.append("Audit log: \(auditLog)")
        Terminal.write(lines.joined(separator: "\n") + "\n")
    }

    /// One host's result line; what came from the host in it is cleaned for the terminal.
    static func line(_ r: PuppetRunRecord) -> String {
        let d = String(format: "(%.1fs)", r.observed.durationS)
        switch r.result {
        case .ok:
            return "\(Terminal.green("OK")) \(r.host) \(r.observed.changesApplied ? "changes applied" : "no changes") \(d)"
        case .fail:
            let why = Terminal.clean(r.error ?? "unknown error", singleLine: true)
            return "\(Terminal.red("FAIL")) \(r.host) [\(r.errorClass?.rawValue ?? "error")] \(why) \(d)"
        case .interrupted:
            return "\(Terminal.red("INTERRUPTED")) \(r.host) \(Terminal.clean(r.error ?? "", singleLine: true)) \(d)"
        case .notStarted:
            return "NOT_STARTED \(r.host) \(Terminal.clean(r.error ?? "", singleLine: true))"
        }
    }

    /// The record as the audit log has it, plus the output's kept end (`output`, one string).
    static func jsonObject(_ r: PuppetRunResult) -> Any {
        let e = JSONEncoder()
        var object = (try? e.encode(r.record)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        object["output"] = r.output.joined(separator: "\n")
        return object
    }

    static func elapsed(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : String(format: "%.1fs", value)
    }

    static func stderrColumns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

extension Terminal {
    /// Yellow when stderr is a terminal (and NO_COLOR is not set): for warnings on stderr.
    static func yellowOnStderr(_ text: String) -> String {
        stderrIsTTY && (ProcessInfo.processInfo.environment["NO_COLOR"]?.isEmpty ?? true) ? "\u{1B}[33m\(text)\u{1B}[0m" : text
    }
}
