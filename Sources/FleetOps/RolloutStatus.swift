import FleetCore
import FleetGather
import FleetReport
import FleetStore
import FleetWrite
import Foundation

/// A rollout as it stands: every host's report row and gate facts, and the gates' verdicts.
public struct RolloutStatus: Sendable {
    public var rollout: Rollout
    /// Each target's report row (override on disk, PP_MATCH, APPLIED, HEALTHY...).
    public var rows: [String: HostRow]
    public var facts: [String: GateHostFacts]
    /// The gates of the current stage (empty before start).
    public var gates: [GateResult]
    /// Stage hosts whose puppet run failed after the stage was applied; non-empty when this
    /// status paused the rollout (or found it paused for that).
    public var failedRuns: [String]
    /// True when this status paused the rollout.
    public var pausedNow: Bool
    /// How many hosts were gathered again, and what went wrong refreshing.
    public var refreshed: Int
    public var refreshProblems: [String]
}

/// Where the job gates' counts come from.
public enum RolloutFacts {
    /// Tasks each host's worker took since `since`, and how many succeeded: from the stored task
    /// history (`tc_task_runs`: every scan's latest task, and each rollout host's recent tasks
    /// that `rollout status` asks Taskcluster for). A host with no stored run falls back to its
    /// latest worker record (at most one task, a lower bound), and then to no data, which the
    /// gate reports as such.
    public static func taskCounts(history: [String: JobStats], workers: [String: WorkerRecord], hosts: [String],
                                  since: Date?) -> [String: (jobs: Int?, succeeded: Int?)] {
        var out: [String: (jobs: Int?, succeeded: Int?)] = [:]
        for h in hosts {
            if since != nil, let stats = history[h] { out[h] = JobStats.gateCounts(stats) } else {
                out[h] = TaskCounts.fromLatestTask(workers[h], since: since)
            }
        }
        return out
    }
}

extension RolloutEngine {
    /// Gathers the rollout's hosts again (unless `refresh` is false; Taskcluster and GitHub too
    /// when the engine has them), then judges the gates from what the store now holds. A stage
    /// host whose puppet run failed after the stage was applied pauses an active rollout.
    /// `pauseLock`, when given, is asked right before an auto-pause (false: another rollout
    /// command holds the lock, and this status pauses nothing): a status then holds the lock only
    /// for the pause, never while it gathers, so a `pause` from another terminal is not refused.
    public func status(_ id: String, refresh: Bool, mayPause: Bool = true, stop: StopRequest? = nil,
                       pauseLock: (@Sendable () -> Bool)? = nil) async throws -> RolloutStatus {
        var r = try await load(id)
        var refreshed = 0
        var problems: [String] = []
        if refresh {
            let targets = r.targets.compactMap { try? HostTarget.parse($0) }
            if let gatherer {
                let results = if let stop { await stop.cancellable { await gatherer.gather(targets) } } else { await gatherer.gather(targets) }
                refreshed = results.filter { $0.observation.ok }.count
                let failed = results.filter { !$0.observation.ok }
                if !failed.isEmpty {
                    problems.append("\(failed.count) host(s) could not be gathered: " + Gates.names(failed.map { $0.target.description }))
                }
            }
            if let services, stop?.isRequested != true { problems += await services(targets) }
        }
        let now = context.now
        let rows = try await ReportLoader(state: state, database: database).rows(hosts: r.targets, now: now)
        let byHost = Dictionary(rows.map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
        let workers = try await ServiceStore(database: database).latestWorkers()
        let appliedAt = r.currentStage?.appliedAt.flatMap(Timestamp.parse)
        var history: [String: JobStats] = [:]
        if let appliedAt { history = try await TaskRunStore(database: database).jobStats(hosts: r.targets, since: appliedAt) }
        let counts = RolloutFacts.taskCounts(history: history, workers: workers, hosts: r.targets, since: appliedAt)
        var facts: [String: GateHostFacts] = [:]
        for host in r.targets {
            let row = byHost[host] ?? HostRow(host: host, cells: [:], status: "UNK")
            var f = GateHostFacts(row: row, jobs: counts[host]?.jobs ?? nil, succeeded: counts[host]?.succeeded ?? nil)
            f.finished = history[host].map { $0.succeeded + $0.failed }
            // APPLIED counts for the rollout only from a gather after the host's write that saw
            // the rollout's own override: older data (a --no-refresh status after a write that
            // was not gathered, an override changed by hand) is unknown, and fails the gate.
            if let h = r.host(host), h.stage != nil, f.applied != nil {
                let written = h.updatedAt.flatMap(Timestamp.parse).map { Int($0.timeIntervalSince1970) }
                let seenAfter = row.clock.lastOK.map { $0 >= (written ?? .min) } ?? false
                if row.overrideSHA != r.overrideSHA256 || !seenAfter { f.applied = nil }
            }
            facts[host] = f
        }
        var gates: [GateResult] = []
        if let stage = r.currentStage {
            let input = GateInput(stage: stage.hosts.compactMap { facts[$0] }, applied: r.appliedHosts.compactMap { facts[$0] },
                                  stageAppliedAt: appliedAt, now: now)
            gates = Gates.evaluate(r.gates, input)
        }
        let failedRuns = r.failedPuppetRuns(Array(facts.values)).naturallySorted { $0 }
        var pausedNow = false
        if mayPause, r.state == .active, !failedRuns.isEmpty, pauseLock?() ?? true,
           // Read again under the lock: another command may have changed the rollout meanwhile.
           case let current = try await load(id), current.state == .active, let paused = try? current.paused() {
            let event = RolloutEvent(rolloutID: r.id, action: .autoPause, stamp: stamp(), stage: r.currentStage?.index, hosts: failedRuns,
                                     gates: r.gates, gateResults: gates, state: paused.state,
                                     outcome: "paused: the puppet run failed on " + Gates.names(failedRuns))
            try await decide(paused, event)
            r = paused
            pausedNow = true
        }
        return RolloutStatus(rollout: r, rows: byHost, facts: facts, gates: gates, failedRuns: failedRuns, pausedNow: pausedNow,
                             refreshed: refreshed, refreshProblems: problems)
    }
}
