import FleetCore
import FleetStore
import Foundation

/// One host of `host-monitor --json` (and of the web API): the cells keyed like the query
/// language, the typed values, and the records the row was built from.
public struct ReportRow: Codable, Sendable, Equatable {
    public var host: String
    /// Every cell, keyed by its query-language name.
    public var row: [String: String]
    public var values: RowValues
    public var status: String
    public var error: String?
    public var errorClass: ErrorClass?
    /// What the record the row was built from observed (the latest successful gather's).
    public var observed: ObservedState?
    /// The latest gather's record, successful or not.
    public var record: HostObservation?
    public var taskcluster: WorkerRecord?

    enum CodingKeys: String, CodingKey {
        case host, row, values, status, error, observed, record, taskcluster
        case errorClass = "error_class"
    }

    public init(_ r: HostRow, record: HostObservation?, observed: ObservedState?, taskcluster: WorkerRecord?) {
        host = r.host
        row = ReportJSON.cells(r)
        values = r.values
        status = r.status
        error = r.error
        errorClass = r.errorClass
        self.observed = observed
        self.record = record
        self.taskcluster = taskcluster
    }

    /// Every key is written, `null` for nothing, as the rows always had them.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(host, forKey: .host)
        try c.encode(row, forKey: .row)
        try c.encode(values, forKey: .values)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error)
        try c.encode(errorClass, forKey: .errorClass)
        try c.encode(observed, forKey: .observed)
        try c.encode(record, forKey: .record)
        try c.encode(taskcluster, forKey: .taskcluster)
    }
}

/// `--json` written by hand: a report of 10,000 hosts is tens of megabytes, and the stored
/// records are spliced in as the store holds them (sorted keys, like `JSONFormat`) instead of
/// being decoded and encoded again. Decoding the output gives `[ReportRow]`.
public enum ReportJSON {
    /// Cells by query-language name.
    public static func cells(_ r: HostRow) -> [String: String] {
        var out: [String: String] = [:]
        for c in ReportColumn.allCases { out[c.rawValue] = r[c] }
        return out
    }

    static let cellKeys = ReportColumn.allCases.sorted { $0.rawValue < $1.rawValue }

    /// An array, one row per line.
    static func array(_ rows: [HostRow], stored: [String: StoredReportJSON]) -> [UInt8] {
        var out: [UInt8] = []
        appendArrayPart(rows, stored: stored, first: true, to: &out)
        appendArrayEnd(empty: rows.isEmpty, to: &out)
        return out
    }

    /// A part of an array's body: "[" before the first part's first row, ",\n" between rows.
    static func appendArrayPart(_ rows: [HostRow], stored: [String: StoredReportJSON], first: Bool, to out: inout [UInt8]) {
        let lines = parallelMap(rows) { row(writing: $0, stored: stored[$0.host] ?? StoredReportJSON()) }
        out.reserveCapacity(out.count + lines.reduce(2) { $0 + $1.count + 2 })
        if first { out.append(UInt8(ascii: "[")) }
        for (i, line) in lines.enumerated() {
            out.append(contentsOf: i == 0 && first ? [0x0A] : [0x2C, 0x0A])
            out.append(contentsOf: line)
        }
    }

    static func appendArrayEnd(empty: Bool, to out: inout [UInt8]) {
        out.append(contentsOf: empty ? [UInt8(ascii: "]"), 0x0A] : [0x0A, UInt8(ascii: "]"), 0x0A])
    }

    /// The rows of an `array` output as JSON lines (follow mode prints JSON lines throughout).
    public static func lines(fromArray array: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(array.count)
        // The array is "[", then one row per line ending in "," but the last, then "]".
        for line in array.split(separator: 0x0A) where line.first == UInt8(ascii: "{") {
            out.append(contentsOf: line.last == UInt8(ascii: ",") ? line.dropLast() : line)
            out.append(0x0A)
        }
        return out
    }

    /// One row as one line of compact JSON.
    public static func line(_ r: ReportRow) -> String { (try? JSONFormat.compactString(r)) ?? "{}" }

    static func row(writing r: HostRow, stored: StoredReportJSON) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("error"); w.value(r.error)
        w.key("error_class"); w.value(r.errorClass?.rawValue)
        w.key("host"); w.value(r.host)
        w.key("observed"); w.raw(stored.observed)
        w.key("record"); w.raw(stored.record)
        w.key("row")
        w.beginObject()
        for c in cellKeys { w.key(c.rawValue); w.value(r[c]) }
        w.endObject()
        w.key("status"); w.value(r.status)
        w.key("taskcluster"); w.raw(stored.taskcluster)
        w.key("values")
        values(r.values, &w)
        w.endObject()
        return w.bytes
    }

    /// `RowValues`, keys sorted as `JSONFormat` sorts them.
    static func values(_ v: RowValues, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("applied"); w.value(v.applied)
        w.key("applied_reason"); w.value(v.appliedReason)
        w.key("audit_age_s"); w.value(v.auditAgeS)
        w.key("expected_sha"); w.value(v.expectedSHA)
        w.key("healthy"); w.value(v.healthy)
        w.key("healthy_reasons"); w.value(v.healthyReasons)
        w.key("pp_failed"); w.value(v.ppFailed)
        w.key("pp_last_s"); w.value(v.ppLastS)
        w.key("pp_match"); w.value(v.ppMatch)
        w.key("pp_match_reason"); w.value(v.ppMatchReason)
        w.key("quarantined"); w.value(v.quarantined)
        w.key("rollout_host_state"); w.value(v.rolloutHostState)
        w.key("rollout_id"); w.value(v.rolloutID)
        w.key("rollout_stage"); w.value(v.rolloutStage)
        w.key("tc_act_s"); w.value(v.tcActS)
        w.key("tc_age_s"); w.value(v.tcAgeS)
        w.key("tc_jobs"); w.value(v.tcJobs)
        w.key("tc_jobs_failed"); w.value(v.tcJobsFailed)
        w.key("tc_jobs_ok"); w.value(v.tcJobsOK)
        w.key("tc_ok_pct"); w.value(v.tcOkPct)
        w.key("tc_t_dur_s"); w.value(v.tcTaskDurationS)
        w.key("tc_task_running"); w.value(v.tcTaskRunning)
        w.key("tc_task_state"); w.value(v.tcTaskState)
        w.key("uptime_s"); w.value(v.uptimeS)
        w.endObject()
    }
}
