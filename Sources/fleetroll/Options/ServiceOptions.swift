import ArgumentParser
import FleetConfig
import FleetCore
import FleetGitHub
import FleetHTTP
import FleetTaskcluster
import Foundation

/// Where Taskcluster and GitHub are, and how to read them.
struct ServiceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Taskcluster root URL (default: [taskcluster] root_url, else the Firefox CI deployment).", valueName: "url"))
    var tcRootURL: String?

    @Option(name: .customLong("github-api-url"), help: ArgumentHelp("GitHub API URL (default: [github] api_url, else https://api.github.com).", valueName: "url"))
    var githubAPIURL: String?

    @Option(help: "Taskcluster pools scanned at the same time (default: [taskcluster] concurrency, else 4).")
    var tcConcurrency: Int?

    func validate() throws {
        for (option, value) in [("--tc-root-url", tcRootURL), ("--github-api-url", githubAPIURL)] {
            if let v = value, !(v.hasPrefix("http://") || v.hasPrefix("https://")) || URL(string: v)?.host == nil {
                throw ValidationError("\(option) must be an http:// or https:// URL.")
            }
        }
        if let c = tcConcurrency, c < 1 { throw ValidationError("--tc-concurrency must be at least 1.") }
    }

    func taskcluster(_ config: FleetConfig) throws -> TaskclusterClient {
        var credentials: TaskclusterCredentials?
        do { credentials = try TaskclusterCredentials.find() } catch {
            // Reading needs no credentials: a broken credentials file costs a warning, not the run.
            Terminal.note("WARNING: Taskcluster credentials not used: \(error)")
        }
        return TaskclusterClient(rootURL: tcRootURL ?? config.taskclusterRootURL ?? TaskclusterClient.defaultRootURL,
                                 fetcher: HTTPFetcher(timeout: 30), credentials: credentials)
    }

    func poolTable(_ config: FleetConfig) -> PoolTable { PoolTable.builtIn.merging(config.pools) }

    func concurrency(_ config: FleetConfig) -> Int { tcConcurrency ?? config.taskclusterConcurrency ?? 4 }

    func github(_ config: FleetConfig) -> GitHubClient {
        GitHubClient(apiURL: githubAPIURL ?? config.githubAPIURL ?? GitHubClient.defaultAPIURL,
                     token: Self.githubToken(config).map(\.token), fetcher: HTTPFetcher(timeout: 10))
    }

    /// `GITHUB_TOKEN`, then `GH_TOKEN`, then `[github] api_token`; and where it came from.
    static func githubToken(_ config: FleetConfig, environment: [String: String] = ProcessInfo.processInfo.environment) -> (token: String, source: String)? {
        for key in ["GITHUB_TOKEN", "GH_TOKEN"] {
            if let v = environment[key], !v.isEmpty { return (v, key) }
        }
        return config.githubToken.flatMap { $0.isEmpty ? nil : ($0, "config.toml") }
    }
}
