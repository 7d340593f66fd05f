import FleetCore
import Foundation

/// The report as a text table (`host-monitor --once`): widths fitted to the content, nothing cut,
/// two spaces apart, host text cleaned for the terminal, cells coloured by their verdict when
/// asked. Built as bytes: a fleet of 10,000 hosts is 200,000 cells.
public struct ReportTable: Sendable {
    public var columns: [ReportColumn]
    /// ANSI colours by `CellVerdict` (only on a terminal, never with NO_COLOR: the caller decides).
    public var colour: Bool

    public init(columns: [ReportColumn] = ReportColumn.displayed, colour: Bool = false) {
        self.columns = columns
        self.colour = colour
    }

    /// Which columns go first when the table is wider than the terminal: the least needed to judge
    /// a host. HOST, HEALTHY and STATUS always stay.
    public static let dropOrder: [ReportColumn] = [
        .data, .tcTaskDuration, .tcJobs, .rollout, .uptime, .ppExp, .vltSHA, .os, .note, .ppSHA, .tcAct, .role, .ppLast, .sha, .tcQuar, .tcOkPct, .applied, .ppMatch,
    ]

    /// Drops columns until every line fits `width`; returns the ones dropped, in table order.
    public mutating func fit(_ rows: [HostRow], width: Int) -> [ReportColumn] {
        let all = columns
        let w = Dictionary(uniqueKeysWithValues: zip(all, widths(rows)))
        func total() -> Int { columns.reduce(0) { $0 + w[$1]! } + 2 * max(0, columns.count - 1) }
        for c in Self.dropOrder where total() > width { columns.removeAll { $0 == c } }
        return all.filter { !columns.contains($0) }
    }

    /// The whole table, header first, one line per row, each ending in a newline: written
    /// straight from the rows' cells (a cell is cleaned only when it holds a character a terminal
    /// would act on, which plain ASCII never does), a part of the rows on each core.
    public func render(_ rows: [HostRow]) -> [UInt8] {
        var out: [UInt8] = []
        render(rows) { out.append(contentsOf: $0) }
        return out
    }

    /// The table handed to `write` a few parts at a time (one part per core at once), so the
    /// whole text is never held: 10,000 lines are 3 MB, twice over while the parts are joined.
    public func render(_ rows: [HostRow], to write: ([UInt8]) -> Void) {
        let widths = widths(rows)
        var header: [UInt8] = []
        append(columns.map(\.header), verdicts: nil, widths: widths, to: &header)
        write(header)
        let parts = Self.parts(rows.count, size: 1024)
        let wave = max(1, ProcessInfo.processInfo.activeProcessorCount)
        for first in stride(from: 0, to: parts.count, by: wave) {
            let ranges = Array(parts[first..<min(parts.count, first + wave)])
            for part in parallelMap(ranges, threshold: 1, { range in lines(rows[range], widths: widths) }) where !part.isEmpty {
                write(part)
            }
        }
    }

    /// The lines of `rows`, cells padded to `widths`.
    func lines(_ rows: ArraySlice<HostRow>, widths: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((widths.reduce(0, +) + 2 * columns.count + 12) * rows.count)
        let ordinals = columns.map(\.ordinal)
        let last = columns.count - 1
        for row in rows {
            let cells = row.cells.values
            for (i, ordinal) in ordinals.enumerated() {
                if i > 0 { out.append(0x20); out.append(0x20) }
                var cell = cells[ordinal]
                if !Self.isPlain(cell) { cell = TerminalText.clean(cell, singleLine: true) }
                let code = colour ? Self.ansi[CellVerdict.of(columns[i], row)] ?? nil : nil
                if let code { out.append(contentsOf: code) }
                out.append(contentsOf: cell.utf8)
                if code != nil { out.append(contentsOf: Self.reset) }
                // The last cell is not padded, so lines carry no trailing spaces.
                if i < last {
                    for _ in 0..<max(0, widths[i] - Self.width(cell)) { out.append(0x20) }
                }
            }
            out.append(0x0A)
        }
        return out
    }

    /// The widths `render` would use.
    public func widths(_ rows: [HostRow]) -> [Int] {
        let ordinals = columns.map(\.ordinal)
        let parts = parallelMap(Self.parts(rows.count), threshold: 1) { range in
            var widths = columns.map(\.header.count)
            for row in rows[range] {
                let cells = row.cells.values
                for (i, ordinal) in ordinals.enumerated() {
                    let cell = cells[ordinal]
                    let width = Self.isPlain(cell) ? cell.utf8.count : Self.width(TerminalText.clean(cell, singleLine: true))
                    if width > widths[i] { widths[i] = width }
                }
            }
            return widths
        }
        return parts.reduce(columns.map(\.header.count)) { zip($0, $1).map { max($0, $1) } }
    }

    /// Row ranges worth a core each (one range for a small table).
    static func parts(_ count: Int, size: Int = 2048) -> [Range<Int>] {
        stride(from: 0, to: max(count, 1), by: size).map { $0..<min(count, $0 + size) }
    }

    /// Printable ASCII only: shown as it is, one column a byte.
    static func isPlain(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }

    /// One row with widths fixed earlier (following new rows); longer cells end in `...`.
    public func line(_ row: HostRow, widths: [Int]) -> String {
        let cells = columns.enumerated().map { i, c in
            let cell = TerminalText.clean(row[c], singleLine: true)
            guard cell.count > widths[i] else { return cell }
            return widths[i] <= 3 ? String(cell.prefix(widths[i])) : String(cell.prefix(widths[i] - 3)) + "..."
        }
        var out: [UInt8] = []
        append(cells, verdicts: colour ? columns.map { CellVerdict.of($0, row) } : nil, widths: widths, to: &out)
        out.removeLast()
        return String(decoding: out, as: UTF8.self)
    }

    func append(_ cells: [String], verdicts: [CellVerdict]?, widths: [Int], to out: inout [UInt8]) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(0x20); out.append(0x20) }
            let code = verdicts.flatMap { Self.ansi[$0[i]] ?? nil }
            if let code { out.append(contentsOf: code) }
            out.append(contentsOf: cell.utf8)
            if code != nil { out.append(contentsOf: Self.reset) }
            // The last cell is not padded, so lines carry no trailing spaces.
            if i < cells.count - 1 {
                for _ in 0..<max(0, widths[i] - Self.width(cell)) { out.append(0x20) }
            }
        }
        out.append(0x0A)
    }

    static let ansi: [CellVerdict: [UInt8]?] = [
        .good: Array("\u{1B}[32m".utf8), .watch: Array("\u{1B}[33m".utf8), .act: Array("\u{1B}[31m".utf8), .neutral: nil,
    ]
    static let reset = Array("\u{1B}[0m".utf8)

    /// Characters on screen: bytes for ASCII (nearly every cell), characters otherwise.
    static func width(_ s: String) -> Int {
        let n = s.utf8.count
        return s.utf8.allSatisfy({ $0 < 0x80 }) ? n : s.count
    }
}
