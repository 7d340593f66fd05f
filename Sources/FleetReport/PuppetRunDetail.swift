import FleetCore
import FleetStore

extension LiveReport {
    /// The host's latest host-run-puppet, as kept in the state directory: how it ended and the
    /// end of its output (nil when fleetroll never ran puppet there).
    public nonisolated func lastPuppetRun(host: String) -> PuppetRunTail? {
        PuppetRunLogs(state: loader.state).load(host: host)
    }
}
