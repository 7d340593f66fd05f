import FleetCore
import FleetReport

/// How table cells are coloured: verdicts and ages by what they mean (green good, yellow
/// watch, red act), and ROLE, OVR_BCH and VLT_SHA by value, so hosts that share one share a
/// colour.
enum CellStyles {
    /// The style of a whole cell by its verdict (`CellVerdict`: the one rule every view
    /// colours from); categorical columns are painted separately.
    static func semantic(_ column: ReportColumn, _ row: HostRow) -> Style {
        switch CellVerdict.of(column, row) {
        case .good: return .fg(.green)
        case .watch: return .fg(.yellow)
        // A failing host and a quarantined worker are the loudest things on screen.
        case .act: return .fg(.red, bold: column == .status || column == .host || column == .tcQuar)
        case .neutral: return .plain
        }
    }

    /// Foreground/background pairs that stay readable on any terminal: the basic ones, then
    /// 256-colour ones when the terminal has them.
    static let basicPalette: [(TermColor, TermColor)] = [
        (.black, .cyan), (.black, .green), (.yellow, .magenta), (.black, .yellow), (.white, .red),
        (.cyan, .black), (.magenta, .black), (.red, .cyan), (.cyan, .magenta), (.red, .green),
        (.green, .red), (.cyan, .red), (.magenta, .white), (.blue, .red), (.yellow, .red),
        (.black, .magenta), (.white, .black), (.blue, .magenta), (.green, .magenta), (.magenta, .green),
        (.blue, .black),
    ]
    static let extendedPalette: [(TermColor, TermColor)] = {
        let orange = TermColor.indexed(208), purple = TermColor.indexed(129), pink = TermColor.indexed(205)
        let teal = TermColor.indexed(33), maroon = TermColor.indexed(160), gold = TermColor.indexed(220)
        let forest = TermColor.indexed(28), orangeRed = TermColor.indexed(214)
        return [
            (orange, .white), (orange, .magenta), (orange, .black), (purple, .cyan), (purple, .yellow),
            (purple, .green), (purple, .white), (pink, .cyan), (pink, .blue), (pink, .black),
            (teal, .white), (teal, .black), (teal, .yellow), (maroon, .white), (maroon, .yellow),
            (gold, .black), (gold, .magenta), (gold, .red), (forest, .cyan), (forest, .yellow),
            (forest, .white), (orangeRed, .green), (orangeRed, .magenta), (orangeRed, .black),
        ]
    }()

    /// A colour per distinct value of ROLE, OVR_BCH and VLT_SHA over all hosts (not just the
    /// filtered ones, so a value keeps its colour while filters change).
    static func categorical(_ rows: [HostRow], colours: Int) -> [ReportColumn: [String: Style]] {
        guard colours >= 8 else { return [:] }
        let palette = basicPalette + (colours >= 256 ? extendedPalette : [])
        var out: [ReportColumn: [String: Style]] = [:]
        for (column, seed) in [(ReportColumn.sha, 0), (.vltSHA, 1), (.role, 2)] {
            let skip: Set<String> = column == .role ? ["-", "?", "missing", ""] : ["-", "?", ""]
            let values = Set(rows.map { categoryKey(column, $0[column]) }).subtracting(skip).sorted()
            var map: [String: Style] = [:]
            for (i, value) in values.enumerated() {
                let (fg, bg) = palette[(i + (seed * 11) % palette.count) % palette.count]
                map[value] = Style(fg: fg, bg: bg, bold: column == .role)
            }
            out[column] = map
        }
        return out
    }

    /// The part of a cell its colour is chosen by: the branch of OVR_BCH, the humanhash of VLT_SHA.
    static func categoryKey(_ column: ReportColumn, _ value: String) -> String {
        switch column {
        case .sha: return colouredRange(column, value).map { String(value[$0]) } ?? value
        case .vltSHA: return colouredRange(column, value).map { String(value[$0]) } ?? value
        default: return value
        }
    }

    /// Which characters of a categorical cell carry its colour: the role; the branch of
    /// `branch (sha) *wt` (or a bare sha); the `ack-ack` of `bbbbbbbb ack-ack (name)`.
    static func colouredRange(_ column: ReportColumn, _ value: String) -> Range<String.Index>? {
        switch column {
        case .role:
            return value.startIndex..<value.endIndex
        case .sha:
            if let paren = value.range(of: " (") { return value.startIndex..<paren.lowerBound }
            let bare = value.hasSuffix(" *wt") ? String(value.dropLast(4)) : value
            return bare.count >= 8 ? value.startIndex..<value.index(value.startIndex, offsetBy: 8) : nil
        case .vltSHA:
            guard let space = value.firstIndex(of: " ") else { return nil }
            let start = value.index(after: space)
            let end = value[start...].range(of: " (")?.lowerBound ?? value.endIndex
            return start..<end
        default:
            return nil
        }
    }
}
