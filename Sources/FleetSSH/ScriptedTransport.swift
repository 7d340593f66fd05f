import FleetCore
import Foundation
import Synchronization

/// A transport that answers from a script instead of a network: collector, writer and rollout
/// logic run against it in unit tests, without root or sshd. Each call is recorded.
public final class ScriptedTransport: HostTransport {
    public struct Call: Sendable, Equatable {
        public var host: String
        public var script: String
        public var stdin: Data?
    }

    public typealias Responder = @Sendable (Call) async -> AuditRun

    public let timeout: Double
    let respond: Responder
    let log = Mutex<[Call]>([])

    public init(timeout: Double = 10, respond: @escaping Responder) {
        self.timeout = timeout
        self.respond = respond
    }

    public var calls: [Call] { log.withLock { $0 } }

    public func run(script: String, on target: HostTarget, stdin: Data?) async -> AuditRun {
        let call = Call(host: target.description, script: script, stdin: stdin)
        log.withLock { $0.append(call) }
        return await respond(call)
    }

    /// What a remote script prints: the start line, `KEY=value` lines (values with a line break
    /// encoded as the scripts encode them), the end marker unless `complete` is false.
    public static func output(_ fields: [(String, String)], complete: Bool = true) -> Data {
        var text = RemoteProtocol.startLine + "\n"
        for (k, v) in fields {
            text += v.contains("\n") ? "\(k)~=\(Data(v.utf8).base64EncodedString())\n" : "\(k)=\(v)\n"
        }
        if complete { text += RemoteProtocol.endMarker + "\n" }
        return Data(text.utf8)
    }

    /// A successful run printing `fields`.
    public static func answer(_ fields: [(String, String)]) -> AuditRun {
        AuditRun(exitCode: 0, stdout: output(fields), stderr: "", timedOut: false)
    }

    /// What a run its task cancelled gives back.
    public static let cancelledRun = AuditRun(exitCode: 143, stdout: Data(), stderr: "", timedOut: false, cancelled: true)

    /// A run that waits until `until()` says so (or `seconds` have passed), then gives `run`;
    /// it ends as cancelled as soon as its task is.
    public static func slow(_ seconds: Double, until: @Sendable () -> Bool = { false }, then run: AuditRun) async -> AuditRun {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && !until() {
            if Task.isCancelled { return cancelledRun }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return Task.isCancelled ? cancelledRun : run
    }
}
