import FleetCore
import FleetStore
import Foundation

/// What the last successful gather of each host predicts a write will find. Only a preview:
/// the host itself decides when the write runs.
enum Expectations {
    static func load(_ selection: HostSelection, global: some FleetOptions,
                     predict: (ObservedState) -> String) async -> [String: String] {
        guard global.state.hasDatabase, let database = try? global.openDatabase(),
              let latest = try? await ObservationStore(database: database).latest(hosts: selection.hosts.map(\.description))
        else { return [:] }
        var out: [String: String] = [:]
        for host in selection.hosts.map(\.description) {
            out[host] = latest[host]?.latestOK?.observed.map(predict) ?? "UNKNOWN"
        }
        return out
    }
}
