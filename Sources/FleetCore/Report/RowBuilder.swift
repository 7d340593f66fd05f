import Foundation

/// Builds report rows. The rules are the old tool's (monitor.md §3–§4) with its bugs fixed, plus
/// APPLIED and a visible STATUS.
public struct RowBuilder: Sendable {
    public var inputs: ReportInputs

    public init(inputs: ReportInputs) { self.inputs = inputs }

    /// An override host's expected branch: `owner/repo:branch`. A host without an override
    /// follows ronin_puppet master.
    public static let defaultRefKey = "\(RepoName.ronin):\(RepoName.defaultBranch)"

    static let failedRunReason = "the last puppet run failed"

    public func row(for host: String) -> HostRow {
        row(for: host, history: inputs.history[host], worker: inputs.workers[host])
    }

    /// A host's row from its facts and worker record given directly (a report over a whole
    /// fleet hands each host's facts over as it reads them, without a dictionary of them all).
    public func row(for host: String, history: HostFacts?, worker tc: WorkerRecord?) -> HostRow {
        var row = HostRow(host: host, cells: [:], status: "UNK")
        row.cells[.host] = host
        fillTaskcluster(&row, tc)
        fillJobs(&row, host: host, tc)
        fillRollout(&row)
        // Notes are kept by host name, without a login user.
        row.cells[.note] = inputs.notes[host] ?? (host.utf8.contains(UInt8(ascii: "@"))
            ? inputs.notes[String(host.split(separator: "@").last ?? "")] : nil) ?? "-"
        guard let history else {
            for c: ReportColumn in [.os, .role, .vltSHA, .sha, .uptime, .ppLast, .ppSHA, .ppExp, .ppMatch, .applied] { row.cells[c] = "?" }
            row.cells[.wtOvr] = "-"
            row.cells[.status] = "UNK"
            row.clock.dataPrefix = "?"
            row.health = Health.Parts(gather: .never)
            Self.age(&row, to: inputs.now)
            return row
        }
        row.clock.latest = epoch(history.latest.ts)
        row.clock.lastOK = epoch(history.latestOK?.ts)
        row.status = history.latest.ok ? "OK" : (history.latest.errorClass?.rawValue.uppercased() ?? "FAIL")
        if !history.latest.ok {
            row.error = history.latest.error
            row.errorClass = history.latest.errorClass
        }
        row.cells[.status] = row.status
        let gather: Health.Parts.Gather = history.latest.ok ? .ok : .failed(status: row.status, message: row.error.flatMap { $0.isEmpty ? nil : $0 })
        guard let base = history.base, let observed = base.observed else {
            for c: ReportColumn in [.os, .role, .vltSHA, .sha, .uptime, .ppLast, .ppSHA, .ppExp, .ppMatch, .applied, .wtOvr] { row.cells[c] = "-" }
            row.clock.dataPrefix = "-"
            row.health = Health.Parts(gather: gather)
            Self.age(&row, to: inputs.now)
            return row
        }
        let matchReason = fillObserved(&row, observed, auditTS: base.ts)
        row.health = Health.Parts(
            gather: gather, ppMatch: row.values.ppMatch,
            ppMatchReason: matchReason == Self.failedRunReason && row.values.ppFailed == true ? nil : matchReason,
            applied: row.values.applied, appliedReason: row.values.appliedReason,
            puppetFailed: row.values.ppFailed, puppetExitCode: observed.puppet.exitCode)
        Self.age(&row, to: inputs.now)
        return row
    }

