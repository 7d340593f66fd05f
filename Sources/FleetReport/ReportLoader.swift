import FleetCore
import FleetStore
import Foundation
import Synchronization

/// The report's base order before any `sort:`.
public enum BaseOrder: String, Sendable, CaseIterable {
    case host, role
    case ovrBch = "ovr_bch"
}

/// A report's rows and what they were built with.
public struct ReportBuild: Sendable {
    /// The hosts reported, in natural order.
    public var names: [String]
    /// One row per name, in the same order.
    public var rows: [HostRow]
    /// The parts every row shares (branch heads, pools, notes, contents); no host's facts.
    public var shared: ReportInputs
    /// The store as of the read.
    public var stamp: ChangeStamp
}

/// Reads what the report joins (the store's typed report columns, the content stores) and
/// builds the rows. Views get rows from here or from `LiveReport`, never from the store.
public struct ReportLoader: Sendable {
    public let state: StateDirectory
    public let database: FleetDatabase

    public init(state: StateDirectory, database: FleetDatabase) {
        self.state = state
        self.database = database
    }

    /// Every host the store has observed, in natural order.
    public func knownHosts() async throws -> [String] {
        try await ObservationStore(database: database).hosts().naturallySorted { $0 }
    }

    /// The rows of `hosts` (every host in the store when nil) as of `now`, built a chunk of hosts
    /// at a time on all cores while the store is read, so a fleet's facts are never all in memory.
    public func build(hosts: [String]?, now: Date) async throws -> ReportBuild {
        let content = Mutex<ReportInputs?>(nil)
        let state = self.state
        let data: ReportData
        var built: [HostRow]
        (data, built) = try await database.readReport(hosts: hosts, withJobs: true) { data, batch -> [HostRow] in
            // The shared inputs (and the content files they name) are made once, by the first chunk.
            let inputs = content.withLock { cached in
                if let cached { return cached }
                let made = Self.sharedInputs(data, state: state, now: now)
                cached = made
                return made
            }
            let builder = RowBuilder(inputs: inputs)
            return parallelMap(batch) { builder.row(for: $0.host, history: $0.facts, worker: $0.worker) }
        }
        let shared = content.withLock { $0 } ?? Self.sharedInputs(data, state: state, now: now)
        built.permute(NaturalOrder.permutation(built.map(\.host)))
        return ReportBuild(names: built.map(\.host), rows: built, shared: shared, stamp: data.stamp)
    }

    /// The inputs every row shares, from a read and the content stores.
    static func sharedInputs(_ data: ReportData, state: StateDirectory, now: Date) -> ReportInputs {
        var inputs = ReportInputs()
        inputs.now = now
        inputs.refs = data.refs
        inputs.windowsPools = data.windowsPools
        inputs.notes = data.notes
        inputs.jobStats = data.jobStats
        inputs.rollouts = data.rollouts
        inputs.vaultNames = state.vaultStore.linkNames()
        for sha in data.overrideSHAs {
            if let text = state.overrideStore.text(forSHA: sha) { inputs.overrides[sha] = OverrideFile(text: text) } else { inputs.missingOverrides.insert(sha) }
        }
        for sha in data.vaultSHAs { inputs.vaultLabels[sha] = RowBuilder.vaultLabel(sha, name: inputs.vaultNames[sha]) }
        return inputs
    }

    /// A host's row as it stood when observation `id` was stored (following new observations).
    public func row(host: String, asOf id: Int64, shared: ReportInputs) async throws -> HostRow {
        var inputs = shared
        if let h = try await database.hostFacts(host: host, asOf: id) {
            inputs.history[host] = h.facts
            inputs.workers[host] = h.worker
            readContent(for: h.facts, into: &inputs)
        }
        return RowBuilder(inputs: inputs).row(for: host)
    }

