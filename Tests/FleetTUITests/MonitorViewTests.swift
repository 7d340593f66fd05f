import FleetCore
import FleetReport
@testable import FleetTUI
import Foundation
import Testing

func rows(_ n: Int) -> [HostRow] {
    (1...n).map { i in
        var cells: [ReportColumn: String] = [:]
        for c in ReportColumn.allCases { cells[c] = "v\(i)" }
        cells[.host] = "host-\(i).example.com"
        cells[.healthy] = i % 2 == 0 ? "Y" : "N"
        return HostRow(host: cells[.host]!, cells: cells, status: "OK")
    }
}

func view(_ n: Int, width: Int = 200, height: Int) -> MonitorView {
    var v = MonitorView()
    v.resize(width: width, height: height)
    v.setRows(rows(n), total: n)
    return v
}

/// The host names on screen, in order (the common `.example.com` is not shown).
func hosts(_ v: MonitorView) -> [String] {
    v.render().lines.compactMap { line in
        line.split(separator: " ").first.map(String.init).flatMap { $0.hasPrefix("host-") ? $0 : nil }
    }
}

@Suite("Terminal view: paging and layout")
struct MonitorViewTests {
    @Test func pagingReachesTheLastHost() {
        for height in [5, 8, 15, 24] {
            var v = view(39, height: height)
            for _ in 0..<100 { _ = v.handle(.char("j")) }
            #expect(hosts(v).last == "host-39", "height \(height)")
            _ = v.handle(.char("g"))
            #expect(hosts(v).first == "host-1")
            _ = v.handle(.char("G"))
            #expect(hosts(v).last == "host-39")
        }
    }

    @Test func theLastHostIsReachableWithATwoLineHeader() {
        // The old tool lost the 7th of 7 hosts at 60x8 (its page math ignored the second header line).
        var v = view(7, width: 60, height: 8)
        #expect(v.headerLines == 2)
        var seen = Set(hosts(v))
        for _ in 0..<5 { _ = v.handle(.down); seen.formUnion(hosts(v)) }
        #expect(seen == Set((1...7).map { "host-\($0)" }))
    }

    @Test func pagesMoveByAPageAndTheHeaderSaysWhere() {
        var v = view(100, height: 13)  // 10 rows a page
        #expect(v.pageSize == 10)
        for _ in 0..<4 { _ = v.handle(.char("j")) }
        #expect(hosts(v).first == "host-41")
        _ = v.handle(.char("k"))
        #expect(hosts(v).first == "host-31")
        #expect(v.render().text(0).contains("[▲ ▼ 4/10]"))
        _ = v.handle(.char("G"))
        #expect(v.render().text(0).contains("[▲ 10/10]"))
    }

    @Test func headerSaysSourceCountsAndAge() {
        var v = view(5, height: 10)
        v.source = "hosts.list"
        v.version = "1.2"
        v.updated = Date().addingTimeInterval(-125)
        v.stale = true
        let top = v.render().text(0)
        #expect(top.hasPrefix("fleetroll 1.2 [? for help] sort=host"))
        #expect(top.contains("fqdn=.example.com, source=hosts.list, hosts=5/5, updated=2m [stale]"))
        v.setQuery("healthy=y")
        #expect(v.render().text(0).contains("/healthy=y"))
        #expect(v.render().text(0).contains("hosts=2/5"))
    }

    @Test func hostStaysWhileColumnsScroll() {
        var v = view(3, width: 60, height: 10)
        #expect(v.headerLines == 2)
        let before = v.render().text(2)
        #expect(before.hasPrefix("HOST ↑"))
        #expect(v.render().text(0).contains("[▶ 1-"))
        for _ in 0..<3 { _ = v.handle(.char("l")) }
        let after = v.render()
        #expect(after.text(2).hasPrefix("HOST ↑"))
        #expect(after.text(2) != before)
        #expect(after.text(0).contains("[◀ ▶ 4-"))
        for _ in 0..<99 { _ = v.handle(.char("l")) }
        #expect(v.render().text(0).contains("[◀ "), "clamped at the last column")
        #expect(!v.render().text(0).contains("▶"))
        for _ in 0..<99 { _ = v.handle(.char("h")) }
        #expect(v.render().text(2) == before)
    }

    /// Labels of the columns on screen, in order.
    func labels(_ v: MonitorView) -> [String] {
        v.render().text(v.headerLines).split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ↑", with: "") }
    }

