import FleetCore
@testable import FleetStore
import Foundation
import GRDB
import Testing

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func observation(_ host: String, ok: Bool, n: Int) -> HostObservation {
    var o = ObservedState()
    o.uptimeS = n
    return HostObservation(ts: "2026-11-24T10:00:00+00:00", actor: "test", host: host, ok: ok, sshRC: ok ? 0 : 255,
                           stderr: "", error: ok ? nil : "refused", errorClass: ok ? nil : .unreachable,
                           observed: ok ? o : nil)
}

@Suite("Observation store")
struct ObservationStoreTests {
    @Test func retentionKeepsNewestAndTheLastSuccess() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try FleetDatabase(state: StateDirectory(root: dir), retention: 10)
        let store = ObservationStore(database: db)
        try await store.insert(observation("h1", ok: true, n: 0))
        for i in 1...14 { try await store.insert(observation("h1", ok: false, n: i)) }
        try await store.insert(observation("h2", ok: true, n: 99))
        let history = try await store.history(host: "h1")
        #expect(history.count == 11)
        #expect(history.first?.ok == false)
        #expect(history.last?.ok == true)
        #expect(history.last?.observed?.uptimeS == 0)

        let latest = try await store.latest()
        #expect(latest["h1"]?.latest.errorClass == .unreachable)
        #expect(latest["h1"]?.latestOK?.observed?.uptimeS == 0)
        #expect(latest["h2"]?.latest.ok == true)
        #expect(try await store.latest(hosts: ["h2"]).keys.sorted() == ["h2"])
    }

    @Test func latestThroughAnIdIgnoresLaterObservations() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try FleetDatabase(state: StateDirectory(root: dir))
        let store = ObservationStore(database: db)
        try await store.insert(observation("h1", ok: true, n: 1))
        try await store.insert(observation("h2", ok: true, n: 2))
        let mark = try await store.newestID()
        try await store.insert(observation("h1", ok: false, n: 3))
        try await store.insert(observation("h3", ok: true, n: 4))
        let then = try await store.latest(through: mark)
        #expect(then.keys.sorted() == ["h1", "h2"])
        #expect(then["h1"]?.latest.ok == true)
        #expect(try await store.latest(hosts: ["h1"], through: mark)["h1"]?.latest.observed?.uptimeS == 1)
        // What came after the mark is exactly what a follower reads next.
        #expect(try await store.observations(after: mark).records.map(\.host) == ["h1", "h3"])
        let stamp = try await db.changeStamp()
        #expect(stamp.observations == mark + 2)
    }

    @Test func sameSecondObservationsAreBothKept() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ObservationStore(database: try FleetDatabase(state: StateDirectory(root: dir)))
        try await store.insert(observation("h", ok: true, n: 1))
        try await store.insert(observation("h", ok: true, n: 2))
        let history = try await store.history(host: "h")
        #expect(history.map { $0.observed?.uptimeS } == [2, 1])
    }

    @Test func databaseIsWALWithTheOldColumnsAndJSON() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try FleetDatabase(state: StateDirectory(root: dir))
        try await ObservationStore(database: db).insert(observation("h", ok: true, n: 5))
        let (mode, data) = try await db.writer.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try String.fetchOne(db, sql: "SELECT data FROM host_observations WHERE host = 'h'"))
        }
        #expect(mode == "wal")
        let text = try #require(data)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["action"] as? String == "host.audit")
        let observed = try #require(object["observed"] as? [String: Any])
        #expect(observed["uptime_s"] as? Int == 5)
        #expect(observed.keys.contains("role"))
    }
}

@Suite("Content store")
struct ContentStoreTests {
    @Test func storesByPrefixIdempotentlyWithMode() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ContentStore(directory: dir.appendingPathComponent("vault_yamls"), fileMode: 0o600)
        let content = Data("secret: x\n".utf8)
        let sha = Digest.sha256Hex(content)
        let a = try store.store(content)
        let b = try store.store(content)
        #expect(a == b)
        #expect(a.lastPathComponent == String(sha.prefix(12)))
        let attrs = try FileManager.default.attributesOfItem(atPath: a.path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        #expect(store.path(forSHA: sha) == a)
        #expect(store.storedSHAs() == [sha])
    }

    @Test func collisionsGrowThePrefix() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ContentStore(directory: dir, fileMode: 0o644)
        let content = Data("PUPPET_BRANCH=\"x\"\n".utf8)
        let sha = Digest.sha256Hex(content)
        // Another content already sits under the 12- and 16-character names.
        try Data("other".utf8).write(to: dir.appendingPathComponent(String(sha.prefix(12))))
        try Data("another".utf8).write(to: dir.appendingPathComponent(String(sha.prefix(16))))
        let path = try store.store(content)
        #expect(path.lastPathComponent == String(sha.prefix(20)))
        #expect(try Data(contentsOf: path) == content)
        #expect(store.path(forSHA: sha) == path)
        #expect(try store.store(content) == path)
        // Files whose name is not a prefix of their own SHA are not offered as known content.
        #expect(store.storedSHAs() == [sha])
    }

    @Test func leavesNoTemporaryFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ContentStore(directory: dir, fileMode: 0o644)
        for i in 0..<20 { try store.store(Data("content \(i)".utf8)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(names.count == 20)
        #expect(!names.contains { $0.hasPrefix(".") })
    }
}

