import FleetCore
import FleetReport
import FleetStore
@testable import FleetWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension WebFixture {
    static let rolloutID = "ro-20261202-0c0a"

    /// A rollout over the seeded hosts, stored as the engine stores it: the canary (a) applied,
    /// a forced advance with its gates, b failed in stage 1, c10 in no stage; then a pause. Its
    /// name is hostile.
    @discardableResult
    func storeRollout() async throws -> Rollout {
        let store = RolloutStore(database: database)
        let hosts = ["a.example.com", "b.example.com", "c10.example.com"]
        func stamp(_ ts: String, _ reason: String? = nil) -> Rollout.Stamp { Rollout.Stamp(ts: ts, actor: "relops", reason: reason) }
        var r = try Rollout.plan(id: Self.rolloutID, name: "canary \(Self.hostile)", created: stamp("2026-12-02T07:00:00+00:00"),
                                 overrideSHA256: String(repeating: "d", count: 64), vaultSHA256: nil, targets: hosts, skipped: [],
                                 canary: 1, batchPct: 34, gates: .defaults)
        try await store.create(r, event: RolloutEvent(rolloutID: r.id, action: .create, stamp: r.created, hosts: hosts, state: r.state, outcome: "created"))
        r = try r.started(at: "2026-12-02T07:01:00+00:00").written(hosts[0], state: .applied, result: "OK", error: nil, at: "2026-12-02T07:02:00+00:00")
        try await store.save(r, event: RolloutEvent(rolloutID: r.id, action: .start, stamp: stamp("2026-12-02T07:01:00+00:00"), stage: 0,
                                                    hosts: [hosts[0]], state: r.state, outcome: "started"))
        let gates = [GateResult(key: .appliedMinPct, value: 100, threshold: 100, passed: true, explanation: "1 of 1 stage host(s) APPLIED Y"),
                     GateResult(key: .healthyMinPct, value: 0, threshold: 100, passed: false, explanation: "0 of 1 \(Self.hostile)")]
        r = try r.advanced(at: "2026-12-02T07:04:00+00:00", batchSize: 1, gates: gates, force: true, reason: "RELOPS-9 \(Self.hostile)")
        try await store.save(r, event: RolloutEvent(rolloutID: r.id, action: .advance, stamp: stamp("2026-12-02T07:04:00+00:00", "RELOPS-9 \(Self.hostile)"),
                                                    force: true, stage: 1, hosts: [hosts[1]], gates: .defaults, gateResults: gates,
                                                    state: r.state, outcome: "advanced to stage 1 (1 host(s))"))
        r = try r.written(hosts[1], state: .failed, result: "FAIL", error: "ssh: refused", at: "2026-12-02T07:05:00+00:00").paused()
        try await store.save(r, event: RolloutEvent(rolloutID: r.id, action: .pause, stamp: stamp("2026-12-02T07:06:00+00:00"), stage: 1,
                                                    state: r.state, outcome: "paused"))
        return r
    }
}

