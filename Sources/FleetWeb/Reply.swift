import FleetCore
import Foundation
import Hummingbird

/// Responses the routes give: JSON (written by hand or encoded the way the CLI encodes), HTML,
/// and `{"detail": ...}` for anything refused, as the old API answered errors.
enum Reply {
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        json(ByteBuffer(bytes: bytes), status: status)
    }

    static func json(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }

    static func encoded<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let bytes: [UInt8] = Array((try? JSONFormat.compact.encode(value)) ?? Data("{}".utf8))
        return json(bytes, status: status)
    }

    static func detail(_ message: String, status: HTTPResponse.Status) -> Response {
        encoded(["detail": message], status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A file of our own (script, styles, icon): cached briefly, it changes only with the binary.
    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The query string, decoded as a browser's form encodes it (`+` for a space, then `%XX`).
struct QueryParameters {
    var values: [String: String] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            // The first of a repeated key wins, as the form only ever sends one.
            if values[key] == nil { values[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
    }

    subscript(_ key: String) -> String? { values[key] }
}
