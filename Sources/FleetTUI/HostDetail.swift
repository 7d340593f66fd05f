import FleetCore
import FleetReport
import Foundation

/// The Enter popup: everything fleetroll knows about one host, as `key: value` lines in
/// sections (the row, the latest gather, what was observed, the override file, Taskcluster,
/// notes). ↑/↓ scroll it, ←/→ move to the previous/next host.
public struct HostDetail: Sendable {
    public let host: String
    public let lines: [(String, Style)]
    public private(set) var scroll = 0

    public init(host: String, lines: [(String, Style)]) {
        self.host = host
        self.lines = lines
    }

    public mutating func scroll(by delta: Int, page: Int) {
        scroll = min(max(0, scroll + delta), max(0, lines.count - page))
    }

    /// Builds the text from the row and the records behind it.
    public static func make(_ data: HostDetailData, lastRun: PuppetRunTail? = nil) -> HostDetail {
        make(row: data.row, latest: data.latest, latestOK: data.latestOK, worker: data.worker, notes: data.notes, overrideText: data.overrideText,
             lastRun: lastRun)
    }

    /// Lines of the latest host-run-puppet's output the detail shows (the file keeps more).
    static let runLines = 40

    static func make(row: HostRow, latest: HostObservation?, latestOK: HostObservation?, worker: WorkerRecord?,
                     notes: [NoteRecord], overrideText: String?, lastRun: PuppetRunTail? = nil) -> HostDetail {
        var out: [(String, Style)] = []
        func section(_ title: String) {
            if !out.isEmpty { out.append(("", .plain)) }
            out.append((title, .fg(.cyan, bold: true)))
        }
        // Why a host is failing comes first; the rest explains it.
        if row.status != "OK" {
            let why = row.error ?? (row.status == "UNK" ? "never gathered (fleetroll gather-host \(row.host))" : nil)
            out.append(("\(row.status)\(why.map { ": \($0)" } ?? "")", .fg(.red, bold: true)))
        }
        if !row.values.healthyReasons.isEmpty {
            section("HEALTHY \(row[.healthy]): why")
            out += row.values.healthyReasons.map { ("  " + $0, CellStyles.semantic(.healthy, row)) }
        }
        section("Report")
        let width = ReportColumn.allCases.map(\.header.count).max() ?? 8
        for c in ReportColumn.allCases {
            out.append(("  " + c.header.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + row[c], CellStyles.semantic(c, row)))
        }

        section("Latest gather")
        if let latest {
            var record = latest
            record.observed = nil
            out += fields(record).filter { !$0.hasPrefix("observed:") }.map { ("  " + $0, .plain) }
        } else {
            out.append(("  never gathered", .plain))
        }
        if let seen = latest?.ok == true ? latest : latestOK {
            section("Observed (gather of \(seen.ts)\(seen.ts == latest?.ts ? "" : ", the latest that succeeded"))")
            out += seen.observed.map { fields($0).map { ("  " + $0, .plain) } } ?? []
        }
        if let run = lastRun {
            section("Last host-run-puppet (\(run.record.ts), \(run.record.actor))")
            out.append(("  " + run.summary, run.record.ok ? .fg(.green) : .fg(.red, bold: true)))
            let shown = run.lines.suffix(runLines)
            if run.cut || shown.count < run.lines.count { out.append(("  ... (earlier output in \(run.record.observed.outputLog ?? "the run's log"))", .plain)) }
            out += shown.map { ("  " + TerminalText.clean($0, singleLine: true), .plain) }
        }
        if let overrideText {
            section("Override file")
            out += overrideText.split(separator: "\n", omittingEmptySubsequences: false).map { ("  " + String($0), .plain) }
        }
        section("Taskcluster")
        out += worker.map { fields($0).map { ("  " + $0, .plain) } } ?? [("  no record (run gather-tc)", .plain)]
        section("Notes")
        if notes.isEmpty { out.append(("  none", .plain)) }
        for n in notes {
            let text = n.isClear ? "cleared" + (n.reason.map { ": \($0)" } ?? "") : n.note ?? ""
            out.append(("  \(n.ts)  \(n.actor)  \(text)", n.isClear ? .plain : .fg(.yellow)))
        }
        return HostDetail(host: row.host, lines: out)
    }

    /// `key: value` lines of a record, keys as in `--json` (dotted for nested objects), in key order.
    static func fields<T: Encodable>(_ value: T) -> [String] {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [] }
        var out: [String] = []
        func walk(_ v: JSONValue, _ key: String) {
            switch v {
            case .object(let d): for k in d.keys.sorted() { walk(d[k]!, key.isEmpty ? k : key + "." + k) }
            default: out.append("\(key): \(v.text)")
            }
        }
        walk(json, "")
        return out
    }

    /// Any JSON value, for listing a record's fields without knowing its type.
    indirect enum JSONValue: Decodable {
        case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSONValue].self)) }
        }

        var text: String {
            switch self {
            case .null: return "null"
            case .bool(let b): return String(b)
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            // Multi-line text (stderr) is shown on one line.
            case .string(let s): return s.replacingOccurrences(of: "\n", with: "⏎ ")
            case .array(let a): return "[" + a.map(\.text).joined(separator: ", ") + "]"
            case .object(let d): return "{" + d.keys.sorted().map { "\($0): \(d[$0]!.text)" }.joined(separator: ", ") + "}"
            }
        }
    }

    func draw(on canvas: inout Canvas, position: String) {
        let h = max(3, canvas.height - 2), w = max(10, min(canvas.width - 2, 120))
        let y0 = (canvas.height - h) / 2, x0 = (canvas.width - w) / 2
        canvas.box(y: y0, x: x0, height: h, width: w, title: " \(host) ")
        for (i, (text, style)) in lines.dropFirst(scroll).prefix(max(0, h - 2)).enumerated() {
            canvas.put(text, y: y0 + 1 + i, x: x0 + 2, style: style, limit: w - 4)
        }
        let footer = " ↑↓ scroll · ←→ host \(position) · esc close "
        canvas.put(footer, y: y0 + h - 1, x: x0 + 2, limit: w - 4)
        if scroll > 0 { canvas.put("▲", y: y0 + 1, x: x0 + w - 2) }
        if scroll + h - 2 < lines.count { canvas.put("▼", y: y0 + h - 2, x: x0 + w - 2) }
    }
}