    /// Moves a row's clock to `now`: the cells that age without new data (TC_ACT, TC_QUAR,
    /// DATA) and HEALTHY, which turns `N` when the worker has been idle for an hour. A live
    /// view calls this every second on every row, so it redoes only what changed.
    public static func age(_ row: inout HostRow, to now: Date) {
        let t = Int(now.timeIntervalSince1970.rounded(.down))
        let c = row.clock
        func since(_ epoch: Int?) -> Int? { epoch.map { max(0, t - $0) } }
        let tcAct = since(c.lastActive), tcAge = since(c.tcScan), auditAge = since(c.audit)
        let quarantined = c.isWorker ? (c.quarantineUntil.map { $0 > now.timeIntervalSince1970 } ?? false) : nil
        let first = row.cells[.healthy] == ""
        // A cell is made again only when its text can differ: past a minute, a duration shows
        // minutes at most, so 10,000 rows cost a few comparisons a second, not 30,000 strings.
        func shown(_ s: Int?, _ minutes: Bool = false) -> Int? { s.map { Durations.displayStep($0, minUnitMinutes: minutes) } }
        if first || shown(tcAct) != shown(row.values.tcActS), c.isWorker { row.cells[.tcAct] = Durations.humanize(tcAct) }
        row.values.tcActS = tcAct
        if first || quarantined != row.values.quarantined {
            row.values.quarantined = quarantined
            if c.isWorker { row.cells[.tcQuar] = quarantined == true ? "YES" : "-" }
        }
        if first || shown(tcAge, true) != shown(row.values.tcAgeS, true) || shown(auditAge, true) != shown(row.values.auditAgeS, true) {
            let audit = c.dataPrefix ?? Durations.humanize(auditAge, minUnitMinutes: true)
            row.cells[.data] = audit + "/" + Durations.humanize(tcAge, minUnitMinutes: true)
        }
        row.values.tcAgeS = tcAge
        row.values.auditAgeS = auditAge
        // HEALTHY's Taskcluster part is judged again only when it can have changed.
        let worker = c.worker(activeAgoS: tcAct, quarantined: quarantined == true)
        if first || worker != row.health.worker {
            row.health.worker = worker
            let verdict = Health.evaluate(row.health)
            row.values.healthy = verdict.healthy
            row.values.healthyReasons = verdict.reasons
            // The cells are in the row's shared box: written only when the text changes.
            if row[.healthy] != verdict.cell { row.cells[.healthy] = verdict.cell }
        }
    }

    func epoch(_ ts: String?) -> Int? {
        guard let ts, let date = Timestamp.parse(ts) else { return nil }
        return Int(date.timeIntervalSince1970.rounded(.down))
    }

    func fillTaskcluster(_ row: inout HostRow, _ tc: WorkerRecord?) {
        row.cells[.pool] = tc?.workerType ?? "-"
        row.clock.tcScan = epoch(tc?.ts)
        row.clock.workerKind = tc?.type
        row.clock.workerNote = tc?.note
        switch (tc?.provisioner, tc?.workerType) {
        case let (p?, w?): row.clock.pool = p + "/" + w
        // One part alone is the read string itself: hosts of one pool share it.
        case let (p?, nil): row.clock.pool = p.isEmpty ? nil : p
        case let (nil, w?): row.clock.pool = w.isEmpty ? nil : w
        case (nil, nil): row.clock.pool = nil
        }
        guard let tc, tc.type == .worker else {
            for c: ReportColumn in [.tcAct, .tcTaskDuration, .tcQuar] { row.cells[c] = "-" }
            return
        }
        row.clock.lastActive = epoch(tc.lastDateActive)
        row.clock.quarantineUntil = tc.quarantineUntil.flatMap(Timestamp.parse)?.timeIntervalSince1970
        row.cells[.tcTaskDuration] = "-"
        row.values.tcTaskState = tc.taskState
        if let started = tc.taskStarted.flatMap(Timestamp.parse) {
            if let resolved = tc.taskResolved.flatMap(Timestamp.parse) {
                row.values.tcTaskDurationS = max(0, Int(resolved.timeIntervalSince(started)))
                row.values.tcTaskRunning = false
                row.cells[.tcTaskDuration] = Durations.humanize(row.values.tcTaskDurationS)
            } else if let scan = Timestamp.parse(tc.ts) {
                // Still running: its length so far, as of the scan.
                row.values.tcTaskDurationS = max(0, Int(scan.timeIntervalSince(started)))
                row.values.tcTaskRunning = true
                row.cells[.tcTaskDuration] = Durations.humanize(row.values.tcTaskDurationS) + " -"
            }
        }
    }

