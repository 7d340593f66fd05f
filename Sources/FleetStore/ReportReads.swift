import FleetCore
import Foundation
import GRDB

/// Everything the report joins, read in one transaction so the parts agree with each other and
/// with the change stamp (a view that then follows the ids after it sees each change once).
public struct ReportData: Sendable {
    /// Each gathered host's latest and latest successful observation.
    public var history: [String: HostFacts] = [:]
    /// Each host's latest Taskcluster record (the report's fields).
    public var workers: [String: WorkerRecord] = [:]
    /// Branch heads of the latest GitHub run, keyed `owner/repo:branch`.
    public var refs: [String: BranchRef] = [:]
    /// Windows pool name → image hash.
    public var windowsPools: [String: String] = [:]
    /// The NOTE cell of each host with notes.
    public var notes: [String: String] = [:]
    /// Each host's jobs in the window asked for (hosts without one in it are absent).
    public var jobStats: [String: JobStats] = [:]
    /// The rollout holding each host.
    public var rollouts: [String: RolloutMembership] = [:]
    /// The store as of this read.
    public var stamp = ChangeStamp(observations: 0, services: [])
    /// The override and vault SHA-256s the read hosts' rows name (their files are read once).
    public var overrideSHAs: Set<String> = []
    public var vaultSHAs: Set<String> = []

    public init() {}
}

/// One host's part of a report: its latest and latest successful observation (nil: never
/// gathered) and its latest Taskcluster record.
public struct HostReportFacts: Sendable {
    public var host: String
    public var facts: HostFacts?
    public var worker: WorkerRecord?
}

/// The stored JSON a `--json` report prints for one host, as stored (no decoding).
public struct StoredReportJSON: Sendable {
    /// The latest gather's record.
    public var record: String?
    /// `observed` of the record the row was built from (the latest successful gather).
    public var observed: String?
    /// The latest Taskcluster record.
    public var taskcluster: String?

    public init(record: String? = nil, observed: String? = nil, taskcluster: String? = nil) {
        self.record = record; self.observed = observed; self.taskcluster = taskcluster
    }
}

