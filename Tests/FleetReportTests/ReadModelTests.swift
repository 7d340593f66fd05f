import FleetCore
import FleetReport
import FleetStore
import Foundation
import Synchronization
import Testing

/// A state directory for the content stores, with the database in memory.
struct Fixture {
    let state: StateDirectory
    let database: FleetDatabase
    let loader: ReportLoader
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        state = StateDirectory(root: dir)
        database = try FleetDatabase.inMemory()
        loader = ReportLoader(state: state, database: database)
    }

    func remove() { try? FileManager.default.removeItem(at: state.root) }

    static func iso(_ ago: Double) -> String { Timestamp.iso(now.addingTimeInterval(-ago)) }

    static let master = String(repeating: "a", count: 40)
    static let override = "PUPPET_REPO=\"https://github.com/jdoe/ronin_puppet.git\"\nPUPPET_BRANCH=\"test\"\n"

    static func record(_ host: String, ok: Bool = true, ago: Double = 60, override: Bool = false) -> HostObservation {
        var o = ObservedState()
        o.osType = "Linux"
        o.rolePresent = true
        o.role = "gecko_t_linux_talos"
        o.uptimeS = 7200
        o.puppet.ts = iso(ago + 600)
        o.puppet.success = true
        o.puppet.gitSHA = master
        if override {
            o.overridePresent = true
            o.overrideSHA256 = Digest.sha256Hex(Data(Self.override.utf8))
            o.puppet.overrideSHA = o.overrideSHA256
        }
        return HostObservation(ts: iso(ago), actor: "t", host: host, ok: ok, sshRC: ok ? 0 : 255, stderr: ok ? "" : "refused",
                               error: ok ? nil : "ssh: connect: Connection refused", errorClass: ok ? nil : .unreachable,
                               observed: ok ? o : nil)
    }

    static func worker(_ host: String, activeAgo: Double = 120) -> WorkerRecord {
        var w = WorkerRecord(type: .worker, ts: iso(30), host: host, workerId: String(host.prefix(5)))
        w.workerType = "gecko-t-linux-talos"
        w.provisioner = "releng-hardware"
        w.lastDateActive = iso(activeAgo)
        w.taskStarted = iso(900)
        w.taskResolved = iso(300)
        w.taskState = "completed"
        return w
    }

    func seed() async throws {
        let store = ObservationStore(database: database)
        try state.overrideStore.store(Data(Self.override.utf8))
        try await store.insert([Self.record("a.example.com", override: true), Self.record("b.example.com", ago: 600)])
        try await store.insert(Self.record("b.example.com", ok: false))
        try await store.insert(Self.record("c.example.com", ok: false))
        try await ServiceStore(database: database).insertWorkers([Self.worker("a.example.com"), Self.worker("b.example.com", activeAgo: 7200)])
        let ts = Timestamp.iso(Self.now)
        try await ServiceStore(database: database).insertRefs([
            BranchRef(ts: ts, owner: "mozilla-platform-ops", repo: "ronin_puppet", branch: "master", sha: Self.master),
            BranchRef(ts: ts, owner: "jdoe", repo: "ronin_puppet", branch: "test", sha: Self.master),
        ], pools: [])
        try await ServiceStore(database: database).recordRun("github", at: Self.now, ok: true, summary: [:])
        try await NotesStore(database: database).append(NoteRecord(action: "host.note_add", actor: "me", host: "a.example.com", ts: ts, note: "canary"))
    }
}

