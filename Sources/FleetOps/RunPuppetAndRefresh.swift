import FleetCore
import FleetGather
import FleetSSH
import FleetStore
import FleetWrite
import Foundation

extension Fleet {
    /// A puppet runner writing to the state directory's audit log and keeping each host's
    /// output tail in `<state>/puppet_runs`.
    public func puppetRunner(transport: any StreamingHostTransport, workers: Int, timeout: Double, reason: String?) -> PuppetRunner {
        PuppetRunner(transport: transport, auditLog: AuditLog(url: state.auditLog), logs: PuppetRunLogs(state: state),
                     workers: workers, timeout: timeout, reason: reason, context: context, logger: logger)
    }
}

/// Puppet runs, then a gather of the hosts that ran, so PP_LAST, PP_SHA, APPLIED and HEALTHY show
/// the new run at once (host-run-puppet). A batch Ctrl-C stopped is not gathered again.
public struct RunPuppetAndRefresh: Sendable {
    public var runner: PuppetRunner
    /// nil: no gather afterwards (`--no-audit`).
    public var gatherer: HostGatherer?

    public init(runner: PuppetRunner, gatherer: HostGatherer?) {
        self.runner = runner
        self.gatherer = gatherer
    }

    public struct Outcome: Sendable {
        public var results: [PuppetRunResult]
        public var refreshed: [GatherResult]
        public var elapsed: Double
    }

    /// `ran` is told the runs' results before the gather starts (a command prints them).
    public func run(_ hosts: [HostTarget], stop: StopRequest, events: @escaping @Sendable (PuppetRunner.Event) -> Void = { _ in },
                    ran: ([PuppetRunResult], Double) -> Void = { _, _ in }) async -> Outcome {
        let started = runner.context.now
        let results = await runner.run(hosts, stop: stop, events: events)
        let elapsed = runner.context.now.timeIntervalSince(started)
        ran(results, elapsed)
        var refreshed: [GatherResult] = []
        if let gatherer, !stop.isRequested {
            // Every host that was contacted, failed runs too: the gather records what the host now says.
            let contacted = results.filter { $0.record.result != .notStarted }.map(\.target)
            if !contacted.isEmpty { refreshed = await stop.cancellable { await gatherer.gather(contacted) } }
        }
        return Outcome(results: results, refreshed: refreshed, elapsed: elapsed)
    }
}

extension Fleet {
    /// The ssh transport, as one that can stream a run's output as it arrives.
    public func streamingTransport(_ settings: SSHSettings) -> any StreamingHostTransport {
        SSHTransport(settings: settings, logger: logger)
    }
}
