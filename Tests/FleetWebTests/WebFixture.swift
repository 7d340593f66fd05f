import FleetConfig
import FleetCore
import FleetOps
import FleetReport
import FleetStore
import FleetWeb
import Foundation
import Hummingbird
import HummingbirdTesting

/// A state directory with a real store file (so the health probe reads a file), a fixed clock,
/// and the web application over them, as `fleetroll web` builds it.
struct WebFixture {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let hostile = "<script>alert('x')</script>\"&"
    static let secret = "hunter2-the-vault-secret"
    static let secretVault = "---\npassword: \(secret)\n"
    let state: StateDirectory
    let database: FleetDatabase
    let model: WebModel
    var settings = WebSettings()

    init(hosts: [String]? = nil) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-web-\(UUID().uuidString)")
        state = StateDirectory(root: dir)
        database = try FleetDatabase(state: state)
        model = WebModel(live: LiveReport(loader: ReportLoader(state: state, database: database), hosts: hosts, clock: { Self.now }),
                         clock: { Self.now })
        settings.version = "9.9.9"
        settings.port = 0
    }

    func remove() { try? FileManager.default.removeItem(at: state.root) }

    var loader: ReportLoader { ReportLoader(state: state, database: database) }

    /// What the command hands in: FleetOps' readers of this state directory.
    var services: WebServices {
        let fleet = Fleet(state: state, config: FleetConfig(), context: RunContext(actor: "test", clock: { Self.now }),
                          logger: .init(label: "test"))
        return WebServices(filters: { fleet.servedFilters() }, auditLines: { fleet.auditLines(host: $0, limit: $1) },
                           checkStore: { try fleet.checkStore() }, logSizeWarnings: { fleet.largeFileWarnings() })
    }

    func app() -> Application<RouterResponder<BasicRequestContext>> {
        WebApp.application(model: model, services: services, settings: settings, logger: .init(label: "test"))
    }

    static func iso(_ ago: Double) -> String { Timestamp.iso(now.addingTimeInterval(-ago)) }

    static func record(_ host: String, ok: Bool = true, ago: Double = 60, role: String = "gecko_t_linux_talos") -> HostObservation {
        var o = ObservedState()
        o.osType = "Linux"
        o.rolePresent = true
        o.role = role
        o.uptimeS = 7200
        o.vaultPresent = true
        o.vaultSHA256 = Digest.sha256Hex(Data(secretVault.utf8))
        o.puppet.ts = iso(ago + 600)
        o.puppet.success = true
        o.puppet.gitSHA = String(repeating: "a", count: 40)
        return HostObservation(ts: iso(ago), actor: "t", host: host, ok: ok, sshRC: ok ? 0 : 255, stderr: ok ? "" : "refused",
                               error: ok ? nil : "ssh: connect: Connection refused", errorClass: ok ? nil : .unreachable,
                               observed: ok ? o : nil)
    }

    static func worker(_ host: String, activeAgo: Double = 120) -> WorkerRecord {
        var w = WorkerRecord(type: .worker, ts: iso(30), host: host, workerId: String(host.prefix(5)))
        w.workerType = "gecko-t-linux-talos"
        w.provisioner = "releng-hardware"
        w.lastDateActive = iso(activeAgo)
        w.taskState = "completed"
        return w
    }

    /// Three hosts: a good one, one whose latest gather failed, one whose role file is hostile;
    /// a worker record, a note, and audit lines.
    func seed() async throws {
        let store = ObservationStore(database: database)
        _ = try state.vaultStore.store(Data(Self.secretVault.utf8))
        try await store.insert([Self.record("a.example.com"), Self.record("b.example.com", ago: 600)])
        try await store.insert(Self.record("b.example.com", ok: false))
        try await store.insert(Self.record("c10.example.com", role: Self.hostile))
        try await ServiceStore(database: database).insertWorkers([Self.worker("a.example.com")])
        try await NotesStore(database: database).append(NoteRecord(action: "host.note_add", actor: "me", host: "a.example.com",
                                                                   ts: Self.iso(10), note: "RELOPS-1 \(Self.hostile)"))
        try """
            {"action":"host.set_vault","actor":"me","host":"a.example.com","ok":true,"result":"OK","ts":"\(Self.iso(100))","content":"\(Self.secret)","parameters":{"sha256":"abc","text":"\(Self.secret)"}}
            not json, a hand edit
            {"action":"host.set_override","actor":"me","host":"a.example.com","ok":true,"result":"OK","ts":"\(Self.iso(95))"}
            {"action":"host.set_override","actor":"me","host":"b.example.com","ok":true,"result":"OK","ts":"\(Self.iso(90))"}

            """.write(to: state.auditLog, atomically: true, encoding: .utf8)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]) ?? [:] }
}
