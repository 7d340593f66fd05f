import FleetCore
@testable import FleetWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Web security")
struct SecurityTests {
    @Test func onlyLoopbackWithoutTheFlags() throws {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"] {
            #expect(BindPolicy.isLoopback(host), "\(host)")
            #expect(throws: Never.self) { try BindPolicy.check(host: host, allowRemote: false, hasToken: false) }
        }
        for host in ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "example.com", "128.0.0.1", "::2"] {
            #expect(!BindPolicy.isLoopback(host), "\(host)")
            #expect(throws: WebSetupError.self) { try BindPolicy.check(host: host, allowRemote: false, hasToken: false) }
            #expect(throws: WebSetupError.self) { try BindPolicy.check(host: host, allowRemote: true, hasToken: false) }
            #expect(throws: WebSetupError.self) { try BindPolicy.check(host: host, allowRemote: false, hasToken: true) }
            #expect(throws: Never.self) { try BindPolicy.check(host: host, allowRemote: true, hasToken: true) }
        }
    }

    /// A page on another name that resolves to us (DNS rebinding) gets nothing.
    @Test func hostHeaderIsChecked() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            for name in ["localhost", "localhost:8765", "127.0.0.1:8765", "[::1]:8765", "127.0.0.1", "localhost.:80"] {
                let r = try await client.execute(uri: "/api/hosts", method: .get, headers: [WebHeaders.host: name])
                #expect(r.status == .ok, "\(name)")
            }
            for name in ["evil.example", "evil.example:8765", "localhost.evil.example", "127.0.0.1.nip.io:8765", "[::1]x", "127.0.0.1:80x"] {
                for uri in ["/", "/api/hosts", "/api/events", "/static/app.js", "/nothing"] {
                    let r = try await client.execute(uri: uri, method: .get, headers: [WebHeaders.host: name])
                    #expect(r.status == .misdirectedRequest, "\(name) \(uri)")
                    #expect(!r.text.contains("a.example.com"))
                }
            }
        }
    }

    @Test func bearerTokenWhenRemote() async throws {
        var f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        f.settings.host = "0.0.0.0"
        f.settings.allowRemote = true
        f.settings.token = "s3cret-token-0123456789"
        try await f.app().test(.router) { client in
            for uri in ["/", "/api/hosts", "/api/health", "/api/events", "/hosts/a.example.com", "/openapi.json"] {
                let none = try await client.execute(uri: uri, method: .get, headers: [WebHeaders.host: "fleet.example.com"])
                #expect(none.status == .unauthorized, "\(uri)")
                #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                let wrong = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer s3cret-token-012345678"])
                #expect(wrong.status == .unauthorized)
                #expect(!none.text.contains("a.example.com") && !wrong.text.contains("a.example.com"))
            }
            let basic = try await client.execute(uri: "/api/hosts", method: .get, headers: [.authorization: "Basic czNjcmV0"])
            #expect(basic.status == .unauthorized)
            let right = try await client.execute(uri: "/api/hosts", method: .get,
                                                 headers: [.authorization: "Bearer s3cret-token-0123456789", WebHeaders.host: "fleet.example.com"])
            #expect(right.status == .ok)
        }
    }

    @Test func readOnlyAndHeaders() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
                let r = try await client.execute(uri: "/api/hosts", method: method)
                #expect(r.status == .methodNotAllowed, "\(method)")
            }
            for uri in ["/", "/api/hosts", "/hosts/a.example.com", "/nothing", "/api/events?x"] where uri != "/api/events?x" {
                let r = try await client.execute(uri: uri, method: .get)
                let csp = try #require(r.headers[.contentSecurityPolicy], "\(uri)")
                #expect(csp.contains("script-src 'self'") && csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
            }
            let missing = try await client.execute(uri: "/nothing", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    /// Host-supplied text (a role file with a script, quotes, ampersands) is text on every page.
    @Test func hostileStringsAreEscaped() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            for uri in ["/", "/?filter=role~script", "/hosts/c10.example.com", "/hosts/a.example.com",
                        "/?filter=" + HTML.encode("role=\"><script>x</script>")] {
                let html = try await client.execute(uri: uri, method: .get).text
                #expect(!html.contains("<script>"), "\(uri)")
                #expect(!html.contains("alert('x')"), "\(uri)")
                // Our one script tag, by source; no inline handlers or styles.
                #expect(html.components(separatedBy: "<script").count == 2, "\(uri)")
                #expect(html.contains("<script src=\"/static/app.js\" defer></script>"))
                #expect(!html.contains(" onclick=") && !html.contains(" style=") && !html.contains("http://") && !html.contains("https://"))
            }
            let page = try await client.execute(uri: "/", method: .get).text
            #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"))
            let host = try await client.execute(uri: "/hosts/a.example.com", method: .get).text
            #expect(host.contains("RELOPS-1 &lt;script&gt;"))
        }
    }

    @Test func escaping() {
        #expect(HTML.esc("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTML.esc("a\u{1B}[31mb") == "a\u{FFFD}[31mb")
        #expect(HTML.href("/", [("filter", "a=b&c d\"<"), ("sort", "")]) == "/?filter=a%3Db%26c%20d%22%3C")
        #expect(HTML.hostPath("x/../y") == "/hosts/x%2F..%2Fy")
    }
}
