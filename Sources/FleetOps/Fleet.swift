import FleetConfig
import FleetCore
import FleetGather
import FleetGitHub
import FleetReport
import FleetSSH
import FleetStore
import FleetTaskcluster
import FleetWrite
import Foundation
import Logging

/// The composition root: builds the store, the transport, the collectors, the writer and the
/// read model from the state directory, the configuration and what the command was told, so a
/// command only parses, calls and prints. Who acts and the clock come in here and go everywhere
/// from here.
public struct Fleet: Sendable {
    public let state: StateDirectory
    public let config: FleetConfig
    public let context: RunContext
    public let logger: Logger

    public init(state: StateDirectory, config: FleetConfig, context: RunContext, logger: Logger) {
        self.state = state
        self.config = config
        self.context = context
        self.logger = logger
    }

    /// The state directory's store, ready (directory made, earlier store moved, schema current).
    public func openDatabase(retention: Int = 10) throws -> FleetDatabase {
        try state.prepare()
        return try FleetDatabase(state: state, retention: retention)
    }

    public func transport(_ settings: SSHSettings) -> any HostTransport {
        SSHTransport(settings: settings, logger: logger)
    }

    public func gatherer(_ database: FleetDatabase, transport: any HostTransport, options: GatherOptions) -> HostGatherer {
        HostGatherer(transport: transport, store: ObservationStore(database: database), state: state, options: options,
                     context: context, logger: logger)
    }

    /// A writer; vault writes keep the file's local copy in the vault store.
    public func writer(transport: any HostTransport, workers: Int, keepsVaultCopy: Bool) -> HostWriter {
        HostWriter(transport: transport, auditLog: AuditLog(url: state.auditLog), vaultStore: keepsVaultCopy ? state.vaultStore : nil,
                   workers: workers, context: context, logger: logger)
    }

    public func taskcluster(_ database: FleetDatabase, client: TaskclusterClient, table: PoolTable, concurrency: Int) -> TaskclusterCollector {
        var collector = TaskclusterCollector(client: client, table: table, database: database, state: state, logger: logger)
        collector.concurrency = concurrency
        return collector
    }

    public func github(_ database: FleetDatabase, client: GitHubClient) -> GitHubCollector {
        GitHubCollector(client: client, database: database, state: state)
    }

    public func report(_ database: FleetDatabase) -> ReportLoader {
        ReportLoader(state: state, database: database)
    }

    public func liveReport(_ database: FleetDatabase, hosts: [String]?) -> LiveReport {
        LiveReport(loader: report(database), hosts: hosts, clock: context.clock)
    }
}
