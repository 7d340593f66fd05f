import FleetCore
import FleetReport
import Foundation
import Hummingbird
import Synchronization

/// The server's view of the fleet: the live read model (`LiveReport`: rows and rollouts) and
/// the stored records `--json` splices in, polled by one task and read by every request without touching the
/// store. Each change makes a new `Snapshot`, swapped in whole so a request sees one state,
/// and only then goes out as events, so a page that refetches on an event sees the change.
public final class WebModel: Sendable {
    public let live: LiveReport
    let clock: @Sendable () -> Date
    let state = Mutex(Snapshot())
    /// `--json` lines by host for the current generation, made on first use (10,000 rows are
    /// tens of MB, and most of them do not change between two polls).
    let lines = Mutex(LineCache())
    /// Whole answers for the current generation, by request: a dashboard shared during a
    /// rollout is the same few URLs asked again and again between two changes.
    let answers = Mutex(AnswerCache())
    public let hub = EventHub()

    public init(live: LiveReport, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.live = live
        self.clock = clock
    }

    public struct Snapshot: Sendable {
        /// Every reported row, in natural host order (the `host-monitor` base order).
        public var rows: [HostRow] = []
        public var records = StoredRecords()
        /// Counts changes; a cached line belongs to one generation.
        public var generation = 0
        public var updated: Date?
        public var stale = true
        public var generatedAt = Date(timeIntervalSince1970: 0)
        public var fqdnSuffix: String?
        public var loaded = false
        /// Why the store could not be read at the last load or poll; nil when it could.
        public var storeError: String?
        /// Every rollout, newest first.
        public var rollouts: [RolloutListItem] = []

        /// The rollouts that hold their hosts, oldest first: what the header names.
        public var activeRollouts: [RolloutListItem] { rollouts.filter(\.isActive).reversed() }
    }

    struct AnswerCache {
        var generation = -1
        var byKey: [String: ByteBuffer] = [:]
    }

    /// The answer kept for `key` at `snapshot`'s generation.
    func answer(_ key: String, of snapshot: Snapshot) -> ByteBuffer? {
        answers.withLock { $0.generation == snapshot.generation ? $0.byKey[key] : nil }
    }

    func keep(_ answer: ByteBuffer, for key: String, of snapshot: Snapshot) {
        answers.withLock { cache in
            if cache.generation != snapshot.generation {
                // An answer for an older snapshot than the cache's is not kept.
                guard snapshot.generation > cache.generation else { return }
                cache = AnswerCache(generation: snapshot.generation)
            }
            // A few distinct queries are kept; past that the cache starts again.
            if cache.byKey.count >= 16 { cache.byKey.removeAll() }
            cache.byKey[key] = answer
        }
    }

    struct LineCache {
        var generation = -1
        var byHost: [String: [UInt8]] = [:]
    }

    public var current: Snapshot { state.withLock { $0 } }

    /// Reads everything from the store.
    public func load() async {
        do {
            try await live.load()
            let records = try await StoredRecords.read(await live.loader, hosts: await live.listed)
            await publish(records: records, changed: nil)
        } catch {
            state.withLock { $0.storeError = "\(error)" }
        }
    }

    /// One poll of the store: new observations and reloads go into a new snapshot, then out as events.
    public func poll() async {
        guard current.loaded else { return await load() }
        let events: [ReportEvent]
        do {
            events = try await live.poll()
            guard !events.isEmpty else {
                state.withLock { $0.storeError = nil }
                return
            }
            var hosts: [String] = []
            var reloaded = false
            for e in events {
                switch e {
                case .observation(let o): hosts.append(o.record.host)
                case .reloaded: reloaded = true
                // The rollouts are in the live report already; no row changed.
                case .rollouts: break
                }
            }
            let records = reloaded
                ? try await StoredRecords.read(await live.loader, hosts: await live.listed)
                : hosts.isEmpty ? current.records
                : current.records.merging(try await StoredRecords.read(await live.loader, hosts: hosts), hosts: hosts)
            await publish(records: records, changed: reloaded ? nil : Set(hosts))
        } catch {
            state.withLock { $0.storeError = "\(error)" }
            return
        }
        let generation = current.generation
        hub.send(events.flatMap { WebEvent.events($0, generation: generation) })
    }

    /// Ages every row to now (ages and HEALTHY's Taskcluster part), as the live view does.
    public func tick() async {
        guard current.loaded else { return }
        await live.tick(now: clock())
        await publish(records: current.records, changed: nil)
    }

    /// A new snapshot from the live report; `changed` nil: every row may have changed.
    func publish(records: StoredRecords, changed: Set<String>?) async {
        var rows = await live.rows
        // New hosts join the live report at the end; the report's base order is natural.
        if !Self.isNaturallyOrdered(rows) { rows = rows.naturallySorted(by: \.host) }
        let updated = await live.updated
        let stale = await live.stale
        let now = clock()
        let suffix = DomainSuffix.common(rows.map(\.host))
        let rollouts = await live.rollouts
        let generation = state.withLock { s -> Int in
            s = Snapshot(rows: rows, records: records, generation: s.generation + 1, updated: updated, stale: stale,
                         generatedAt: now, fqdnSuffix: suffix, loaded: true, storeError: nil, rollouts: rollouts)
            return s.generation
        }
        lines.withLock { cache in
            if let changed { for h in changed { cache.byHost[h] = nil } } else { cache.byHost.removeAll(keepingCapacity: true) }
            cache.generation = generation
        }
    }

    /// `host-monitor --json` of `rows` (chosen from `snapshot`).
    public func json(_ rows: [HostRow], of snapshot: Snapshot) -> [UInt8] { ReportJSON.array(lines: lines(rows, of: snapshot)) }

    /// The `--json` line of each of `rows`, reusing the lines of unchanged rows.
    func lines(_ rows: [HostRow], of snapshot: Snapshot) -> [[UInt8]] {
        let cached = lines.withLock { cache in
            cache.generation == snapshot.generation ? rows.map { cache.byHost[$0.host] } : Array(repeating: nil, count: rows.count)
        }
        let missing = zip(rows, cached).filter { $0.1 == nil }.map(\.0)
        let made = parallelMap(missing) { snapshot.records.line($0) }
        // Kept only while the snapshot is still the current one: a line of an older row must
        // never be served for a newer generation.
        lines.withLock { cache in
            guard cache.generation == snapshot.generation else { return }
            for (r, l) in zip(missing, made) { cache.byHost[r.host] = l }
        }
        var next = made.makeIterator()
        return cached.map { $0 ?? next.next()! }
    }

    static func isNaturallyOrdered(_ rows: [HostRow]) -> Bool {
        var previous: [UInt8]?
        for r in rows {
            let key = NaturalOrder.key(r.host)
            if let p = previous, NaturalOrder.less(key, p) { return false }
            previous = key
        }
        return true
    }
}
