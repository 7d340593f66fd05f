import FleetCore
import Foundation
import HTTPTypes
import Hummingbird

/// Every request passes here first: the Host header (a loopback server answers only to loopback
/// names, against DNS rebinding), the bearer token when one is set, GET and HEAD only; and
/// every response leaves with headers that keep the page to its own script and styles.
struct SecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    let settings: WebSettings

    /// No inline script or style, nothing from elsewhere, no framing, forms only to ourselves.
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if let refusal = refusal(request) {
            response = refusal
        } else {
            do { response = try await next(request, context) } catch let error as HTTPError {
                response = Reply.detail(error.body ?? error.status.reasonPhrase, status: error.status)
            }
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    func refusal(_ request: Request) -> Response? {
        if !settings.allowRemote {
            // HTTP/1.1 carries the name in Host, which arrives as the authority.
            let names = [request.head.authority].compactMap { $0 } + request.headers[values: WebHeaders.host]
            guard !names.isEmpty, names.allSatisfy(BindPolicy.isLoopbackAuthority) else {
                return Reply.detail("this server answers only to localhost, 127.0.0.1 and [::1] (Host header refused)",
                                    status: .misdirectedRequest)
            }
        }
        if let token = settings.token {
            let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            guard let given, Self.same(given, token) else {
                var r = Reply.detail("a bearer token is required (Authorization: Bearer <token>)", status: .unauthorized)
                r.headers[.wwwAuthenticate] = "Bearer realm=\"fleetroll\""
                return r
            }
        }
        guard request.method == .get || request.method == .head else {
            var r = Reply.detail("this server is read-only: GET only", status: .methodNotAllowed)
            r.headers[.allow] = "GET, HEAD"
            return r
        }
        return nil
    }

    /// Compares digests, so the time taken says nothing about how much of the token was right.
    static func same(_ a: String, _ b: String) -> Bool {
        Digest.sha256Hex(Data(a.utf8)) == Digest.sha256Hex(Data(b.utf8))
    }
}

enum WebHeaders {
    /// `Host` (HTTPTypes keeps it as the authority, and its own name for it is unavailable).
    static let host = HTTPField.Name("Host")!
}
