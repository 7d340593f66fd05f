import FleetCore
import FleetStore
import Foundation

/// The report's base order before any `sort:`.
public enum BaseOrder: String, Sendable, CaseIterable {
    case host, role
    case ovrBch = "ovr_bch"
}

/// Reads everything the report joins from the state directory and builds the rows.
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

    /// What the report joins for `hosts`; observations only up to id `through` (see
    /// `ObservationStore.latest`).
    public func inputs(for hosts: [String], now: Date = Date(), through newest: Int64 = .max) async throws -> ReportInputs {
        var inputs = ReportInputs()
        inputs.now = now
        let history = try await ObservationStore(database: database).latest(hosts: hosts, through: newest)
        for (host, h) in history { inputs.history[host] = (h.latest, h.latestOK) }
        let services = ServiceStore(database: database)
        let wanted = Set(hosts)
        inputs.workers = try await services.latestWorkers().filter { wanted.contains($0.key) }
        inputs.refs = try await services.currentRefs()
        inputs.windowsPools = try await services.latestWindowsPools().mapValues(\.hash)
        inputs.notes = try await NotesStore(database: database).displays()

        inputs.vaultNames = vaultNames()
        readContent(for: history.values.flatMap { [$0.latest, $0.latestOK].compactMap { $0 } }, into: &inputs)
        return inputs
    }

    /// Folds observations stored since the inputs were read into them (the live view), reading any
    /// override file they name that was not read yet.
    public func apply(_ records: [HostObservation], to inputs: inout ReportInputs) {
        for record in records {
            let previousOK = inputs.history[record.host]?.latestOK
            inputs.history[record.host] = (record, record.ok ? record : previousOK)
        }
        readContent(for: records, into: &inputs)
    }

    /// Override files (by SHA) and vault labels the records need and the inputs lack.
    func readContent(for records: [HostObservation], into inputs: inout ReportInputs) {
        for record in records {
            guard let sha = record.observed?.overrideSHA256, inputs.overrides[sha] == nil, let text = overrideText(sha: sha) else { continue }
            inputs.overrides[sha] = OverrideFile(text: text)
        }
        // A fleet has a handful of vault files: label each once, not once per host.
        for sha in records.compactMap({ $0.observed?.vaultSHA256 }) where inputs.vaultLabels[sha] == nil {
            inputs.vaultLabels[sha] = RowBuilder.vaultLabel(sha, name: inputs.vaultNames[sha])
        }
    }

    /// A stored override file's text, by its SHA-256.
    public func overrideText(sha: String) -> String? {
        guard let url = ContentStore(directory: state.overrides, fileMode: 0o644).path(forSHA: sha),
              let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Friendly names people gave vault files: links in the vault store pointing at a content file.
    func vaultNames() -> [String: String] {
        let dir = state.vaultYAMLs
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [:] }
        var out: [String: String] = [:]
        for name in names.sorted() where !name.hasPrefix(".") {
            let link = dir.appendingPathComponent(name).path
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != nil,
                  let data = FileManager.default.contents(atPath: link) else { continue }
            let sha = Digest.sha256Hex(data)
            if out[sha] == nil { out[sha] = name }
        }
        return out
    }

    /// Rows for `hosts` in base order, and the data they were built from (the JSON view shows both).
    public func report(for hosts: [String], order: BaseOrder = .host, now: Date = Date(),
                       through newest: Int64 = .max) async throws -> (rows: [HostRow], inputs: ReportInputs) {
        let inputs = try await inputs(for: hosts, now: now, through: newest)
        return (Self.sorted(Self.rows(hosts, inputs), order), inputs)
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
}
