import FleetCore
import FleetGather
import FleetSSH
import FleetWrite
import Foundation

/// A change to hosts, then a gather of the hosts it changed, so reports show the new state at
/// once: what host-set-override, host-unset-override and host-set-vault do (and a rollout's
/// stages will). Ctrl-C stops both; an interrupted batch is not gathered again.
public struct WriteAndRefresh: Sendable {
    public var writer: HostWriter
    /// nil: no gather afterwards (`--no-audit`).
    public var gatherer: HostGatherer?

    public init(writer: HostWriter, gatherer: HostGatherer?) {
        self.writer = writer
        self.gatherer = gatherer
    }

    public struct Outcome: Sendable {
        public var results: [WriteResult]
        /// The gathers after the change (empty when none ran).
        public var refreshed: [GatherResult]
        public var elapsed: Double
    }

    /// `written` is told the writes' results before the gather starts (a command prints them).
    public func run(_ plan: WritePlan, on hosts: [HostTarget], stop: StopRequest,
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
                    written: ([WriteResult], Double) -> Void = { _, _ in }) async -> Outcome {
        let started = writer.context.now
        let results = await writer.run(plan, on: hosts, stop: stop, progress: progress)
        let elapsed = writer.context.now.timeIntervalSince(started)
        written(results, elapsed)
        var refreshed: [GatherResult] = []
        if let gatherer, !stop.isRequested {
            let changed = results.filter { $0.record.result.succeeded }.map(\.target)
            if !changed.isEmpty { refreshed = await stop.cancellable { await gatherer.gather(changed) } }
        }
        return Outcome(results: results, refreshed: refreshed, elapsed: elapsed)
    }
}
