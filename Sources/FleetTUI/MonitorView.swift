import FleetCore
import FleetReport
import Foundation

/// The terminal view of the report as pure state: the rows shown (order, quick filters,
/// query), the page, the selected host, the open popup. The ncurses runner feeds it keys, sizes
/// and data, and paints what `render` draws; everything here is testable without a terminal.
public struct MonitorView: Sendable {
    /// Every listed host's row, as loaded.
    public private(set) var allRows: [HostRow] = []
    /// The rows shown: base order, quick filters, then the query.
    public private(set) var rows: [HostRow] = []
    /// How many hosts are listed (the `total` of `hosts=shown/total`).
    public private(set) var total = 0
    public var columns = ReportColumn.displayed
    public private(set) var query = ""
    var parsed = Query("")
    public private(set) var order: BaseOrder
    /// Only hosts with an override (`o`).
    public private(set) var overridesOnly = false
    /// Only one OS (`O` cycles all → L → M → W).
    public private(set) var osFilter: String?
    public private(set) var filterBar: FilterBar?
    public private(set) var picker: FilterPicker?
    public private(set) var detail: HostDetail?
    public private(set) var showHelp = false
    public private(set) var history: FilterHistory
    /// What is wrong with the query, when something is: then no row is shown, only this.
    public private(set) var queryIssue: String?

    /// What the header says about the data.
    public var source = ""
    public var version = ""
    /// When the data last changed (the header's `updated=` age).
    public var updated: Date?
    /// No successful gather within the hour.
    public var stale = false
    /// Warnings shown on the right of the header (large files).
    public var warnings: [String] = []
    /// The rollouts that hold hosts (active, paused, rolling back, finalizing), named in the header.
    public var rollouts: [RolloutListItem] = []
    /// Colours the terminal has: 0 (none, or NO_COLOR), 8 or 256.
    public var colours = 0

    public private(set) var width = 80
    public private(set) var height = 24
    /// Index of the first row on screen.
    public private(set) var top = 0
    /// Index of the selected row (Enter shows its detail).
    public private(set) var selected = 0
    /// Once a host was picked with J/K, it stays selected (and on screen) while rows reorder.
    var following = false
    /// Index of the first scrollable column (HOST and the verdicts never scroll).
    public private(set) var columnOffset = 0
    public private(set) var message: (text: String, until: Date)?

    // Worked out when the rows change, not on every draw.
    var widths: [ReportColumn: Int] = [:]
    /// The hosts as the rows last came, and the positions that put them in natural order.
    var hostOrder: (hosts: [String], permutation: [Int]) = ([], [])
    var categories: [ReportColumn: [String: Style]] = [:]
    /// The domain all hosts share (`.test.releng.mdc1.mozilla.com`), dropped from HOST cells.
    public private(set) var suffix: String?

    public init(order: BaseOrder = .host, history: FilterHistory = FilterHistory(entries: [])) {
        self.order = order
        self.history = history
    }

    // MARK: data

    public mutating func resize(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        clamp()
    }

    public mutating func setRows(_ newRows: [HostRow], total: Int) {
        // Rows come in the same host order tick after tick: the natural order of the hosts is
        // worked out (with the common suffix) only when the hosts change.
        let hosts = newRows.map(\.host)
        if hosts != hostOrder.hosts {
            let permutation = Array(newRows.indices).naturallySorted { hosts[$0] }
            hostOrder = (hosts, permutation)
            suffix = DomainSuffix.common(hosts)
        }
        allRows = hostOrder.permutation.map { newRows[$0] }
        self.total = total
        categories = CellStyles.categorical(newRows, colours: colours)
        refilter()
    }

    /// Applies a query. One with a problem (an unknown column, `healthy=maybe`) shows no rows
    /// but its problem, where the rows would be: it is not a fleet where no host matches.
    public mutating func setQuery(_ text: String, now: Date = Date()) {
        query = text.trimmingCharacters(in: .whitespacesAndNewlines)
        parsed = Query(query)
        queryIssue = query.isEmpty ? nil : parsed.validate(query)?.description
        if let queryIssue { flash("query: \(queryIssue)", now: now, seconds: 4) }
        restart()
    }

    /// A query typed or picked: applied, and kept in the history only when it is valid (an
    /// invalid one would come back on ↑ as if it had worked).
    mutating func applyTyped(_ text: String, now: Date) {
        setQuery(text, now: now)
        if queryIssue == nil { history.add(text) }
    }

    public mutating func flash(_ text: String, now: Date = Date(), seconds: Double = 2) {
        message = (text, now.addingTimeInterval(seconds))
    }