extension FleetDatabase {
    /// The report in one transaction: the shared parts first (refs, pools, notes, the stamp, the
    /// contents rows name), then the hosts' facts, handed to `build` a chunk at a time so a fleet's
    /// facts are never all held at once. Returns the shared parts and what `build` made of each
    /// chunk, in order (every host in the store when `hosts` is nil, in the store's order).
    /// `withJobs`: read the TC_JOBS / TC_OK% counts too (`tc_job_counts`).
    public func readReport<T: Sendable>(hosts: [String]?, chunk: Int = 512, withJobs: Bool = false,
                                        build: @Sendable (ReportData, [HostReportFacts]) -> [T]) async throws -> (ReportData, [T]) {
        let list = try hosts.map { try ObservationStore.jsonList($0) }
        return try await writer.read { db in
            var shared = ReportData()
            shared.stamp = try Self.changeStamp(db)
            shared.refs = try ServiceStore.currentRefs(db)
            shared.windowsPools = try ServiceStore.latestWindowsPools(db).mapValues(\.hash)
            shared.notes = try NotesStore.displays(db)
            if withJobs { shared.jobStats = try TaskRunStore.storedCounts(db) }
            shared.rollouts = try RolloutStore.memberships(db)
            // Every host in the store, or the ones asked for (never gathered ones too).
            let from = list == nil ? "host_summary s LEFT JOIN worker_summary w ON w.host = s.host"
                : "json_each(?1) j LEFT JOIN host_summary s ON s.host = j.value LEFT JOIN worker_summary w ON w.host = j.value"
            let host = list == nil ? "s.host" : "j.value"
            // The contents the rows name, in one pass over the summaries (no worker join).
            let named = try db.makeStatement(sql: """
                SELECT s.l_override_sha256, s.k_override_sha256, s.l_vault_sha256, s.k_vault_sha256
                FROM \(list == nil ? "host_summary s" : "json_each(?1) j JOIN host_summary s ON s.host = j.value")
                """)
            if let list { try named.setArguments([list]) }
            try RawColumns.each(named) { c in
                for i: Int32 in 0...1 { if let sha = c.text(i) { shared.overrideSHAs.insert(sha) } }
                for i: Int32 in 2...3 { if let sha = c.text(i) { shared.vaultSHAs.insert(sha) } }
            }
            let statement = try db.makeStatement(sql: "SELECT \(host), \(Summaries.selection), \(Summaries.workerSelection) FROM \(from)")
            if let list { try statement.setArguments([list]) }
            // Sized once: a row is some hundreds of bytes, and growing by doubling would hold
            // the old and the new array of a fleet's rows at once.
            var out: [T] = []
            out.reserveCapacity(try hosts?.count ?? Int.fetchOne(db, sql: "SELECT count(*) FROM host_summary") ?? 0)
            var batch: [HostReportFacts] = []
            batch.reserveCapacity(chunk)
            let n = StoredObservation.factsColumnCount
            try RawColumns.each(statement) { c in
                var facts: HostFacts?
                if !c.isNull(1) {
                    let latest = StoredObservation.facts(c, from: 1)
                    facts = HostFacts(latest: latest, latestOK: latest.ok ? latest : (c.isNull(1 + n) ? nil : StoredObservation.facts(c, from: 1 + n)))
                }
                batch.append(HostReportFacts(host: c.text(0) ?? "", facts: facts, worker: StoredWorker.facts(c, from: 1 + 2 * n)))
                if batch.count == chunk {
                    out += build(shared, batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { out += build(shared, batch) }
            return (shared, out)
        }
    }

    /// One host's facts as they stood when observation `id` was stored: that observation, and
    /// the newest successful one up to it. Nil when there is no such observation any more.
    public func hostFacts(host: String, asOf id: Int64) async throws -> HostReportFacts? {
        try await writer.read { db in
            let selection = StoredObservation.factsSelection
            guard let latest = try Row.fetchOne(db, sql: "SELECT \(selection) FROM host_observations WHERE id = ? AND host = ?",
                                                arguments: [id, host]).map({ StoredObservation.facts($0) }) else { return nil }
            let ok = latest.ok ? latest : try Row.fetchOne(db, sql: """
                SELECT \(selection) FROM host_observations WHERE host = ? AND ok = 1 AND id < ? ORDER BY id DESC LIMIT 1
                """, arguments: [host, id]).map { StoredObservation.facts($0) }
            let worker = try Row.fetchOne(db, sql: """
                SELECT \(StoredWorker.factsSelection) FROM tc_workers WHERE host = ? ORDER BY id DESC LIMIT 1
                """, arguments: [host]).flatMap { StoredWorker.facts($0) }
            return HostReportFacts(host: host, facts: HostFacts(latest: latest, latestOK: ok), worker: worker)
        }
    }

    /// What the report joins for `hosts` (every host in the store when nil).
    public func reportData(hosts: [String]? = nil, withJobs: Bool = false) async throws -> ReportData {
        try await writer.read { db in
            var data = ReportData()
            data.stamp = try Self.changeStamp(db)
            data.history = try ObservationStore.facts(db, hosts: hosts)
            data.workers = try ServiceStore.reportWorkers(db, hosts: hosts.map(Set.init))
            data.refs = try ServiceStore.currentRefs(db)
            data.windowsPools = try ServiceStore.latestWindowsPools(db).mapValues(\.hash)
            data.notes = try NotesStore.displays(db)
            if withJobs { data.jobStats = try TaskRunStore.storedCounts(db) }
            data.rollouts = try RolloutStore.memberships(db)
            return data
        }
    }

    /// The stored JSON `--json` prints, for every host in the store (or `hosts`): read as text,
    /// `observed` cut out by SQLite, so 10,000 rows cost no decoding.
    public func reportJSON(hosts: [String]? = nil) async throws -> [String: StoredReportJSON] {
        let scope = hosts == nil ? "" : "WHERE s.host IN (SELECT value FROM json_each(?))"
        let arguments: StatementArguments = try hosts.map { [try ObservationStore.jsonList($0)] } ?? []
        return try await writer.read { db in
            // The stored JSON is read by id; the compact summary says which ids.
            var out: [String: StoredReportJSON] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT s.host, l.data, json_extract(k.data, '$.observed')
                FROM host_summary s JOIN host_observations l ON l.id = s.latest_id
                LEFT JOIN host_observations k ON k.id = s.latest_ok_id \(scope)
                """, arguments: arguments)
            while let row = try rows.next() { out[row[0]] = StoredReportJSON(record: row[1], observed: row[2]) }
            let workers = try Row.fetchCursor(db, sql: """
                SELECT w.host, t.data FROM worker_summary w JOIN tc_workers t ON t.id = w.worker_id
                \(scope.replacingOccurrences(of: "s.host", with: "w.host"))
                """, arguments: arguments)
            while let row = try workers.next() { out[row[0], default: StoredReportJSON()].taskcluster = row[1] }
            return out
        }
    }
}
