import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOPosix

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
    /// Nothing there to ask: the name does not resolve, or the port refuses connections.
    /// Retrying would not help, so it is said at once.
    case unreachable(url: String, reason: String)

    public var description: String {
        switch self {
        case .gaveUp(let url, let attempts, let last): return "\(url): gave up after \(attempts) attempt(s): \(last)"
        case .unreachable(let url, let reason): return "cannot reach \(url): \(reason)"
        }
    }
}

/// Requests with a time limit, and retries with exponential backoff for what may pass: timeouts,
/// dropped connections, 5xx and 429. A name that does not resolve and a refused connection fail at
/// once. Other statuses are returned to the caller to interpret.
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

    /// One client for the process. The shared client's pool keeps retrying a failed connection
    /// until the request's deadline (an unreachable service took 90 s of silence); this one hands
    /// the failure back at once, and `send` decides what is worth another try.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: Data? = nil) async throws -> HTTPReply {
        var last = ""
        var retryAfter: Double?
        for attempt in 1...attempts {
            if attempt > 1 {
                // A server that says when to come back (429, 503) is believed, up to 30 s.
                let delay = min(30, retryAfter ?? backoff * pow(2, Double(attempt - 2)))
                logger.debug("retrying \(method) \(url) in \(delay)s (attempt \(attempt) of \(attempts); \(last))")
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
            var request = HTTPClientRequest(url: url)
            request.method = .init(rawValue: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(data: body)) }
            let started = Date()
            logger.debug("\(method) \(url)")
            do {
                let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
                let buffer = try await response.body.collect(upTo: 64 << 20)
                let reply = HTTPReply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                                      body: Data(buffer: buffer))
                logger.debug("\(method) \(url): HTTP \(reply.status), \(reply.body.count) bytes in \(String(format: "%.2f", Date().timeIntervalSince(started)))s")
                if reply.status >= 500 || reply.status == 429 {
                    last = "HTTP \(reply.status): \(String(decoding: reply.body.prefix(200), as: UTF8.self))"
                    retryAfter = reply.header("Retry-After").flatMap(Double.init)
                    continue
                }
                return reply
            } catch let error as CancellationError {
                throw error
            } catch {
                if let reason = Self.unreachableReason(error) {
                    logger.debug("\(method) \(url): \(reason); not retried")
                    throw HTTPFetchError.unreachable(url: url, reason: reason)
                }
                last = "\(error)"
                logger.debug("\(method) \(url): \(last)")
            }
        }
        throw HTTPFetchError.gaveUp(url: url, attempts: attempts, last: last)
    }

    /// Why a failed connection will fail again, or nil when a retry may pass (a timeout, a reset).
    static func unreachableReason(_ error: any Error) -> String? {
        let permanent: Set<Int32> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH]
        if let e = error as? NIOConnectionError {
            let codes = e.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            if !codes.isEmpty, codes.count == e.connectionErrors.count, codes.allSatisfy(permanent.contains) {
                return String(cString: strerror(codes[0])).lowercased() + " (\(e.host):\(e.port))"
            }
            if e.connectionErrors.isEmpty, e.dnsAError != nil || e.dnsAAAAError != nil {
                return "the host name \(e.host) does not resolve"
            }
            return nil
        }
        if let e = error as? IOError, permanent.contains(e.errnoCode) { return String(cString: strerror(e.errnoCode)).lowercased() }
        if error is SocketAddressError { return "the host name does not resolve (\(error))" }
        return nil
    }
}
