import FleetCore
import FleetStore
import Foundation

/// The audit line of one forgotten host (`action: host.forget`), in the audit log's layout.
struct ForgetRecord: Encodable {
    struct Parameters: Encodable { var reason: String? }
    var ts: String
    var actor: String
    var action = "host.forget"
    var host: String
    var ok = true
    var result = "OK"
    var observed: ForgottenHost
    var parameters: Parameters
}

public enum ForgetError: Error, CustomStringConvertible {
    case auditLog(String)

    public var description: String {
        switch self {
        case .auditLog(let why): return "the audit log cannot be written (\(why)); nothing was removed"
        }
    }
}

extension Fleet {
    /// Removes what the store holds about `hosts` (those it holds anything about) and records
    /// each in the audit log; returns what every host had. The log is checked first: a removal
    /// that cannot be recorded is not made.
    public func forget(_ database: FleetDatabase, hosts: [String], reason: String?) async throws -> [ForgottenHost] {
        let log = AuditLog(url: state.auditLog)
        let present = try await database.holdings(hosts: hosts).filter(\.found).map(\.host)
        guard !present.isEmpty else { return try await database.holdings(hosts: hosts) }
        do { try log.checkWritable() } catch { throw ForgetError.auditLog(ErrorText.describe(error)) }
        let removed = try await database.forget(hosts: present)
        for had in removed {
            try log.append(ForgetRecord(ts: context.timestamp, actor: context.actor, host: had.host, observed: had,
                                        parameters: .init(reason: reason)))
        }
        // A run row changes the store's stamp, so a live view open on the store reloads without them.
        try await ServiceStore(database: database).recordRun("forget", at: context.now, ok: true,
                                                             summary: ["hosts": "\(removed.count)"])
        let byHost = Dictionary(uniqueKeysWithValues: removed.map { ($0.host, $0) })
        return hosts.map { byHost[$0] ?? ForgottenHost(host: $0, observations: 0, taskclusterRecords: 0, notes: 0) }
    }
}
