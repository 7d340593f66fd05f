/// The `?` popup: the keys on the left, what the columns mean on the right (one column below
/// the other when the terminal is narrow). Any key closes it.
enum HelpPopup {
    static let mascot = ["  ▄█████▄  ", " ▐▛▀▀▀▀▀▜▌ ", "▗▟█▄███▄█▙▖", "  ▀▘   ▀▘  "]

    static let keys = [
        "Keys:",
        "  j/k ↓/↑ PgDn/PgUp  page down / up (space too)",
        "  g/G Home/End       first / last page",
        "  h/l ←/→            scroll columns (HOST, HEALTHY,",
        "                     STATUS stay; a failing host's",
        "                     name is red)",
        "  J/K                select the next / previous host",
        "  Enter              the selected host's detail",
        "  s                  base order: host → role → ovr_bch",
        "                     (no-op while /query has sort:)",
        "  o                  only hosts with an override",
        "  O                  OS: all → Linux → macOS → Windows",
        "  /                  filter bar (↑/↓ history, Esc cancels)",
        "  \\                  clear the query",
        "  f                  named filters (Saved / Recent)",
        "  r                  reload everything now",
        "  q, Ctrl-C          quit",
        "",
        "Query: col op value ... sort:col[:desc],...",
        "  ops = != > < >= <= ~   a|b alternatives",
        "  e.g. healthy=n pp_last>20h sort:pp_last:desc",
        "",
        "Fewer columns: host-monitor --columns",
        "  host,healthy,status,pp_match,applied,note",
    ]

    static let columns = [
        "Columns:",
        "HOST      host name (common domain suffix dropped)",
        "OS        L Linux, M macOS, W Windows",
        "ROLE      puppet role",
        "VLT_SHA   vault.yaml sha, humanhash (name)",
        "OVR_BCH   override branch (override sha) *wt",
        "UPTIME    since boot (hosts reboot between tasks)",
        "PP_LAST   since puppet's last run (FAIL if it failed)",
        "PP_SHA    commit puppet applied",
        "PP_EXP    commit expected (branch head or master)",
        "PP_MATCH  Y applied the expected commit and succeeded",
        "APPLIED   Y the run applied this override and vault",
        "TC_ACT    since the worker was last active",
        "TC_T_DUR  last task's length (- while running);",
        "          green completed, yellow exception, red failed",
        "TC_QUAR   YES when quarantined",
        "DATA      age of host data / Taskcluster data",
        "HEALTHY   N anything known wrong (gather failed,",
        "          PP_MATCH/APPLIED N, puppet failed, worker",
        "          quarantined or idle > 1h); Y all known good;",
        "          - something unknown (Enter says what)",
        "STATUS    OK, UNK or the last gather's error",
        "NOTE      latest operator note ((N) when several)",
    ]

    static func content(version: String) -> [(String, Bool)] {
        let width = max(keys.map(\.count).max()! + 3 + columns.map(\.count).max()!, mascot[0].count)
        var out = mascot.map { (String(repeating: " ", count: max(0, (width - $0.count) / 2)) + $0, true) }
        out.append((String(repeating: " ", count: max(0, (width - version.count - 10) / 2)) + "fleetroll \(version)", true))
        out.append(("", false))
        for i in 0..<max(keys.count, columns.count) {
            let left = i < keys.count ? keys[i] : ""
            let right = i < columns.count ? columns[i] : ""
            out.append((left.padding(toLength: keys.map(\.count).max()!, withPad: " ", startingAt: 0) + " │ " + right, false))
        }
        return out
    }

    static func narrowContent(version: String) -> [(String, Bool)] {
        mascot.map { ($0, true) } + [("fleetroll \(version)", true), ("", false), ("press any key to close", false), ("", false)]
            + keys.map { ($0, false) } + [("", false)] + columns.map { ($0, false) }
    }

    static func draw(on canvas: inout Canvas, version: String) {
        var lines = content(version: version)
        var width = lines.map(\.0.count).max() ?? 0
        if width + 6 > canvas.width {
            lines = narrowContent(version: version)
            width = lines.map(\.0.count).max() ?? 0
        }
        // A short terminal gets the keys before the mascot.
        if lines.count + 4 > canvas.height { lines.removeFirst(mascot.count + 2) }
        let w = min(width + 6, canvas.width), h = min(lines.count + 4, canvas.height)
        guard w >= 10, h >= 5 else { return }
        let y0 = (canvas.height - h) / 2, x0 = (canvas.width - w) / 2
        canvas.box(y: y0, x: x0, height: h, width: w, title: " Help ")
        for (i, (text, bold)) in lines.prefix(h - 4).enumerated() {
            canvas.put(text, y: y0 + 2 + i, x: x0 + 3, style: bold ? .fg(.cyan, bold: true) : .plain, limit: w - 5)
        }
    }
}
