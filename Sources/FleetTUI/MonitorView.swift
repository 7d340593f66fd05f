import FleetCore
import FleetReport
import Foundation

/// What one screen line holds: pieces of text, each with a style.
public struct ScreenLine: Equatable, Sendable {
    public enum Style: Equatable, Sendable { case plain, header, good, bad, warn, dim, bar }
    public var pieces: [(String, Style)]

    public static func == (a: ScreenLine, b: ScreenLine) -> Bool {
        a.pieces.map(\.0) == b.pieces.map(\.0) && a.pieces.map(\.1) == b.pieces.map(\.1)
    }

    public var text: String { pieces.map(\.0).joined() }
}

/// The terminal view of the report, as pure state: which rows are visible, which columns, and
/// the lines to draw. The ncurses runner only feeds it keys and sizes and paints its lines.
public struct MonitorView: Sendable {
    /// Every host's row, as loaded.
    public private(set) var allRows: [HostRow] = []
    /// The rows shown: base order, quick filters, then the query.
    public private(set) var rows: [HostRow] = []
    public var total = 0
    public var columns = ReportColumn.displayed
    public private(set) var query = ""
    public private(set) var order = BaseOrder.host
    /// Only hosts with an override (`o`).
    public private(set) var overridesOnly = false
    /// Only one OS (`O` cycles all → L → M → W).
    public private(set) var osFilter: String?
    /// The filter bar's text while it is open (`/`).
    public var editing: String?
    public var showHelp = false
    /// The named-filter picker (`f`), when open.
    public var picker: FilterPicker?
    public var source = ""
    public var updated: Date?
    /// Index of the first row on screen.
    public private(set) var top = 0
    /// Index of the first scrollable column (HOST never scrolls).
    public private(set) var columnOffset = 0
    public var message: String?

    public init() {}

    /// Rows of host data that fit: the screen minus the status line, the column headers and the
    /// bottom bar.
    public static func pageSize(height: Int) -> Int { max(1, height - 3) }

    public mutating func setRows(_ newRows: [HostRow], total: Int, height: Int) {
        allRows = newRows
        self.total = total
        refilter(height: height)
    }

    mutating func refilter(height: Int) {
        var r = ReportLoader.sorted(allRows, order)
        if overridesOnly { r = r.filter { !["-", "?", ""].contains($0[.sha]) } }
        if let os = osFilter { r = r.filter { $0[.os] == os } }
        rows = Query(query).apply(r)
        clamp(height: height)
    }

    public mutating func setQuery(_ text: String, height: Int) {
        query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let issue = query.isEmpty ? nil : Query(query).validate(query)
        message = issue.map { "query: \($0)" }
        top = 0
        refilter(height: height)
    }

    /// `s`: host → role → ovr_bch → host.
    public mutating func cycleOrder(height: Int) {
        let all = BaseOrder.allCases
        order = all[(all.firstIndex(of: order)! + 1) % all.count]
        refilter(height: height)
    }

    public mutating func toggleOverridesOnly(height: Int) {
        overridesOnly.toggle()
        top = 0
        refilter(height: height)
    }

    /// `O`: all → Linux → macOS → Windows → all.
    public mutating func cycleOS(height: Int) {
        let cycle: [String?] = [nil, "L", "M", "W"]
        osFilter = cycle[((cycle.firstIndex(of: osFilter) ?? 0) + 1) % cycle.count]
        top = 0
        refilter(height: height)
    }

    mutating func clamp(height: Int) {
        // The last page ends on the last host, so it is always reachable.
        top = min(max(0, top), max(0, rows.count - Self.pageSize(height: height)))
    }

    public mutating func scroll(pages: Int, height: Int) {
        top += pages * Self.pageSize(height: height)
        clamp(height: height)
    }

    public mutating func scroll(lines: Int, height: Int) {
        top += lines
        clamp(height: height)
    }

    public mutating func home() { top = 0 }

    public mutating func end(height: Int) {
        top = rows.count
        clamp(height: height)
    }

    public mutating func scrollColumns(by delta: Int) {
        columnOffset = min(max(0, columnOffset + delta), max(0, columns.count - 2))
    }

    func widths() -> [ReportColumn: Int] {
        var w: [ReportColumn: Int] = [:]
        for c in columns { w[c] = c.header.count + (c == .host ? 0 : 0) }
        for r in rows {
            for c in columns { w[c] = max(w[c] ?? 0, r[c].count) }
        }
        return w
    }

    /// The columns that fit in `width` after the frozen HOST column, from the offset on.
    func visibleColumns(width: Int, widths: [ReportColumn: Int]) -> [ReportColumn] {
        var out: [ReportColumn] = [.host]
        var used = widths[.host] ?? 4
        let scrollable = columns.filter { $0 != .host }
        for c in scrollable.dropFirst(min(columnOffset, max(0, scrollable.count - 1))) {
            let w = (widths[c] ?? 1) + 2
            if used + w > width && out.count > 1 { break }
            out.append(c)
            used += w
        }
        return out
    }

    static func style(_ column: ReportColumn, _ value: String) -> ScreenLine.Style {
        switch column {
        case .healthy, .ppMatch, .applied: return value == "Y" ? .good : value == "N" ? .bad : .plain
        case .status: return value == "OK" ? .plain : .bad
        case .tcQuar: return value == "YES" ? .warn : .plain
        case .ppLast: return value.hasSuffix("FAIL") ? .bad : .plain
        default: return .plain
        }
    }

