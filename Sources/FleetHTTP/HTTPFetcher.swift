import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// An HTTP response, read whole.
public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

public enum HTTPFetchError: Error, CustomStringConvertible {
    /// The server kept answering 5xx, or the connection kept failing, through every retry.
    case gaveUp(url: String, attempts: Int, last: String)

    public var description: String {
        switch self {
        case .gaveUp(let url, let attempts, let last): return "\(url): gave up after \(attempts) attempt(s): \(last)"
        }
    }
}

/// Requests with a time limit, and retries with exponential backoff for what may pass: transport
/// errors, timeouts, 5xx and 429. Other statuses are returned to the caller to interpret.
public struct HTTPFetcher: Sendable {
    public var timeout: Double
    /// Attempts in all (the first try included).
    public var attempts: Int
    /// Delay before the first retry; doubles each time.
    public var backoff: Double
    let logger: Logger

    public init(timeout: Double = 30, attempts: Int = 3, backoff: Double = 0.5, logger: Logger = Logger(label: "fleetroll.http")) {
        self.timeout = timeout; self.attempts = max(1, attempts); self.backoff = backoff; self.logger = logger
    }

    public func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: Data? = nil) async throws -> HTTPReply {
        var last = ""
        var retryAfter: Double?
        for attempt in 1...attempts {
            if attempt > 1 {
                // A server that says when to come back (429, 503) is believed, up to 30 s.
                let delay = min(30, retryAfter ?? backoff * pow(2, Double(attempt - 2)))
                logger.debug("retrying \(url) in \(delay)s (\(last))")
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
            var request = HTTPClientRequest(url: url)
            request.method = .init(rawValue: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(data: body)) }
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
                let buffer = try await response.body.collect(upTo: 64 << 20)
                let reply = HTTPReply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                                      body: Data(buffer: buffer))
                if reply.status >= 500 || reply.status == 429 {
                    last = "HTTP \(reply.status): \(String(decoding: reply.body.prefix(200), as: UTF8.self))"
                    retryAfter = reply.header("Retry-After").flatMap(Double.init)
                    continue
                }
                return reply
            } catch let error as CancellationError {
                throw error
            } catch {
                last = "\(error)"
            }
        }
        throw HTTPFetchError.gaveUp(url: url, attempts: attempts, last: last)
    }
}