@Suite("State directory")
struct StateDirectoryTests {
    @Test func explicitThenEnvironmentThenHome() {
        #expect(StateDirectory.resolve(explicit: "/a", environment: ["FLEETROLL_HOME": "/b", "HOME": "/h"]).root.path == "/a")
        #expect(StateDirectory.resolve(explicit: nil, environment: ["FLEETROLL_HOME": "/b", "HOME": "/h"]).root.path == "/b")
        #expect(StateDirectory.resolve(explicit: nil, environment: ["HOME": "/h"]).root.path == "/h/.fleetroll")
        let s = StateDirectory(root: URL(fileURLWithPath: "/h/.fleetroll"))
        #expect(s.database.path == "/h/.fleetroll/store.db" && s.pythonDatabase.path == "/h/.fleetroll/fleetroll.db")
        #expect(s.overrides.path == "/h/.fleetroll/overrides")
        #expect(s.vaultYAMLs.path == "/h/.fleetroll/vault_yamls")
        #expect(s.sshControl.path == "/h/.fleetroll/ssh")
    }

    @Test func deepStateDirectoriesGetAShortSocketDirectory() {
        let deep = StateDirectory(root: URL(fileURLWithPath: "/" + String(repeating: "very-long-directory-name/", count: 4)))
        #expect(deep.sshControl.path.hasPrefix("/tmp/fleetroll-ssh-"))
        #expect(deep.sshControl.path.utf8.count + 58 < 104)
    }
}

@Suite("Audit log")
struct AuditLogTests {
    struct Line: Codable { var host: String; var n: Int; var pad: String }

    @Test func concurrentAppendsStayWholeLines() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = AuditLog(url: dir.appendingPathComponent("audit.jsonl"))
        let pad = String(repeating: "x", count: 8000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 { group.addTask { try log.append(Line(host: "h\(i % 7)", n: i, pad: pad)) } }
            try await group.waitForAll()
        }
        let records = log.records()
        #expect(records.count == 200)
        #expect(Set(records.compactMap { $0["n"] as? Int }) == Set(0..<200))
    }

    @Test func rotationKeepsTheOldFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = AuditLog(url: dir.appendingPathComponent("audit.jsonl"))
        try log.append(Line(host: "a", n: 1, pad: ""))
        let small = try log.rotate(threshold: 1 << 20, force: false, dryRun: false)
        #expect(small.rotatedTo == nil)
        let dry = try log.rotate(threshold: 1, force: false, dryRun: true)
        #expect(dry.rotatedTo != nil)
        #expect(FileManager.default.fileExists(atPath: log.url.path))
        let done = try log.rotate(threshold: 1 << 20, force: true, dryRun: false)
        let target = try #require(done.rotatedTo)
        #expect(target.lastPathComponent.hasPrefix("audit.jsonl."))
        #expect(!FileManager.default.fileExists(atPath: log.url.path))
        #expect(AuditLog(url: target).records().count == 1)
        try log.append(Line(host: "b", n: 2, pad: ""))
        #expect(log.records().count == 1)
    }
}

@Suite("Content lookup")
struct ContentLookupTests {
    @Test func prefixHumanhashAmbiguityAndNotFound() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ContentStore(directory: dir, fileMode: 0o644)
        let secret = Data("secret: abc\nother: 1\n".utf8)   // humanhash texas-vermont
        let a = try store.store(secret)
        let b = try store.store(Data("hello".utf8))           // 2cf24dba...
        #expect(try store.lookup(String(a.lastPathComponent.prefix(6))) == .found(a))
        #expect(try store.lookup("2CF24D") == .found(b))
        #expect(try store.lookup("texas-vermont") == .found(a))
        #expect(try store.lookup("purple-jersey") == .found(b))
        #expect(try store.lookup("") == .notFound)
        #expect(try store.lookup("   ") == .notFound)
        #expect(try store.lookup("ffffffff") == .notFound)
        #expect(try store.lookup("zulu-zulu") == .notFound)

        // Same humanhash, two files: a copy under a longer (collision-style) name.
        let copy = dir.appendingPathComponent(Digest.sha256Hex(secret).prefix(16).description)
        try secret.write(to: copy)
        if case .ambiguous(let matches) = try store.lookup("texas-vermont") {
            #expect(matches.count == 2)
            #expect(matches.allSatisfy { $0.hasPrefix(String(Digest.sha256Hex(secret).prefix(12))) })
        } else {
            Issue.record("expected an ambiguous humanhash")
        }
        if case .ambiguous(let names) = try store.lookup(String(Digest.sha256Hex(secret).prefix(12))) {
            #expect(names.count == 2)
        } else {
            Issue.record("expected an ambiguous prefix")
        }
    }

    @Test func temporaryFilesAndLinksAreNeverMatched() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = ContentStore(directory: dir, fileMode: 0o644)
        let real = try store.store(Data("x".utf8))
        try Data("half".utf8).write(to: dir.appendingPathComponent(".tmp_abcdef"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("aaaaaaaaaaaa").path, withDestinationPath: real.path)
        #expect(try store.lookup("aaaa") == .notFound)
        #expect(try store.lookup(".tmp") == .notFound)
        #expect(throws: ContentStoreError.self) {
            try ContentStore(directory: dir.appendingPathComponent("missing"), fileMode: 0o644).lookup("ab")
        }
    }
}

@Suite("Decoding stored records")
struct DecodeAllTests {
    struct Item: Codable, Sendable, Equatable { var n: Int }

    @Test func decodesInOrderAndReportsABadRecord() throws {
        let texts = (0..<1000).map { "{\"n\": \($0)}" }
        #expect(try StoredJSON.decodeAll(texts, as: Item.self).map(\.n) == Array(0..<1000))
        #expect(throws: (any Error).self) { try StoredJSON.decodeAll(texts + ["{"], as: Item.self) }
    }
}
