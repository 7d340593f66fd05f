import FleetCore
import FleetReport
import FleetStore
@testable import FleetWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The HTML works without script: rows, filter, sort links, pages, a host's page.
@Suite("Web pages")
struct PageTests {
    func hosts(in html: String) -> [String] {
        html.components(separatedBy: "<tr data-host=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func thePageIsTheReport() async throws {
        var f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        f.settings.pageSize = 2
        try await f.app().test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.text
            #expect(hosts(in: html) == ["a.example.com", "b.example.com"], "page 1 of 2")
            #expect(html.contains("fleetroll v9.9.9") && html.contains("source=all hosts") && html.contains("hosts=3<"))
            #expect(html.contains("page 1 of 2"))
            for c in ReportColumn.displayed { #expect(html.contains(">\(c.header)</a></th>"), "\(c)") }
            // Verdicts colour the cells: b's latest gather failed.
            #expect(html.contains("<td class=\"c-status v-act\">UNREACHABLE</td>"))
            #expect(html.contains("<a href=\"/hosts/a.example.com\" title=\"a.example.com\">a</a>"), "short names, full in the link")
            let second = try await client.execute(uri: "/?page=2", method: .get).text
            #expect(hosts(in: second) == ["c10.example.com"])

            let filtered = try await client.execute(uri: "/?filter=status%3Dok", method: .get).text
            #expect(hosts(in: filtered) == ["a.example.com", "c10.example.com"])
            #expect(filtered.contains("hosts=2/3") && filtered.contains("value=\"status=ok\""))
            // Sorting is a link; a second click sorts the other way.
            #expect(filtered.contains("href=\"/?filter=status%3Dok&amp;sort=host\""))
            let sorted = try await client.execute(uri: "/?filter=status%3Dok&sort=host", method: .get).text
            #expect(sorted.contains("HOST ↑") && sorted.contains("href=\"/?filter=status%3Dok&amp;sort=host%3Adesc\""))
            let down = try await client.execute(uri: "/?sort=host:desc", method: .get).text
            #expect(hosts(in: down) == ["c10.example.com", "b.example.com"])

            let bad = try await client.execute(uri: "/?filter=bogus%3D1", method: .get)
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("<p class=\"error\" id=\"filter-error\" role=\"alert\">unknown column: bogus (at &#39;bogus&#39;, character 1)</p>"))
            #expect(hosts(in: bad.text).isEmpty)
            // The saved filters are links too.
            #expect(html.contains("<b>unreachable</b>") && html.contains("href=\"/?filter=status%21%3Dok%20sort%3Astatus%2Chost\""))
        }
    }

    @Test func aHostsPage() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/hosts/b.example.com", method: .get)
            #expect(r.status == .ok)
            let html = r.text
            for part in ["<h1>b.example.com</h1>", "Why HEALTHY is N", "the latest gather failed (UNREACHABLE)", "Latest gather",
                         "Latest successful gather", "History (newest first)", "Audit log", "host.set_override",
                         "ssh: connect: Connection refused"] {
                #expect(html.contains(part), "\(part)")
            }
            let missing = try await client.execute(uri: "/hosts/zzz.example.com", method: .get)
            #expect(missing.status == .notFound)
            let empty = try await client.execute(uri: "/", method: .get)
            #expect(!empty.text.contains("No hosts in the store"))
        }
    }

    @Test func assets() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        await f.model.load()
        try await f.app().test(.router) { client in
            let js = try await client.execute(uri: "/static/app.js", method: .get)
            #expect(js.headers[.contentType]?.hasPrefix("text/javascript") == true && js.text.contains("EventSource(\"/api/events\")"))
            let css = try await client.execute(uri: "/static/app.css", method: .get)
            #expect(css.text.contains("prefers-color-scheme: dark") && !css.text.contains("url("), "no fonts or images fetched")
            let icon = try await client.execute(uri: "/favicon.svg", method: .get)
            #expect(icon.headers[.contentType] == "image/svg+xml")
            let empty = try await client.execute(uri: "/", method: .get).text
            #expect(empty.contains("No hosts in the store yet"))
        }
    }
}