    mutating func refilter() {
        let host = following && rows.indices.contains(selected) ? rows[selected].host : nil
        let place = selected - top
        var r = ReportLoader.sorted(allRows, order, byHost: true)
        if overridesOnly { r = r.filter { !["-", "?", ""].contains($0[.sha]) } }
        if let os = osFilter { r = r.filter { $0[.os] == os } }
        rows = queryIssue == nil ? parsed.apply(r) : []
        widths = Self.widths(rows, columns: columns, marked: sortMark?.0, display: display)
        // A host picked with J/K keeps its place on the screen; the page moves under it.
        if let host, let i = rows.firstIndex(where: { $0.host == host }) {
            selected = i
            top = i - place
        } else {
            following = false
        }
        clamp()
    }

    /// Back to the first page (a new query, order or quick filter), nothing picked.
    mutating func restart() {
        top = 0
        selected = 0
        following = false
        refilter()
    }

    /// A host as the HOST column shows it.
    func display(_ host: String) -> String {
        guard let suffix, host.hasSuffix(suffix), host.count > suffix.count else { return host }
        return String(host.dropLast(suffix.count))
    }

    static func widths(_ rows: [HostRow], columns: [ReportColumn], marked: ReportColumn?, display: (String) -> String) -> [ReportColumn: Int] {
        var w: [ReportColumn: Int] = [:]
        // The sorted column's label carries an arrow.
        for c in columns { w[c] = c.header.count + (c == marked ? 2 : 0) }
        for r in rows {
            for c in columns {
                let n = c == .host ? display(r.host).count : r[c].count
                if n > w[c]! { w[c] = n }
            }
        }
        return w
    }

    // MARK: geometry

    /// Header lines: one when everything fits, two on narrow terminals.
    var headerLines: Int {
        let (left, right) = header(page: max(1, height - 3), now: Date())
        return Self.length(left) + 1 + Self.length(right) <= width - 1 ? 1 : 2
    }

    /// Host rows on screen: below the header and the column labels, above the bottom bar.
    public var pageSize: Int { max(1, height - headerLines - 2) }

    mutating func clamp() {
        let page = pageSize
        // The last page ends on the last host, so it is always reachable.
        top = min(max(0, top), max(0, rows.count - page))
        selected = min(max(0, selected), max(0, rows.count - 1))
        if following {
            // The page follows the picked host.
            if selected < top { top = selected }
            if selected >= top + page { top = selected - page + 1 }
        } else {
            if selected < top { selected = top }
            if selected >= top + page { selected = top + page - 1 }
        }
        columnOffset = min(columnOffset, maxColumnOffset)
    }

    public mutating func scroll(pages: Int) {
        // The selection keeps its place on the screen.
        let place = selected - top
        top = min(max(0, top + pages * pageSize), max(0, rows.count - pageSize))
        selected = top + place
        clamp()
    }

    public mutating func select(by delta: Int) {
        following = true
        selected = min(max(0, selected + delta), max(0, rows.count - 1))
        if selected < top { top = selected }
        if selected >= top + pageSize { top = selected - pageSize + 1 }
        clamp()
    }

    public mutating func home() { top = 0; selected = 0; following = false; clamp() }

    public mutating func end() {
        following = false
        top = rows.count
        selected = rows.count - 1
        clamp()
    }

    /// The verdicts stay next to HOST while the other columns scroll, so an unhealthy or failing
    /// host is seen on the first screen at any width.
    static let frozenVerdicts: [ReportColumn] = [.healthy, .status]

    /// HOST, then the verdicts the shown columns include.
    var frozen: [ReportColumn] { [.host] + Self.frozenVerdicts.filter(columns.contains) }

    var scrollable: [ReportColumn] { columns.filter { !frozen.contains($0) } }

    /// HOST's width on screen: its longest name, cut (keeping the end, where host names differ)
    /// when the verdicts would not fit otherwise.
    var hostWidth: Int {
        let verdicts = frozen.dropFirst().reduce(0) { $0 + (widths[$1] ?? $1.header.count) + 3 }
        return max(4, min(widths[.host] ?? 4, width - 1 - verdicts))
    }

    /// Width of a column on screen.
    func shownWidth(_ c: ReportColumn) -> Int { c == .host ? hostWidth : widths[c] ?? c.header.count }

    /// The scrollable columns that fit after the frozen ones, starting at `offset`.
    func visibleColumns(offset: Int) -> [ReportColumn] {
        let used0 = frozen.reduce(0) { $0 + shownWidth($1) } + 3 * frozen.count
        let available = max(width - 1 - used0, 0)
        var out: [ReportColumn] = []
        var used = 0
        for c in scrollable.dropFirst(offset) {
            let w = (widths[c] ?? 1) + (out.isEmpty ? 0 : 3)
            if used + w > available { break }
            out.append(c)
            used += w
        }
        return out
    }

