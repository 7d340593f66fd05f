import FleetCore
import FleetGather
import FleetStore
import Foundation

/// The text and JSON forms of a gather-host run.
struct GatherHostView {
    let selection: HostSelection
    let state: StateDirectory
    let workers: Int
    let verbose: Bool

    func header() -> String {
        let source = selection.listFile.map { " from \($0)" } ?? ""
        return "Auditing \(selection.hosts.count) hosts\(source) with \(workers) workers..."
    }

    // MARK: batch summary

    func summary(_ results: [GatherResult]) -> String {
        let total = results.count
        let failed = results.filter { !$0.observation.ok }
        let ok = total - failed.count
        func pct(_ n: Int) -> String { String(format: "%.1f%%", total == 0 ? 0 : 100 * Double(n) / Double(total)) }
        var lines = ["", "Summary:", String(repeating: "=", count: 60)]
        lines.append("Total hosts:        \(total)")
        lines.append("Successful:         \(ok) (\(pct(ok)))")
        lines.append("Failed:             \(failed.count) (\(pct(failed.count)))")
        for cls in ErrorClass.allCases {
            let n = failed.filter { $0.observation.errorClass == cls }.count
            if n > 0 { lines.append("  - \((cls.rawValue + ":").padding(toLength: 16, withPad: " ", startingAt: 0))\(n)") }
        }
        lines += ["", "Status by Host:", String(repeating: "-", count: 60)]
        for r in results.naturallySorted(by: { $0.observation.host }) {
            lines += hostLines(r)
        }
        let unique = uniqueOverrides(results)
        if !unique.isEmpty {
            lines += ["", "Unique Override Contents:", String(repeating: "=", count: 60)]
            for (i, entry) in unique.enumerated() {
                let n = entry.hosts.count
                lines.append("[\(i + 1)] SHA256: \(entry.sha.prefix(12))... (\(n) \(n == 1 ? "host" : "hosts"))")
                if verbose, let path = entry.path {
                    lines.append("    Stored: \(path)")
                } else {
                    lines.append("--- content_start ---")
                    lines.append(Terminal.clean(String(decoding: entry.content, as: UTF8.self).trimmingTrailingNewlines()))
                    lines.append("--- content_end ---")
                }
                lines.append("")
            }
        }
        lines += footer(results)
        return lines.joined(separator: "\n")
    }

    func hostLines(_ r: GatherResult) -> [String] {
        let o = r.observation
        guard o.ok, let obs = o.observed else {
            let cls = o.errorClass?.rawValue ?? "error"
            return ["\(Terminal.red("✗")) \(o.host) [\(cls)] \(Terminal.clean(o.error ?? (o.stderr.isEmpty ? "unknown" : o.stderr), singleLine: true))"]
        }
        var tag = "(no-override)"
        if obs.overridePresent, let kind = obs.overrideKind, kind != .file {
            tag = "(OVERRIDE PATH IS \(kind.phrase.uppercased()): not followed)"
        } else if obs.overridePresent {
            tag = obs.overrideSHA256.map { "(OVERRIDE [sha256: \($0.prefix(12))...])" } ?? "(OVERRIDE)"
        }
        var lines = ["\(Terminal.green("✓")) \(o.host) \(tag)"]
        if verbose {
            lines.append("    Role: \(roleText(obs))")
            if let m = obs.overrideMeta { lines.append("    Override: \(metaLine(m))") }
            if let sha = obs.overrideSHA256 { lines.append("    SHA256: \(sha.prefix(16))...") }
            lines.append("    Attempts: \(o.attempts)")
        }
        if !r.stored { lines.append("    \(Terminal.yellow("warning")): this observation could not be stored") }
        return lines
    }

    func footer(_ results: [GatherResult]) -> [String] {
        var lines = ["", "Observations: \(state.database.path)"]
        if results.contains(where: { $0.observation.observed?.overrideFilePath != nil }) {
            lines.append("Override files: \(state.overrides.path)")
        }
        return lines
    }

