import FleetCore
import FleetStore
import Foundation

/// Something the store learned, as a live report sees it.
public enum ReportEvent: Sendable {
    /// A gather stored an observation; `row` is the host's row as it stood right after.
    case observation(ObservationEvent)
    /// Other data changed and every row was rebuilt from the store.
    case reloaded(Set<ReloadCause>)
    /// A rollout changed (a decision, a host written): `LiveReport.rollouts` holds them as they
    /// are now. The rows were not rebuilt.
    case rollouts
}

public struct ObservationEvent: Sendable {
    public var id: Int64
    public var record: HostObservation
    public var row: HostRow
}

public enum ReloadCause: String, Sendable, CaseIterable {
    case taskcluster, github, notes, content, requested
}

/// The one live read model: loads the report once, then folds in what the store learns: new
/// observations by id (each seen once, all of them at once), and a reload when Taskcluster,
/// GitHub, notes or the content stores change, and the rollouts again when the rollout tables
/// change (the rows stay). The live view, follow mode and the web server
/// read the fleet through it; `subscribe()` hands every change to each listener.
public actor LiveReport {
    public let loader: ReportLoader
    /// The hosts asked for; nil for every host in the store (new ones join as they appear).
    public let listed: [String]?
    let clock: @Sendable () -> Date

    /// The hosts reported, in natural order (new hosts at the end until the next reload).
    public private(set) var names: [String] = []
    /// One row per name, in the same order.
    public private(set) var rows: [HostRow] = []
    /// What every row shares (branch heads, pools, notes, contents); hosts' facts stay in the store.
    public private(set) var shared = ReportInputs()
    /// When the data last changed (the header's `updated=`).
    public private(set) var updated: Date?
    /// Every rollout, newest first.
    public private(set) var rollouts: [RolloutListItem] = []
    var rolloutStamp: RolloutStamp?
    var position: [String: Int] = [:]
    var stamp: ChangeStamp?
    var content: [Date] = []
    var newestOK: Date?
    var reloadRequested = false
    var listeners: [UUID: AsyncStream<ReportEvent>.Continuation] = [:]

    public init(loader: ReportLoader, hosts: [String]?, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.loader = loader
        self.listed = hosts
        self.clock = clock
    }

    /// No successful gather of a reported host within the hour.
    public var stale: Bool { newestOK.map { clock().timeIntervalSince($0) > 3600 } ?? true }

    public var newestObservation: Int64 { stamp?.observations ?? 0 }

    /// The rollouts that hold their hosts (active, paused, rolling back, finalizing), oldest
    /// first: what a header names.
    public var activeRollouts: [RolloutListItem] { rollouts.filter(\.isActive).reversed() }

    /// Reads everything from the store.
    public func load() async throws {
        content = loader.state.contentStamp()
        let built = try await loader.build(hosts: listed, now: clock())
        names = built.names
        rows = built.rows
        shared = built.shared
        stamp = built.stamp
        newestOK = rows.compactMap { $0.clock.lastOK.map { Date(timeIntervalSince1970: Double($0)) } }.max()
        if updated == nil { updated = rows.compactMap { $0.clock.latest.map { Date(timeIntervalSince1970: Double($0)) } }.max() }
        position = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        try await loadRollouts()
    }

    func loadRollouts() async throws {
        let reader = RolloutReader(database: loader.database)
        rolloutStamp = try await reader.stamp()
        rollouts = try await reader.list()
    }

    /// The next `poll()` reloads everything.
    public func requestReload() { reloadRequested = true }

    /// Reads what changed since the last poll (a change stamp first: cheap when nothing did).
    /// Returns the events, which every listener gets too.
    @discardableResult
    public func poll() async throws -> [ReportEvent] {
        guard let old = stamp else {
            try await load()
            return publish([.reloaded([.requested])])
        }
        let now = try await loader.database.changeStamp()
        let contentNow = loader.state.contentStamp()
        var causes = Set<ReloadCause>()
        if reloadRequested { causes.insert(.requested) }
        if contentNow != content { causes.insert(.content) }
        // services: tc_workers, github_refs, windows_pools, notes, collector_runs.
        for (i, cause) in [ReloadCause.taskcluster, .github, .github, .notes, .github].enumerated()
        where i < now.services.count && (i >= old.services.count || now.services[i] != old.services[i]) {
            causes.insert(cause)
        }
        // Rollouts are few: read again whole when their tables changed.
        let rolloutsChanged = try await RolloutReader(database: loader.database).stamp() != rolloutStamp
        if !causes.isEmpty {
            reloadRequested = false
            try await load()
            updated = clock()
            return publish([.reloaded(causes)] + (rolloutsChanged ? [.rollouts] : []))
        }
        var news: [ReportEvent] = []
        if rolloutsChanged {
            try await loadRollouts()
            // Only the ROLLOUT cells change: the rows are patched, not rebuilt.
            shared.rollouts = try await RolloutReader(database: loader.database).memberships()
            let builder = RowBuilder(inputs: shared)
            for i in rows.indices { builder.fillRollout(&rows[i]) }
            news.append(.rollouts)
        }
        guard now.observations != old.observations else { return publish(news) }
        let (records, newest) = try await ObservationStore(database: loader.database).observations(after: old.observations)
        stamp?.observations = newest
        var events = news
        for (id, record) in records {
            if position[record.host] == nil {
                guard listed == nil else { continue }
                position[record.host] = names.count
                names.append(record.host)
                rows.append(HostRow(host: record.host, cells: [:], status: "UNK"))
            }
            if record.ok, let t = Timestamp.parse(record.ts), t > (newestOK ?? .distantPast) { newestOK = t }
            shared.now = clock()
            let row = try await loader.row(host: record.host, asOf: id, shared: shared)
            rows[position[record.host]!] = row
            events.append(.observation(ObservationEvent(id: id, record: record, row: row)))
        }
        if events.count > news.count { updated = clock() }
        return publish(events)
    }

    /// Moves every row's clock to `now`: ages and HEALTHY's Taskcluster part.
    public func tick(now: Date) {
        shared.now = now
        for i in rows.indices { RowBuilder.age(&rows[i], to: now) }
    }

    /// Every change from now on, as it is polled; the stream ends when the listener stops.
    public func subscribe() -> AsyncStream<ReportEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<ReportEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        listeners[id] = continuation
        return stream
    }

    func unsubscribe(_ id: UUID) { listeners[id] = nil }

    func publish(_ events: [ReportEvent]) -> [ReportEvent] {
        for e in events { for l in listeners.values { l.yield(e) } }
        return events
    }

    /// The row of a host, as of the last poll.
    public func row(for host: String) -> HostRow? { position[host].map { rows[$0] } }

    /// Everything known about one host, for a detail view.
    public func detail(for host: String) async throws -> HostDetailData {
        shared.now = clock()
        var inputs = shared
        if row(for: host) == nil, let h = try await loader.database.readReport(hosts: [host], build: { _, b in b }).1.first {
            inputs.history[host] = h.facts
            inputs.workers[host] = h.worker
        }
        return try await loader.detail(host: host, row: row(for: host) ?? RowBuilder(inputs: inputs).row(for: host))
    }

    /// One rollout's page, read from the store now (its decisions are not kept in memory).
    public func rolloutPage(id: String) async throws -> RolloutPage? {
        try await RolloutReader(database: loader.database).page(id: id)
    }

    /// An observation event as a `--json` line: the row as it was, the record itself, what the
    /// row was built from, and the host's Taskcluster record.
    public func jsonLine(_ event: ObservationEvent) async throws -> String {
        var observed = event.record.ok ? event.record.observed : nil
        if !event.record.ok, let okID = try await loader.database.hostFacts(host: event.record.host, asOf: event.id)?.facts?.latestOK?.id {
            observed = try await ObservationStore(database: loader.database).record(id: okID)?.observed
        }
        let worker = try await ServiceStore(database: loader.database).latestWorker(host: event.record.host)
        return ReportJSON.line(ReportRow(event.row, record: event.record, observed: observed, taskcluster: worker))
    }
}
