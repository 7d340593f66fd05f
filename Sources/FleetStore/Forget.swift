import FleetCore
import Foundation
import GRDB

/// What the store held about one host before `forget` removed it.
public struct ForgottenHost: Sendable, Equatable, Codable {
    public var host: String
    public var observations: Int
    public var taskclusterRecords: Int
    public var notes: Int

    public var found: Bool { observations + taskclusterRecords + notes > 0 }

    public init(host: String, observations: Int, taskclusterRecords: Int, notes: Int) {
        self.host = host; self.observations = observations; self.taskclusterRecords = taskclusterRecords; self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case host, observations, notes
        case taskclusterRecords = "taskcluster_records"
    }
}

extension FleetDatabase {
    /// Counts what the store holds about each host (the dry run of `forget`).
    public func holdings(hosts: [String]) async throws -> [ForgottenHost] {
        try await writer.read { db in try hosts.map { try Self.holding($0, db) } }
    }

    /// Removes every row about these hosts: observations, Taskcluster records, notes, and the
    /// report's summaries of them, in one transaction; returns what each host had. A typo'd host
    /// otherwise stays in every report for good. The Python import keys are kept, so a later
    /// import does not bring the host back from the Python tool's database.
    public func forget(hosts: [String]) async throws -> [ForgottenHost] {
        try await writer.write { db in
            try hosts.map { host in
                let had = try Self.holding(host, db)
                for table in ["host_observations", "host_summary", "tc_workers", "worker_summary", "tc_task_runs", "tc_job_counts", "notes"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE host = ?", arguments: [host])
                }
                return had
            }
        }
    }

    static func holding(_ host: String, _ db: Database) throws -> ForgottenHost {
        func count(_ table: String) throws -> Int {
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE host = ?", arguments: [host]) ?? 0
        }
        return ForgottenHost(host: host, observations: try count("host_observations"),
                             taskclusterRecords: try count("tc_workers"), notes: try count("notes"))
    }
}
