import FleetCore
import FleetReport
import Foundation

/// Drawing the view: the header, the column labels, the host rows, the bottom bar, popups.
extension MonitorView {
    static func length(_ pieces: [(String, Style)]) -> Int { pieces.reduce(0) { $0 + $1.0.count } }

    /// The header's left part (what is shown: order, filters, page, columns) and right part
    /// (where the data comes from and how old it is).
    func header(page: Int, now: Date) -> (left: [(String, Style)], right: [(String, Style)]) {
        var left: [(String, Style)] = [("fleetroll \(version)", .fg(.cyan, bold: true)), (" [? for help]", .plain)]
        if overridesOnly { left.append((" ", .plain)); left.append(("[OVERRIDES]", Style(fg: .yellow, bold: true, reverse: true))) }
        // After the quick filter and before the rest, so a narrow header cuts the others first.
        var rolloutAt = left.count
        var parts: [String] = []
        if parsed.sort.isEmpty { parts.append("sort=\(order.rawValue)") }
        if let os = osFilter { parts.append("os=\(["L": "Linux", "M": "macOS", "W": "Windows"][os] ?? os)") }
        if !query.isEmpty { parts.append("/\(query)") }
        if !parts.isEmpty { left.append((" " + parts.joined(separator: ", "), .plain)) }
        let pages = max(1, (rows.count + page - 1) / page)
        if pages > 1 {
            let current = min((top + page - 1) / page + 1, pages)
            let arrows = [current > 1 ? "▲" : nil, current < pages ? "▼" : nil].compactMap { $0 }.joined(separator: " ")
            left.append((" [\(arrows) \(current)/\(pages)]", .plain))
        }
        let shown = visibleColumns(offset: columnOffset)
        if shown.count < scrollable.count {
            let arrows = [columnOffset > 0 ? "◀" : nil, columnOffset + shown.count < scrollable.count ? "▶" : nil]
                .compactMap { $0 }.joined(separator: " ")
            let range = shown.isEmpty ? "0" : "\(columnOffset + 1)-\(columnOffset + shown.count)"
            left.append((" [\(arrows)\(arrows.isEmpty ? "" : " ")\(range)/\(scrollable.count)]", .plain))
        }

        // On a narrow terminal the indicators matter more than the name and the help hint; the
        // rollouts then get shorter before anything is cut.
        var form = RolloutForm.full
        func fits() -> Bool {
            Self.length(left) + Self.length(rolloutPieces(form)) <= width - 1
        }
        if !fits() { left.remove(at: 1); rolloutAt -= 1 }
        if !fits() { left[0].0 = "fleetroll" }
        if !fits() { form = .compact }
        if !fits() { form = .count }
        left.insert(contentsOf: rolloutPieces(form), at: rolloutAt)

        var right: [(String, Style)] = []
        if !warnings.isEmpty {
            right.append(("⚠ Large logs: \(warnings.joined(separator: ", ")) (run 'fleetroll maintain') | ", .fg(.yellow)))
        }
        if let suffix { right.append(("fqdn=\(suffix), ", .fg(.yellow))) }
        right.append(("source=\(source), ", .fg(.yellow)))
        let filtered = overridesOnly || osFilter != nil || !query.isEmpty
        right.append(("hosts=\(rows.count)/\(total)", filtered ? .fg(.yellow, bold: true) : .fg(.yellow)))
        let age = updated.map { Durations.humanize(max(0, Int(now.timeIntervalSince($0)))) } ?? "never"
        right.append((", updated=\(age)", .fg(.yellow)))
        if stale { right.append((" [stale]", .fg(.red, bold: true))) }
        return (left, right)
    }

    enum RolloutForm { case full, compact, count }

