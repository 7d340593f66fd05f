import FleetCore
import FleetStore
import Foundation

/// Fills a state directory with a synthetic fleet (observations, Taskcluster and GitHub rows,
/// override files), through the store's own code, for the report benchmark.
public enum StoreSeeder {
    public static func seed(state: StateDirectory, hosts count: Int, observationsPerHost: Int = 10,
                            runsPerHost: Int = 24) async throws {
        try state.prepare()
        let db = try FleetDatabase(state: state)
        let observations = ObservationStore(database: db)
        let services = ServiceStore(database: db)
        let overrides = state.overrideStore
        let branches = (0..<20).map { "relops-\(1000 + $0)-rollout" }
        var overrideSHAs: [String] = []
        for (i, b) in branches.enumerated() {
            let text = ScenarioGenerator.overrideFile(branch: b, user: "user\(i % 4)")
            try overrides.store(Data(text.utf8))
            overrideSHAs.append(Digest.sha256Hex(Data(text.utf8)))
        }
        let now = Date()
        let ts = Timestamp.iso(now)
        var refs = [BranchRef(ts: ts, owner: "mozilla-platform-ops", repo: "ronin_puppet", branch: "master", sha: ScenarioGenerator.masterSHA)]
        for (i, b) in branches.enumerated() {
            refs.append(BranchRef(ts: ts, owner: "user\(i % 4)", repo: "ronin_puppet", branch: b, sha: ScenarioGenerator.branchSHA))
        }
        try await services.insertRefs(refs, pools: [])
        try await services.recordRun("github", at: now, ok: true, summary: [:])
        let names = (1...count).map { String(format: "t-linux64-ms-%05d.test.releng.mdc1.mozilla.com", $0) }
        for chunk in stride(from: 0, to: names.count, by: 500) {
            var batch: [HostObservation] = []
            var workers: [WorkerRecord] = []
            var runs: [TaskRun] = []
            for (offset, host) in names[chunk..<min(chunk + 500, names.count)].enumerated() {
                let n = chunk + offset
                for k in 0..<observationsPerHost {
                    var o = ObservedState()
                    o.osType = n % 5 == 0 ? "Darwin" : "Linux"
                    o.rolePresent = true
                    o.role = n % 5 == 0 ? "gecko_t_osx_1500_m4" : "gecko_t_linux_talos"
                    o.uptimeS = 3600 * (n % 200) + k
                    o.vaultPresent = true
                    o.vaultSHA256 = ScenarioGenerator.sha256Hex("vault \(n % 3)")
                    if n % 10 == 0 {
                        o.overridePresent = true
                        o.overrideSHA256 = overrideSHAs[n % overrideSHAs.count]
                    }
                    o.puppet.ts = Timestamp.iso(now.addingTimeInterval(-Double(600 + n % 7200)))
                    o.puppet.success = n % 13 != 0
                    o.puppet.gitSHA = n % 17 == 0 ? ScenarioGenerator.branchSHA : ScenarioGenerator.masterSHA
                    o.puppet.vaultSHA = o.vaultSHA256
                    o.puppet.overrideSHA = o.overrideSHA256
                    let failed = k == observationsPerHost - 1 && n % 29 == 0
                    batch.append(HostObservation(ts: Timestamp.iso(now.addingTimeInterval(-Double((observationsPerHost - k) * 300))),
                                                 actor: "seed", host: host, ok: !failed, sshRC: failed ? 255 : 0, stderr: "",
                                                 error: failed ? "Connection refused" : nil, errorClass: failed ? .unreachable : nil,
                                                 observed: failed ? nil : o))
                }
                var w = WorkerRecord(type: .worker, ts: ts, host: host, workerId: String(host.split(separator: ".")[0]))
                w.workerType = "gecko-t-linux-talos-1804"
                w.state = "running"
                w.lastDateActive = Timestamp.iso(now.addingTimeInterval(-Double(n % 9000)))
                w.taskStarted = Timestamp.iso(now.addingTimeInterval(-900))
                w.taskResolved = n % 3 == 0 ? nil : Timestamp.iso(now.addingTimeInterval(-300))
                w.taskState = "completed"
                workers.append(w)
                // A day of task runs per worker, some failing (the TC_JOBS / TC_OK% read).
                for (i, r) in ScenarioGenerator.recentRuns(n, count: runsPerHost).enumerated() {
                    let started = now.addingTimeInterval(-Double(r.startedAgo))
                    runs.append(TaskRun(host: host, taskId: "\(w.workerId)-\(i)", runId: 0, state: r.state ?? "completed",
                                        started: Timestamp.iso(started), resolved: r.duration.map { Timestamp.iso(started.addingTimeInterval(Double($0))) }))
                }
            }
            try await observations.insert(batch)
            try await services.insertWorkers(workers, taskRuns: runs, seen: now)
        }
    }
}