    @Test func verdictsStayNextToHostAtAnyWidth() {
        for (w, h) in [(60, 20), (80, 24), (120, 30), (200, 40)] {
            var v = view(30, width: w, height: h)
            #expect(Array(labels(v).prefix(3)) == ["HOST", "HEALTHY", "STATUS"], "\(w)x\(h): \(labels(v))")
            for _ in 0..<20 { _ = v.handle(.char("l")) }
            #expect(Array(labels(v).prefix(3)) == ["HOST", "HEALTHY", "STATUS"], "\(w)x\(h) scrolled")
            #expect(labels(v).last == "NOTE", "the last column is still reachable")
        }
        // --columns without the verdicts keeps them out.
        var v = view(3, width: 80, height: 10)
        v.columns = [.host, .role, .note]
        v.setRows(rows(3), total: 3)
        #expect(labels(v) == ["HOST", "ROLE", "NOTE"])
    }

    @Test func longHostNamesGiveWayToTheVerdicts() {
        var r = rows(2)
        for i in r.indices {
            r[i].host = "a-very-long-host-name-that-goes-on-and-on-\(i).dc\(i).example"
            r[i].cells[.status] = "UNREACHABLE"
        }
        var v = MonitorView()
        v.resize(width: 60, height: 10)
        v.setRows(r, total: 2)
        let canvas = v.render()
        let line = canvas.text(v.headerLines + 1)
        #expect(line.contains("UNREACHABLE"), "\(line)")
        #expect(line.hasPrefix("...") && line.contains("on-0.dc0"), "the end of the name, where hosts differ: \(line)")
    }

    @Test func aFailingHostIsMarkedWhateverIsInView() {
        var r = rows(3)
        r[0].status = "UNREACHABLE"; r[0].cells[.status] = "UNREACHABLE"
        r[1].status = "UNK"; r[1].cells[.status] = "UNK"
        r[2].cells[.status] = "OK"
        var v = MonitorView()
        v.resize(width: 100, height: 10)
        v.columns = [.host, .role, .note]
        v.setRows(r, total: 3)
        let canvas = v.render()
        let y = v.headerLines + 1
        #expect(canvas.style(y: y, x: 0).fg == .red && canvas.style(y: y, x: 0).bold, "failing: red")
        #expect(canvas.style(y: y + 1, x: 0).fg == .yellow, "never gathered: yellow")
        #expect(canvas.style(y: y + 2, x: 0).fg == nil, "OK: plain")
    }

    @Test func tinyScreensDoNotBreak() {
        var v = view(50, height: 5)
        for (w, h) in [(20, 5), (1, 1), (0, 0), (5, 2), (80, 3), (25, 3), (2, 40)] {
            v.resize(width: w, height: h)
            for key: Key in [.char("j"), .char("G"), .char("l"), .char("?"), .char("x"), .char("f")] { _ = v.handle(key) }
            let canvas = v.render()
            #expect(canvas.lines.count == h)
            #expect(canvas.lines.allSatisfy { $0.count == w })
        }
    }

    @Test func popupsOnTinyScreens() {
        for (w, h) in [(20, 3), (40, 4), (10, 5), (30, 9), (200, 3)] {
            var v = view(5, width: w, height: h)
            _ = v.handle(.char("?"))
            #expect(v.render().lines.count == h)
            _ = v.handle(.char("x"))
            _ = v.handle(.enter)
            v.showDetail(HostDetail(host: "h", lines: Array(repeating: ("x", .plain), count: 50)))
            _ = v.handle(.pageDown)
            #expect(v.render().lines.count == h)
        }
    }

    @Test func wideAndControlCharactersTakeOneCell() {
        var c = Canvas(width: 12, height: 1)
        c.put("a\u{1F600}b漢c\u{7}d│e", y: 0, x: 0)
        #expect(c.text(0) == "a?b?c?d│e   ")
    }

    @Test func cellsAreColouredByMeaning() {
        var v = view(2, height: 10)
        v.columns = [.host, .healthy]
        v.setRows(rows(2), total: 2)
        let canvas = v.render()
        let x = canvas.text(2).firstIndex(of: "N").map { canvas.text(2).distance(from: canvas.text(2).startIndex, to: $0) }!
        #expect(canvas.style(y: 2, x: x).fg == .red, "host-1 is not healthy")
        #expect(canvas.style(y: 3, x: x).fg == .green)
    }

