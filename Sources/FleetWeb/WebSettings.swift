import Foundation

/// How the server is reached and by whom.
public struct WebSettings: Sendable {
    /// The address to bind (loopback unless remote use was allowed, see `BindPolicy`).
    public var host = "127.0.0.1"
    public var port = 8765
    /// When set, every request must carry `Authorization: Bearer <token>`.
    public var token: String?
    /// Remote use was allowed (`--allow-remote`): the Host header is then not checked, the token
    /// is what keeps others out.
    public var allowRemote = false
    public var version = ""
    /// The header's `source=`: the host list given, or `all hosts`.
    public var source = "all hosts"
    /// Host rows per page of the HTML table; the page stays quick at 10,000 hosts.
    public var pageSize = 200
    /// Observations and audit lines on a host's page and in its JSON.
    public var historyLimit = 10
    public var auditLimit = 50

    public init() {}
}

/// Where the server may listen: loopback, unless remote use is asked for and a token guards it.
public enum BindPolicy {
    /// 127.0.0.0/8, ::1 and `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if name.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { b in b.prefix(15).allSatisfy { $0 == 0 } && b[15] == 1 }
        }
        return false
    }

    /// Throws, saying what is missing, unless `host` is loopback or remote use is allowed with a token.
    public static func check(host: String, allowRemote: Bool, hasToken: Bool) throws(WebSetupError) {
        if isLoopback(host) { return }
        guard allowRemote, hasToken else {
            throw WebSetupError(message: "refusing to listen on \(host), which is not a loopback address: the page shows the whole "
                                + "fleet to anyone who can reach it. Give --allow-remote and --token-file FILE to serve it there "
                                + "(every request then needs 'Authorization: Bearer <token>'), or use an SSH tunnel to 127.0.0.1.")
        }
    }

    /// The names a `Host` header may carry on a loopback server (any port): a page on another
    /// name that resolves to 127.0.0.1 (DNS rebinding) is refused.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var name = Substring(authority)
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            let rest = name[name.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return false }
            name = name[...close]
        } else if let colon = name.lastIndex(of: ":") {
            guard name[name.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            name = name[..<colon]
        }
        // A name ending in a dot is the same name to DNS.
        if name.hasSuffix(".") { name = name.dropLast() }
        return isLoopback(String(name))
    }
}

public struct WebSetupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