    struct UniqueOverride {
        var sha: String
        var content: Data
        var path: String?
        var hosts: [String]
    }

    func uniqueOverrides(_ results: [GatherResult]) -> [UniqueOverride] {
        var bySHA: [String: UniqueOverride] = [:]
        for r in results {
            guard let sha = r.observation.observed?.overrideSHA256, let content = r.overrideContent else { continue }
            bySHA[sha, default: UniqueOverride(sha: sha, content: content, path: r.observation.observed?.overrideFilePath, hosts: [])]
                .hosts.append(r.observation.host)
        }
        return bySHA.values.sorted { $0.hosts.count != $1.hosts.count ? $0.hosts.count > $1.hosts.count : $0.sha < $1.sha }
    }

    // MARK: single host

    func detail(_ r: GatherResult) -> String {
        let o = r.observation
        var lines = ["Host: \(o.host)"]
        guard o.ok, let obs = o.observed else {
            lines.append("Status: \(Terminal.red("FAILED")) [\(o.errorClass?.rawValue ?? "error")] \(Terminal.clean(o.error ?? "", singleLine: true))")
            if !o.stderr.isEmpty { lines.append("stderr: \(Terminal.clean(o.stderr))") }
            lines += footer([r])
            return lines.joined(separator: "\n")
        }
        lines.append("Status: \(Terminal.green("OK"))")
        lines.append("OS: \(Terminal.clean(obs.osType ?? "(unknown)", singleLine: true))")
        lines.append("Uptime: \(obs.uptimeS.map { Durations.humanize($0) } ?? "(unknown)")")
        lines.append("Role: \(roleText(obs))")
        if obs.overridePresent, let kind = obs.overrideKind, kind != .file {
            lines.append("Override: \(kind.phrase.uppercased()) (not followed; nothing was read)")
        } else if obs.overridePresent {
            lines.append("Override: PRESENT")
            if let m = obs.overrideMeta { lines.append("  \(metaLine(m))") }
            if let sha = obs.overrideSHA256 { lines.append("  sha256=\(sha)") }
            if let content = r.overrideContent {
                lines.append("")
                lines.append("--- override contents ---")
                var text = Terminal.clean(String(decoding: content, as: UTF8.self))
                if !text.hasSuffix("\n") { text += "\n" }
                lines.append(text + "--- end override contents ---")
            } else {
                lines.append("  contents: (not fetched; run without --no-content to see them)")
            }
            if let path = obs.overrideFilePath { lines.append("  stored: \(path)") }
            if let err = obs.contentError { lines.append("  content_error: \(Terminal.clean(err, singleLine: true))") }
        } else {
            lines.append("Override: NOT PRESENT")
        }
        if obs.vaultPresent, let kind = obs.vaultKind, kind != .file {
            lines.append("Vault: \(kind.phrase.uppercased()) (not followed; nothing was read)")
        } else if obs.vaultPresent {
            lines.append("Vault: PRESENT")
            if let m = obs.vaultMeta { lines.append("  \(metaLine(m))") }
            if let sha = obs.vaultSHA256 { lines.append("  sha256=\(sha) (\((try? Humanhash.humanize(sha)) ?? "?"))") }
            if let path = obs.vaultFilePath { lines.append("  stored: \(path)") }
            if let err = obs.vaultFetchError { lines.append("  fetch_error: \(Terminal.clean(err, singleLine: true))") }
        } else {
            lines.append("Vault: NOT PRESENT")
        }
        if let kind = obs.puppetStateKind, kind.exists, kind != .file {
            lines.append("Puppet: the state file's path holds \(kind.phrase) (not followed; nothing was read)")
        } else {
            lines.append(puppetLine(obs.puppet, error: obs.puppetStateError))
        }
        lines += footer([r])
        return lines.joined(separator: "\n")
    }

