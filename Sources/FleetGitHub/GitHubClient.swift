import FleetCore
import FleetHTTP
import Foundation
import Yams

/// GitHub's rate-limit headers of the last answer.
public struct RateLimit: Sendable, Equatable {
    public var limit: Int
    public var remaining: Int
    /// When the window resets (epoch seconds).
    public var reset: Int
}

public enum GitHubError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case forbidden(String, rateLimited: Bool)
    case http(String, Int)
    case malformed(String)

    public var description: String {
        switch self {
        case .notFound(let what): return "Repo not found: \(what)"
        case .forbidden(let what, let limited):
            return limited ? "Rate limit exhausted fetching \(what) (403); set GITHUB_TOKEN or [github] api_token"
                           : "Access denied to \(what) (403): private repo or missing permissions"
        case .http(let what, let status): return "GitHub returned HTTP \(status) for \(what)"
        case .malformed(let why): return "unexpected answer from GitHub: \(why)"
        }
    }
}

/// Reads branch heads and the Windows pool hashes from GitHub's REST API.
public struct GitHubClient: Sendable {
    public static let defaultAPIURL = "https://api.github.com"
    public static let windowsPoolsPath = "repos/mozilla-platform-ops/worker-images/contents/provisioners/windows/MDC1Windows/pools.yml"

    public var apiURL: String
    public var token: String?
    public var fetcher: HTTPFetcher
    public var perPage = 100

    public init(apiURL: String = defaultAPIURL, token: String?, fetcher: HTTPFetcher = HTTPFetcher(timeout: 10)) {
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.token = token
        self.fetcher = fetcher
    }

    var headers: [(String, String)] {
        var h = [("Accept", "application/vnd.github+json"), ("User-Agent", "fleetroll")]
        if let token, !token.isEmpty { h.append(("Authorization", "Bearer \(token)")) }
        return h
    }

    /// Every branch head of a repository (`git/refs/heads`, following `Link: rel="next"`), and
    /// the rate limit the last page reported.
    public func branchHeads(_ repo: RepoName) async throws -> (heads: [String: String], rateLimit: RateLimit?) {
        for part in [repo.owner, repo.repo] where part.isEmpty || part == "." || part == ".."
            || !part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
            throw GitHubError.malformed("'\(repo)' is not a GitHub repository name")
        }
        var heads: [String: String] = [:]
        var next: String? = "\(apiURL)/repos/\(repo.owner)/\(repo.repo)/git/refs/heads?per_page=\(perPage)"
        var rate: RateLimit?
        var seen = Set<String>()
        while let url = next {
            // Never loop on a repeating link, and never send the token to another server.
            guard seen.insert(url).inserted, seen.count <= 200, url.hasPrefix(apiURL + "/") else {
                throw GitHubError.malformed("\(repo): pagination link \(url) repeats or leaves \(apiURL)")
            }
            let reply = try await fetcher.send("GET", url, headers: headers)
            rate = Self.rateLimit(reply) ?? rate
            try check(reply, what: repo.description)
            let refs: [Ref]
            do { refs = try JSONDecoder().decode([Ref].self, from: reply.body) } catch {
                throw GitHubError.malformed("\(repo): \(error)")
            }
            for ref in refs where ref.ref.hasPrefix("refs/heads/") {
                if let sha = ref.object?.sha, !sha.isEmpty { heads[String(ref.ref.dropFirst(11))] = sha }
            }
            next = reply.header("Link").flatMap(Self.nextLink)
        }
        return (heads, rate)
    }

    /// Windows pool name → image hash, from pools.yml in worker-images.
    public func windowsPools() async throws -> (pools: [String: String], rateLimit: RateLimit?) {
        let reply = try await fetcher.send("GET", "\(apiURL)/\(Self.windowsPoolsPath)", headers: headers)
        try check(reply, what: "Windows pools.yml")
        struct Contents: Decodable { var content: String }
        guard let contents = try? JSONDecoder().decode(Contents.self, from: reply.body),
              let data = Data(base64Encoded: contents.content, options: .ignoreUnknownCharacters) else {
            throw GitHubError.malformed("pools.yml: no base64 content")
        }
        return (try Self.parsePools(String(decoding: data, as: UTF8.self)), Self.rateLimit(reply))
    }

    /// pools.yml is a mapping with `pools:` or a bare list; entries with `name` and `hash` count.
    /// Values are read as the text written (a hash like `0123456` is not a number).
    static func parsePools(_ yaml: String) throws -> [String: String] {
        guard let root = try Yams.compose(yaml: yaml) else { return [:] }
        let list = root.mapping?["pools"]?.sequence ?? root.sequence
        var out: [String: String] = [:]
        for entry in list ?? [] {
            if let name = entry.mapping?["name"]?.scalar?.string, let hash = entry.mapping?["hash"]?.scalar?.string {
                out[name] = hash
            }
        }
        return out
    }

    func check(_ reply: HTTPReply, what: String) throws {
        switch reply.status {
        case 200: return
        case 404: throw GitHubError.notFound(what)
        case 403: throw GitHubError.forbidden(what, rateLimited: reply.header("x-ratelimit-remaining") == "0")
        default: throw GitHubError.http(what, reply.status)
        }
    }

    static func rateLimit(_ reply: HTTPReply) -> RateLimit? {
        guard let limit = reply.header("x-ratelimit-limit").flatMap(Int.init),
              let remaining = reply.header("x-ratelimit-remaining").flatMap(Int.init) else { return nil }
        return RateLimit(limit: limit, remaining: remaining, reset: reply.header("x-ratelimit-reset").flatMap(Int.init) ?? 0)
    }

    /// The `rel="next"` URL of a Link header.
    static func nextLink(_ header: String) -> String? {
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count >= 2, pieces.dropFirst().contains(where: { $0 == "rel=\"next\"" }),
                  pieces[0].hasPrefix("<"), pieces[0].hasSuffix(">") else { continue }
            return String(pieces[0].dropFirst().dropLast())
        }
        return nil
    }

    struct Ref: Decodable {
        struct Object: Decodable { var sha: String? }
        var ref: String
        var object: Object?
    }
}
