import FleetCore
import FleetStore

/// The records a `--json` row splices in (latest gather, the observed state it was built from,
/// the Taskcluster record), kept in memory for a server that answers `--json` many times: the
/// store is read once, then again only for the hosts a poll says changed.
public struct StoredRecords: Sendable {
    var byHost: [String: StoredReportJSON] = [:]

    public init() {}

    /// Every host's records (`hosts` nil), or those of `hosts`.
    public static func read(_ loader: ReportLoader, hosts: [String]?) async throws -> StoredRecords {
        var out = StoredRecords()
        out.byHost = try await loader.database.reportJSON(hosts: hosts)
        return out
    }

    /// These records with those of `hosts` taken from `fresh` (a read of just those hosts).
    public func merging(_ fresh: StoredRecords, hosts: [String]) -> StoredRecords {
        var out = self
        for h in hosts { out.byHost[h] = fresh.byHost[h] }
        return out
    }

    public var count: Int { byHost.count }

    /// One row of `host-monitor --json`, byte for byte as the command prints it.
    public func line(_ row: HostRow) -> [UInt8] {
        ReportJSON.row(writing: row, stored: byHost[row.host] ?? StoredReportJSON())
    }
}

extension ReportJSON {
    /// Lines made by `StoredRecords.line` framed as `host-monitor --once --json` frames them,
    /// handed piece by piece to `write` (a server copies them straight into its buffer: 10,000
    /// rows are tens of MB), with or without the final newline.
    public static func frame(lines: [[UInt8]], finalNewline: Bool = true, _ write: (UnsafeRawBufferPointer) -> Void) {
        func piece(_ bytes: [UInt8]) { bytes.withUnsafeBytes(write) }
        piece([UInt8(ascii: "[")])
        for (i, line) in lines.enumerated() {
            piece(i == 0 ? [0x0A] : [0x2C, 0x0A])
            piece(line)
        }
        piece(lines.isEmpty ? [UInt8(ascii: "]")] : [0x0A, UInt8(ascii: "]")])
        if finalNewline { piece([0x0A]) }
    }

    /// The same as one array.
    public static func array(lines: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(4) { $0 + $1.count + 2 })
        frame(lines: lines) { out.append(contentsOf: $0) }
        return out
    }
}
