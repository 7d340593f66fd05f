import FleetCore
import FleetGather
import FleetSSH
import FleetStore
import Foundation
import Testing

/// The gather engine through a scripted transport, into an in-memory store.
@Suite("Gather batches")
struct GatherTests {
    static let context = RunContext(actor: "tester", clock: { Date(timeIntervalSince1970: 1_800_000_000) })

    static let answer = ScriptedTransport.answer([
        ("OS_TYPE", "Linux"), ("HOSTNAME", "ms-1"), ("UPTIME_S", "7200"), ("SUDO_OK", "1"),
        ("ROLE_PRESENT", "1"), ("ROLE", "gecko_t_linux_talos"), ("OVERRIDE_PRESENT", "0"), ("VLT_PRESENT", "0"),
    ])
    static let refused = AuditRun(exitCode: 255, stdout: Data(), stderr: "ssh: connect to host ms-2 port 22: Connection refused", timedOut: false)

    func gatherer(_ transport: ScriptedTransport, _ db: FleetDatabase, state: StateDirectory) -> HostGatherer {
        var options = GatherOptions()
        options.retryDelay = 0.01
        return HostGatherer(transport: transport, store: ObservationStore(database: db), state: state, options: options, context: Self.context)
    }

    func state() -> StateDirectory {
        StateDirectory(root: FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-gather-\(UUID().uuidString)"))
    }

    @Test func everyOutcomeIsStored() async throws {
        let transport = ScriptedTransport { call in call.host.hasPrefix("ms-2") ? Self.refused : Self.answer }
        let db = try FleetDatabase.inMemory()
        let dir = state()
        defer { try? FileManager.default.removeItem(at: dir.root) }
        let hosts = try ["ms-1.example.com", "ms-2.example.com"].map { try HostTarget.parse($0) }
        let results = await gatherer(transport, db, state: dir).gather(hosts)
        #expect(results.map(\.observation.ok) == [true, false])
        #expect(results[1].observation.errorClass == .unreachable && results[1].observation.attempts == 2, "retried once")
        #expect(transport.calls.count == 3)
        let stored = try await db.reportData()
        #expect(stored.history["ms-1.example.com"]?.latest.observed?.role == "gecko_t_linux_talos")
        #expect(stored.history["ms-2.example.com"]?.latest.errorClass == .unreachable)
        #expect(results[0].observation.actor == "tester" && results[0].observation.ts == "2027-01-15T08:00:00+00:00")
    }

    /// A cancelled batch learned nothing about the hosts in flight: nothing is stored for them.
    @Test func aCancelledBatchStoresNothingItDidNotLearn() async throws {
        let transport = ScriptedTransport { _ in await ScriptedTransport.slow(60, then: Self.answer) }
        let db = try FleetDatabase.inMemory()
        let dir = state()
        defer { try? FileManager.default.removeItem(at: dir.root) }
        let g = gatherer(transport, db, state: dir)
        let task = Task { await g.gather([try! HostTarget.parse("ms-1.example.com")]) }
        while transport.calls.isEmpty { try await Task.sleep(nanoseconds: 10_000_000) }
        task.cancel()
        let results = await task.value
        #expect(results.first?.observation.errorClass == .interrupted && results.first?.stored == false)
        #expect(try await db.reportData().history.isEmpty)
    }
}
