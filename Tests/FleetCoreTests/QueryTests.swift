import FleetCore
import Foundation
import Testing

@Suite("Durations")
struct DurationTests {
    @Test(arguments: [(0, "0s"), (30, "30s"), (59, "59s"), (60, "1m"), (3599, "59m"), (3600, "1h 00m"), (7325, "2h 02m"),
                      (86399, "23h 59m"), (86400, "1d 00h"), (90061, "1d 01h"), (-10, "0s")])
    func humanize(_ s: Int, _ text: String) { #expect(Durations.humanize(s) == text) }

    @Test func minutesUnit() {
        #expect(Durations.humanize(59, minUnitMinutes: true) == "<1m")
        #expect(Durations.humanize(120, minUnitMinutes: true) == "2m")
        #expect(Durations.humanize(nil as Int?) == "-")
    }

    @Test(arguments: [("20h", 72000), ("5m", 300), ("1d", 86400), ("30s", 30), ("1h30m", 5400), ("1h 30m", 5400),
                      ("2h 30m", 9000), ("1d 04h", 100800), ("<1m", 59), ("<1h", 3599), ("30m FAIL", 1800),
                      ("2h 30m FAIL", 9000), ("5m -", 300), ("5 m", 300), ("1D", 86400), ("10ms", 600), ("abc5mxyz", 300)])
    func parse(_ text: String, _ seconds: Int) { #expect(Durations.parse(text) == seconds) }

    @Test(arguments: ["-", "?", "--", "", "abc", "missing", "1w", "99999999999999999999s", "200000000000000d"])
    func parseNothing(_ text: String) { #expect(Durations.parse(text) == nil) }
}

func row(_ cells: [ReportColumn: String], host: String = "h1", branch: String? = nil, sha: String? = nil) -> HostRow {
    var c = cells
    c[.host] = c[.host] ?? host
    var r = HostRow(host: c[.host]!, cells: c, status: "OK")
    r.overrideBranch = branch
    r.overrideSHA = sha
    return r
}

@Suite("Query language")
struct QueryTests {
    @Test func parsesConditionsAndSort() {
        let q = Query("PP_LAST>20h healthy=n sort:pp_last:desc,host")
        #expect(q.conditions.map { "\($0.column)\($0.op.rawValue)\($0.value)" } == ["pp_last>20h", "healthy=n"])
        #expect(q.sort.map(\.column) == ["pp_last", "host"])
        #expect(q.sort.map(\.descending) == [true, false])
        #expect(q.conditions[1].position == 12)
    }

    @Test(arguments: [("a>=b", "a", ">=", "b"), ("a!=b", "a", "!=", "b"), ("a=b>c", "a", "=", "b>c"), ("a<=>b", "a", "<=", ">b"),
                      ("a~=b", "a", "~", "=b"), ("=x>y", "=x", ">", "y")])
    func operatorDetection(_ token: String, _ col: String, _ op: String, _ value: String) throws {
        let c = try #require(Query(token).conditions.first)
        #expect(c.column == col && c.op.rawValue == op && c.value == value)
    }

    @Test func anyWhitespaceSeparates() {
        let q = Query("os=L\nrole~talos\tsort:host")
        #expect(q.conditions.map(\.column) == ["os", "role"])
        #expect(q.conditions[1].position == 5)
        #expect(q.sort.map(\.column) == ["host"])
    }

    @Test func aliasesAndDroppedTokens() {
        let q = Query("ovr_bch~x tc_t_dur>1m health=y note= note> pp_last !!!")
        #expect(q.conditions.map(\.column) == ["ovr_bch", "tc_t_dur", "healthy", "note"])
        #expect(Query("sha~x tc_j_sf>1m").conditions.map(\.column) == ["ovr_bch", "tc_t_dur"], "the earlier names still work")
        #expect(q.ignored.map(\.token) == ["note>", "pp_last", "!!!"])
        #expect(Query("").isEmpty && Query("   ").isEmpty)
    }

    @Test func validationPointsAtTheToken() {
        #expect(Query("pp_last>20h").validate("pp_last>20h") == nil)
        let syntax = Query("pp_last>").validate("pp_last>")
        #expect(syntax?.message.contains("syntax") == true)
        let unknown = Query("os=L foo>20h").validate("os=L foo>20h")
        #expect(unknown?.message == "unknown column: foo")
        #expect(unknown?.position == 5)
        #expect(Query("sort:badcol").validate("sort:badcol")?.message == "unknown sort column: badcol")
        #expect(Query("status=ok wt_ovr=y pool~x applied=n").validate("status=ok wt_ovr=y pool~x applied=n") == nil)
    }

    static let base = row([.os: "L", .role: "gecko_t_linux", .healthy: "Y", .ppLast: "30m", .tcAct: "10m", .uptime: "2d 04h",
                           .tcTaskDuration: "5m", .ppMatch: "Y", .tcQuar: "-", .data: "5m/10m", .sha: "-", .note: ""])

    func matches(_ q: String, _ r: HostRow = QueryTests.base) -> Bool { !Query(q).apply([r]).isEmpty }

    @Test func matching() {
        #expect(matches("healthy=y"))
        #expect(!matches("healthy=n"))
        #expect(matches("tc_act<1h"))
        #expect(!matches("pp_last>1h"))
        #expect(matches("pp_last>1h", row([.ppLast: "2h 30m FAIL"])))
        #expect(!matches("pp_last>1m", row([.ppLast: "-"])))
        #expect(matches("uptime=2d4h"))
        #expect(matches("role~linux"))
        #expect(matches("data>1h", row([.data: "5m/2h 30m"])))
        #expect(!matches("data<10m", row([.data: "5m/2h 30m"])))
        #expect(!matches("data>1m", row([.data: "-/-"])))
        #expect(matches("host<h2", row([.host: "h10"])), "strings compare as text")
        #expect(matches("pp_last~fail", row([.ppLast: "20m FAIL"])))
        #expect(matches("tc_j_sf~-", row([.tcTaskDuration: "36m -"])))
        #expect(!matches("tc_j_sf~-", row([.tcTaskDuration: "-"])), "an empty cell contains nothing")
        #expect(!matches("note~-", row([.note: "-"])))
    }

    @Test func fixedQuirks() {
        #expect(matches("uptime~2d"), "~ on a duration column is a substring match")
        #expect(matches("note=-"), "col=- asks for no value")
        #expect(matches("sha=-"))
        #expect(!matches("note!=-"))
        let ovr = row([.sha: "san-juan (0328af8c) *wt"], branch: "san-juan", sha: "0328af8c11")
        #expect(matches("ovr_bch=san-juan", ovr), "exact match on the branch")
        #expect(matches("sha=0328af8c", ovr))
        #expect(!matches("ovr_bch=san", ovr))
    }

    @Test func pipesAndEmptyForms() {
        for (os, hit) in [("M", true), ("L", true), ("W", false)] {
            #expect(matches("os=M|L", row([.os: os])) == hit)
            #expect(matches("os!=M|L", row([.os: os])) == !hit)
        }
        #expect(!matches("os=|"))
        #expect(matches("os!=|"))
        let rows = [row([.note: ""], host: "a"), row([.note: "-"], host: "b"), row([.note: "has text"], host: "c")]
        #expect(Query("note=").apply(rows).map(\.host) == ["a", "b"])
        #expect(Query("note!=").apply(rows).map(\.host) == ["c"])
        #expect(!matches("pp_sha=", row([.ppSHA: "?"])))
        #expect(matches("pp_sha=?", row([.ppSHA: "?"])))
        #expect(Query("foo=x").apply([QueryTests.base]).isEmpty && Query("foo!=x").apply([QueryTests.base]).count == 1)
    }

    @Test func sorting() {
        let rows = [row([.tcAct: "2h 30m", .healthy: "N", .role: "web"], host: "a"), row([.tcAct: "-", .healthy: "Y", .role: "api"], host: "b"),
                    row([.tcAct: "30m", .healthy: "N", .role: "db"], host: "c")]
        #expect(Query("sort:tc_act").apply(rows).map(\.host) == ["c", "a", "b"])
        #expect(Query("sort:tc_act:desc").apply(rows).map(\.host) == ["a", "c", "b"], "unknown is last both ways")
        #expect(Query("sort:role").apply(rows).map(\.host) == ["b", "c", "a"])
        #expect(Query("sort:healthy,tc_act:desc").apply(rows).map(\.host) == ["a", "c", "b"])
        #expect(Query("").apply(rows).map(\.host) == ["a", "b", "c"])
        let branches = [row([.sha: "zeta (11111111)"], host: "x", branch: "zeta", sha: "111"),
                        row([.sha: "alpha (99999999)"], host: "y", branch: "alpha", sha: "999"), row([.sha: "-"], host: "z")]
        #expect(Query("sort:ovr_bch").apply(branches).map(\.host) == ["y", "x", "z"], "by branch name, not SHA")
    }
}
