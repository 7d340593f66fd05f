import FleetCore
import FleetGitHub
import FleetHTTP
import FleetStore
import Foundation

/// What one gather-gh run did.
public struct GitHubReport: Sendable {
    /// nil when the hourly throttle skipped the run; then `nextFetch` says when the next one is due.
    public var ran: Bool
    public var nextFetch: Date?
    public var refs: [BranchRef] = []
    public var requested = 0
    public var pools: [WindowsPoolHash] = []
    public var errors: [String] = []
    public var poolError: String?
    public var rateLimit: RateLimit?
    /// GitHub could not be reached at all (the name does not resolve, the connection is refused).
    public var unreachable = false
}

/// Fetches the branch heads hosts should run, at most once an hour unless forced.
public struct GitHubCollector: Sendable {
    public static let interval: Double = 3600

    public var client: GitHubClient
    public let services: ServiceStore
    public let overrides: ContentStore

    public init(client: GitHubClient, database: FleetDatabase, state: StateDirectory) {
        self.client = client
        self.services = ServiceStore(database: database)
        self.overrides = state.overrideStore
    }

    /// `progress` is called with (requests done, requests in all): one per repository, and pools.yml.
    public func collect(force: Bool, now: Date, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> GitHubReport {
        if !force, let last = try await services.lastSuccessfulRun("github"), now.timeIntervalSince(last) < Self.interval {
            return GitHubReport(ran: false, nextFetch: last.addingTimeInterval(Self.interval))
        }
        let ts = Timestamp.iso(now)
        let texts = overrides.storedSHAs().compactMap(overrides.text(forSHA:))
        let wanted = RepoName.branchesToWatch(overrideTexts: texts)
        var report = GitHubReport(ran: true)
        let repos = wanted.keys.sorted()
        var done = 0
        for repo in repos {
            let branches = wanted[repo]!.sorted()
            report.requested += branches.count
            do {
                let (heads, rate) = try await client.branchHeads(repo)
                report.rateLimit = rate ?? report.rateLimit
                for branch in branches {
                    if let sha = heads[branch] {
                        report.refs.append(BranchRef(ts: ts, owner: repo.owner, repo: repo.repo, branch: branch, sha: sha))
                    } else {
                        report.errors.append("Branch \(branch) not found in \(repo)")
                    }
                }
            } catch let error as HTTPFetchError {
                report.errors.append("\(error)")
                // No such name, connection refused: every other request would fail the same way.
                if case .unreachable = error { report.unreachable = true; break }
            } catch {
                report.errors.append("\(error)")
            }
            done += 1
            progress(done, repos.count + 1)
        }
        if !report.unreachable {
            do {
                let (pools, rate) = try await client.windowsPools()
                report.rateLimit = rate ?? report.rateLimit
                report.pools = pools.keys.sorted().map { WindowsPoolHash(ts: ts, poolName: $0, hash: pools[$0]!) }
            } catch {
                report.poolError = "\(error)"
                if let e = error as? HTTPFetchError, case .unreachable = e { report.unreachable = true }
            }
            progress(repos.count + 1, repos.count + 1)
        }
        try await services.insertRefs(report.refs, pools: report.pools)
        // A run that got nothing but errors does not count for the throttle, so the next one retries.
        try await services.recordRun("github", at: now, ok: !(report.refs.isEmpty && !report.errors.isEmpty),
                                     summary: ["refs": "\(report.refs.count)", "requested": "\(report.requested)", "errors": "\(report.errors.count)"])
        return report
    }
}
