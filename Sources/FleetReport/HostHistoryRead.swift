import FleetCore
import FleetStore

extension ReportLoader {
    /// A host's stored observations, newest first, at most `limit` (the store keeps few per host).
    public func history(host: String, limit: Int) async throws -> [HostObservation] {
        Array(try await ObservationStore(database: database).history(host: host).prefix(limit))
    }

    /// Whether the store has ever observed `host`.
    public func isKnown(host: String) async throws -> Bool {
        try await ObservationStore(database: database).latest(hosts: [host])[host] != nil
    }
}
