import FleetCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat

/// The lab's fake Taskcluster and GitHub: one real HTTP server on the lab's `.1` address that
/// answers the endpoints fleetroll calls with the shapes the real services use, from the
/// scenario, with its faults (HTTP 500, slowness, GraphQL partial errors, several pages, 403/404).
public enum LabServices {
    public static let port = 18080

    /// Serves until the process is stopped.
    /// `commits` resolves branch heads written `@name` in the scenario to the lab repository's SHAs.
    public static func serve(scenario: Scenario, address: String, port: Int = port, commits: [String: String] = [:]) async throws {
        let state = ServiceState(scenario: scenario, commits: commits)
        let router = Router()
        router.post("graphql") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            return await state.graphQL(Data(buffer: body))
        }
        router.get("api/queue/v1/provisioners/:provisioner/worker-types") { request, context -> Response in
            await state.workerTypes(provisioner: context.parameters.get("provisioner") ?? "",
                                    token: request.uri.queryParameters.get("continuationToken"))
        }
        router.get("repos/:owner/:repo/git/refs/heads") { request, context -> Response in
            await state.refs(repo: "\(context.parameters.get("owner") ?? "")/\(context.parameters.get("repo") ?? "")",
                             page: request.uri.queryParameters.get("page").flatMap { Int($0) } ?? 1,
                             perPage: request.uri.queryParameters.get("per_page").flatMap { Int($0) } ?? 30,
                             base: "http://\(address):\(port)")
        }
        router.get("repos/mozilla-platform-ops/worker-images/contents/provisioners/windows/MDC1Windows/pools.yml") { _, _ -> Response in
            await state.poolsYML()
        }
        let app = Application(router: router, configuration: .init(address: .hostname(address, port: port), serverName: "fleetroll-lab"))
        try await app.runService()
    }
}

