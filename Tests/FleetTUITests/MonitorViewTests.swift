import FleetCore
import FleetReport
import FleetTUI
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

@Suite("Terminal view")
struct MonitorViewTests {
    func view(_ n: Int, height: Int) -> MonitorView {
        var v = MonitorView()
        v.setRows(rows(n), total: n, height: height)
        return v
    }

    func hosts(_ v: MonitorView, width: Int = 200, height: Int) -> [String] {
        v.lines(width: width, height: height).dropFirst(2).compactMap { $0.pieces.first?.0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("host-") }
    }

    @Test func pagingReachesTheLastHost() {
        for height in [5, 8, 15, 24] {
            var v = view(39, height: height)
            for _ in 0..<100 { v.scroll(pages: 1, height: height) }
            #expect(hosts(v, height: height).last == "host-39.example.com", "height \(height)")
            v.end(height: height)
            #expect(hosts(v, height: height).last == "host-39.example.com")
            v.home()
            #expect(hosts(v, height: height).first == "host-1.example.com")
        }
    }

    @Test func pagesMoveByAPage() {
        var v = view(100, height: 13)  // 10 rows a page
        for _ in 0..<4 { v.scroll(pages: 1, height: 13) }
        #expect(hosts(v, height: 13).first == "host-41.example.com")
        v.scroll(pages: -1, height: 13)
        #expect(hosts(v, height: 13).first == "host-31.example.com")
        #expect(v.lines(width: 200, height: 13)[0].text.contains("page 4/10"))
    }

    @Test func hostStaysWhileColumnsScroll() {
        var v = view(3, height: 10)
        let before = v.lines(width: 60, height: 10)[1].text
        #expect(before.hasPrefix("HOST"))
        v.scrollColumns(by: 3)
        let after = v.lines(width: 60, height: 10)
        #expect(after[1].text.hasPrefix("HOST"))
        #expect(after[1].text != before)
        #expect(after[0].text.contains("◀"))
        v.scrollColumns(by: -99)
        #expect(v.lines(width: 60, height: 10)[1].text == before)
    }

    @Test func tinyScreensDoNotBreak() {
        let v = view(50, height: 5)
        for (w, h) in [(20, 5), (1, 1), (0, 0), (5, 2), (80, 3)] {
            let lines = v.lines(width: w, height: h)
            #expect(lines.count <= max(0, h))
            #expect(lines.allSatisfy { $0.text.count <= max(0, w) })
        }
    }

    @Test func verdictsAreStyled() {
        let v = view(2, height: 10)
        var v2 = v
        v2.columns = [.host, .healthy]
        let row = v2.lines(width: 100, height: 10)[2]
        #expect(row.pieces.last?.1 == .bad, "host-1 is not healthy")
    }
}

@Suite("Terminal view: filters and history")
struct MonitorViewFilterTests {
    @Test func quickFiltersAndQuery() {
        var v = MonitorView()
        var r = rows(6)
        for i in r.indices { r[i].cells[.os] = "L" }
        r[1].cells[.os] = "M"
        r[2].cells[.sha] = "-"
        v.setRows(r, total: 6, height: 20)
        v.cycleOS(height: 20)
        #expect(v.osFilter == "L" && v.rows.count == 5)
        v.cycleOS(height: 20)
        #expect(v.osFilter == "M" && v.rows.map(\.host) == ["host-2.example.com"])
        v.cycleOS(height: 20); v.cycleOS(height: 20)
        #expect(v.osFilter == nil && v.rows.count == 6)
        v.toggleOverridesOnly(height: 20)
        #expect(v.rows.count == 5)
        v.setQuery("healthy=y", height: 20)
        #expect(v.rows.allSatisfy { $0[.healthy] == "Y" })
        v.setQuery("bogus=1", height: 20)
        #expect(v.message?.contains("unknown column: bogus") == true)
        v.cycleOrder(height: 20)
        #expect(v.order == .role)
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

@Suite("Terminal view: picker and highlighting")
struct PickerTests {
    @Test func searchTabsAndCursors() {
        var p = FilterPicker(saved: [NamedFilter(name: "linux", query: "os=L", description: "Linux", path: ""),
                                     NamedFilter(name: "quarantined", query: "tc_quar=yes", description: "", path: "")],
                             recent: ["a=1", "b=2"])
        #expect(p.visible.count == 2 && p.selected?.query == "os=L")
        p.move(1)
        #expect(p.selected?.query == "tc_quar=yes")
        p.switchTab()
        #expect(p.visible.map(\.query) == ["b=2", "a=1"], "newest first")
        #expect(p.selected?.query == "b=2", "each tab has its own cursor")
        p.switchTab()
        for c in "LINUX" { p.type(c) }
        #expect(p.visible.map(\.query) == ["os=L"])
        for c in "zz" { p.type(c) }
        #expect(p.visible.isEmpty && p.selected == nil)
    }
}
