import ArgumentParser
import FleetConfig
import FleetCore
import FleetGitHub
import FleetHTTP
import FleetTaskcluster
import Foundation
import Logging

/// `--tc-root-url` and `--github-api-url` take an http(s) URL with a host.
func checkServiceURL(_ option: String, _ value: String?) throws {
    if let v = value, !(v.hasPrefix("http://") || v.hasPrefix("https://")) || URL(string: v)?.host == nil {
        throw ValidationError("\(option) must be an http:// or https:// URL.")
    }
}

/// Where Taskcluster is and how to read it (gather-tc, gather).
struct TaskclusterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Taskcluster root URL (default: [taskcluster] root_url, else the Firefox CI deployment).", valueName: "url"))
    var tcRootURL: String?

    @Option(help: "Taskcluster pools scanned at the same time (default: [taskcluster] concurrency, else 4).")
    var tcConcurrency: Int?

    func validate() throws {
        try checkServiceURL("--tc-root-url", tcRootURL)
        if let c = tcConcurrency, c < 1 { throw ValidationError("--tc-concurrency must be at least 1.") }
    }

    func rootURL(_ config: FleetConfig) -> String { tcRootURL ?? config.taskclusterRootURL ?? TaskclusterClient.defaultRootURL }

    func client(_ config: FleetConfig, logger: Logger) -> TaskclusterClient {
        var credentials: TaskclusterCredentials?
        do { credentials = try TaskclusterCredentials.find() } catch {
            // Reading needs no credentials: a broken credentials file costs a warning, not the run.
            Terminal.warning("Taskcluster credentials not used: \(ErrorText.describe(error))")
        }
        return TaskclusterClient(rootURL: rootURL(config), fetcher: HTTPFetcher(timeout: 30, logger: logger), credentials: credentials)
    }

    func poolTable(_ config: FleetConfig) -> PoolTable { PoolTable.builtIn.merging(config.pools) }

    func concurrency(_ config: FleetConfig) -> Int { tcConcurrency ?? config.taskclusterConcurrency ?? 4 }
}

/// Where GitHub is (gather-gh, gather).
struct GitHubOptions: ParsableArguments {
    @Option(name: .customLong("github-api-url"), help: ArgumentHelp("GitHub API URL (default: [github] api_url, else https://api.github.com).", valueName: "url"))
    var githubAPIURL: String?

    func validate() throws { try checkServiceURL("--github-api-url", githubAPIURL) }

    func apiURL(_ config: FleetConfig) -> String { githubAPIURL ?? config.githubAPIURL ?? GitHubClient.defaultAPIURL }

    func client(_ config: FleetConfig, logger: Logger) -> GitHubClient {
        GitHubClient(apiURL: apiURL(config), token: Self.token(config).map(\.token), fetcher: HTTPFetcher(timeout: 10, logger: logger))
    }

    /// `GITHUB_TOKEN`, then `GH_TOKEN`, then `[github] api_token`; and where it came from.
    static func token(_ config: FleetConfig, environment: [String: String] = ProcessInfo.processInfo.environment) -> (token: String, source: String)? {
        for key in ["GITHUB_TOKEN", "GH_TOKEN"] {
            if let v = environment[key], !v.isEmpty { return (v, key) }
        }
        return config.githubToken.flatMap { $0.isEmpty ? nil : ($0, "config.toml") }
    }
}
