import FleetCore
import FleetReport
import FleetStore
import Foundation
import Testing

/// data-freshness, notes and named filters through the real binary and a real store.
@Suite("Report commands")
struct ReportCommandTests {
    func observation(_ host: String, ok: Bool, ago: Double) -> HostObservation {
        var o = ObservedState()
        o.osType = "Linux"
        return HostObservation(ts: Timestamp.iso(Date().addingTimeInterval(-ago)), actor: "t", host: host, ok: ok,
                               sshRC: ok ? 0 : 255, stderr: "", errorClass: ok ? nil : .unreachable, observed: ok ? o : nil)
    }

    @Test func dataFreshness() async throws {
        let state = try makeTemporaryDirectory("fresh")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let noDB = try runCommand([Binaries.fleetroll, "data-freshness", "--state-dir", state, "--all"])
        #expect(noDB.exitCode == 1 && noDB.stdout.contains("status:          no_data"))

        let store = ObservationStore(database: try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state))))
        let hosts = (1...5).map { "h\($0).example.com" }
        for (i, h) in hosts.enumerated() { try await store.insert(observation(h, ok: true, ago: i < 4 ? 60 : 7200)) }
        try await store.insert(observation("bad.example.com", ok: false, ago: 10))

        let all = try runCommand([Binaries.fleetroll, "data-freshness", "--state-dir", state, "--all", "--json"])
        let j = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [String: Any])
        #expect(j["status"] as? String == "stale", "4 of 6 hosts is 66.7%")
        #expect(j["hosts_total"] as? Int == 6 && j["hosts_with_ok"] as? Int == 5 && j["hosts_fresh"] as? Int == 4)
        #expect(j["fresh_pct"] as? Double == 66.7)
        #expect(all.exitCode == 1)
        #expect(all.stdout.hasPrefix("{\"status\""), "keys in the documented order")

        let list = state + "/some.list"
        try hosts.prefix(4).joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let subset = try runCommand([Binaries.fleetroll, "data-freshness", "--state-dir", state, list])
        #expect(subset.exitCode == 0 && subset.stdout.contains("fresh:           4/4 (100.0%, min 80%)"))
        let strict = try runCommand([Binaries.fleetroll, "data-freshness", "--state-dir", state, "--all", "--min-fresh-pct", "60"])
        #expect(strict.exitCode == 0)
        let usage = try runCommand([Binaries.fleetroll, "data-freshness", "--state-dir", state])
        #expect(usage.exitCode == 2 && usage.stderr.contains("Specify either HOSTS_FILE or --all."))
    }

    @Test func notes() throws {
        let state = try makeTemporaryDirectory("notes")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let host = "t-linux64-ms-016.test.releng.mdc1.mozilla.com"
        func run(_ args: [String]) throws -> CommandResult { try runCommand([Binaries.fleetroll] + args.prefix(1) + ["--state-dir", state] + args.dropFirst()) }
        #expect(try run(["note-add", "ms17", "x"]).stdout == "Note added for t-linux64-ms-017.test.releng.mdc1.mozilla.com: x\n", "short names expand")
        #expect(try run(["note-add", host, "first"]).exitCode == 0)
        #expect(try run(["note-add", "relops@" + host, "second"]).stdout == "Note added for \(host): second\n", "user@ is dropped")
        var shown = try run(["show-notes", host]).stdout.split(separator: "\n")
        #expect(shown.count == 2 && shown[1].hasSuffix(" second"))
        #expect(try run(["show-notes", host, "--limit", "1"]).stdout.split(separator: "\n").count == 1)
        #expect(try run(["show-notes", host, "--limit", "0"]).exitCode == 2)
        let monitor = try run(["host-monitor", "--once", "--columns", "host,note", host]).stdout
        #expect(monitor.contains("(2) second"))
        #expect(try run(["note-clear", host, "--reason", "fixed"]).stdout == "Notes cleared for \(host)\n")
        #expect(try run(["show-notes", host]).stdout == "No notes for \(host)\n")
        shown = try run(["show-notes", host, "-i"]).stdout.split(separator: "\n")
        #expect(shown.count == 3 && shown[2].hasSuffix("[CLEARED] (fixed)"))
        let json = try run(["show-notes", host, "--json", "-i"]).stdout
        let records = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(records.map { $0["action"] as? String } == ["host.note_add", "host.note_add", "host.note_clear"])
    }

    @Test func namedFilters() throws {
        let dir = try makeTemporaryDirectory("filters")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "query: \" os=L \"\ndescription: Linux\n".write(toFile: dir + "/linux.yaml", atomically: true, encoding: .utf8)
        try "query: healthy=n\n".write(toFile: dir + "/unhealthy.yaml", atomically: true, encoding: .utf8)
        try "description: no query\n".write(toFile: dir + "/broken.yaml", atomically: true, encoding: .utf8)
        try "- a list\n".write(toFile: dir + "/list.yaml", atomically: true, encoding: .utf8)
        try "query: x=y\n".write(toFile: dir + "/ignored.yml", atomically: true, encoding: .utf8)
        try "query: [unclosed\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let all = NamedFilters.load(from: [dir, dir + "/missing"], builtIn: false)
        #expect(all.map(\.name) == ["linux", "unhealthy"])
        #expect(all[0].query == "os=L" && all[0].description == "Linux" && all[1].description == "")
        #expect(try NamedFilters.resolve("unhealthy", directories: [dir]).query == "healthy=n")
        #expect(try NamedFilters.resolve("quarantined", directories: [dir]).path == NamedFilters.builtInPath, "shipped filters travel with the binary")
        #expect(try NamedFilters.resolve("linux", directories: [dir]).description == "Linux", "a saved filter wins over a shipped one")
        #expect(NamedFilters.load(from: [dir]).contains { $0.name == "quarantined" })
        #expect(try NamedFilters.resolve(dir + "/linux.yaml", directories: []).query == "os=L")
        #expect(throws: NamedFilterError.self) { try NamedFilters.resolve("broken", directories: [dir]) }
        do {
            _ = try NamedFilters.resolve("nope", directories: [dir], builtIn: false)
            Issue.record("found a filter that does not exist")
        } catch {
            #expect(error.message.contains("known: linux, unhealthy"))
        }
    }
}
