import FleetCore
import FleetHTTP
import Foundation

/// One worker as the `ViewWorkers` GraphQL query returns it.
public struct WorkerNode: Decodable, Sendable, Equatable {
    public struct LatestTask: Decodable, Sendable, Equatable {
        public struct Run: Decodable, Sendable, Equatable {
            public var taskId: String?
            public var runId: Int?
            public var started: String?
            public var resolved: String?
            public var state: String?
        }
        public var run: Run?
    }

    public var workerId: String
    public var workerGroup: String?
    public var latestTask: LatestTask?
    public var firstClaim: String?
    public var quarantineUntil: String?
    public var lastDateActive: String?
    public var state: String?
    public var capacity: Int?
    public var providerId: String?
    public var workerPoolId: String?
}

/// The workers of one pool, and the messages of any GraphQL errors that came with partial data.
public struct PoolScan: Sendable {
    public var workers: [WorkerNode]
    public var partialErrors: [String]
    public var pages: Int
    /// Some workers may be missing from the answer (null entries, or a page that promised more
    /// without a cursor): a worker not in `workers` is then unknown, not absent.
    public var incomplete = false
}

public enum TaskclusterError: Error, CustomStringConvertible {
    case http(Int, String)
    case graphQL([String])
    case malformed(String)
    /// The service knows no such worker (`worker(...)` answered null).
    case noSuchWorker(String)

    public var description: String {
        switch self {
        case .noSuchWorker(let id): return "Taskcluster knows no worker \(id)"
        case .http(let status, let body): return "Taskcluster returned HTTP \(status): \(body)"
        case .graphQL(let messages): return "GraphQL errors: \(messages.joined(separator: "; "))"
        case .malformed(let why): return "unexpected answer from Taskcluster: \(why)"
        }
    }
}

/// Reads worker pools from a Taskcluster deployment. Reading needs no credentials.
public struct TaskclusterClient: Sendable {
    public static let defaultRootURL = "https://firefox-ci-tc.services.mozilla.com"

    public var rootURL: String
    public var fetcher: HTTPFetcher
    /// Workers per GraphQL page.
    public var pageSize = 1000
    /// Used to sign the queue's REST calls when given; reading works without.
    public var credentials: TaskclusterCredentials?

    public init(rootURL: String = defaultRootURL, fetcher: HTTPFetcher = HTTPFetcher(), credentials: TaskclusterCredentials? = nil) {
        self.rootURL = rootURL.hasSuffix("/") ? String(rootURL.dropLast()) : rootURL
        self.fetcher = fetcher
        self.credentials = credentials
    }

    static let viewWorkers = """
        query ViewWorkers($provisionerId: String!, $workerType: String!, $workersConnection: PageConnection, $quarantined: Boolean) {
          workers(provisionerId: $provisionerId, workerType: $workerType, connection: $workersConnection, isQuarantined: $quarantined) {
            pageInfo { hasNextPage nextCursor }
            edges { node { workerId workerGroup latestTask { run { taskId runId started resolved state } } firstClaim quarantineUntil lastDateActive state capacity providerId workerPoolId } }
          }
        }
        """

    /// More pages than any pool has; a cursor that keeps coming back would otherwise loop forever.
    static let maxPages = 1000

    /// Every worker of `pool`, following the cursor from page to page.
    public func scan(_ pool: WorkerPool) async throws -> PoolScan {
        var workers: [WorkerNode] = []
        var errors: [String] = []
        var cursor: String?
        var seen = Set<String>()
        var pages = 0
        var incomplete = false
        repeat {
            var connection: [String: Any] = ["limit": pageSize]
            if let cursor { connection["cursor"] = cursor }
            let body: [String: Any] = [
                "operationName": "ViewWorkers",
                "variables": ["provisionerId": pool.provisioner, "workerType": pool.workerType, "workersConnection": connection],
                "query": Self.viewWorkers,
            ]
            let page: GraphQLReply = try await graphQL(body)
            let messages = GraphQLReply.texts(page.errors)
            guard let connectionData = page.data?.workers else { throw GraphQLReply.noData(page.errors) }
            errors += messages
            let edges = connectionData.edges ?? []
            let nodes = edges.compactMap { $0?.node }
            if nodes.count < edges.count { incomplete = true }
            workers += nodes
            pages += 1
            let info = connectionData.pageInfo
            cursor = nil
            if info?.hasNextPage ?? false {
                guard let next = info?.nextCursor, !next.isEmpty else {
                    incomplete = true
                    errors.append("page \(pages) said more workers follow but gave no cursor")
                    break
                }
                guard seen.insert(next).inserted, pages < Self.maxPages else {
                    throw TaskclusterError.malformed("the cursor repeats or never ends (after \(pages) pages)")
                }
                cursor = next
            }
        } while cursor != nil
        return PoolScan(workers: workers, partialErrors: errors, pages: pages, incomplete: incomplete)
    }