    /// Fills the cells from what a gather observed; returns why PP_MATCH is `N` or unknown.
    func fillObserved(_ row: inout HostRow, _ o: ObservedState, auditTS: String) -> String? {
        let os: String
        switch o.osType {
        case "Darwin": os = "M"
        case "Linux": os = "L"
        case "Windows": os = "W"
        case let other?: os = other.isEmpty ? "-" : String(other.prefix(1)).uppercased()
        case nil: os = "-"
        }
        row.cells[.os] = os
        row.cells[.role] = o.rolePresent ? (o.role.flatMap { $0.isEmpty ? nil : $0 } ?? "missing") : "missing"
        // A link (or another non-file) where the role file belongs is never followed: say what it is.
        if let kind = o.roleKind, kind.exists, kind != .file { row.cells[.role] = "(\(kind.rawValue))" }
        row.values.uptimeS = o.uptimeS
        row.cells[.uptime] = Durations.humanize(o.uptimeS)

        if let v = o.vaultSHA256 {
            row.cells[.vltSHA] = inputs.vaultLabels[v] ?? Self.vaultLabel(v, name: inputs.vaultNames[v])
        } else {
            row.cells[.vltSHA] = "-"
        }

        let override = o.overrideSHA256.flatMap { inputs.overrides[$0] }
        row.overrideSHA = o.overrideSHA256
        row.overrideBranch = override?.puppetBranch
        if let sha = o.overrideSHA256 {
            var cell = override?.puppetBranch.map { "\($0) (\(sha.prefix(8)))" } ?? String(sha.prefix(8))
            if override?.workerTypeOverride != nil { cell += " *wt" }
            row.cells[.sha] = cell
            row.cells[.wtOvr] = override?.workerTypeOverride != nil ? "Y" : "N"
        } else {
            row.cells[.sha] = o.overridePresent ? o.overrideKind.flatMap { $0 == .file ? nil : "(\($0.rawValue))" } ?? "-" : "-"
            row.cells[.wtOvr] = "-"
        }

        let windows = os == "W"
        let audit = Timestamp.parse(auditTS)
        if windows {
            row.cells[.ppLast] = "-"
        } else {
            var seconds: Int?
            if let ts = o.puppet.ts.flatMap(Timestamp.parse), let audit { seconds = max(0, Int(audit.timeIntervalSince(ts))) }
            else if let epoch = o.puppet.lastRunEpoch, let audit { seconds = max(0, Int(audit.timeIntervalSince1970) - epoch) }
            row.values.ppLastS = seconds
            row.values.ppFailed = o.puppet.success.map { !$0 }
            var cell = seconds.map { Durations.humanize($0) } ?? "--"
            if seconds != nil, o.puppet.success == false { cell += " FAIL" }
            row.cells[.ppLast] = cell
        }
        row.cells[.ppSHA] = o.puppet.gitSHA.map { String($0.prefix(7)) } ?? "-"

        let (expected, match, matchReason) = windows ? windowsExpectation(o) : expectation(o, override: override)
        row.values.expectedSHA = expected
        row.values.ppMatchReason = matchReason
        row.cells[.ppExp] = expected.map { String($0.prefix(7)) } ?? "-"
        row.values.ppMatch = match
        row.cells[.ppMatch] = match.map { $0 ? "Y" : "N" } ?? "-"

        let (applied, reason) = Self.applied(o)
        row.values.applied = applied
        row.values.appliedReason = reason
        row.cells[.applied] = applied.map { $0 ? "Y" : "N" } ?? "-"

        row.clock.audit = epoch(auditTS)
        return matchReason
    }

    /// VLT_SHA: `bbbbbbbb ack-ack (prod)`, the name being a link people made in the vault store.
    public static func vaultLabel(_ sha: String, name: String?) -> String {
        var cell = String(sha.prefix(8)) + " " + ((try? Humanhash.humanize(sha)) ?? "")
        if let name { cell += " (\(name))" }
        return cell
    }

