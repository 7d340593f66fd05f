import Crypto
import Foundation

/// Taskcluster credentials. Reading worker pools needs none; when they are given, the queue's
/// REST calls are signed with them (Hawk). They are never printed or logged.
public struct TaskclusterCredentials: Sendable, CustomStringConvertible {
    public var clientId: String
    var accessToken: String
    /// Where they came from, for messages.
    public var source: String

    public init(clientId: String, accessToken: String, source: String) {
        self.clientId = clientId; self.accessToken = accessToken; self.source = source
    }

    public var description: String { "Taskcluster credentials for \(clientId) (from \(source))" }

    /// `TASKCLUSTER_CLIENT_ID` + `TASKCLUSTER_ACCESS_TOKEN`, else the JSON file named by `TC_TOKEN`,
    /// else `~/.tc_token` (`{"clientId": ..., "accessToken": ...}`), else none. A file that exists
    /// but cannot be used is an error naming it.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TaskclusterCredentials? {
        if let id = environment["TASKCLUSTER_CLIENT_ID"], let token = environment["TASKCLUSTER_ACCESS_TOKEN"], !id.isEmpty, !token.isEmpty {
            return TaskclusterCredentials(clientId: id, accessToken: token, source: "TASKCLUSTER_CLIENT_ID")
        }
        let explicit = environment["TC_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let path = explicit ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.tc_token")
        guard let data = FileManager.default.contents(atPath: path) else {
            if explicit != nil { throw CredentialsError("TC_TOKEN names \(path), which cannot be read") }
            return nil
        }
        struct File: Decodable { var clientId: String?; var accessToken: String? }
        guard let file = try? JSONDecoder().decode(File.self, from: data) else { throw CredentialsError("\(path) is not valid JSON") }
        guard let id = file.clientId, let token = file.accessToken, !id.isEmpty, !token.isEmpty else {
            throw CredentialsError("\(path) must hold both clientId and accessToken")
        }
        return TaskclusterCredentials(clientId: id, accessToken: token, source: path)
    }

    /// A Hawk `Authorization` header for one request (no payload hash, as Taskcluster accepts).
    public func hawkHeader(method: String, url: URL, ts: Int = Int(Date().timeIntervalSince1970),
                           nonce: String = String(UUID().uuidString.prefix(8)), ext: String? = nil) -> String {
        let resource = url.path.isEmpty ? "/" : url.path + (url.query.map { "?" + $0 } ?? "")
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        let normalized = "hawk.1.header\n\(ts)\n\(nonce)\n\(method.uppercased())\n\(resource)\n\((url.host ?? "").lowercased())\n\(port)\n\n\(ext ?? "")\n"
        let mac = Data(HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: SymmetricKey(data: Data(accessToken.utf8))))
            .base64EncodedString()
        var header = "Hawk id=\"\(clientId)\", ts=\"\(ts)\", nonce=\"\(nonce)\""
        if let ext { header += ", ext=\"\(ext)\"" }
        return header + ", mac=\"\(mac)\""
    }
}

public struct CredentialsError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}
