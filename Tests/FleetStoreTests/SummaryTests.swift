import FleetCore
@testable import FleetStore
import Foundation
import GRDB
import Testing

/// A small seeded generator, so a failing history can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The report columns and host summaries always say what decoding the stored records says:
/// after inserts, retention and the migration of a store written before they existed.
@Suite("Report columns and host summaries")
struct SummaryTests {
    static let hosts = (1...6).map { "t-linux64-ms-\($0).test.releng.mdc1.mozilla.com" }

    static func coin(_ rng: inout SplitMix) -> Bool { Bool.random(using: &rng) }

    static func randomObservation(_ rng: inout SplitMix, host: String, n: Int) -> HostObservation {
        let ok = Int.random(in: 0..<4, using: &rng) != 0
        var o = ObservedState()
        o.osType = (coin(&rng) ? ["Linux", "Darwin", "Windows", ""].randomElement(using: &rng)! : nil)
        o.remoteHostname = (coin(&rng) ? host : nil)
        o.uptimeS = (coin(&rng) ? Int.random(in: 0...900_000, using: &rng) : nil)
        o.rolePresent = Bool.random(using: &rng)
        o.role = (coin(&rng) ? ["gecko_t_linux_talos", "", "gecko_t_osx_1500_m4"].randomElement(using: &rng)! : nil)
        o.overridePresent = Bool.random(using: &rng)
        o.overrideSHA256 = (coin(&rng) ? String(repeating: ["a", "b"].randomElement(using: &rng)!, count: 64) : nil)
        o.overrideMeta = (coin(&rng) ? FileMeta(mode: "0644", owner: "root", group: "root", size: "12", mtimeEpoch: "1") : nil)
        o.vaultPresent = Bool.random(using: &rng)
        o.vaultSHA256 = (coin(&rng) ? String(repeating: "c", count: 64) : nil)
        o.puppet.ts = (coin(&rng) ? "2026-11-\(10 + n % 18)T10:00:00+00:00" : nil)
        o.puppet.lastRunEpoch = (coin(&rng) ? 1_800_000_000 + n : nil)
        o.puppet.success = (coin(&rng) ? Bool.random(using: &rng) : nil)
        o.puppet.exitCode = (coin(&rng) ? [0, 2, 4, 6].randomElement(using: &rng)! : nil)
        o.puppet.gitSHA = (coin(&rng) ? String(repeating: "d", count: 40) : nil)
        o.puppet.gitBranch = (coin(&rng) ? "master" : nil)
        o.puppet.overrideSHA = (coin(&rng) ? String(repeating: "a", count: 64) : nil)
        o.puppet.vaultSHA = (coin(&rng) ? String(repeating: "c", count: 64) : nil)
        o.roleKind = (coin(&rng) ? HostFileKind.allCases.randomElement(using: &rng)! : nil)
        o.overrideKind = (coin(&rng) ? HostFileKind.allCases.randomElement(using: &rng)! : nil)
        o.vaultKind = (coin(&rng) ? HostFileKind.allCases.randomElement(using: &rng)! : nil)
        o.puppetStateError = (coin(&rng) ? "not JSON" : nil)
        let cls = ErrorClass.allCases.randomElement(using: &rng)!
        return HostObservation(ts: "2026-11-24T10:\(String(format: "%02d", n % 60)):00+00:00", actor: "t", host: host, ok: ok,
                               sshRC: ok ? 0 : 255, stderr: Bool.random(using: &rng) ? "" : "stderr \(n)\nline two",
                               error: ok ? nil : (coin(&rng) ? "failed \(n)" : nil), errorClass: ok ? nil : cls, observed: ok ? o : nil)
    }

    static func randomWorker(_ rng: inout SplitMix, host: String, n: Int) -> WorkerRecord {
        var w = WorkerRecord(type: [.worker, .notFound, .scanFailed, .noPool].randomElement(using: &rng)!, ts: "2026-11-24T11:00:0\(n % 10)+00:00",
                             host: host, workerId: String(host.prefix(16)))
        w.workerType = (coin(&rng) ? "gecko-t-linux-talos" : nil)
        w.provisioner = (coin(&rng) ? "releng-hardware" : nil)
        w.lastDateActive = (coin(&rng) ? "2026-11-24T10:59:00.123Z" : nil)
        w.quarantineUntil = (coin(&rng) ? "2026-12-24T10:59:00Z" : nil)
        w.taskStarted = (coin(&rng) ? "2026-11-24T10:00:00Z" : nil)
        w.taskResolved = (coin(&rng) ? "2026-11-24T10:30:00Z" : nil)
        w.taskState = (coin(&rng) ? "completed" : nil)
        w.note = (coin(&rng) ? "no pool for role x" : nil)
        return w
    }

