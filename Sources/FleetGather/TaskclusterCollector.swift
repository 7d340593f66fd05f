import FleetCore
import FleetHTTP
import FleetStore
import FleetTaskcluster
import Foundation
import Logging
import Synchronization

/// What one gather-tc run did.
public struct TaskclusterReport: Sendable {
    public var records: [WorkerRecord]
    /// Pools scanned, with their worker counts, or the error that stopped them.
    public var pools: [(pool: WorkerPool, hosts: Int, result: Result<PoolScan, Error>)]
    /// GraphQL errors that came with partial data, per pool.
    public var partialErrors: [WorkerPool: [String]]
    /// Problems that did not stop the run (the Windows worker-type listing failed).
    public var warnings: [String]
    /// Every task run stored: each found worker's latest task, and the recent tasks of the
    /// workers whose history was asked for.
    public var taskRuns: [TaskRun] = []
    /// Hosts whose recent tasks were read.
    public var historyRead: [String] = []
    /// Hosts whose recent tasks could not be read, with why; their other data is stored.
    public var historyFailures: [(host: String, error: String)] = []

    public var found: Int { records.filter { $0.type == .worker }.count }
    /// Pools that could not be scanned, the Windows worker-type listing included.
    public var failedPools: Int {
        pools.filter { if case .failure = $0.result { return true } else { return false } }.count + (listingFailed ? 1 : 0)
    }
    var listingFailed = false
}

/// Finds each host's worker in Taskcluster and stores what the scan saw, for every host.
public struct TaskclusterCollector: Sendable {
    public var client: TaskclusterClient
    public var table: PoolTable
    /// Pools scanned at once.
    public var concurrency = 4
    /// Workers whose recent tasks are read at once (one request each).
    public var historyConcurrency = 8
    public let observations: ObservationStore
    public let services: ServiceStore
    public let overrides: ContentStore
    let logger: Logger

    public init(client: TaskclusterClient, table: PoolTable, database: FleetDatabase, state: StateDirectory,
                logger: Logger = Logger(label: "fleetroll.tc")) {
        self.client = client
        self.table = table
        self.observations = ObservationStore(database: database)
        self.services = ServiceStore(database: database)
        self.overrides = state.overrideStore
        self.logger = logger
    }

