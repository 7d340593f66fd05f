/// A branch head seen on GitHub (`github_refs.data`), with the old tool's keys.
public struct BranchRef: Codable, Equatable, Sendable {
    public var type = "branch_ref"
    public var ts: String
    public var owner: String
    public var repo: String
    public var branch: String
    public var sha: String

    public init(ts: String, owner: String, repo: String, branch: String, sha: String) {
        self.ts = ts; self.owner = owner; self.repo = repo; self.branch = branch; self.sha = sha
    }

    /// `owner/repo:branch`, the key reports look branches up by.
    public var key: String { "\(owner)/\(repo):\(branch)" }
}

/// A Windows pool's image hash from `pools.yml` (`windows_pools.data`).
public struct WindowsPoolHash: Codable, Equatable, Sendable {
    public var type = "windows_pool"
    public var ts: String
    public var poolName: String
    public var hash: String

    public init(ts: String, poolName: String, hash: String) {
        self.ts = ts; self.poolName = poolName; self.hash = hash
    }

    enum CodingKeys: String, CodingKey {
        case type, ts, hash
        case poolName = "pool_name"
    }
}

/// A GitHub repository.
public struct RepoName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var owner: String
    public var repo: String

    public init(owner: String, repo: String) { self.owner = owner; self.repo = repo }

    public static let ronin = RepoName(owner: "mozilla-platform-ops", repo: "ronin_puppet")
    public static let defaultBranch = "master"

    public var description: String { "\(owner)/\(repo)" }
    public static func < (a: RepoName, b: RepoName) -> Bool { a.description < b.description }

    /// The branches to look up: ronin_puppet `master`, plus every GitHub repo and branch that an
    /// override file names (through the one override parser).
    public static func branchesToWatch(overrideTexts: [String]) -> [RepoName: Set<String>] {
        var out: [RepoName: Set<String>] = [ronin: [defaultBranch]]
        for text in overrideTexts {
            let file = OverrideFile(text: text)
            guard let gh = file.githubRepository, let branch = file.puppetBranch, !branch.isEmpty else { continue }
            out[RepoName(owner: gh.owner, repo: gh.repo), default: []].insert(branch)
        }
        return out
    }
}