    /// What decoding every stored record gives, host by host.
    static func decoded(_ db: FleetDatabase) async throws -> ([String: HostFacts], [String: WorkerRecord]) {
        try await db.writer.read { db in
            var facts: [String: HostFacts] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, host, data FROM host_observations ORDER BY id") {
                let record = try JSONDecoder().decode(HostObservation.self, from: Data((row[2] as String).utf8))
                let f = ObservationFacts(id: row[0], record: record)
                if facts[row[1]] == nil { facts[row[1]] = HostFacts(latest: f, latestOK: f.ok ? f : nil) } else { facts[row[1]]?.apply(f) }
            }
            var workers: [String: WorkerRecord] = [:]
            for text in try String.fetchAll(db, sql: "SELECT data FROM tc_workers ORDER BY id") {
                let w = try JSONDecoder().decode(WorkerRecord.self, from: Data(text.utf8))
                workers[w.host] = w.reportFields
            }
            return (facts, workers)
        }
    }

    static func expectAgree(_ db: FleetDatabase, _ context: String) async throws {
        let (facts, workers) = try await decoded(db)
        let read = try await db.reportData()
        #expect(read.history == facts, "\(context)")
        #expect(read.workers == workers, "\(context)")
        #expect(try await ObservationStore(database: db).hosts().sorted() == facts.keys.sorted(), "\(context)")
        // The streaming read the report uses says the same, a host at a time.
        let (_, streamed) = try await db.readReport(hosts: nil, chunk: 3) { _, batch in batch }
        #expect(Dictionary(uniqueKeysWithValues: streamed.compactMap { h in h.facts.map { (h.host, $0) } }) == facts, "\(context)")
        #expect(Dictionary(uniqueKeysWithValues: streamed.compactMap { h in h.worker.map { (h.host, $0) } })
                == workers.filter { facts[$0.key] != nil }, "\(context)")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomHistories(_ seed: UInt64) async throws {
        var rng = SplitMix(state: seed)
        let db = try FleetDatabase.inMemory(retention: Int.random(in: 1...4, using: &rng))
        let store = ObservationStore(database: db), services = ServiceStore(database: db)
        for step in 0..<60 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6:
                let batch = (0..<Int.random(in: 1...4, using: &rng)).map { k in
                    Self.randomObservation(&rng, host: Self.hosts.randomElement(using: &rng)!, n: step * 10 + k)
                }
                try await store.insert(batch)
            case 6..<8:
                try await services.insertWorkers((0..<3).map { _ in Self.randomWorker(&rng, host: Self.hosts.randomElement(using: &rng)!, n: step) })
            default:
                _ = try await db.applyRetention()
            }
            try await Self.expectAgree(db, "seed \(seed) step \(step)")
        }
    }

    /// A store written before the report columns: its records get them, its hosts a summary.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func migrationOfAnOldStore(_ seed: UInt64) async throws {
        var rng = SplitMix(state: seed)
        let queue = try DatabaseQueue(configuration: FleetDatabase.configuration())
        try Schema.migrator.migrate(queue, upTo: "v4-python-import")
        let old = (0..<80).map { n in
            (Self.randomObservation(&rng, host: Self.hosts.randomElement(using: &rng)!, n: n),
             Self.randomWorker(&rng, host: Self.hosts.randomElement(using: &rng)!, n: n))
        }
        try await queue.write { db in
            for (o, w) in old {
                try db.execute(sql: "INSERT INTO host_observations (host, ts, ok, error_class, data) VALUES (?, ?, ?, ?, ?)",
                               arguments: [o.host, o.ts, o.ok, o.errorClass?.rawValue, try StoredJSON.string(o)])
                try db.execute(sql: "INSERT INTO tc_workers (host, ts, type, data) VALUES (?, ?, ?, ?)",
                               arguments: [w.host, w.ts, w.type.rawValue, try StoredJSON.string(w)])
            }
        }
        let db = try FleetDatabase(queue)
        try await Self.expectAgree(db, "migrated, seed \(seed)")
        // And it goes on agreeing as it is used.
        try await ObservationStore(database: db).insert(Self.randomObservation(&rng, host: Self.hosts[0], n: 999))
        _ = try await db.applyRetention()
        try await Self.expectAgree(db, "used after the migration, seed \(seed)")
    }
}