    static let viewWorker = """
        query ViewWorker($provisionerId: String!, $workerType: String!, $workerGroup: String!, $workerId: ID!) {
          worker(provisionerId: $provisionerId, workerType: $workerType, workerGroup: $workerGroup, workerId: $workerId) {
            workerId recentTasks { taskId runId run { taskId runId state started resolved } }
          }
        }
        """

    /// One worker's recent task runs (the `ViewWorker` query's `recentTasks`, as the Taskcluster
    /// UI reads them), newest first as the service gives them. An entry whose task has expired
    /// has no `run` and is left out.
    public func recentTasks(pool: WorkerPool, workerGroup: String, workerId: String) async throws -> [RecentTask] {
        let body: [String: Any] = [
            "operationName": "ViewWorker",
            "variables": ["provisionerId": pool.provisioner, "workerType": pool.workerType,
                          "workerGroup": workerGroup, "workerId": workerId],
            "query": Self.viewWorker,
        ]
        let answer: WorkerReply = try await graphQL(body)
        guard let data = answer.data else { throw GraphQLReply.noData(answer.errors) }
        guard let worker = data.worker else { throw TaskclusterError.noSuchWorker("\(pool)/\(workerGroup)/\(workerId)") }
        return (worker.recentTasks ?? []).compactMap { $0 }.filter { $0.run != nil }
    }

    /// One GraphQL request: a reply other than 200, or one that does not decode, is an error.
    func graphQL<Reply: Decodable>(_ body: [String: Any]) async throws -> Reply {
        let reply = try await fetcher.send("POST", rootURL + "/graphql",
                                           headers: [("Content-Type", "application/json"), ("Accept", "application/json"),
                                                     ("User-Agent", "fleetroll")],
                                           body: try JSONSerialization.data(withJSONObject: body))
        guard reply.status == 200 else {
            throw TaskclusterError.http(reply.status, String(decoding: reply.body.prefix(300), as: UTF8.self))
        }
        do { return try JSONDecoder().decode(Reply.self, from: reply.body) } catch {
            throw TaskclusterError.malformed("\(error)")
        }
    }

    /// Worker-type names of a provisioner (the queue's REST listing), for Windows pools.
    public func workerTypes(provisioner: String) async throws -> [String] {
        var names: [String] = []
        var token: String?
        var seen = Set<String>()
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        repeat {
            var url = "\(rootURL)/api/queue/v1/provisioners/\(provisioner)/worker-types"
            if let token, let escaped = token.addingPercentEncoding(withAllowedCharacters: unreserved) {
                url += "?continuationToken=\(escaped)"
            }
            var headers = [("Accept", "application/json"), ("User-Agent", "fleetroll")]
            if let credentials, let u = URL(string: url) {
                headers.append(("Authorization", credentials.hawkHeader(method: "GET", url: u)))
            }
            let reply = try await fetcher.send("GET", url, headers: headers)
            guard reply.status == 200 else {
                throw TaskclusterError.http(reply.status, String(decoding: reply.body.prefix(300), as: UTF8.self))
            }
            let page: WorkerTypesReply
            do { page = try JSONDecoder().decode(WorkerTypesReply.self, from: reply.body) } catch {
                throw TaskclusterError.malformed("\(error)")
            }
            names += page.workerTypes.map(\.workerType)
            token = page.continuationToken.flatMap { $0.isEmpty ? nil : $0 }
            if let t = token, !seen.insert(t).inserted || seen.count > Self.maxPages {
                throw TaskclusterError.malformed("the continuation token repeats or never ends")
            }
        } while token != nil
        return names
    }
}

struct GraphQLReply: Decodable {
    struct Data: Decodable { var workers: Connection? }
    struct Connection: Decodable {
        struct PageInfo: Decodable { var hasNextPage: Bool?; var nextCursor: String? }
        struct Edge: Decodable { var node: WorkerNode? }
        var pageInfo: PageInfo?
        var edges: [Edge?]?
    }
    struct Message: Decodable { var message: String? }
    var data: Data?
    var errors: [Message]?

    /// The errors' messages, as said.
    static func texts(_ errors: [Message]?) -> [String] { (errors ?? []).map { $0.message ?? "unknown error" } }

    /// A reply without data: its errors, or a malformed answer when it gave none.
    static func noData(_ errors: [Message]?) -> TaskclusterError {
        let messages = texts(errors)
        return messages.isEmpty ? .malformed("no data in the answer") : .graphQL(messages)
    }
}

/// One entry of a worker's `recentTasks`.
public struct RecentTask: Decodable, Sendable, Equatable {
    public struct Run: Decodable, Sendable, Equatable {
        public var taskId: String?
        public var runId: Int?
        public var state: String?
        public var started: String?
        public var resolved: String?
    }
    public var taskId: String
    public var runId: Int?
    public var run: Run?
}

struct WorkerReply: Decodable {
    struct Data: Decodable {
        struct Worker: Decodable { var workerId: String?; var recentTasks: [RecentTask?]? }
        var worker: Worker?
    }
    var data: Data?
    var errors: [GraphQLReply.Message]?
}

struct WorkerTypesReply: Decodable {
    struct Entry: Decodable { var workerType: String }
    var workerTypes: [Entry]
    var continuationToken: String?
}