    /// The first offset at which the last column shows.
    var maxColumnOffset: Int {
        var offset = 0
        while offset < scrollable.count - 1 && offset + visibleColumns(offset: offset).count < scrollable.count { offset += 1 }
        return offset
    }

    public mutating func scrollColumns(by delta: Int) {
        columnOffset = min(max(0, columnOffset + delta), maxColumnOffset)
    }

    // MARK: keys

    /// Applies a key; the result says what the runner must do beyond redrawing.
    public mutating func handle(_ key: Key, now: Date = Date()) -> KeyAction {
        if key == .resize {
            showHelp = false
            clamp()
            return .none
        }
        if showHelp {
            // Any key closes the help, and does nothing else.
            showHelp = false
            return .none
        }
        if detail != nil { return handleDetail(key) }
        if var p = picker {
            switch p.handle(key, now: now) {
            case .open:
                p.keepInView(rows: pickerRows)
                picker = p
            case .close: picker = nil
            case .apply(let q):
                picker = nil
                applyTyped(q, now: now)
            }
            return .none
        }
        if var bar = filterBar {
            switch bar.handle(key, history: history.entries) {
            case .editing: filterBar = bar
            case .cancel: filterBar = nil
            case .apply(let text):
                filterBar = nil
                applyTyped(text, now: now)
            }
            return .none
        }
        switch key {
        case .char("q"), .char("Q"), .ctrl("c"): return .quit
        case .char("j"), .down, .pageDown, .char(" "): scroll(pages: 1)
        case .char("k"), .up, .pageUp: scroll(pages: -1)
        case .char("J"), .ctrl("n"): select(by: 1)
        case .char("K"), .ctrl("p"): select(by: -1)
        case .char("g"), .home: home()
        case .char("G"), .end: end()
        case .char("l"), .right: scrollColumns(by: 1)
        case .char("h"), .left: scrollColumns(by: -1)
        case .char("s"), .char("S"):
            if !parsed.sort.isEmpty {
                flash("'s' inactive while /query has sort:", now: now)
            } else {
                let all = BaseOrder.allCases
                order = all[(all.firstIndex(of: order)! + 1) % all.count]
                restart()
            }
        case .char("o"):
            overridesOnly.toggle()
            restart()
        case .char("O"):
            let cycle: [String?] = [nil, "L", "M", "W"]
            osFilter = cycle[((cycle.firstIndex(of: osFilter) ?? 0) + 1) % cycle.count]
            restart()
        case .char("/"): filterBar = FilterBar(text: query)
        case .char("\\"):
            if queryIssue == nil { history.add(query) }
            setQuery("", now: now)
        case .char("?"): showHelp = true
        case .char("f"): return .openPicker
        case .char("r"): return .reload
        case .enter:
            if rows.indices.contains(selected) { return .showDetail(rows[selected].host) }
        default: break
        }
        return .none
    }

    mutating func handleDetail(_ key: Key) -> KeyAction {
        let page = max(1, height - 4)
        switch key {
        case .escape, .enter, .char("q"), .ctrl("c"):
            detail = nil
        case .down, .char("j"): detail?.scroll(by: 1, page: page)
        case .up, .char("k"): detail?.scroll(by: -1, page: page)
        case .pageDown, .char(" "): detail?.scroll(by: page, page: page)
        case .pageUp: detail?.scroll(by: -page, page: page)
        case .right, .left, .char("J"), .char("K"):
            let delta = key == .right || key == .char("J") ? 1 : -1
            guard rows.indices.contains(selected + delta) else { break }
            select(by: delta)
            return .showDetail(rows[selected].host)
        default: break
        }
        return .none
    }

    /// The runner opens the picker with the named filters it read.
    public mutating func openPicker(saved: [NamedFilter]) {
        picker = FilterPicker(saved: saved, recent: history.entries, active: query)
    }

    /// The runner shows a detail it built; it replaces the one open (keeping the scroll
    /// position when it is the same host's, refreshed).
    public mutating func showDetail(_ d: HostDetail) {
        var d = d
        if let old = detail, old.host == d.host { d.scroll(by: old.scroll, page: max(1, height - 4)) }
        detail = d
    }

    /// Rows the picker's list shows at this terminal height.
    var pickerRows: Int { min(max(height - 6, 6), 25) - 5 }
}

extension FilterHistory {
    /// A history that is not read from or saved to a file (tests).
    public init(entries: [String]) {
        self.init(path: "")
        for e in entries { add(e) }
    }
}
