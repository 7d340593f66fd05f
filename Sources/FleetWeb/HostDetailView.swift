import FleetCore
import FleetReport
import Foundation

/// One host's detail, for `/api/hosts/{host}` and its page: its row as the report shows it, the
/// latest and latest successful gather, recent history, its Taskcluster record, notes, why
/// HEALTHY says what it says, the override file (no secret) and the audit lines about it.
/// vault.yaml is only ever named by its SHA-256 and humanhash: its content is never read here.
struct HostDetailView {
    var data: HostDetailData
    var history: [HostObservation]
    var audit: [String]
    var overrideSHA: String?

    static func load(_ host: String, model: WebModel, services: WebServices, settings: WebSettings) async throws -> HostDetailView? {
        let known = model.current.rows.contains { $0.host == host }
        let loader = await model.live.loader
        if !known, !(try await loader.isKnown(host: host)) { return nil }
        let data = try await model.live.detail(for: host)
        let history = try await loader.history(host: host, limit: settings.historyLimit)
        let seen = data.latestOK ?? data.latest
        return HostDetailView(data: data, history: history, audit: services.auditLines(host, settings.auditLimit),
                              overrideSHA: seen?.observed?.overrideSHA256)
    }

    var row: HostRow { data.row }

    func json() -> [UInt8] {
        func encoded<T: Encodable>(_ value: T?) -> String? { value.flatMap { try? JSONFormat.compactString($0) } }
        var w = JSONWriter(capacity: 16 << 10)
        w.beginObject()
        w.key("audit")
        w.beginArray()
        for line in audit { w.raw(line) }
        w.endArray()
        w.key("healthy_reasons"); w.value(row.values.healthyReasons)
        w.key("history"); w.raw(encoded(history))
        w.key("host"); w.value(row.host)
        w.key("latest"); w.raw(encoded(data.latest))
        w.key("latest_ok"); w.raw(encoded(data.latestOK))
        w.key("notes"); w.raw(encoded(data.notes))
        w.key("override")
        if let text = data.overrideText {
            w.beginObject()
            w.key("sha256"); w.value(overrideSHA)
            w.key("text"); w.value(text)
            w.endObject()
        } else {
            w.null()
        }
        w.key("row"); w.raw(encoded(ReportJSON.cells(row)))
        w.key("status"); w.value(row.status)
        w.key("taskcluster"); w.raw(encoded(data.worker))
        w.key("values"); w.raw(encoded(row.values))
        w.key("verdicts"); w.raw(encoded(WebEvent.verdicts(row)))
        w.endObject()
        w.newline()
        return w.bytes
    }
}