    @Test func sameValueSameColour() {
        var r = rows(4)
        for i in r.indices { r[i].cells[.role] = i % 2 == 0 ? "gecko_t_linux" : "gecko_t_osx" }
        r[3].cells[.role] = "missing"
        let colours = CellStyles.categorical(r, colours: 8)[.role]!
        #expect(colours.count == 2, "missing has no colour")
        #expect(colours["gecko_t_linux"] != colours["gecko_t_osx"])
        #expect(colours["gecko_t_linux"]?.bold == true)
        #expect(CellStyles.categorical(r, colours: 0).isEmpty, "no colours without a colour terminal")
        #expect(CellStyles.categoryKey(.sha, "my-branch (abcdef12) *wt") == "my-branch")
        #expect(CellStyles.categoryKey(.vltSHA, "bbbbbbbb ack-ack (prod)") == "ack-ack")
    }

    @Test func commonSuffix() {
        #expect(DomainSuffix.common(["a.example.com", "b.example.com"]) == ".example.com")
        #expect(DomainSuffix.common(["a.test.releng.mdc1.mozilla.com", "b.wintest2.releng.mdc1.mozilla.com"]) == ".releng.mdc1.mozilla.com")
        #expect(DomainSuffix.common(["host.example.com"]) == ".example.com")
        #expect(DomainSuffix.common(["a.example.com", "b.example.org"]) == nil)
        #expect(DomainSuffix.common(["a.example.com", "nodots"]) == nil)
        #expect(DomainSuffix.common([]) == nil)
    }
}

@Suite("Terminal view: keys, filters and history")
struct MonitorViewKeyTests {
    @Test func quickFiltersAndQuery() {
        var v = view(6, height: 20)
        var r = rows(6)
        for i in r.indices { r[i].cells[.os] = "L" }
        r[1].cells[.os] = "M"
        r[2].cells[.sha] = "-"
        v.setRows(r, total: 6)
        _ = v.handle(.char("O"))
        #expect(v.osFilter == "L" && v.rows.count == 5)
        #expect(v.render().text(0).contains("os=Linux"))
        _ = v.handle(.char("O"))
        #expect(v.osFilter == "M" && v.rows.map(\.host) == ["host-2.example.com"])
        _ = v.handle(.char("O")); _ = v.handle(.char("O"))
        #expect(v.osFilter == nil && v.rows.count == 6)
        _ = v.handle(.char("o"))
        #expect(v.rows.count == 5)
        #expect(v.render().text(0).contains("[OVERRIDES]"))
        v.setQuery("healthy=y")
        #expect(v.rows.allSatisfy { $0[.healthy] == "Y" })
        v.setQuery("bogus=1")
        #expect(v.message?.text.contains("unknown column: bogus") == true)
        #expect(v.render().text(19).contains("unknown column: bogus"), "shown in the bottom row")
        _ = v.handle(.char("s"))
        #expect(v.order == .role)
    }

    @Test func sortArrowFollowsTheQuery() {
        var v = view(5, height: 12)
        #expect(v.render().text(1).hasPrefix("HOST ↑"))
        v.setQuery("sort:pp_last:desc")
        #expect(v.render().text(1).contains("PP_LAST ↓"))
        #expect(!v.render().text(0).contains("sort="), "no base order while the query sorts")
        _ = v.handle(.char("s"))
        #expect(v.order == .host)
        #expect(v.message?.text == "'s' inactive while /query has sort:")
    }

    @Test func filterBarEditsAndAppliesWithHistory() {
        var v = MonitorView(history: FilterHistory(entries: ["os=L", "role~talos"]))
        v.resize(width: 100, height: 20)
        v.setRows(rows(6), total: 6)
        _ = v.handle(.char("/"))
        for c in "healthy=n" { _ = v.handle(.char(c)) }
        #expect(v.filterBar?.text == "healthy=n")
        _ = v.handle(.home); _ = v.handle(.delete); _ = v.handle(.char("H"))
        _ = v.handle(.end); _ = v.handle(.backspace); _ = v.handle(.char("y"))
        #expect(v.filterBar?.text == "Healthy=y")
        #expect(v.render().text(19).hasPrefix("Filter ↑: Healthy=y"))
        #expect(v.render().cursor?.x == "Filter ↑: Healthy=y".count)
        _ = v.handle(.up)
        #expect(v.filterBar?.text == "role~talos")
        _ = v.handle(.up)
        #expect(v.filterBar?.text == "os=L")
        #expect(v.render().text(19).hasPrefix("Filter ↓: os=L"))
        _ = v.handle(.up)
        #expect(v.filterBar?.text == "os=L", "stops at the oldest")
        _ = v.handle(.down); _ = v.handle(.down)
        #expect(v.filterBar?.text == "Healthy=y", "past the newest: what was typed")
        _ = v.handle(.ctrl("u"))
        for c in "healthy=y" { _ = v.handle(.char(c)) }
        _ = v.handle(.enter)
        #expect(v.filterBar == nil && v.query == "healthy=y")
        #expect(v.history.entries.last == "healthy=y")
        _ = v.handle(.char("/")); _ = v.handle(.char("x")); _ = v.handle(.escape)
        #expect(v.query == "healthy=y", "Esc keeps the applied query")
        _ = v.handle(.char("\\"))
        #expect(v.query.isEmpty && v.rows.count == 6)
    }