    /// ` rollout ro-…: stage 2/4 paused` per rollout holding hosts, coloured by its state's
    /// verdict; compact: ` ro-… 2/4 paused`; count: ` [2 rollouts]`.
    func rolloutPieces(_ form: RolloutForm) -> [(String, Style)] {
        guard !rollouts.isEmpty else { return [] }
        func style(_ r: RolloutListItem) -> Style {
            switch CellVerdict.of(rollout: r.state) {
            case .good: return .fg(.green, bold: true)
            case .watch: return .fg(.yellow, bold: true)
            case .act: return .fg(.red, bold: true)
            case .neutral: return .bold
            }
        }
        switch form {
        case .full: return rollouts.map { (" " + $0.headline, style($0)) }
        case .compact: return rollouts.map { (" " + $0.compactHeadline, style($0)) }
        case .count:
            let worst = rollouts.first { $0.state == .paused } ?? rollouts[0]
            return rollouts.count == 1 ? [(" " + worst.compactHeadline, style(worst))]
                : [(" [\(rollouts.count) rollouts]", style(worst))]
        }
    }

    /// The column the rows are ordered by, and whether descending: the query's first sort key,
    /// else the base order.
    var sortMark: (ReportColumn, Bool)? {
        if let first = parsed.sort.first {
            return first.known.map { ($0, first.descending) }
        }
        switch order {
        case .host: return (.host, false)
        case .role: return (.role, false)
        case .ovrBch: return (.sha, false)
        }
    }

    /// `clip_cell`: padded to the width, or cut with `...`.
    static func clip(_ value: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        if value.count <= width { return value + String(repeating: " ", count: width - value.count) }
        return width <= 3 ? String(value.prefix(width)) : String(value.prefix(width - 3)) + "..."
    }

    /// A host name cut to `width` from the left (`...ms-001`): the end is what tells hosts apart.
    static func clipKeepingEnd(_ value: String, _ width: Int) -> String {
        guard value.count > width else { return clip(value, width) }
        return width <= 3 ? String(value.suffix(width)) : "..." + String(value.suffix(width - 3))
    }

    /// The whole screen.
    public func render(now: Date = Date()) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        guard width > 0, height > 0 else { return canvas }
        let usable = max(0, width - 1)
        let lines = headerLines
        let (left, right) = header(page: pageSize, now: now)
        if lines == 1 {
            canvas.put(left, y: 0, x: 0)
            canvas.put(right, y: 0, x: usable - Self.length(right))
        } else {
            canvas.put(Self.clipPieces(left, usable), y: 0, x: 0)
            let r = Self.clipPieces(right, usable)
            canvas.put(r, y: 1, x: max(0, usable - Self.length(r)))
        }
        let y0 = lines
        guard y0 < height else { return canvas }
        let visible = frozen + visibleColumns(offset: columnOffset)
        let mark = sortMark

        var x = 0
        for (i, c) in visible.enumerated() {
            if i > 0 { x = canvas.put(" | ", y: y0, x: x) }
            let w = shownWidth(c)
            canvas.put(String(c.header.prefix(w)), y: y0, x: x, style: .fg(.magenta, bold: true))
            if let (col, desc) = mark, col == c { canvas.put(desc ? " ↓" : " ↑", y: y0, x: x + c.header.count, style: .fg(.yellow)) }
            x += w
        }

        let room = max(0, height - y0 - 2)
        for (i, row) in rows.dropFirst(top).prefix(room).enumerated() {
            drawRow(row, columns: visible, y: y0 + 1 + i, selected: top + i == selected, on: &canvas)
        }
        if rows.isEmpty && room > 0 {
            if let queryIssue {
                canvas.put("Invalid query: \(queryIssue) (/ to fix it, \\ to clear it)", y: y0 + 1, x: 0, style: .fg(.red, bold: true), limit: usable)
            } else {
                let why = allRows.isEmpty ? "No hosts yet: gather some (fleetroll gather-host HOST_OR_FILE...)."
                    : "No host matches the filters (\\ clears the query, o and O the quick filters)."
                canvas.put(why, y: y0 + 1, x: 0, style: .fg(.yellow), limit: usable)
            }
        }
        if height - 1 > y0 { drawBottom(on: &canvas, now: now) }

