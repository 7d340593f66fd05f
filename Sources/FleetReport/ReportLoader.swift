import FleetCore
import FleetStore
import Foundation

/// The report's base order before any `sort:`.
public enum BaseOrder: String, Sendable, CaseIterable {
    case host, role
    case ovrBch = "ovr_bch"
}

/// What the rows of a report are built from, and the store as of when it was read.
public struct ReportSnapshot: Sendable {
    /// The hosts reported, in natural order.
    public var names: [String]
    public var inputs: ReportInputs
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

    /// Everything the rows of `hosts` (every host in the store when nil) are built from, as of `now`.
    public func snapshot(hosts: [String]?, now: Date) async throws -> ReportSnapshot {
        let data = try await database.reportData(hosts: hosts)
        var inputs = ReportInputs()
        inputs.now = now
        inputs.history = data.history
        inputs.workers = data.workers
        inputs.refs = data.refs
        inputs.windowsPools = data.windowsPools
        inputs.notes = data.notes
        inputs.vaultNames = state.vaultStore.linkNames()
        readContent(for: data.history.values.flatMap { [$0.latest, $0.latestOK].compactMap { $0 } }, into: &inputs)
        let names = (hosts ?? Array(data.history.keys)).naturallySorted { $0 }
        return ReportSnapshot(names: names, inputs: inputs, stamp: data.stamp)
    }

    /// Folds observations stored after the snapshot into its inputs, reading any override file
    /// they name that was not read yet.
    public func apply(_ facts: [(host: String, facts: ObservationFacts)], to inputs: inout ReportInputs) {
        for (host, f) in facts {
            if inputs.history[host] == nil {
                inputs.history[host] = HostFacts(latest: f, latestOK: f.ok ? f : nil)
            } else {
                inputs.history[host]?.apply(f)
            }
        }
        readContent(for: facts.map(\.facts), into: &inputs)
    }

    /// Override files (by SHA) and vault labels the facts need and the inputs lack.
    func readContent(for facts: [ObservationFacts], into inputs: inout ReportInputs) {
        let overrides = state.overrideStore
        for f in facts {
            guard let sha = f.observed?.overrideSHA256, inputs.overrides[sha] == nil, let text = overrides.text(forSHA: sha) else { continue }
            inputs.overrides[sha] = OverrideFile(text: text)
        }
        // A fleet has a handful of vault files: label each once, not once per host.
        for sha in facts.compactMap({ $0.observed?.vaultSHA256 }) where inputs.vaultLabels[sha] == nil {
            inputs.vaultLabels[sha] = RowBuilder.vaultLabel(sha, name: inputs.vaultNames[sha])
        }
    }

    /// A stored override file's text, by its SHA-256.
    public func overrideText(sha: String) -> String? { state.overrideStore.text(forSHA: sha) }

    /// Rows for a snapshot's hosts in base order, as of its `now`.
    public func report(hosts: [String]?, order: BaseOrder = .host, now: Date) async throws -> (rows: [HostRow], snapshot: ReportSnapshot) {
        let snapshot = try await snapshot(hosts: hosts, now: now)
        return (Self.sorted(Self.rows(snapshot.names, snapshot.inputs), order, byHost: true), snapshot)
    }

    /// Every host's row, built on all cores.
    public static func rows(_ hosts: [String], _ inputs: ReportInputs) -> [HostRow] {
        let builder = RowBuilder(inputs: inputs)
        return parallelMap(hosts) { builder.row(for: $0) }
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
        let stored = try await database.reportJSON(hosts: rows.count > 2000 ? nil : rows.map(\.host))
        return ReportJSON.array(rows, stored: stored)
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