    /// The override files and vault labels a host's facts need and the inputs lack.
    func readContent(for facts: HostFacts?, into inputs: inout ReportInputs) {
        for f in [facts?.latest, facts?.latestOK].compactMap({ $0 }) {
            guard let o = f.observed else { continue }
            if let sha = o.overrideSHA256, inputs.overrides[sha] == nil, let text = overrideText(sha: sha) {
                inputs.overrides[sha] = OverrideFile(text: text)
            }
            if let sha = o.vaultSHA256, inputs.vaultLabels[sha] == nil {
                inputs.vaultLabels[sha] = RowBuilder.vaultLabel(sha, name: inputs.vaultNames[sha])
            }
        }
    }

    /// A stored override file's text, by its SHA-256.
    public func overrideText(sha: String) -> String? { state.overrideStore.text(forSHA: sha) }

    /// Rows of `hosts` (every host in the store when nil) in base order, as of `now`.
    public func rows(hosts: [String]?, order: BaseOrder = .host, now: Date) async throws -> [HostRow] {
        Self.sorted(try await build(hosts: hosts, now: now).rows, order, byHost: true)
    }

    /// Rows in a base order: host (natural), role (hosts without one last), or override branch;
    /// hosts in natural order within a role or branch. `byHost` says the rows already are in
    /// host order (the live view keeps them so, to re-sort 10,000 rows cheaply).
    public static func sorted(_ rows: [HostRow], _ order: BaseOrder, byHost: Bool = false) -> [HostRow] {
        let base = byHost ? rows : rows.naturallySorted(by: \.host)
        switch order {
        case .host:
            return base
        case .role:
            // Within a role the host order stays (the position breaks ties).
            let none: Set<String> = ["-", "?", "missing", ""]
            return base.enumerated().map { (none.contains($1[.role]) ? nil : $1[.role], $0, $1) }.sorted { a, b in
                switch (a.0, b.0) {
                case let (x?, y?) where x != y: return x < y
                case (_?, nil): return true
                case (nil, _?): return false
                default: return a.1 < b.1
                }
            }.map(\.2)
        case .ovrBch:
            return Query("sort:ovr_bch").apply(base)
        }
    }

    /// `--json` of rows: one `ReportRow` per line inside an array, with the stored records
    /// spliced in as stored.
    public func json(_ rows: [HostRow]) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await json(rows) { out += $0 }
        return out
    }

    /// The same `--json`, handed to `write` a part at a time: the stored records of a part's
    /// hosts are read, spliced and written before the next part is read, so a fleet's JSON
    /// (3 KiB a host) is never all in memory.
    public func json(_ rows: [HostRow], part: Int = 1000, write: ([UInt8]) throws -> Void) async throws {
        var start = 0
        repeat {
            let slice = Array(rows[start..<min(rows.count, start + part)])
            let stored = try await database.reportJSON(hosts: slice.map(\.host))
            var bytes: [UInt8] = []
            ReportJSON.appendArrayPart(slice, stored: stored, first: start == 0, to: &bytes)
            if start + part >= rows.count { ReportJSON.appendArrayEnd(empty: rows.isEmpty, to: &bytes) }
            try write(bytes)
            start += part
        } while start < rows.count
    }

    /// Everything known about one host, for a detail view.
    public func detail(host: String, row: HostRow) async throws -> HostDetailData {
        let history = try await ObservationStore(database: database).latest(hosts: [host])[host]
        let seen = history?.latestOK ?? history?.latest
        return HostDetailData(
            row: row, latest: history?.latest, latestOK: history?.latestOK,
            worker: try await ServiceStore(database: database).latestWorker(host: host),
            notes: try await NotesStore(database: database).records(host: host),
            overrideText: seen?.observed?.overrideSHA256.flatMap(overrideText))
    }
}

/// What a detail view shows of one host: its row and every record behind it.
public struct HostDetailData: Sendable {
    public var row: HostRow
    public var latest: HostObservation?
    public var latestOK: HostObservation?
    public var worker: WorkerRecord?
    public var notes: [NoteRecord]
    public var overrideText: String?

    public init(row: HostRow, latest: HostObservation?, latestOK: HostObservation?, worker: WorkerRecord?,
                notes: [NoteRecord], overrideText: String?) {
        self.row = row; self.latest = latest; self.latestOK = latestOK; self.worker = worker
        self.notes = notes; self.overrideText = overrideText
    }
}