/// The services' memory: request counts for flaky pools and the rate-limit budget.
actor ServiceState {
    let scenario: Scenario
    let commits: [String: String]
    var poolRequests: [String: Int] = [:]
    var rateRemaining = 5000
    /// Hosts with a worker by worker id (a history request per worker must not scan the fleet).
    let workers: [String: ScenarioHost]

    init(scenario: Scenario, commits: [String: String]) {
        self.scenario = scenario
        self.commits = commits
        var workers: [String: ScenarioHost] = [:]
        for h in scenario.hosts where h.worker != nil {
            let id = String(h.name.split(separator: ".").first ?? "")
            if workers[id] == nil { workers[id] = h }
        }
        self.workers = workers
    }

    /// A branch head as the scenario gives it: a SHA, or `@name` for a lab commit.
    func resolve(_ head: String) -> String {
        head.hasPrefix("@") ? commits[String(head.dropFirst())] ?? head : head
    }

    var tc: TaskclusterScenario { scenario.taskcluster ?? TaskclusterScenario() }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok, headers: [(String, String)] = []) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { if let n = HTTPField.Name(name) { fields[n] = value } }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// The pool each lab host's worker is in.
    func pool(of host: ScenarioHost) -> String? {
        if let p = host.worker?.pool { return p }
        guard let role = host.role, case .pool(let pool, _) = PoolTable.builtIn.resolve(role: role, workerTypeOverride: nil) else { return nil }
        return pool.description
    }

    func node(_ host: ScenarioHost, now: Date) -> [String: Any] {
        let w = host.worker ?? WorkerScenario()
        var node: [String: Any] = [
            "workerId": String(host.name.split(separator: ".").first ?? ""), "workerGroup": "mdc1",
            "state": w.state ?? "running", "capacity": 1, "providerId": "none",
            "lastDateActive": w.lastActiveAgo.map { Self.iso(now.addingTimeInterval(-Double($0))) } ?? NSNull(),
            "firstClaim": Self.iso(now.addingTimeInterval(-86400 * 30)),
            "quarantineUntil": w.quarantineIn.map { Self.iso(now.addingTimeInterval(Double($0))) } ?? NSNull(),
            "workerPoolId": pool(of: host) ?? "",
        ]
        if let first = recentRuns(host, now: now).first {
            // The latest task is the newest recent one, as in the real service.
            node["latestTask"] = ["run": first]
        } else if let ago = w.taskStartedAgo {
            let started = now.addingTimeInterval(-Double(ago))
            node["latestTask"] = ["run": [
                "taskId": "T\(abs(host.name.hashValue) % 1_000_000)", "runId": 0, "started": Self.iso(started),
                "resolved": w.taskDuration.map { Self.iso(started.addingTimeInterval(Double($0))) } ?? NSNull(),
                "state": w.taskState ?? (w.taskDuration == nil ? "running" : "completed"),
            ] as [String: Any]]
        } else {
            node["latestTask"] = NSNull()
        }
        return node
    }

    /// A worker's recent runs as `recentTasks { run { ... } }` gives them, newest first.
    func recentRuns(_ host: ScenarioHost, now: Date) -> [[String: Any]] {
        let id = String(host.name.split(separator: ".").first ?? "")
        return (host.worker?.recentTasks ?? []).enumerated().map { i, r in
            let started = now.addingTimeInterval(-Double(r.startedAgo))
            return [
                "taskId": r.taskId ?? "\(id)-task-\(i)", "runId": r.runId ?? 0, "started": Self.iso(started),
                "resolved": r.duration.map { Self.iso(started.addingTimeInterval(Double($0))) } ?? NSNull(),
                "state": r.state ?? (r.duration == nil ? "running" : "completed"),
            ]
        }
    }

    /// `worker(provisionerId, workerType, workerGroup, workerId) { recentTasks }`: null for a
    /// worker the pool does not have, as the real service answers.
    func worker(_ vars: [String: Any], pool: String) -> Response {
        let id = vars["workerId"] as? String ?? ""
        if (tc.historyFailing ?? []).contains(id) {
            return Self.json(["error": "Internal Server Error"], status: .internalServerError)
        }
        guard let host = workers[id], self.pool(of: host) == pool else {
            return Self.json(["data": ["worker": NSNull()]])
        }
        let now = Date()
        let tasks = recentRuns(host, now: now).map { run -> [String: Any] in ["taskId": run["taskId"]!, "runId": run["runId"]!, "run": run] }
        return Self.json(["data": ["worker": ["workerId": id, "recentTasks": tasks] as [String: Any]]])
    }

    func graphQL(_ body: Data) async -> Response {
        if let ms = tc.slowMs { try? await Task.sleep(nanoseconds: UInt64(ms) * 1_000_000) }
        guard let request = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let vars = request["variables"] as? [String: Any],
              let provisioner = vars["provisionerId"] as? String, let workerType = vars["workerType"] as? String else {
            return Self.json(["errors": [["message": "Syntax Error: bad request"]]], status: .badRequest)
        }
        let pool = "\(provisioner)/\(workerType)"
        if vars["workerId"] != nil { return worker(vars, pool: pool) }
        poolRequests[pool, default: 0] += 1
        if (tc.failing ?? []).contains(pool) || poolRequests[pool]! <= (tc.flaky?[pool] ?? 0) {
            return Self.json(["error": "Internal Server Error"], status: .internalServerError)
        }
        let connection = vars["workersConnection"] as? [String: Any] ?? [:]
        let limit = min((connection["limit"] as? Int) ?? 1000, tc.pageSize ?? 1000)
        let offset = (connection["cursor"] as? String).flatMap { Int($0) } ?? 0
        let now = Date()
        let members = scenario.hosts.filter { $0.worker != nil && self.pool(of: $0) == pool }.sorted { $0.name < $1.name }
        let page = Array(members.dropFirst(offset).prefix(limit))
        let hasNext = offset + page.count < members.count
        var edges = page.map { ["node": node($0, now: now)] }
        var reply: [String: Any] = [:]
        if (tc.partialErrors ?? []).contains(pool), !edges.isEmpty {
            var first = edges[0]["node"]!
            first["latestTask"] = NSNull()
            edges[0]["node"] = first
            reply["errors"] = [["message": "Task does not exist", "path": ["workers", "edges", 0, "node", "latestTask"]] as [String: Any]]
        }
        reply["data"] = ["workers": [
            "pageInfo": ["hasNextPage": hasNext, "nextCursor": hasNext ? String(offset + page.count) : NSNull()] as [String: Any],
            "edges": edges,
        ] as [String: Any]]
        return Self.json(reply)
    }

    func workerTypes(provisioner: String, token: String?) -> Response {
        var names = Set(scenario.hosts.compactMap { pool(of: $0) }.compactMap(WorkerPool.init).filter { $0.provisioner == provisioner }.map(\.workerType))
        if provisioner == PoolTable.defaultProvisioner { names.formUnion(tc.workerTypes ?? []) }
        let all = names.sorted()
        let size = tc.pageSize ?? 1000
        let offset = token.flatMap { Int($0) } ?? 0
        let page = Array(all.dropFirst(offset).prefix(size))
        var reply: [String: Any] = ["workerTypes": page.map { ["workerType": $0, "provisionerId": provisioner] }]
        if offset + page.count < all.count { reply["continuationToken"] = String(offset + page.count) }
        return Self.json(reply)
    }

    func rateHeaders() -> [(String, String)] {
        rateRemaining = max(0, rateRemaining - 1)
        return [("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", String(rateRemaining)),
                ("x-ratelimit-reset", String(Int(Date().timeIntervalSince1970) + 3600))]
    }

    func refs(repo: String, page: Int, perPage: Int, base: String) -> Response {
        let gh = scenario.github ?? GitHubScenario(repos: [:])
        if (gh.forbidden ?? []).contains(repo) {
            return Self.json(["message": "Resource not accessible"], status: .forbidden, headers: rateHeaders())
        }
        guard let branches = gh.repos[repo] else {
            return Self.json(["message": "Not Found"], status: .notFound, headers: rateHeaders())
        }
        let size = min(perPage, gh.pageSize ?? 100)
        let names = branches.keys.sorted()
        let slice = Array(names.dropFirst((page - 1) * size).prefix(size))
        var headers = rateHeaders()
        if page * size < names.count {
            headers.append(("Link", "<\(base)/repos/\(repo)/git/refs/heads?per_page=\(perPage)&page=\(page + 1)>; rel=\"next\""))
        }
        let body = slice.map { ["ref": "refs/heads/\($0)", "node_id": "x", "object": ["sha": resolve(branches[$0]!), "type": "commit"]] as [String: Any] }
        return Self.json(body, headers: headers)
    }

    func poolsYML() -> Response {
        let pools = scenario.github?.windowsPools ?? [:]
        let yaml = "pools:\n" + pools.keys.sorted().map { "  - name: \($0)\n    hash: \(pools[$0]!)\n" }.joined()
        let b64 = Data(yaml.utf8).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return Self.json(["name": "pools.yml", "encoding": "base64", "content": b64], headers: rateHeaders())
    }
}