/// `/rollouts`, `/rollouts/{id}` and their API: read-only, escaped, coloured by the verdicts.
@Suite("Web: rollouts")
struct RolloutPageTests {
    @Test func theListAndTheHeader() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            let empty = try await client.execute(uri: "/rollouts", method: .get)
            #expect(empty.status == .ok && empty.text.contains("No rollouts yet"))
            #expect(try await client.execute(uri: "/", method: .get).text.contains("<a href=\"/rollouts\" id=\"rollouts-link\">rollouts</a>"))
        }
        try await f.storeRollout()
        await f.model.poll()
        try await f.app().test(.router) { client in
            let list = try await client.execute(uri: "/rollouts", method: .get)
            #expect(list.status == .ok && list.headers[.contentType] == "text/html; charset=utf-8")
            let html = list.text
            #expect(html.contains("<tr data-rollout=\"\(WebFixture.rolloutID)\"><td><a href=\"/rollouts/\(WebFixture.rolloutID)\">"))
            #expect(html.contains("<td class=\"state v-act\">paused</td>"), "paused: act, as CellVerdict says")
            #expect(html.contains("<td>2/3 applying</td>") && html.contains("<td>1/3 applied</td>"))
            #expect(html.contains("2026-12-02T07:00:00+00:00 by relops"))
            #expect(!html.contains(WebFixture.hostile) && html.contains(HTML.esc("canary \(WebFixture.hostile)")), "the name is escaped")
            // Every page's bar names the rollout holding hosts, linking to it.
            for uri in ["/", "/rollouts", "/hosts/a.example.com"] {
                let page = try await client.execute(uri: uri, method: .get).text
                #expect(page.contains("<a class=\"rollout v-act\" href=\"/rollouts/\(WebFixture.rolloutID)\""), "\(uri)")
                #expect(page.contains(">rollout \(WebFixture.rolloutID): stage 2/3 paused</a>"), "\(uri)")
            }
        }
    }

    @Test func aRolloutsPage() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        try await f.storeRollout()
        await f.model.load()
        try await f.app().test(.router) { client in
            let response = try await client.execute(uri: "/rollouts/\(WebFixture.rolloutID)", method: .get)
            #expect(response.status == .ok)
            let html = response.text
            #expect(html.contains("data-page=\"rollout\"") && html.contains("<h1>Rollout \(WebFixture.rolloutID): "))
            #expect(!html.contains(WebFixture.hostile), "every stored string is escaped")
            #expect(html.contains("<section id=\"stage-0\" class=\"stage\"><h2>Stage 0 (canary) – 1 of 3: advanced</h2>"))
            #expect(html.contains("<section id=\"stage-1\" class=\"stage\"><h2>Stage 1 – 2 of 3: applying</h2>"))
            // Hosts link to their pages, their rollout state and the report's cells coloured by verdict.
            #expect(html.contains("<tr data-host=\"a.example.com\"><td><a href=\"/hosts/a.example.com\">a.example.com</a></td><td class=\"v-good\">applied</td>"))
            #expect(html.contains("<td class=\"v-act\">failed</td><td>FAIL: ssh: refused</td>"))
            #expect(html.contains("<td class=\"c-status v-act\">UNREACHABLE</td>"), "b's latest gather failed")
            // The gates the forced advance judged stage 0 by.
            #expect(html.contains("<h3>Gates, as judged 2026-12-02T07:04:00+00:00 by relops (advance)</h3>"))
            #expect(html.contains("<tr data-gate=\"applied_min_pct\"><td>applied_min_pct</td><td>100</td><td>100</td><td class=\"v-good\">PASS</td>"))
            #expect(html.contains("<tr data-gate=\"healthy_min_pct\"><td>healthy_min_pct</td><td>0</td><td>100</td><td class=\"v-act\">FAIL</td>"))
            #expect(html.contains("Gates not judged yet"), "stage 1")
            #expect(html.contains("<section id=\"unstaged\"><h2>In no stage yet (1)</h2><p><a href=\"/hosts/c10.example.com\">"))
            // Decisions: who, when, what, force and reason.
            #expect(html.contains("<tr data-action=\"advance\"><td>2026-12-02T07:04:00+00:00</td><td>relops</td><td>advance</td><td>1</td>"
                                  + "<td class=\"v-watch\">yes</td><td>RELOPS-9 \(HTML.esc(WebFixture.hostile))</td>"))
            #expect(html.components(separatedBy: "<tr data-action=").count == 5, "create, start, advance, pause")

            let missing = try await client.execute(uri: "/rollouts/ro-20261202-ffff", method: .get)
            #expect(missing.status == .notFound && missing.text.contains("No such rollout: ro-20261202-ffff"))
            let hostile = try await client.execute(uri: "/rollouts/%3Cscript%3Ex", method: .get)
            #expect(hostile.status == .notFound && !hostile.text.contains("<script>x") && hostile.text.contains("&lt;script&gt;x"))
        }
    }

    @Test func theAPI() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        try await f.storeRollout()
        await f.model.load()
        try await f.app().test(.router) { client in
            let list = try await client.execute(uri: "/api/rollouts", method: .get)
            #expect(list.status == .ok && list.headers[.contentType] == "application/json; charset=utf-8")
            let body = list.object
            #expect(body["active"] as? [String] == [WebFixture.rolloutID])
            let rollouts = try #require(body["rollouts"] as? [[String: Any]])
            #expect(rollouts.count == 1)
            #expect(rollouts[0]["id"] as? String == WebFixture.rolloutID && rollouts[0]["state"] as? String == "paused")
            #expect(rollouts[0]["name"] as? String == "canary \(WebFixture.hostile)", "JSON carries the name as stored")
            #expect(rollouts[0]["hosts_applied"] as? Int == 1 && rollouts[0]["hosts_total"] as? Int == 3)
            let stage = try #require(rollouts[0]["stage"] as? [String: Any])
            #expect(stage["number"] as? Int == 2 && stage["of"] as? Int == 3 && stage["state"] as? String == "applying")
            #expect((rollouts[0]["last_decision"] as? [String: Any])?["action"] as? String == "pause")

            let one = try await client.execute(uri: "/api/rollouts/\(WebFixture.rolloutID)", method: .get)
            #expect(one.status == .ok)
            let page = try JSONDecoder().decode(RolloutPage.self, from: Data(one.text.utf8))
            #expect(page.summary.id == WebFixture.rolloutID && page.stages.count == 2 && page.events.count == 4)
            #expect(page.stages[0].gates?.results.map(\.passed) == [true, false])
            #expect(page.events[2].force && page.events[2].reason == "RELOPS-9 \(WebFixture.hostile)")

            let missing = try await client.execute(uri: "/api/rollouts/ro-20261202-ffff", method: .get)
            #expect(missing.status == .notFound && missing.object["detail"] as? String == "no such rollout: ro-20261202-ffff")
            // Read-only like every route.
            #expect(try await client.execute(uri: "/api/rollouts", method: .post).status == .methodNotAllowed)
        }
    }

    @Test func aRolloutChangeIsAnEvent() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        let before = f.model.current.generation
        let (id, stream) = f.model.hub.subscribe()
        defer { f.model.hub.end(id) }
        try await f.storeRollout()
        await f.model.poll()
        #expect(f.model.current.generation == before + 1 && f.model.current.rollouts.map(\.id) == [WebFixture.rolloutID])
        var events = stream.makeAsyncIterator()
        let event = await events.next()
        #expect(event?.name == "rollout" && event?.data == "{\"generation\":\(before + 1),\"type\":\"rollout\"}")
        #expect(f.model.current.rows.count == 3, "the rows stay")
    }
}