    /// A query with a mistake is not "no host matches": the rows give way to the mistake, in red,
    /// and it stays out of the history.
    @Test func invalidQueryIsShownAsAnErrorAndNotKept() {
        var v = MonitorView(history: FilterHistory(entries: ["os=L"]))
        v.resize(width: 120, height: 20)
        v.setRows(rows(6), total: 6)
        for query in ["healthy=maybe", "uptime>abc", "nosuch=1"] {
            _ = v.handle(.char("/"))
            _ = v.handle(.ctrl("u"))
            for c in query { _ = v.handle(.char(c)) }
            _ = v.handle(.enter)
            #expect(v.queryIssue != nil && v.rows.isEmpty, "\(query)")
            let screen = (0..<20).map { v.render().text($0) }.joined(separator: "\n")
            #expect(screen.contains("Invalid query:") && !screen.contains("No host matches"), "\(query): \(screen)")
            #expect(v.history.entries == ["os=L"], "\(query) is not kept")
        }
        _ = v.handle(.char("\\"))
        #expect(v.queryIssue == nil && v.rows.count == 6 && v.history.entries == ["os=L"])
        v.setQuery("healthy=y")
        #expect(v.queryIssue == nil)
    }

    @Test func highlighting() {
        func styles(_ text: String) -> [String: Style] {
            Dictionary(FilterBar.highlight(text).map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        }
        #expect(FilterBar.highlight("").isEmpty)
        let a = styles("pp_last>20h")
        #expect(a["pp_last"]?.fg == .cyan && a[">"]?.bold == true && a["20h"]?.fg == .green)
        #expect(styles("bogus>20h")["bogus"]?.fg == .red)
        #expect(styles("pp_last")["pp_last"] == .plain, "still being typed")
        let s = styles("sort:pp_last:desc")
        #expect(s["sort:"]?.fg == .yellow && s["pp_last"]?.fg == .cyan && s["desc"]?.fg == .magenta)
        #expect(styles("sort:bogus:asc")["bogus"]?.fg == .red)
        let alt = FilterBar.highlight("os=M|L")
        #expect(alt.map(\.0) == ["os", "=", "M", "|", "L"])
        for text in ["os=M  healthy=n sort:host", " a b ", "x=1|"] {
            #expect(FilterBar.highlight(text).map(\.0).joined() == text)
        }
    }

    @Test func selectionAndDetail() {
        var v = view(30, height: 10)
        #expect(v.handle(.enter) == .showDetail("host-1.example.com"))
        _ = v.handle(.char("J")); _ = v.handle(.char("J"))
        #expect(v.handle(.enter) == .showDetail("host-3.example.com"))
        _ = v.handle(.char("j"))
        #expect(v.handle(.enter) == .showDetail("host-\(3 + v.pageSize).example.com"), "paging keeps the selection's place")
        v.showDetail(HostDetail(host: "host-10.example.com", lines: [("x", .plain)]))
        #expect(v.handle(.right) == .showDetail("host-11.example.com"))
        #expect(v.handle(.char("q")) == .none && v.detail == nil, "q closes the detail, not the view")
        #expect(v.handle(.char("q")) == .quit)
    }

    @Test func aPickedHostStaysPickedWhileRowsReorder() {
        var v = view(30, height: 10)
        _ = v.handle(.char("J")); _ = v.handle(.char("J"))
        #expect(v.rows[v.selected].host == "host-3.example.com")
        // The same rows in another order (as the age tick can bring): the pick follows its host.
        v.setRows(Array(rows(30).reversed()), total: 30)
        v.setQuery("sort:host:desc")
        #expect(v.selected == 0 && v.top == 0, "a new query starts over")
        _ = v.handle(.char("G")); _ = v.handle(.char("K"))
        let picked = v.rows[v.selected].host
        v.setRows(Array(rows(30).shuffled()), total: 30)
        #expect(v.rows[v.selected].host == picked)
        #expect(v.selected >= v.top && v.selected < v.top + v.pageSize, "and stays on screen")
        // Nothing picked: the page stays where it is.
        _ = v.handle(.char("g"))
        v.setRows(Array(rows(30).shuffled()), total: 30)
        #expect(v.top == 0 && v.selected == 0)
    }

    @Test func aRefreshedDetailKeepsItsScroll() {
        var v = view(3, height: 20)
        let lines = Array(repeating: ("x", Style.plain), count: 100)
        v.showDetail(HostDetail(host: "host-1.example.com", lines: lines))
        _ = v.handle(.pageDown)
        let scrolled = v.detail?.scroll ?? 0
        #expect(scrolled > 0)
        v.showDetail(HostDetail(host: "host-1.example.com", lines: lines))
        #expect(v.detail?.scroll == scrolled)
        v.showDetail(HostDetail(host: "host-2.example.com", lines: lines))
        #expect(v.detail?.scroll == 0)
    }

    @Test func detailListsEveryField() {
        var o = ObservedState()
        o.osType = "Linux"
        o.role = "gecko_t_linux"
        o.puppet.gitSHA = "abc"
        let rec = HostObservation(ts: "2026-11-24T10:00:00+00:00", actor: "me", host: "h.example.com", ok: true, sshRC: 0,
                                  stderr: "warn\nmore", observed: o)
        let d = HostDetail.make(row: rows(1)[0], latest: rec, latestOK: rec, worker: nil,
                                notes: [NoteRecord(action: "host.note_add", actor: "me", host: "h", ts: "t", note: "rebooted")],
                                overrideText: "PUPPET_BRANCH=x\n")
        let text = d.lines.map(\.0)
        #expect(text.contains("  os_type: Linux"))
        #expect(text.contains("  puppet_git_sha: abc"))
        #expect(text.contains("  stderr: warn⏎ more"))
        #expect(text.contains("  PUPPET_BRANCH=x"))
        #expect(text.contains { $0.contains("rebooted") })
        #expect(text.contains("  no record (run gather-tc)"))
        var unhealthy = rows(1)[0]
        unhealthy.values.healthyReasons = ["the Taskcluster worker is quarantined"]
        let why = HostDetail.make(row: unhealthy, latest: rec, latestOK: rec, worker: nil, notes: [], overrideText: nil).lines.map(\.0)
        #expect(why.contains("HEALTHY N: why") && why.contains("  the Taskcluster worker is quarantined"))
    }

    /// What a host reported (its OS, a file's owner and group) reaches the screen cleaned.
    @Test func hostileDetailTextIsCleanedOnScreen() {
        var o = ObservedState()
        o.osType = "Linux\u{1B}]0;pwned\u{07}\u{1B}[2J"
        o.overridePresent = true
        o.overrideMeta = FileMeta(mode: "0644", owner: "\u{1B}[31mroot", group: "wh\u{9B}eel")
        let rec = HostObservation(ts: "2026-11-24T10:00:00+00:00", actor: "me", host: "h.example.com", ok: true, sshRC: 0,
                                  stderr: "sudo: \u{1B}[31mno\r", observed: o)
        var v = view(3, height: 60)
        v.showDetail(HostDetail.make(row: rows(1)[0], latest: rec, latestOK: rec, worker: nil, notes: [], overrideText: "A=\u{1B}[5m\n"))
        let screen = v.render().lines.joined(separator: "\n")
        #expect(!screen.unicodeScalars.contains { TerminalText.isUnsafe($0) && $0 != "\n" }, "\(screen)")
        #expect(screen.contains("os_type: Linux?]0;pwned??[2J"))
        #expect(screen.contains("owner: ?[31mroot"))
    }

    @Test func historyKeepsTheNewestHundredWithoutDuplicates() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-hist-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var h = FilterHistory(path: path)
        for i in 0..<150 { h.add("q\(i)") }
        h.add("q120")
        h.add("   ")
        h.save()
        let again = FilterHistory(path: path)
        #expect(again.entries.count == 100)
        #expect(again.entries.first == "q50")
        #expect(again.entries.last == "q120")
        #expect(again.entries.filter { $0 == "q120" }.count == 1)
        #expect(FilterHistory(path: "/nonexistent/dir/h").entries.isEmpty)
        FilterHistory(path: "/proc/forbidden/h").save()
    }
}

