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
    /// The store as of this read.
    public var stamp = ChangeStamp(observations: 0, services: [])

    public init() {}
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
    /// What the report joins for `hosts` (every host in the store when nil).
    public func reportData(hosts: [String]? = nil) async throws -> ReportData {
        try await writer.read { db in
            var data = ReportData()
            data.stamp = try Self.changeStamp(db)
            data.history = try ObservationStore.facts(db, hosts: hosts)
            data.workers = try ServiceStore.reportWorkers(db, hosts: hosts.map(Set.init))
            data.refs = try ServiceStore.currentRefs(db)
            data.windowsPools = try ServiceStore.latestWindowsPools(db).mapValues(\.hash)
            data.notes = try NotesStore.displays(db)
            return data
        }
    }

    /// The stored JSON `--json` prints, for every host in the store (or `hosts`): read as text,
    /// `observed` cut out by SQLite, so 10,000 rows cost no decoding.
    public func reportJSON(hosts: [String]? = nil) async throws -> [String: StoredReportJSON] {
        let scope = hosts == nil ? "" : "WHERE s.host IN (SELECT value FROM json_each(?))"
        let arguments: StatementArguments = try hosts.map { [try ObservationStore.jsonList($0)] } ?? []
        return try await writer.read { db in
            var out: [String: StoredReportJSON] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT s.host, l.data, json_extract(k.data, '$.observed')
                FROM host_summary s JOIN host_observations l ON l.id = s.latest_id
                LEFT JOIN host_observations k ON k.id = s.latest_ok_id \(scope)
                """, arguments: arguments)
            while let row = try rows.next() { out[row[0]] = StoredReportJSON(record: row[1], observed: row[2]) }
            let wanted = hosts.map(Set.init)
            let workers = try Row.fetchCursor(db, sql: """
                SELECT host, data FROM tc_workers WHERE id IN (SELECT MAX(id) FROM tc_workers GROUP BY host)
                """)
            while let row = try workers.next() {
                let host: String = row[0]
                guard wanted?.contains(host) ?? true else { continue }
                out[host, default: StoredReportJSON()].taskcluster = row[1]
            }
            return out
        }
    }
}
