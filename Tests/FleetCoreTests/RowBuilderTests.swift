import FleetCore
import Foundation
import Testing

/// Report rows: row kinds, PP_MATCH/HEALTHY, Windows, APPLIED.
@Suite("Report rows")
struct RowBuilderTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let master = String(repeating: "a", count: 40)
    static let branchSHA = String(repeating: "b", count: 40)
    static let overrideText = "PUPPET_REPO=\"https://github.com/jdoe/ronin_puppet.git\"\nPUPPET_BRANCH=\"test\"\nWORKER_TYPE_OVERRIDE='pool-x'\n"
    static let overrideSHA = Digest.sha256Hex(Data(overrideText.utf8))
    static let vaultSHA = String(repeating: "c", count: 64)

    static func iso(_ ago: Double) -> String { Timestamp.iso(now.addingTimeInterval(-ago)) }

    static func observed(_ edit: (inout ObservedState) -> Void = { _ in }) -> ObservedState {
        var o = ObservedState()
        o.osType = "Linux"
        o.rolePresent = true
        o.role = "gecko_t_linux_talos"
        o.uptimeS = 7200
        o.vaultPresent = true
        o.vaultSHA256 = vaultSHA
        o.puppet.ts = iso(1800 + 60)
        o.puppet.success = true
        o.puppet.gitSHA = master
        o.puppet.vaultSHA = vaultSHA
        edit(&o)
        return o
    }

    static func record(_ o: ObservedState?, ok: Bool = true, cls: ErrorClass? = nil) -> HostObservation {
        HostObservation(ts: iso(60), actor: "t", host: "h.example.com", ok: ok, sshRC: ok ? 0 : 255, stderr: "",
                        error: ok ? nil : "refused", errorClass: cls, observed: o)
    }

    static func worker(activeAgo: Double? = 120, quarantine: String? = nil) -> WorkerRecord {
        var w = WorkerRecord(type: .worker, ts: iso(240), host: "h.example.com", workerId: "h")
        w.workerType = "gecko-t-linux-talos-1804"
        w.lastDateActive = activeAgo.map(iso)
        w.quarantineUntil = quarantine
        w.taskStarted = iso(1000)
        return w
    }

    func build(_ latest: HostObservation?, latestOK: HostObservation? = nil, worker: WorkerRecord? = worker(),
               refs: [String: String]? = ["mozilla-platform-ops/ronin_puppet:master": master, "jdoe/ronin_puppet:test": branchSHA],
               pools: [String: String] = [:]) -> HostRow {
        var inputs = ReportInputs()
        inputs.now = Self.now
        if let latest {
            let facts = ObservationFacts(id: 2, record: latest)
            inputs.history["h.example.com"] = HostFacts(latest: facts, latestOK: latestOK.map { ObservationFacts(id: 1, record: $0) } ?? (latest.ok ? facts : nil))
        }
        if let worker { inputs.workers["h.example.com"] = worker }
        for (key, sha) in refs ?? [:] {
            let parts = key.split(separator: ":")
            let or = parts[0].split(separator: "/")
            inputs.refs[key] = BranchRef(ts: "", owner: String(or[0]), repo: String(or[1]), branch: String(parts[1]), sha: sha)
        }
        inputs.windowsPools = pools
        inputs.overrides[Self.overrideSHA] = OverrideFile(text: Self.overrideText)
        inputs.notes["h.example.com"] = "(2) RELOPS-1 disk"
        return RowBuilder(inputs: inputs).row(for: "h.example.com")
    }

    @Test func healthyHostOnMaster() {
        let r = build(Self.record(Self.observed()))
        #expect(r[.os] == "L")
        #expect(r[.ppSHA] == "aaaaaaa" && r[.ppExp] == "aaaaaaa")
        #expect(r[.ppMatch] == "Y" && r[.applied] == "Y" && r[.healthy] == "Y")
        #expect(r[.ppLast] == "30m")
        #expect(r[.uptime] == "2h 00m")
        #expect(r[.tcAct] == "2m")
        #expect(r[.tcTaskDuration] == "12m -", "still running: as of the scan")
        #expect(r[.data] == "1m/4m")
        #expect(r[.status] == "OK")
        #expect(r[.note] == "(2) RELOPS-1 disk")
        #expect(r[.vltSHA].hasPrefix("cccccccc "))
        #expect(r[.sha] == "-" && r[.wtOvr] == "-")
        #expect(r.values.healthy == true && r.values.tcActS == 120)
    }

    @Test func overrideBranchAndWorkerTypeOverride() {
        let r = build(Self.record(Self.observed {
            $0.overridePresent = true; $0.overrideSHA256 = Self.overrideSHA
            $0.puppet.gitSHA = Self.branchSHA; $0.puppet.overrideSHA = Self.overrideSHA
        }))
        #expect(r[.sha] == "test (\(Self.overrideSHA.prefix(8))) *wt")
        #expect(r[.wtOvr] == "Y")
        #expect(r[.ppExp] == "bbbbbbb" && r[.ppMatch] == "Y" && r[.healthy] == "Y")
    }

    @Test func wrongCommitFailedRunNoRefsNoSHA() {
        #expect(build(Self.record(Self.observed { $0.puppet.gitSHA = Self.branchSHA }))[.ppMatch] == "N")
        let failed = build(Self.record(Self.observed { $0.puppet.success = false }))
        #expect(failed[.ppMatch] == "N" && failed[.healthy] == "N" && failed[.ppLast] == "30m FAIL" && failed[.applied] == "N")
        let noRefs = build(Self.record(Self.observed()), refs: nil)
        #expect(noRefs[.ppExp] == "-" && noRefs[.ppMatch] == "-" && noRefs[.healthy] == "-")
        let noSHA = build(Self.record(Self.observed { $0.puppet.gitSHA = nil }))
        #expect(noSHA[.ppExp] == "aaaaaaa" && noSHA[.ppMatch] == "-" && noSHA[.healthy] == "-")
    }

    @Test func overrideWithUnknownBranchIsNotComparedWithMaster() {
        let r = build(Self.record(Self.observed { $0.overridePresent = true; $0.overrideSHA256 = String(repeating: "d", count: 64) }))
        #expect(r[.ppExp] == "-" && r[.ppMatch] == "-")
    }

    @Test func idleAndQuarantinedWorkers() {
        let idle = build(Self.record(Self.observed()), worker: Self.worker(activeAgo: 7200))
        #expect(idle[.ppMatch] == "Y" && idle[.healthy] == "N")
        #expect(build(Self.record(Self.observed()), worker: nil)[.healthy] == "-", "no Taskcluster data is unknown, not bad")
        let q = build(Self.record(Self.observed()), worker: Self.worker(quarantine: Timestamp.iso(Self.now.addingTimeInterval(3600))))
        #expect(q[.tcQuar] == "YES")
        #expect(q[.healthy] == "N" && q.values.healthyReasons == ["the Taskcluster worker is quarantined"], "quarantined, however recently active")
        #expect(build(Self.record(Self.observed()), worker: Self.worker(quarantine: Self.iso(3600)))[.tcQuar] == "-")
    }

    @Test func rowKinds() {
        let unknown = build(nil, worker: nil)
        #expect(unknown[.status] == "UNK" && unknown[.os] == "?" && unknown[.data] == "?/-")
        let failedOnly = build(Self.record(nil, ok: false, cls: .unreachable), worker: nil)
        #expect(failedOnly[.status] == "UNREACHABLE" && failedOnly[.os] == "-" && failedOnly[.data] == "-/-")
        let failedAfterOK = build(Self.record(nil, ok: false, cls: .sudo), latestOK: Self.record(Self.observed()))
        #expect(failedAfterOK[.status] == "SUDO", "a failing host shows it, even with older good data")
        #expect(failedAfterOK[.os] == "L" && failedAfterOK[.ppMatch] == "Y")
        #expect(failedAfterOK[.healthy] == "N", "a host that does not answer is not known to be healthy")
    }

    @Test(arguments: [("Darwin", "M"), ("Windows", "W"), ("FreeBSD", "F")])
    func osLetters(_ os: String, _ letter: String) {
        #expect(build(Self.record(Self.observed { $0.osType = os }))[.os] == letter)
    }

    @Test func windowsUsesThePoolHash() {
        func win(_ sha: String, success: Bool?) -> HostRow {
            build(Self.record(Self.observed {
                $0.osType = "Windows"; $0.role = "win116424h2hwref"; $0.puppet.gitSHA = sha; $0.puppet.success = success
            }), pools: ["win11-64-24h2-hw-ref": "test_win"])
        }
        let ok = win("test_win_pool_sha", success: nil)
        #expect(ok[.ppExp] == "test_wi" && ok[.ppMatch] == "Y" && ok[.ppLast] == "-")
        #expect(win("other", success: nil)[.ppMatch] == "N")
        #expect(win("test_win_pool_sha", success: false)[.ppMatch] == "N")
        let noPool = build(Self.record(Self.observed { $0.osType = "Windows"; $0.role = "win11other" }), pools: ["win11-64-24h2-hw-ref": "x"])
        #expect(noPool[.ppExp] == "-" && noPool[.ppMatch] == "-", "no fallback to ronin_puppet master")
    }

    @Test func appliedCases() {
        func applied(_ edit: (inout ObservedState) -> Void) -> (Bool?, String?) { RowBuilder.applied(Self.observed(edit)) }
        #expect(applied { $0.overridePresent = true; $0.overrideSHA256 = Self.overrideSHA; $0.puppet.overrideSHA = Self.overrideSHA }.0 == true)
        let changed = applied { $0.overridePresent = true; $0.overrideSHA256 = Self.overrideSHA; $0.puppet.overrideSHA = String(repeating: "e", count: 64) }
        #expect(changed.0 == false && changed.1?.contains("changed") == true)
        let notYet = applied { $0.overridePresent = true; $0.overrideSHA256 = Self.overrideSHA }
        #expect(notYet.0 == false && notYet.1?.contains("added") == true)
        let removed = applied { $0.puppet.overrideSHA = Self.overrideSHA }
        #expect(removed.0 == false && removed.1?.contains("removed") == true)
        let vault = applied { $0.vaultSHA256 = String(repeating: "f", count: 64) }
        #expect(vault.0 == false && vault.1?.contains("vault.yaml changed") == true)
        #expect(applied { $0.puppet.success = false }.0 == false)
        #expect(applied { $0.puppet = PuppetState() }.0 == nil, "no state file")
        #expect(applied { $0.puppet.ts = nil; $0.puppet.lastRunEpoch = 1 }.0 == nil, "a summary says nothing about files")
        let r = build(Self.record(Self.observed { $0.vaultSHA256 = String(repeating: "f", count: 64) }))
        #expect(r[.applied] == "N" && r[.ppMatch] == "Y" && r[.healthy] == "N", "HEALTHY needs APPLIED not N")
    }

    /// The store keeps only `ObservedState.reportFields`: a row built from them must be the row
    /// the whole record gives, whatever the record holds.
    @Test(arguments: [HostFileKind.file, .symlink, .directory, .missing])
    func reportFieldsAreEnoughForARow(_ kind: HostFileKind) {
        var o = Self.observed {
            $0.remoteHostname = "h"; $0.overridePresent = true; $0.overrideSHA256 = Self.overrideSHA
            $0.overrideMeta = FileMeta(mode: "0644", owner: "root", group: "root", size: "9", mtimeEpoch: "1")
            $0.overrideFilePath = "/x"; $0.contentError = "e"; $0.vaultMeta = FileMeta(mode: "0600"); $0.vaultFilePath = "/v"
            $0.vaultFetchError = "f"; $0.roleKind = kind; $0.overrideKind = kind; $0.vaultKind = kind; $0.puppetStateKind = kind
            $0.puppet.durationS = 40; $0.puppet.role = "r"; $0.puppet.gitRepo = "g"; $0.puppet.gitBranch = "b"; $0.puppet.gitDirty = true
            $0.puppet.overrideSHA = Self.overrideSHA
        }
        for broken in [nil, "the state file is not JSON"] {
            o.puppetStateError = broken
            let full = Self.record(o)
            var inputs = ReportInputs()
            inputs.now = Self.now
            inputs.overrides[Self.overrideSHA] = OverrideFile(text: Self.overrideText)
            var whole = ObservationFacts(id: 1, record: full)
            whole.observed = full.observed
            inputs.history["h.example.com"] = HostFacts(latest: whole, latestOK: whole)
            let fromWhole = RowBuilder(inputs: inputs).row(for: "h.example.com")
            inputs.history["h.example.com"] = HostFacts(latest: ObservationFacts(id: 1, record: full), latestOK: ObservationFacts(id: 1, record: full))
            #expect(RowBuilder(inputs: inputs).row(for: "h.example.com") == fromWhole)
        }
    }

    @Test func notesDisplay() {
        let add = { (n: String) in NoteRecord(action: "host.note_add", actor: "a", host: "h", ts: "", note: n) }
        let clear = NoteRecord(action: "host.note_clear", actor: "a", host: "h", ts: "")
        #expect(NoteRecord.display([add("one")]) == "one")
        #expect(NoteRecord.display([add("one"), add("two"), add("three")]) == "(3) three")
        #expect(NoteRecord.display([add("one"), clear]) == nil)
        #expect(NoteRecord.display([add("one"), clear, add("new")]) == "new")
        #expect(NoteRecord.display([add("")]) == nil)
    }
}