@Suite("Terminal view: named-filter picker")
struct PickerTests {
    let saved = [NamedFilter(name: "linux", query: "os=L", description: "Linux", path: ""),
                 NamedFilter(name: "quarantined", query: "tc_quar=yes", description: "", path: "")]

    @Test func searchTabsAndCursors() {
        var p = FilterPicker(saved: saved, recent: ["a=1", "b=2"])
        #expect(p.visible.count == 2 && p.selected?.query == "os=L")
        _ = p.handle(.down)
        #expect(p.selected?.query == "tc_quar=yes")
        _ = p.handle(.right)
        #expect(p.visible.map(\.query) == ["b=2", "a=1"], "newest first")
        #expect(p.selected?.query == "b=2", "each tab has its own cursor")
        _ = p.handle(.left)
        #expect(p.selected?.query == "tc_quar=yes")
        // Every printable key searches, the view's own keys too.
        for c in "LINUX" { _ = p.handle(.char(c)) }
        #expect(p.visible.map(\.query) == ["os=L"])
        for c in "fjkG" { _ = p.handle(.char(c)) }
        #expect(p.search == "LINUXfjkG" && p.visible.isEmpty && p.selected == nil)
        #expect(p.handle(.enter) == .open, "nothing to apply: stays open")
        #expect(p.flash?.text == "no matches")
        _ = p.handle(.ctrl("u"))
        #expect(p.handle(.enter) == .apply("os=L"))
        #expect(p.handle(.escape) == .close)
    }