    /// The whole screen, `height` lines of at most `width` characters.
    public func lines(width: Int, height: Int, now: Date = Date(), version: String = "") -> [ScreenLine] {
        guard width > 0, height > 0 else { return [] }
        let page = Self.pageSize(height: height)
        let pages = max(1, (rows.count + page - 1) / page)
        let current = min(pages, top / page + 1)
        let age = updated.map { Durations.humanize(max(0, Int(now.timeIntervalSince($0)))) } ?? "-"
        let widths = widths()
        let visible = visibleColumns(width: width, widths: widths)
        let scrollable = columns.count - 1
        let shownFrom = min(columnOffset, max(0, scrollable - 1)) + 1
        var status = "fleetroll \(version)  hosts=\(rows.count)/\(total)  sort=\(order.rawValue)"
        if overridesOnly { status += "  [OVERRIDES]" }
        if let os = osFilter { status += "  os=\(os)" }
        status += "  page \(current)/\(pages)"
        status += "  cols \(shownFrom)-\(shownFrom + visible.count - 2)/\(scrollable)"
        if columnOffset > 0 { status += " ◀" }
        if shownFrom + visible.count - 2 < scrollable { status += " ▶" }
        status += "  updated=\(age)"
        if !source.isEmpty { status += "  \(source)" }
        if !query.isEmpty { status += "  query: \(query)" }
        var out = [ScreenLine(pieces: [(Self.fit(status, width), .bar)])]
        if height == 1 { return out }
        if let picker {
            for line in picker.lines(width: width).prefix(height - 1) { out.append(line) }
            return out
        }
        if showHelp {
            for text in Self.help.prefix(height - 1) { out.append(ScreenLine(pieces: [(Self.fit(text, width), .plain)])) }
            return out
        }

        func cells(_ values: [(ReportColumn, String)], header: Bool) -> ScreenLine {
            var pieces: [(String, ScreenLine.Style)] = []
            var used = 0
            for (i, (c, v)) in values.enumerated() {
                guard used < width else { break }
                var cell = (i == 0 ? "" : "  ") + v.padding(toLength: widths[c] ?? v.count, withPad: " ", startingAt: 0)
                if used + cell.count > width { cell = String(cell.prefix(width - used)) }
                pieces.append((cell, header ? .header : Self.style(c, v)))
                used += cell.count
            }
            return ScreenLine(pieces: pieces)
        }
        out.append(cells(visible.map { ($0, $0.header) }, header: true))
        for row in rows.dropFirst(top).prefix(min(page, max(0, height - 3))) {
            out.append(cells(visible.map { ($0, row[$0]) }, header: false))
        }
        while out.count < height - 1 { out.append(ScreenLine(pieces: [])) }
        let bottom: ScreenLine
        if let editing {
            bottom = ScreenLine(pieces: [("/", .plain)] + Self.highlight(editing) + [("█", .plain)])
        } else {
            bottom = ScreenLine(pieces: [(Self.fit(message ?? "q quit  ? help  j/k page  g/G  h/l columns  / filter  f filters  \\ clear  s sort  o overrides  O os  r reload", width), message == nil ? .dim : .warn)])
        }
        if height >= 3 { out.append(bottom) }
        return Array(out.prefix(height))
    }

    static let help = [
        "Keys",
        "  q, Ctrl-C      quit",
        "  j k ↓ ↑ space  next / previous page (PgDn PgUp too)",
        "  g G            first / last page",
        "  h l ← →        scroll the columns (HOST stays)",
        "  /              filter: type a query, Enter applies, Esc cancels, ↑/↓ history",
        "  f              named filters: Saved / Recent (←/→), type to search, Enter applies",
        "  \\              clear the query",
        "  s              base order: host → role → ovr_bch",
        "  o              only hosts with an override",
        "  O              OS: all → Linux → macOS → Windows",
        "  r              reload now",
        "  ?              this help (any key closes it)",
        "Query: COL OP VALUE ... sort:col[:desc]  e.g. healthy=n pp_last>20h sort:pp_last:desc",
    ]

    /// The filter bar's text, coloured: known columns and sort keys plain, unknown ones red,
    /// operators and values dim, tokens that are not conditions yellow.
    static func highlight(_ text: String) -> [(String, ScreenLine.Style)] {
        var pieces: [(String, ScreenLine.Style)] = []
        var last = text.startIndex
        for (token, offset) in Query.tokens(text) {
            let start = text.index(text.startIndex, offsetBy: offset)
            if start > last { pieces.append((String(text[last..<start]), .plain)) }
            let end = text.index(start, offsetBy: token.count)
            last = end
            if token.lowercased().hasPrefix("sort:") {
                let cols = token.dropFirst(5).split(separator: ",").map { $0.split(separator: ":").first.map(String.init) ?? "" }
                pieces.append((token, cols.allSatisfy { ReportColumn.named($0) != nil } ? .header : .bad))
                continue
            }
            guard let (_, range) = Query.findOperator(token) else { pieces.append((token, .warn)); continue }
            let column = String(token[..<range.lowerBound])
            pieces.append((column, ReportColumn.named(column) != nil ? .header : .bad))
            pieces.append((String(token[range.lowerBound...]), .dim))
        }
        if last < text.endIndex { pieces.append((String(text[last...]), .plain)) }
        return pieces
    }

    static func fit(_ s: String, _ width: Int) -> String {
        s.count <= width ? s : String(s.prefix(max(0, width)))
    }
}