        if let picker {
            picker.draw(on: &canvas, now: now)
        } else if let detail {
            detail.draw(on: &canvas, position: "\(selected + 1)/\(rows.count)")
        } else if showHelp {
            HelpPopup.draw(on: &canvas, version: version)
        }
        return canvas
    }

    func drawRow(_ row: HostRow, columns visible: [ReportColumn], y: Int, selected isSelected: Bool, on canvas: inout Canvas) {
        var x = 0
        for (i, c) in visible.enumerated() {
            if i > 0 { x = canvas.put(" | ", y: y, x: x) }
            let w = shownWidth(c)
            let text = c == .host ? Self.clipKeepingEnd(display(row.host), w) : Self.clip(row[c], w)
            let start = x
            // A failing host's name takes the STATUS colour, whichever columns are in view.
            x = canvas.put(text, y: y, x: x, style: CellStyles.semantic(c, row))
            // ROLE, OVR_BCH and VLT_SHA: the part that names the value is coloured by value.
            if let styles = categories[c], let style = styles[CellStyles.categoryKey(c, row[c])],
               let range = CellStyles.colouredRange(c, row[c]) {
                let from = row[c].distance(from: row[c].startIndex, to: range.lowerBound)
                let count = row[c].distance(from: range.lowerBound, to: range.upperBound)
                canvas.restyle(y: y, x: start + from, count: min(count, w - from)) { $0 = style }
            }
            if c == .sha, row[c].hasSuffix(" *wt"), row[c].count <= w {
                canvas.restyle(y: y, x: start + row[c].count - 3, count: 3) { $0 = .fg(.red) }
            }
            if c == .host && isSelected { canvas.restyle(y: y, x: start, count: w) { $0.reverse = true } }
        }
    }

    func drawBottom(on canvas: inout Canvas, now: Date) {
        let y = height - 1
        let usable = max(0, width - 1)
        if let bar = filterBar {
            let prompt = bar.prompt(historyCount: history.entries.count)
            canvas.put(prompt, y: y, x: 0, style: .bold)
            // Long queries scroll so the cursor stays on screen.
            let shift = max(0, prompt.count + bar.cursor - (usable - 1))
            canvas.put(Self.dropPieces(FilterBar.highlight(bar.text), shift), y: y, x: prompt.count, limit: usable - prompt.count)
            canvas.cursor = (y, min(prompt.count + bar.cursor - shift, max(0, usable - 1)))
        } else if let m = message, m.until > now {
            canvas.put(Self.clip(m.text, usable), y: y, x: 0, style: Style(fg: .red, reverse: true))
        } else {
            var hint = "? help  / filter  f filters  J/K select  Enter detail  q quit"
            if rows.indices.contains(selected) { hint = "▸ \(display(rows[selected].host))   " + hint }
            canvas.put(hint, y: y, x: 0, limit: usable)
        }
    }

    /// Pieces cut to `width` characters, ending in `...` when cut.
    static func clipPieces(_ pieces: [(String, Style)], _ width: Int) -> [(String, Style)] {
        guard length(pieces) > width else { return pieces }
        var out: [(String, Style)] = []
        var room = max(0, width - 3)
        for (text, style) in pieces where room > 0 {
            out.append((String(text.prefix(room)), style))
            room -= min(room, text.count)
        }
        return out + [(String("...".prefix(width)), .plain)]
    }

    /// Pieces without their first `count` characters.
    static func dropPieces(_ pieces: [(String, Style)], _ count: Int) -> [(String, Style)] {
        var left = count
        var out: [(String, Style)] = []
        for (text, style) in pieces {
            if left >= text.count { left -= text.count; continue }
            out.append((String(text.dropFirst(left)), style))
            left = 0
        }
        return out
    }
}