    @Test func opensOnTheActiveQuery() {
        #expect(FilterPicker(saved: saved, recent: [], active: "tc_quar=yes").selected?.query == "tc_quar=yes")
        let p = FilterPicker(saved: saved, recent: ["x=1", "y=2"], active: "x=1")
        #expect(p.tab == .recent && p.selected?.query == "x=1")
    }

    @Test func viewportKeepsTheCursorInSight() {
        #expect(FilterPicker.viewport(selected: 2, start: 0, visible: 5, total: 3) == 0)
        #expect(FilterPicker.viewport(selected: 1, start: 3, visible: 4, total: 20) == 1)
        #expect(FilterPicker.viewport(selected: 10, start: 0, visible: 4, total: 20) == 7)
        #expect(FilterPicker.viewport(selected: 5, start: 99, visible: 4, total: 10) == 5)
        #expect(FilterPicker.viewport(selected: 0, start: 0, visible: 4, total: 0) == 0)
        #expect(FilterPicker.viewport(selected: 3, start: 0, visible: 0, total: 10) == 0)
    }

    @Test func theListScrollsOnlyWhenTheCursorLeavesIt() {
        let many = (0..<20).map { NamedFilter(name: "f\($0)", query: "host~\($0)", description: "", path: "") }
        var p = FilterPicker(saved: many, recent: [])
        for _ in 0..<15 { _ = p.handle(.down); p.keepInView(rows: 5) }
        #expect(p.start[.saved] == 11)
        _ = p.handle(.up); p.keepInView(rows: 5)
        #expect(p.start[.saved] == 11, "moving up inside the window does not scroll")
        _ = p.handle(.pageUp); p.keepInView(rows: 5)
        #expect(p.index == 4 && p.start[.saved] == 4)
        _ = p.handle(.end); p.keepInView(rows: 5)
        #expect(p.index == 19 && p.start[.saved] == 15)
    }

    @Test func drawsTabsMarksAndTinyScreens() {
        let p = FilterPicker(saved: saved, recent: [], active: "os=L")
        var canvas = Canvas(width: 80, height: 20)
        p.draw(on: &canvas, now: Date())
        let text = canvas.lines.joined(separator: "\n")
        #expect(text.contains(" Filters ") && text.contains("Saved  Recent"))
        #expect(text.contains("› ● linux"))
        #expect(text.contains(" 2/2 "))
        var tiny = Canvas(width: 25, height: 8)
        p.draw(on: &tiny, now: Date())
        #expect(tiny.lines.joined().contains("resize terminal"))
    }
}