    /// The role, or what is in its place: missing, empty, or a link (never followed).
    func roleText(_ obs: ObservedState) -> String {
        if let kind = obs.roleKind, kind != .file, kind.exists { return "(\(kind.phrase): not followed)" }
        guard obs.rolePresent else { return "(missing)" }
        return Terminal.clean(obs.role.flatMap { $0.isEmpty ? nil : $0 } ?? "(empty)", singleLine: true)
    }

    func puppetLine(_ p: PuppetState, error: String? = nil) -> String {
        if let error {
            let known = p.isEmpty ? "" : " (what could be read: \(puppetLine(p).dropFirst("Puppet: ".count)))"
            return Terminal.clean("Puppet: BROKEN STATE FILE: \(error)\(known)", singleLine: true)
        }
        guard !p.isEmpty else { return "Puppet: (no state file)" }
        var parts: [String] = []
        if let ts = p.ts { parts.append("last run \(ts)") }
        else if let e = p.lastRunEpoch { parts.append("last run at epoch \(e)") }
        if let s = p.success { parts.append(s ? "succeeded" : "FAILED") }
        if let code = p.exitCode { parts.append("exit \(code)") }
        if let sha = p.gitSHA { parts.append("git \(sha.prefix(12))") }
        if let b = p.gitBranch { parts.append("branch \(b)") }
        if let r = p.gitRepo { parts.append("repo \(r)") }
        return Terminal.clean("Puppet: " + parts.joined(separator: ", "), singleLine: true)
    }

    func metaLine(_ m: FileMeta) -> String {
        Terminal.clean("mode=\(m.mode ?? "?") owner=\(m.owner ?? "?") group=\(m.group ?? "?") size=\(m.size ?? "?") mtime_epoch=\(m.mtimeEpoch ?? "?")",
                       singleLine: true)
    }

    // MARK: quiet and JSON

    func quietLine(_ results: [GatherResult], elapsed: Double) -> String {
        let time = String(format: "%.1fs", elapsed)
        let failed = results.filter { !$0.observation.ok }
        if !selection.isBatch, let r = results.first {
            return r.observation.ok
                ? "\(Terminal.green("✓ SUCCESS")) \(r.observation.host) (\(time))"
                : "\(Terminal.red("✗ FAILED")) \(r.observation.host): [\(r.observation.errorClass?.rawValue ?? "error")] \(Terminal.clean(r.observation.error ?? "", singleLine: true)) (\(time))"
        }
        let ok = results.count - failed.count
        if failed.isEmpty { return "\(Terminal.green("✓ SUCCESS")) \(ok)/\(results.count) hosts successful (\(time))" }
        let word = ok == 0 ? Terminal.red("✗ FAILED") : Terminal.yellow("⚠ WARNING")
        return "\(word) \(ok)/\(results.count) hosts successful (\(failed.count) failed) (\(time))"
    }

    /// One shape whatever the number of hosts (schemas/gather-host.schema.json): scripts read
    /// `.results[]` for one host as for a thousand.
    func json(_ results: [GatherResult], notGathered: [String] = [], interrupted: Bool = false) -> String {
        let records = results.map(jsonRecord)
        var unique: [String: Any] = [:]
        for u in uniqueOverrides(results) { unique[u.sha] = [String(decoding: u.content, as: UTF8.self), u.hosts] }
        let failed = results.filter { !$0.observation.ok }.count
        let value: [String: Any] = ["results": records, "total": results.count, "successful": results.count - failed,
                                    "failed": failed, "unique_overrides": unique, "interrupted": interrupted,
                                    "not_gathered": notGathered]
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The stored record, plus the override content under the old key
    /// `observed.override_contents_for_display` (shown, never stored).
    func jsonRecord(_ r: GatherResult) -> [String: Any] {
        let encoder = JSONEncoder()
        guard let data = try? encoder.encode(r.observation),
              var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [:] }
        if var observed = object["observed"] as? [String: Any], let content = r.overrideContent {
            observed["override_contents_for_display"] = String(decoding: content, as: UTF8.self)
            object["observed"] = observed
        }
        object["stored"] = r.stored
        return object
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}
