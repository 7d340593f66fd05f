import FleetCore
import FleetReport
import FleetStore
import Foundation

/// The live view's data: loaded once, then kept current by polling the store's change stamp.
/// New observations are read incrementally (by id, all of them at once); a change to
/// Taskcluster, GitHub, notes or the content stores reloads everything.
struct LiveData {
    let loader: ReportLoader
    /// The hosts named on the command line; nil for every host in the store.
    let listed: [String]?
    private(set) var names: [String] = []
    private var known = Set<String>()
    private(set) var inputs = ReportInputs()
    private(set) var rows: [HostRow] = []
    /// Where each host's row is in `rows` (the order of `names`).
    private var position: [String: Int] = [:]
    private var stamp: ChangeStamp?
    private var content: [Date] = []
    /// When the data last changed.
    private(set) var updated: Date?
    /// The newest successful gather of any listed host.
    private var newestOK: Date?
    private var reloadRequested = false

    init(loader: ReportLoader, hosts: [String]?) {
        self.loader = loader
        listed = hosts
    }

    mutating func loadAll() async throws {
        let s = try await loader.database.changeStamp()
        content = loader.state.contentStamp()
        if let listed { names = listed } else { names = try await loader.knownHosts() }
        known = Set(names)
        inputs = try await loader.inputs(for: names, through: s.observations)
        stamp = s
        newestOK = inputs.history.values.compactMap { $0.latestOK.flatMap { Timestamp.parse($0.ts) } }.max()
        if updated == nil {
            updated = inputs.history.values.compactMap { Timestamp.parse($0.latest.ts) }.max()
        }
        rebuild(now: Date())
    }

    mutating func forceReload() { reloadRequested = true }

    /// Reads what changed since the last poll; true when the rows changed.
    mutating func poll() async throws -> Bool {
        let s = try await loader.database.changeStamp()
        let c = loader.state.contentStamp()
        if reloadRequested || s.services != stamp?.services || c != content {
            reloadRequested = false
            try await loadAll()
            updated = Date()
            return true
        }
        guard let old = stamp, s.observations != old.observations else { return false }
        let (records, newest) = try await ObservationStore(database: loader.database).observations(after: old.observations)
        stamp?.observations = newest
        var fresh: [HostObservation] = []
        for record in records {
            if listed == nil && known.insert(record.host).inserted { names.append(record.host) }
            if known.contains(record.host) { fresh.append(record) }
        }
        guard !fresh.isEmpty else { return false }
        loader.apply(fresh, to: &inputs)
        for r in fresh where r.ok {
            if let t = Timestamp.parse(r.ts), t > (newestOK ?? .distantPast) { newestOK = t }
        }
        updated = Date()
        // Only the hosts with news get new rows (the age tick rebuilds the rest).
        inputs.now = Date()
        let builder = RowBuilder(inputs: inputs)
        for host in Set(fresh.map(\.host)) {
            if let i = position[host] {
                rows[i] = builder.row(for: host)
            } else {
                position[host] = rows.count
                rows.append(builder.row(for: host))
            }
        }
        return true
    }

    /// Rows from the loaded data as of `now` (ages move on without new data).
    mutating func rebuild(now: Date) {
        inputs.now = now
        rows = ReportLoader.rows(names, inputs)
        position = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func publish(into view: inout MonitorView) {
        view.setRows(rows, total: names.count)
        view.updated = updated
        view.stale = newestOK.map { Date().timeIntervalSince($0) > 3600 } ?? true
    }

    /// The Enter popup for a host: its row, records, Taskcluster data, notes and override file.
    func detail(for host: String, row: HostRow?) async throws -> HostDetail {
        let notes = try await NotesStore(database: loader.database).records(host: host)
        let history = inputs.history[host]
        let overrideText = (history?.latestOK ?? history?.latest)?.observed?.overrideSHA256.flatMap(loader.overrideText)
        return HostDetail.make(row: row ?? RowBuilder(inputs: inputs).row(for: host), latest: history?.latest,
                               latestOK: history?.latestOK, worker: inputs.workers[host], notes: notes, overrideText: overrideText)
    }
}
