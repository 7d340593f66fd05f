import FleetCore
import FleetReport
import FleetStore
@testable import FleetWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Web API")
struct APITests {
    @Test func health() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            let ok = try await client.execute(uri: "/api/health", method: .get)
            #expect(ok.status == .ok)
            #expect(ok.object["ok"] as? Bool == true && ok.object["db_ok"] as? Bool == true && ok.object["version"] as? String == "9.9.9")
            // A store a new reader cannot read: overwritten with something that is no database
            // (its write-ahead log gone too, which would still hold the pages).
            try Data(repeating: 0x41, count: 8192).write(to: f.state.database)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: f.state.database.path + suffix) }
            let broken = try await client.execute(uri: "/api/health", method: .get)
            #expect(broken.status == .serviceUnavailable)
            #expect(broken.object["ok"] as? Bool == false && broken.object["db_ok"] as? Bool == false)
            #expect((broken.object["detail"] as? String)?.contains("cannot be read") == true)
            // And one that is gone.
            try FileManager.default.removeItem(at: f.state.database)
            #expect(try await client.execute(uri: "/api/health", method: .get).status == .serviceUnavailable)
        }
    }

    @Test func unreadableStoreIs503() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        try Data(repeating: 0x41, count: 8192).write(to: f.state.database)
        try FileManager.default.removeItem(atPath: f.state.database.path + "-wal")
        await f.model.load()
        #expect(f.model.current.storeError != nil)
        try await f.app().test(.router) { client in
            for uri in ["/api/health", "/api/hosts", "/api/hosts/a.example.com", "/"] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .serviceUnavailable, "\(uri)")
            }
        }
    }

    /// The rows are host-monitor --once --json's, byte for byte: the same functions at the same
    /// clock (the lab test compares with the binary itself).
    @Test func hostsAreTheReportsJSON() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        for (filter, sort) in [("", ""), ("status=ok", ""), ("", "host:desc"), ("healthy!=y sort:host:desc", "")] {
            var query = Query(filter)
            if !sort.isEmpty { query.sort = Query("sort:" + sort).sort + query.sort }
            let expected = try await f.loader.json(query.apply(try await f.loader.rows(hosts: nil, now: WebFixture.now)))
            let uri = "/api/hosts?filter=\(HTML.encode(filter))&sort=\(HTML.encode(sort))"
            try await f.app().test(.router) { client in
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = Array(r.text.utf8)
                let prefix = Array("{\"generated_at\":\"\(Timestamp.iso(WebFixture.now))\",\"rows\":".utf8)
                #expect(Array(body.prefix(prefix.count)) == prefix)
                #expect(Array(body.dropFirst(prefix.count).prefix(expected.count - 1)) == Array(expected.dropLast()), "\(uri)")
                let summary = try #require(r.object["summary"] as? [String: Any])
                #expect(summary["total_hosts"] as? Int == 3)
                #expect(summary["fqdn_suffix"] as? String == ".example.com")
                #expect(summary["data_is_stale"] as? Bool == false)
                #expect((summary["log_size_warnings"] as? [Any])?.isEmpty == true)
                #expect(summary["version"] as? String == "9.9.9")
                let decoded = try JSONDecoder().decode([ReportRow].self, from: Data(expected))
                #expect((r.object["rows"] as? [Any])?.count == decoded.count && summary["shown_hosts"] as? Int == decoded.count)
            }
        }
    }

    @Test func badQueriesAre400WithTheCLIsWords() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            let bad = try await client.execute(uri: "/api/hosts?filter=healthy%3Dn+bogus%3E1h", method: .get)
            #expect(bad.status == .badRequest)
            let text = "healthy=n bogus>1h"
            #expect(bad.object["detail"] as? String == Query(text).validate(text)?.description)
            #expect(bad.object["detail"] as? String == "unknown column: bogus (at 'bogus', character 11)")
            let junk = try await client.execute(uri: "/api/hosts?filter=nonsense", method: .get)
            #expect((junk.object["detail"] as? String)?.hasPrefix("query unrecognized") == true)
            let sort = try await client.execute(uri: "/api/hosts?sort=nope", method: .get)
            #expect(sort.status == .badRequest && sort.object["detail"] as? String == "sort: unknown sort column: nope")
            let window = try await client.execute(uri: "/api/hosts?limit=-1", method: .get)
            #expect(window.status == .badRequest)
        }
    }

    @Test func windowAndOrder() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            let all = try await client.execute(uri: "/api/hosts?sort=host:desc", method: .get)
            let hosts = (all.object["rows"] as? [[String: Any]])?.map { $0["host"] as? String }
            #expect(hosts == ["c10.example.com", "b.example.com", "a.example.com"])
            let page = try await client.execute(uri: "/api/hosts?offset=1&limit=1", method: .get)
            #expect((page.object["rows"] as? [[String: Any]])?.map { $0["host"] as? String } == ["b.example.com"])
            #expect((page.object["summary"] as? [String: Any])?["offset"] as? Int == 1)
        }
    }

    @Test func hostDetail() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/hosts/b.example.com", method: .get)
            #expect(r.status == .ok)
            let o = r.object
            for key in ["audit", "healthy_reasons", "history", "host", "latest", "latest_ok", "notes", "override", "row", "status",
                        "taskcluster", "values", "verdicts"] {
                #expect(o.keys.contains(key), "\(key)")
            }
            #expect(o["status"] as? String == "UNREACHABLE")
            #expect((o["history"] as? [[String: Any]])?.map { $0["ok"] as? Bool } == [false, true], "newest first")
            #expect((o["latest_ok"] as? [String: Any])?["ok"] as? Bool == true)
            #expect((o["healthy_reasons"] as? [String])?.first?.contains("UNREACHABLE") == true)
            #expect((o["audit"] as? [[String: Any]])?.map { $0["action"] as? String } == ["host.set_override"])
            #expect((o["verdicts"] as? [String: String])?["status"] == "act")
            let a = try await client.execute(uri: "/api/hosts/a.example.com", method: .get).object
            #expect((a["taskcluster"] as? [String: Any])?["worker_id"] != nil || (a["taskcluster"] as? [String: Any]) != nil)
            #expect((a["notes"] as? [[String: Any]])?.first?["note"] as? String == "RELOPS-1 \(WebFixture.hostile)")
            let missing = try await client.execute(uri: "/api/hosts/nope.example.com", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    /// vault.yaml is named by SHA and humanhash; its content, in the vault store, never leaves,
    /// not even when an audit line carries it.
    @Test func noVaultContent() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            let detail = try await client.execute(uri: "/api/hosts/a.example.com", method: .get)
            let audit = try #require(detail.object["audit"] as? [[String: Any]])
            #expect(audit.map { $0["action"] as? String } == ["host.set_vault", "host.set_override"], "the broken line skipped")
            #expect((audit[0]["parameters"] as? [String: Any])?.keys.sorted() == ["sha256"])
            #expect(audit[0]["content"] == nil)
            let sha = Digest.sha256Hex(Data(WebFixture.secretVault.utf8))
            let cells = try #require(detail.object["row"] as? [String: String])
            let vault = try #require(cells["vlt_sha"])
            #expect(vault.hasPrefix(String(sha.prefix(8))))
            for uri in ["/", "/hosts/a.example.com", "/api/hosts", "/api/hosts/a.example.com", "/api/filters"] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .ok && !r.text.contains(WebFixture.secret), "\(uri)")
            }
        }
    }

    @Test func namedFilters() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        let dir = f.state.root.appendingPathComponent("filters")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "query: os=L\ndescription: mine\n".write(to: dir.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        try "query: tc_quar=yes\ndescription: ours\n".write(to: dir.appendingPathComponent("quarantined.yaml"), atomically: true, encoding: .utf8)
        await f.model.load()
        try await f.app().test(.router) { client in
            let r = try await client.execute(uri: "/api/filters", method: .get)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [[String: String]])
            #expect(list.map { $0["name"]! } == list.map { $0["name"]! }.sorted())
            #expect(list.first { $0["name"] == "mine" } == ["name": "mine", "query": "os=L", "description": "mine", "source": "state"])
            #expect(list.first { $0["name"] == "quarantined" }?["description"] == "ours", "the state directory's wins")
            #expect(list.first { $0["name"] == "unreachable" }?["source"] == "shipped")
        }
    }

    /// /openapi.json names exactly the router's routes.
    @Test func openAPIMatchesTheRouter() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        await f.model.load()
        let router = WebApp.router(model: f.model, services: f.services, settings: f.settings)
        let routes = Set(router.routes.map { "\($0.method) \($0.path)" })
        try await f.app().test(.router) { client in
            let doc = try await client.execute(uri: "/openapi.json", method: .get).object
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(documented == routes)
            #expect(routes.allSatisfy { $0.hasPrefix("GET ") })
        }
    }
}
