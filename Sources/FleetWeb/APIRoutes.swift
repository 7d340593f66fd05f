import FleetCore
import FleetReport
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// The JSON API. Every answer comes from the model's snapshot; only a host's detail reads the
/// store (its history, notes and audit lines are not part of the report).
struct APIRoutes: Sendable {
    let model: WebModel
    let services: WebServices
    let settings: WebSettings

    /// `{"ok", "db_ok", "version"}`; 503 when the store cannot be read now.
    func health() -> Response {
        var storeError: String?
        do { try services.checkStore() } catch { storeError = "\(error)" }
        if storeError == nil { storeError = model.current.storeError }
        var w = JSONWriter()
        w.beginObject()
        w.key("db_ok"); w.value(storeError == nil)
        if let storeError { w.key("detail"); w.value("the store cannot be read: \(storeError)") }
        w.key("ok"); w.value(storeError == nil)
        w.key("version"); w.value(settings.version)
        w.endObject()
        return Reply.json(w.bytes, status: storeError == nil ? .ok : .serviceUnavailable)
    }

    /// `{"generated_at", "rows": host-monitor --once --json's array, "summary"}`.
    func hosts(_ request: Request) -> Response {
        let snapshot = model.current
        guard snapshot.loaded else { return unavailable(snapshot) }
        let warnings = services.logSizeWarnings()
        let key = (request.uri.query ?? "") + "\n" + warnings.joined(separator: ",") + "\n" + (snapshot.storeError ?? "")
        if let kept = model.answer(key, of: snapshot) { return Reply.json(kept) }
        let parameters = QueryParameters(request.uri.query)
        let selection: HostsSelection
        let window: Range<Int>
        do {
            selection = try HostsSelection(parameters, snapshot: snapshot)
            window = try HostsSelection.window(parameters, count: selection.rows.count)
        } catch {
            return Reply.detail(error.message, status: .badRequest)
        }
        let answer = body(selection, window, snapshot, warnings)
        model.keep(answer, for: key, of: snapshot)
        return Reply.json(answer)
    }

    func body(_ selection: HostsSelection, _ window: Range<Int>, _ snapshot: WebModel.Snapshot, _ warnings: [String]) -> ByteBuffer {
        let lines = model.lines(Array(selection.rows[window]), of: snapshot)
        var summary = JSONWriter()
        summary.beginObject()
        summary.key("data_is_stale"); summary.value(snapshot.stale)
        summary.key("fqdn_suffix"); summary.value(snapshot.fqdnSuffix)
        summary.key("log_size_warnings"); summary.value(warnings)
        summary.key("offset"); summary.value(window.lowerBound)
        summary.key("shown_hosts"); summary.value(selection.rows.count)
        summary.key("source"); summary.value(settings.source)
        summary.key("store_error"); summary.value(snapshot.storeError)
        summary.key("total_hosts"); summary.value(selection.total)
        summary.key("updated_at"); summary.value(snapshot.updated.map(Timestamp.iso))
        summary.key("version"); summary.value(settings.version)
        summary.endObject()
        // The rows go in as host-monitor prints them (less its final newline), copied once.
        var body = ByteBuffer()
        body.reserveCapacity(lines.reduce(256 + summary.bytes.count) { $0 + $1.count + 2 })
        body.writeString("{\"generated_at\":\"\(Timestamp.iso(snapshot.generatedAt))\",\"rows\":")
        ReportJSON.frame(lines: lines, finalNewline: false) { body.writeBytes($0) }
        body.writeString(",\"summary\":")
        body.writeBytes(summary.bytes)
        body.writeString("}\n")
        return body
    }

    /// Everything known about one host; 404 when the store never saw it.
    func host(_ name: String) async -> Response {
        guard model.current.loaded else { return unavailable(model.current) }
        do {
            guard let detail = try await HostDetailView.load(name, model: model, services: services, settings: settings) else {
                return Reply.detail("no such host: \(name)", status: .notFound)
            }
            return Reply.json(detail.json())
        } catch {
            return Reply.detail("the store cannot be read: \(error)", status: .serviceUnavailable)
        }
    }

    /// `{"generated_at", "rollouts": [...], "active": [ids]}`: every rollout, newest first, from the snapshot.
    func rollouts() -> Response {
        let snapshot = model.current
        guard snapshot.loaded else { return unavailable(snapshot) }
        return Reply.encoded(RolloutsAnswer(generatedAt: Timestamp.iso(snapshot.generatedAt), rollouts: snapshot.rollouts,
                                            active: snapshot.activeRollouts.map(\.id)))
    }

    struct RolloutsAnswer: Encodable {
        var generatedAt: String
        var rollouts: [RolloutListItem]
        var active: [String]

        enum CodingKeys: String, CodingKey {
            case rollouts, active
            case generatedAt = "generated_at"
        }
    }

    /// One rollout's page as JSON; 404 when the store has no rollout of that id.
    func rollout(_ id: String) async -> Response {
        guard model.current.loaded else { return unavailable(model.current) }
        do {
            guard let page = try await model.live.rolloutPage(id: id) else { return Reply.detail("no such rollout: \(id)", status: .notFound) }
            return Reply.encoded(page)
        } catch {
            return Reply.detail("the store cannot be read: \(error)", status: .serviceUnavailable)
        }
    }

    /// `[{"name", "query", "description", "source"}]`, by name.
    func filters() -> Response {
        var w = JSONWriter()
        w.beginArray()
        for f in services.filters() {
            w.beginObject()
            w.key("description"); w.value(f.description)
            w.key("name"); w.value(f.name)
            w.key("query"); w.value(f.query)
            w.key("source"); w.value(f.path == NamedFilters.builtInPath ? "shipped" : "state")
            w.endObject()
        }
        w.endArray()
        w.newline()
        return Reply.json(w.bytes)
    }

    /// Server-Sent Events, from the moment of connecting: first `hello` (the generation, so a
    /// page knows whether it missed something), then every change as it is polled. The stream
    /// ends when the server stops.
    func events() -> Response {
        let (id, stream) = model.hub.subscribe()
        let hub = model.hub
        let hello = WebEvent(name: "hello", data: "{\"generation\":\(model.current.generation)}")
        let body = ResponseBody { writer in
            try await withGracefulShutdownHandler {
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n" + hello.wire))
                for await event in stream { try await writer.write(ByteBuffer(string: event.wire)) }
            } onGracefulShutdown: {
                hub.end(id)
            }
            hub.end(id)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store",
                                               HTTPField.Name("X-Accel-Buffering")!: "no"], body: body)
    }

    func unavailable(_ snapshot: WebModel.Snapshot) -> Response {
        Reply.detail("the store cannot be read" + (snapshot.storeError.map { ": \($0)" } ?? " yet"), status: .serviceUnavailable)
    }
}