    /// The branch head the host should run, whether it does (with a successful run), and why not
    /// or why that is unknown.
    func expectation(_ o: ObservedState, override: OverrideFile?) -> (String?, Bool?, String?) {
        guard !inputs.refs.isEmpty else { return (nil, nil, "no GitHub branch heads (run gather-gh)") }
        let key: String
        if o.overridePresent {
            // An override whose file is unknown or names no GitHub branch has no expected commit;
            // it is not compared with master.
            guard let override else { return (nil, nil, "the override file is not in the local store") }
            guard let gh = override.githubRepository, let branch = override.puppetBranch, !branch.isEmpty else {
                return (nil, nil, "the override names no GitHub repository and branch")
            }
            key = "\(gh.owner)/\(gh.repo):\(branch)"
        } else {
            key = Self.defaultRefKey
        }
        guard let ref = inputs.refs[key], !ref.sha.isEmpty else {
            return (nil, nil, "the head of \(key) is unknown (not found by the last gather-gh)")
        }
        guard let sha = o.puppet.gitSHA, !sha.isEmpty else { return (ref.sha, nil, "no puppet commit recorded on the host (no state file)") }
        if sha != ref.sha { return (ref.sha, false, "puppet applied \(sha.prefix(7)), the head of \(key) is \(ref.sha.prefix(7))") }
        guard o.puppet.success == true else {
            return (ref.sha, o.puppet.success == nil ? nil : false,
                    o.puppet.success == nil ? "the state file does not say whether the run succeeded" : Self.failedRunReason)
        }
        return (ref.sha, true, nil)
    }

    /// Windows: the role's pool image hash from pools.yml, prefix-compared. No pool for the role
    /// means no expectation (the old tool fell back to ronin_puppet master).
    func windowsExpectation(_ o: ObservedState) -> (String?, Bool?, String?) {
        guard let role = o.role, o.rolePresent, !role.isEmpty,
              let hash = inputs.windowsPools.keys.sorted().first(where: { $0.replacingOccurrences(of: "-", with: "") == role })
                .flatMap({ inputs.windowsPools[$0] }),
              !hash.isEmpty else { return (nil, nil, "no Windows pool image hash for its role (run gather-gh)") }
        guard let sha = o.puppet.gitSHA, !sha.isEmpty else { return (hash, nil, "no commit recorded on the host") }
        let matches = sha.hasPrefix(hash) || hash.hasPrefix(String(sha.prefix(7)))
        if !matches { return (hash, false, "the host runs \(sha.prefix(7)), its pool's image is \(hash.prefix(7))") }
        return (hash, o.puppet.success != false, o.puppet.success == false ? Self.failedRunReason : nil)
    }

    /// APPLIED: the last puppet run succeeded with exactly the override and vault on the host now.
    public static func applied(_ o: ObservedState) -> (Bool?, String?) {
        let p = o.puppet
        if let broken = o.puppetStateError, p.success == nil { return (nil, broken) }
        // Only the state file (last_run_metadata.json) records what a run applied; the older
        // puppet summaries do not.
        guard p.ts != nil else { return (nil, p.lastRunEpoch == nil ? "no puppet run recorded" : "no puppet state file (only the puppet summary)") }
        guard let success = p.success else { return (nil, "the state file does not say whether the run succeeded") }
        if !success { return (false, "the last puppet run failed") }
        if o.overridePresent {
            guard let now = o.overrideSHA256 else { return (nil, "the override's SHA-256 is unknown") }
            guard let applied = p.overrideSHA else { return (false, "the override was added after the last puppet run") }
            if applied != now { return (false, "the override changed after the last puppet run") }
        } else if p.overrideSHA != nil {
            return (false, "the override was removed after the last puppet run")
        }
        if o.vaultPresent {
            guard let now = o.vaultSHA256 else { return (nil, "the vault's SHA-256 is unknown") }
            guard let applied = p.vaultSHA else { return (false, "vault.yaml was added after the last puppet run") }
            if applied != now { return (false, "vault.yaml changed after the last puppet run") }
        } else if p.vaultSHA != nil {
            return (false, "vault.yaml was removed after the last puppet run")
        }
        return (true, nil)
    }
}
