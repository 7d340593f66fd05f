import FleetCore
import FleetReport
import Foundation
import Synchronization

/// One Server-Sent Event of `/api/events`: `observation` for each stored gather (its row as the
/// report now shows it), `taskcluster`, `github`, `note`, `content` or `reload` when a poll found
/// that kind of data changed (the rows were rebuilt), `rollout` when a rollout changed (a
/// decision, a host written), a comment to keep the connection open.
public struct WebEvent: Sendable, Equatable {
    public var name: String?
    public var id: Int64?
    public var data: String

    /// The wire form: `id:`, `event:` and `data:` lines, then a blank line.
    public var wire: String {
        guard let name else { return ": \(data)\n\n" }
        return (id.map { "id: \($0)\n" } ?? "") + "event: \(name)\ndata: \(data)\n\n"
    }

    static let keepAlive = WebEvent(name: nil, data: "keep-alive")

    /// The events a read-model change makes: one per observation, one per kind of other change.
    static func events(_ event: ReportEvent, generation: Int) -> [WebEvent] {
        switch event {
        case .observation(let o):
            let payload = ObservationPayload(id: o.id, host: o.record.host, ok: o.record.ok, ts: o.record.ts, status: o.row.status,
                                             row: ReportJSON.cells(o.row), values: o.row.values, verdicts: verdicts(o.row),
                                             generation: generation)
            return [WebEvent(name: "observation", id: o.id, data: (try? JSONFormat.compactString(payload)) ?? "{}")]
        case .rollouts:
            return [WebEvent(name: "rollout", data: "{\"generation\":\(generation),\"type\":\"rollout\"}")]
        case .reloaded(let causes):
            return causes.map(\.eventName).sorted().map {
                WebEvent(name: $0, data: "{\"generation\":\(generation),\"type\":\"\($0)\"}")
            }
        }
    }

    /// The verdict of every cell, keyed like the cells: what the page colours by.
    static func verdicts(_ row: HostRow) -> [String: String] {
        Dictionary(uniqueKeysWithValues: ReportColumn.allCases.map { ($0.rawValue, CellVerdict.of($0, row).rawValue) })
    }

    struct ObservationPayload: Encodable {
        var id: Int64
        var host: String
        var ok: Bool
        var ts: String
        var status: String
        var row: [String: String]
        var values: RowValues
        var verdicts: [String: String]
        var generation: Int
    }
}

extension ReloadCause {
    var eventName: String {
        switch self {
        case .taskcluster: return "taskcluster"
        case .github: return "github"
        case .notes: return "note"
        case .content: return "content"
        case .requested: return "reload"
        }
    }
}

/// Hands every event to every `/api/events` listener. A slow listener loses its oldest events
/// rather than holding memory (its page refetches the whole view on the next one anyway).
public final class EventHub: Sendable {
    struct State {
        var listeners: [UUID: AsyncStream<WebEvent>.Continuation] = [:]
        var closed = false
    }

    let state = Mutex(State())

    public init() {}

    public var listenerCount: Int { state.withLock { $0.listeners.count } }

    /// Events from now on; the stream ends when the hub closes or `end(id)` is called.
    public func subscribe() -> (id: UUID, events: AsyncStream<WebEvent>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<WebEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.listeners.removeValue(forKey: id) } }
        let closed = state.withLock { s -> Bool in
            if !s.closed { s.listeners[id] = continuation }
            return s.closed
        }
        if closed { continuation.finish() }
        return (id, stream)
    }

    public func send(_ events: [WebEvent]) {
        guard !events.isEmpty else { return }
        let listeners = state.withLock { Array($0.listeners.values) }
        for l in listeners { for e in events { l.yield(e) } }
    }

    /// Ends one listener's stream (its connection is shutting down).
    public func end(_ id: UUID) {
        state.withLock { $0.listeners.removeValue(forKey: id) }?.finish()
    }

    /// Ends every stream, now and for later subscribers: the server is stopping.
    public func close() {
        let listeners = state.withLock { s -> [AsyncStream<WebEvent>.Continuation] in
            s.closed = true
            defer { s.listeners.removeAll() }
            return Array(s.listeners.values)
        }
        for l in listeners { l.finish() }
    }
}
