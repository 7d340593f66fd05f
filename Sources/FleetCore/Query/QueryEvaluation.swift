extension HostRow {
    /// A duration column (or DATA, the larger of its two ages) in seconds: the typed value the
    /// row was built with, else read back from the cell (rows made by hand).
    func seconds(_ column: ReportColumn) -> Int? {
        let typed: Int?
        switch column {
        case .uptime: typed = values.uptimeS
        case .ppLast: typed = values.ppLastS
        case .tcAct: typed = values.tcActS
        case .tcTaskDuration: typed = values.tcTaskDurationS
        case .data: typed = [values.auditAgeS, values.tcAgeS].compactMap { $0 }.max()
        default: typed = nil
        }
        if let typed { return typed }
        return column == .data ? Query.Condition.dataSeconds(self[column]) : Durations.parse(self[column])
    }
}

/// Applying a query to report rows.
extension Query {
    /// The rows that meet every condition, sorted by the `sort:` keys (stable).
    public func apply(_ rows: [HostRow]) -> [HostRow] {
        if isEmpty { return rows }
        var out = conditions.isEmpty ? rows : rows.filter { row in conditions.allSatisfy { $0.matches(row) } }
        if !sort.isEmpty {
            // Each row's sort keys are made once, and positions are sorted, not rows (a row is
            // large, and a sort moves each element many times). Equal rows keep their order.
            let keys = sort.map { key in out.map { row in key.known.flatMap { key.key(row, $0) } } }
            let order = Array(out.indices).sorted { a, b in
                for (k, key) in sort.enumerated() {
                    let c = key.compare(keys[k][a], keys[k][b])
                    if c != 0 { return c < 0 }
                }
                return a < b
            }
            out = order.map { out[$0] }
        }
        return out
    }
}

extension Query.Condition {
    /// `-`, `--` and an empty cell are "no value".
    static func isEmptyCell(_ s: String) -> Bool { s == "-" || s == "--" || s.isEmpty }

    public func matches(_ row: HostRow) -> Bool {
        if (op == .eq || op == .ne) && value.contains("|") {
            let parts = value.split(separator: "|").map(String.init).filter { !$0.isEmpty }
            if op == .eq { return parts.contains { Query.Condition(column: column, op: .eq, value: $0, position: position).matches(row) } }
            return parts.allSatisfy { Query.Condition(column: column, op: .ne, value: $0, position: position).matches(row) }
        }
        guard let col = known else { return op == .ne }
        let cell = row[col]
        // `col=` and `col=-` both ask for "no value" (the old tool's `col=-` never matched).
        if (op == .eq || op == .ne) && (value.isEmpty || value == "-") {
            return (op == .eq) == Self.isEmptyCell(cell)
        }
        if op == .contains {
            // Substring on the text, also on duration columns (`uptime~2d`, `pp_last~fail`); a
            // cell with no value contains nothing (`tc_j_sf~-` finds tasks still running).
            return !Self.isEmptyCell(cell) && cell.lowercased().contains(value.lowercased())
        }
        if col.isCount, let want = Int(value) {
            guard let have = Int(cell) else { return op == .ne }
            return Self.compare(have, want, op)
        }
        if col == .data || col.isDuration {
            let seconds = row.seconds(col)
            if let want = Durations.parse(value) {
                guard let seconds else { return false }
                return Self.compare(seconds, want, op)
            }
            if col.isDuration && seconds == nil { return false }
        }
        if col == .sha && (op == .eq || op == .ne) {
            // OVR_BCH shows "branch (sha) *wt": `sha=<branch>` and `sha=<sha prefix>` match too.
            let v = value.lowercased()
            let hit = cell.lowercased() == v || row.overrideBranch?.lowercased() == v
                || (v.count >= 4 && row.overrideSHA?.hasPrefix(v) == true)
            return op == .eq ? hit : !hit
        }
        if col == .rollout && (op == .eq || op == .ne) {
            // `rollout=ID` asks for every host the rollout holds, whatever its stage; `rollout=ID:2` for one stage.
            let v = value.lowercased()
            let hit = cell.lowercased() == v || row.values.rolloutID?.lowercased() == v
            return op == .eq ? hit : !hit
        }
        return Self.compare(Self.isEmptyCell(cell) ? "" : cell.lowercased(), value.lowercased(), op)
    }

    /// DATA is "audit age/scan age": the larger of the two.
    static func dataSeconds(_ cell: String) -> Int? {
        let sides = cell.split(separator: "/", maxSplits: 1).map { Durations.parse(String($0)) }
        return sides.compactMap { $0 }.max()
    }

    /// Numbers and text compare alike; `~` is a substring test, for text only.
    static func compare<T: Comparable>(_ a: T, _ b: T, _ op: Query.Op) -> Bool {
        switch op {
        case .eq: return a == b
        case .ne: return a != b
        case .gt: return a > b
        case .lt: return a < b
        case .ge: return a >= b
        case .le: return a <= b
        case .contains:
            guard let text = a as? String, let part = b as? String else { return false }
            return text.contains(part)
        }
    }
}

extension Query.SortKey {
    /// < 0 when the row of `ka` goes first (keys from `key(_:_:)`). Unknown values go last in both directions.
    func compare(_ ka: Key?, _ kb: Key?) -> Int {
        switch (ka, kb) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case (.number(let x)?, .number(let y)?): return descending ? (y < x ? -1 : (y > x ? 1 : 0)) : (x < y ? -1 : (x > y ? 1 : 0))
        case (.text(let x)?, .text(let y)?): return descending ? (y < x ? -1 : (y > x ? 1 : 0)) : (x < y ? -1 : (x > y ? 1 : 0))
        default: return 0
        }
    }

    enum Key { case number(Int), text(String) }

    func key(_ row: HostRow, _ col: ReportColumn) -> Key? {
        let cell = row[col]
        if cell == "-" || cell == "?" || cell == "--" || cell.isEmpty { return nil }
        if col == .data || col.isDuration { return row.seconds(col).map(Key.number) }
        if col.isCount { return Int(cell).map(Key.number) }
        // OVR_BCH sorts by branch name, then SHA (the old tool sorted by raw SHA).
        if col == .sha { return .text(((row.overrideBranch ?? "~") + " " + (row.overrideSHA ?? "")).lowercased()) }
        return .text(cell.lowercased())
    }
}
