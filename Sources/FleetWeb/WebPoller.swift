import Foundation
import ServiceLifecycle

/// Keeps the model current while the server runs: polls the store (a change stamp, cheap when
/// nothing changed) so a gather's insert reaches event listeners well within a second, ages the
/// rows as the live view does, and keeps idle event streams open. On shutdown it ends every
/// event stream, so no connection holds the server up.
public struct WebPoller: Service {
    public let model: WebModel
    public var pollInterval: Duration = .milliseconds(250)
    public var keepAliveInterval: Duration = .seconds(15)

    public init(model: WebModel) { self.model = model }

    /// Every second, as the live view; every 10 s above 3,000 hosts, where a tick rebuilds
    /// tens of MB of JSON on the next request.
    static func tickInterval(rows: Int) -> Duration { rows > 3000 ? .seconds(10) : .seconds(1) }

    public func run() async throws {
        defer { model.hub.close() }
        if !model.current.loaded { await model.load() }
        await cancelWhenGracefulShutdown { [model, pollInterval, keepAliveInterval] in
            let clock = ContinuousClock()
            var lastTick = clock.now
            var lastKeepAlive = clock.now
            while !Task.isCancelled {
                do { try await Task.sleep(for: pollInterval) } catch { return }
                await model.poll()
                if clock.now - lastTick >= Self.tickInterval(rows: model.current.rows.count) {
                    lastTick = clock.now
                    await model.tick()
                }
                if clock.now - lastKeepAlive >= keepAliveInterval {
                    lastKeepAlive = clock.now
                    model.hub.send([.keepAlive])
                }
            }
        }
    }
}
