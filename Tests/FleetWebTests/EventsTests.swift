import FleetCore
import FleetReport
import FleetStore
@testable import FleetWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/api/events` through the app's own poller: what a gather, a Taskcluster scan and a note
/// store reaches a listener, and the API shows it by then.
@Suite("Web events")
struct EventsTests {
    func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(10)
        while try await !condition() {
            guard Date() < deadline else { Issue.record("timed out waiting for \(what)"); return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func changesReachListeners() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        try await f.app().test(.router) { client in
            // The listener's response ends when the hub closes (as on shutdown).
            let stream = Task { try await client.execute(uri: "/api/events", method: .get) }
            try await waitFor("the listener") { f.model.hub.listenerCount == 1 }
            let before = f.model.current.generation
            try await ObservationStore(database: f.database).insert(WebFixture.record("d.example.com", role: "new_role"))
            try await waitFor("the observation") { f.model.current.rows.contains { $0.host == "d.example.com" } }
            // By the time the event goes out, the API answers with the new row.
            let hosts = try await client.execute(uri: "/api/hosts?filter=role%3Dnew_role", method: .get)
            #expect((hosts.object["rows"] as? [[String: Any]])?.map { $0["host"] as? String } == ["d.example.com"])
            #expect(f.model.current.generation > before)

            try await ServiceStore(database: f.database).insertWorkers([WebFixture.worker("b.example.com")])
            try await waitFor("the scan") { f.model.current.rows.first { $0.host == "b.example.com" }?.clock.workerKind == .worker }
            try await NotesStore(database: f.database).append(NoteRecord(action: "host.note_add", actor: "me", host: "d.example.com",
                                                                         ts: WebFixture.iso(1), note: "new"))
            try await waitFor("the note") { f.model.current.rows.first { $0.host == "d.example.com" }?[.note] == "new" }
            f.model.hub.close()
            let r = try await stream.value
            #expect(r.status == .ok && r.headers[.contentType] == "text/event-stream")
            let text = r.text
            #expect(text.hasPrefix("retry: 2000\n\nevent: hello\ndata: {\"generation\":"))
            let blocks = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            let names = blocks.compactMap { b in b.split(separator: "\n").first { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) } }
            #expect(names == ["hello", "observation", "taskcluster", "note"], "\(text)")
            let observation = try #require(blocks.first { $0.contains("event: observation") })
            #expect(observation.hasPrefix("id: "))
            let data = try #require(observation.split(separator: "\n").first { $0.hasPrefix("data: ") }).dropFirst(6)
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            #expect(payload["host"] as? String == "d.example.com" && payload["ok"] as? Bool == true && payload["status"] as? String == "OK")
            #expect((payload["row"] as? [String: String])?["role"] == "new_role")
            #expect((payload["verdicts"] as? [String: String])?["status"] == "neutral")
            let cells = try #require(payload["row"] as? [String: String])
            #expect(Set(cells.keys) == Set(ReportColumn.allCases.map(\.rawValue)))
        }
    }

    /// A changed host's cached JSON line is never served after the change.
    @Test func cachedLinesFollowChanges() async throws {
        let f = try WebFixture()
        defer { f.remove() }
        try await f.seed()
        await f.model.load()
        let first = f.model.json(f.model.current.rows, of: f.model.current)
        try await ObservationStore(database: f.database).insert(WebFixture.record("a.example.com", role: "changed"))
        await f.model.poll()
        let snapshot = f.model.current
        let second = String(decoding: f.model.json(snapshot.rows, of: snapshot), as: UTF8.self)
        #expect(second.contains("\"role\":\"changed\""))
        #expect(second == String(decoding: try await f.loader.json(try await f.loader.rows(hosts: nil, now: WebFixture.now)), as: UTF8.self))
        #expect(first != Array(second.utf8))
    }

    @Test func theHubEndsStreams() async {
        let hub = EventHub()
        let (_, events) = hub.subscribe()
        hub.send([WebEvent(name: "reload", data: "{}")])
        hub.close()
        var got: [String?] = []
        for await e in events { got.append(e.name) }
        #expect(got == ["reload"])
        let (_, late) = hub.subscribe()
        for await _ in late { Issue.record("a closed hub sends nothing") }
        #expect(hub.listenerCount == 0)
    }
}