@Suite("Read model")
struct ReadModelTests {
    /// The hand-written --json decodes to the same rows `ReportRow`'s Codable gives from the
    /// records themselves.
    @Test func jsonIsTheRowsAndTheirRecords() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try await f.seed()
        let hosts = ["a.example.com", "b.example.com", "c.example.com", "never.example.com"]
        let rows = try await f.loader.rows(hosts: hosts, now: Fixture.now)
        let bytes = try await f.loader.json(rows)
        let decoded = try JSONDecoder().decode([ReportRow].self, from: Data(bytes))
        let latest = try await ObservationStore(database: f.database).latest()
        let workers = try await ServiceStore(database: f.database).latestWorkers()
        let expected = rows.map { row -> ReportRow in
            let h = latest[row.host]
            return ReportRow(row, record: h?.latest, observed: h?.latestOK?.observed, taskcluster: workers[row.host])
        }
        #expect(decoded == expected)
        #expect(decoded.map(\.host) == hosts)
        #expect(decoded[1].status == "UNREACHABLE" && decoded[1].errorClass == .unreachable && decoded[1].observed?.role == "gecko_t_linux_talos")
        #expect(decoded[0].row["note"] == "canary" && decoded[0].row["ovr_bch"]?.hasPrefix("test (") == true)
        #expect(decoded[3].record == nil && decoded[3].row["status"] == "UNK")
        // Every key is there, null or not, as JSONFormat writes a ReportRow.
        let fast = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
        let slow = try #require(try JSONSerialization.jsonObject(with: try JSONFormat.compact.encode(expected)) as? [[String: Any]])
        for (a, b) in zip(fast, slow) {
            #expect(Set(a.keys) == Set(b.keys))
            #expect(Set((a["values"] as! [String: Any]).keys) == Set((b["values"] as! [String: Any]).keys))
        }
        #expect(try await f.loader.json([]) == Array("[]\n".utf8))
    }

    @Test func theTableIsColouredByVerdict() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try await f.seed()
        let rows = try await f.loader.rows(hosts: ["a.example.com", "b.example.com"], now: Fixture.now)
        let plain = String(decoding: ReportTable(columns: [.host, .healthy, .status]).render(rows), as: UTF8.self)
        #expect(plain == "HOST           HEALTHY  STATUS\na.example.com  Y        OK\nb.example.com  N        UNREACHABLE\n")
        let coloured = String(decoding: ReportTable(columns: [.host, .healthy], colour: true).render(rows), as: UTF8.self)
        #expect(coloured.contains("\u{1B}[32mY\u{1B}[0m") && coloured.contains("\u{1B}[31mN\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[31mb.example.com"), "a failing host's name is red")
        #expect(CellVerdict.of(.ppMatch, rows[1]) == .good && CellVerdict.of(.status, rows[1]) == .act)
    }

    @Test func aLargeTableIsWrittenInPartsInOrder() throws {
        // 5,000 rows: written a part of at most 1,024 lines at a time, never the whole text.
        let rows = (0..<5000).map { i in HostRow(host: "h\(i).example.com", cells: [.host: "h\(i).example.com", .status: i % 7 == 0 ? "UNREACHABLE" : "OK"], status: "OK") }
        let table = ReportTable(columns: [.host, .status])
        var parts: [[UInt8]] = []
        table.render(rows) { parts.append($0) }
        let lines = String(decoding: parts.joined(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5002 && lines.last == "", "a header, one line per row, a final newline")
        #expect(lines[0] == "HOST               STATUS")
        #expect(lines[1] == "h0.example.com     UNREACHABLE" && lines[5000] == "h4999.example.com  OK")
        #expect(lines.dropFirst().dropLast().enumerated().allSatisfy { i, line in line.hasPrefix("h\(i).example.com ") })
        #expect(parts.count > 1 && parts.dropFirst().allSatisfy { $0.count(where: { $0 == 0x0A }) <= 1024 })
        #expect(parts.joined().elementsEqual(table.render(rows)))
    }

    @Test func theFeedFoldsInWhatTheStoreLearns() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try await f.seed()
        let clock = Mutex(Fixture.now)
        let feed = LiveReport(loader: f.loader, hosts: nil, clock: { clock.withLock { $0 } })
        try await feed.load()
        #expect(await feed.names == ["a.example.com", "b.example.com", "c.example.com"])
        #expect(try await feed.poll().isEmpty, "nothing new")
        let events = await feed.subscribe()

        // A new observation: an event with the host's row as it stood, and the row in place.
        try await ObservationStore(database: f.database).insert([Fixture.record("b.example.com"), Fixture.record("d.example.com")])
        let news = try await feed.poll()
        #expect(news.count == 2)
        guard case .observation(let e) = news.first else { Issue.record("no observation event"); return }
        #expect(e.record.host == "b.example.com" && e.row.status == "OK")
        #expect(await feed.row(for: "b.example.com")?.status == "OK")
        #expect(await feed.names.last == "d.example.com", "a new host joins an unlisted feed")
        let line = try await feed.jsonLine(e)
        #expect(try JSONDecoder().decode(ReportRow.self, from: Data(line.utf8)).record?.host == "b.example.com")

        // Taskcluster, notes and the content stores reload everything, saying why.
        try await ServiceStore(database: f.database).insertWorkers([Fixture.worker("c.example.com")])
        #expect(try await causes(feed) == [.taskcluster])
        try await NotesStore(database: f.database).append(NoteRecord(action: "host.note_add", actor: "me", host: "c.example.com", ts: "t", note: "x"))
        #expect(try await causes(feed) == [.notes])
        #expect(await feed.row(for: "c.example.com")?[.note] == "x")
        try await Task.sleep(nanoseconds: 1_100_000_000)  // directory times have a resolution of a second on some file systems
        try f.state.overrideStore.store(Data("PUPPET_BRANCH=\"other\"\n".utf8))
        #expect(try await causes(feed) == [.content])
        await feed.requestReload()
        #expect(try await causes(feed) == [.requested])

        // Listeners get the same events.
        var heard = 0
        for await _ in events {
            heard += 1
            if heard == 6 { break }
        }
        #expect(heard == 6)

        // A listed feed ignores other hosts.
        let listed = LiveReport(loader: f.loader, hosts: ["a.example.com"], clock: { clock.withLock { $0 } })
        try await listed.load()
        try await ObservationStore(database: f.database).insert(Fixture.record("c.example.com"))
        #expect(try await listed.poll().isEmpty)
        #expect(await listed.names == ["a.example.com"])
    }

    func causes(_ feed: LiveReport) async throws -> Set<ReloadCause> {
        guard case .reloaded(let c)? = try await feed.poll().first else { return [] }
        return c
    }

    /// The clock moves the aging cells and HEALTHY without new data.
    @Test func theTickAgesRows() async throws {
        let f = try Fixture()
        defer { f.remove() }
        try await f.seed()
        let feed = LiveReport(loader: f.loader, hosts: ["a.example.com"], clock: { Fixture.now })
        try await feed.load()
        var row = try #require(await feed.row(for: "a.example.com"))
        #expect(row[.tcAct] == "2m" && row[.healthy] == "Y" && row[.data] == "1m/<1m")
        await feed.tick(now: Fixture.now.addingTimeInterval(3600))
        row = try #require(await feed.row(for: "a.example.com"))
        #expect(row[.tcAct] == "1h 02m" && row[.data] == "1h 01m/1h 00m")
        #expect(row[.healthy] == "N" && row.values.healthyReasons == ["the worker was last active 1h 02m ago"])
        // The same as building it afresh at that time.
        let fresh = try await f.loader.build(hosts: ["a.example.com"], now: Fixture.now.addingTimeInterval(3600))
        #expect(fresh.rows == [row])
    }
}