    /// `progress` is called with (pools scanned, pools in all) as each pool's scan ends.
    /// `taskHistory` names the hosts (as `HostTarget.description`) whose workers' recent tasks
    /// are read too, one request per worker found by the scan: a rollout's hosts, or
    /// `gather-tc --task-history`. Every found worker's latest task is stored either way.
    public func collect(_ hosts: [HostTarget], now started: Date, taskHistory: Set<String> = [],
                        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> TaskclusterReport {
        let ts = Timestamp.iso(started)
        // Role and override come from each host's latest *successful* gather: one failed gather
        // must not drop a host from its pool (the old tool's W5).
        let history = try await observations.latest(hosts: hosts.map(\.description))
        var table = self.table
        var warnings: [String] = []
        var listingError: String?
        let roles = Dictionary(uniqueKeysWithValues: hosts.map { ($0, history[$0.description]?.latestOK?.observed?.role) })
        if roles.values.contains(where: { $0.map(PoolTable.isWindowsStyleRole) ?? false }) {
            do {
                table.addWindowsWorkerTypes(try await client.workerTypes(provisioner: PoolTable.defaultProvisioner))
            } catch {
                listingError = "could not list the Windows worker types: \(error)"
                warnings.append(listingError!)
            }
        }

        var records: [WorkerRecord] = []
        var byPool: [WorkerPool: [(HostTarget, Bool)]] = [:]
        for host in hosts {
            let observed = history[host.description]?.latestOK?.observed
            let resolution = table.resolve(role: roles[host] ?? nil, workerTypeOverride: workerTypeOverride(observed))
            switch resolution {
            case .pool(let pool, let viaOverride):
                byPool[pool, default: []].append((host, viaOverride))
            case .unknown(let why):
                var r = WorkerRecord(type: .noPool, ts: ts, host: host.description, workerId: WorkerRecord.workerId(for: host))
                r.note = why
                // A Windows role is unknown only because its listing failed: that is a failed
                // scan, not a missing pool.
                if let listingError, let role = roles[host] ?? nil, PoolTable.isWindowsStyleRole(role) {
                    r.type = .scanFailed
                    r.note = listingError
                }
                records.append(r)
            }
        }

        let pools = byPool.keys.sorted()
        // A service that cannot be reached (no such name, connection refused) fails every pool the
        // same way: the pools not started yet are not tried, and carry that error.
        let unreachable = Mutex<HTTPFetchError?>(nil)
        let scans = await runBounded(count: pools.count, width: concurrency, admit: { unreachable.withLock { $0 == nil } },
                                     skipped: { _ in Result<PoolScan, Error>.failure(unreachable.withLock { $0 } ?? CancellationError()) },
                                     progress: { progress($0, pools.count) }) { i in
            do { return .success(try await client.scan(pools[i])) } catch {
                if let e = error as? HTTPFetchError, case .unreachable = e { unreachable.withLock { $0 = $0 ?? e } }
                return .failure(error)
            }
        }
        var report = TaskclusterReport(records: [], pools: [], partialErrors: [:], warnings: warnings)
        report.listingFailed = listingError != nil
        var historyTargets: [(host: String, pool: WorkerPool, node: WorkerNode)] = []
        for (pool, scan) in zip(pools, scans) {
            let members = byPool[pool]!
            report.pools.append((pool, members.count, scan))
            var nodes: [String: WorkerNode] = [:]
            if case .success(let s) = scan {
                for node in s.workers { nodes[node.workerId] = node }
                if !s.partialErrors.isEmpty { report.partialErrors[pool] = s.partialErrors }
            }
            for (host, viaOverride) in members {
                records.append(record(for: host, pool: pool, viaOverride: viaOverride, scan: scan, nodes: nodes, ts: ts))
                guard let node = nodes[WorkerRecord.workerId(for: host)] else { continue }
                // The scan already fetched each worker's latest run: keep it, it costs nothing.
                if let run = node.latestTask?.run, let taskId = run.taskId, let state = run.state {
                    report.taskRuns.append(TaskRun(host: host.description, taskId: taskId, runId: run.runId ?? 0, state: state,
                                                   started: run.started, resolved: run.resolved))
                }
                if taskHistory.contains(host.description) { historyTargets.append((host.description, pool, node)) }
            }
        }
        let histories = await recentTasks(of: historyTargets)
        for (target, result) in zip(historyTargets, histories) {
            switch result {
            case .success(let runs):
                report.historyRead.append(target.host)
                report.taskRuns += runs
            case .failure(let error):
                report.historyFailures.append((target.host, "\(error)"))
            }
        }
        report.records = records.naturallySorted(by: \.host)
        try await services.insertWorkers(report.records, taskRuns: report.taskRuns, seen: started)
        try await services.recordRun("taskcluster", at: started, ok: report.failedPools == 0,
                                     summary: ["hosts": "\(hosts.count)", "found": "\(report.found)", "failed_pools": "\(report.failedPools)"])
        return report
    }

    /// Each target worker's recent task runs, `historyConcurrency` requests at a time; one
    /// worker's failure is its own and stops nobody else's.
    func recentTasks(of targets: [(host: String, pool: WorkerPool, node: WorkerNode)]) async -> [Result<[TaskRun], Error>] {
        let client = self.client
        return await runBounded(count: targets.count, width: historyConcurrency, skipped: { _ in .failure(CancellationError()) }) { i in
            let t = targets[i]
            guard let group = t.node.workerGroup, !group.isEmpty else {
                return .failure(TaskclusterError.malformed("the scan gave no worker group for \(t.node.workerId)"))
            }
            do {
                let tasks = try await client.recentTasks(pool: t.pool, workerGroup: group, workerId: t.node.workerId)
                return .success(tasks.compactMap { entry in
                    guard let run = entry.run, let state = run.state else { return nil }
                    return TaskRun(host: t.host, taskId: run.taskId ?? entry.taskId, runId: run.runId ?? entry.runId ?? 0,
                                   state: state, started: run.started, resolved: run.resolved)
                })
            } catch {
                return .failure(error)
            }
        }
    }

    func record(for host: HostTarget, pool: WorkerPool, viaOverride: Bool, scan: Result<PoolScan, Error>,
                nodes: [String: WorkerNode], ts: String) -> WorkerRecord {
        let id = WorkerRecord.workerId(for: host)
        var r = WorkerRecord(type: .worker, ts: ts, host: host.description, workerId: id)
        r.provisioner = pool.provisioner
        r.workerType = pool.workerType
        r.viaOverride = viaOverride
        switch scan {
        case .failure(let error):
            r.type = .scanFailed
            r.note = "\(error)"
        case .success(let s):
            guard let node = nodes[id] else {
                r.type = s.incomplete ? .scanFailed : .notFound
                r.note = s.incomplete ? "the answer for \(pool) was incomplete and did not include \(id)" : "no worker \(id) in \(pool)"
                return r
            }
            r.workerGroup = node.workerGroup
            r.state = node.state
            r.lastDateActive = node.lastDateActive
            r.firstClaim = node.firstClaim
            r.quarantineUntil = node.quarantineUntil
            r.taskId = node.latestTask?.run?.taskId
            r.taskStarted = node.latestTask?.run?.started
            r.taskResolved = node.latestTask?.run?.resolved
            r.taskState = node.latestTask?.run?.state
        }
        return r
    }

    /// The WORKER_TYPE_OVERRIDE of the host's stored override file, if it has one.
    func workerTypeOverride(_ observed: ObservedState?) -> String? {
        guard let observed, observed.overridePresent, let sha = observed.overrideSHA256,
              let url = overrides.path(forSHA: sha), let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return OverrideFile(text: String(decoding: data, as: UTF8.self)).workerTypeOverride
    }
}
