import ArgumentParser
import FleetCore
import FleetGather
import FleetGitHub
import FleetStore
import FleetOps
import Foundation

struct GatherGHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gather-gh",
        abstract: "Record the GitHub branch heads hosts should run, and the Windows pool hashes.",
        discussion: """
            Looks up mozilla-platform-ops/ronin_puppet master and every GitHub repo and branch named \
            by a stored override file, following pagination, plus pools.yml from worker-images. \
            Runs at most once an hour unless --force. Token: GITHUB_TOKEN, GH_TOKEN, else \
            [github] api_token. Exit status: 0 when every branch was found, 1 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var services: ServiceOptions

    @Flag(name: [.long, .customLong("override-delay")], help: "Fetch even if the last fetch was less than an hour ago.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print one line only.")
    var quiet = false

    func run() async throws {
        let report = try await Self.collect(global: global, services: services, force: force)
        print(GitHubView(report: report).render(quiet: quiet))
        if !report.errors.isEmpty { throw CLIError.hostsFailed }
    }

    static func collect(global: GlobalOptions, services: ServiceOptions, force: Bool) async throws -> GitHubReport {
        let fleet = try global.fleet()
        return try await fleet.github(try global.openDatabase(), client: services.github(fleet.config)).collect(force: force, now: fleet.context.now)
    }
}

/// Text output of gather-gh.
struct GitHubView {
    let report: GitHubReport

    func render(quiet: Bool) -> String {
        guard report.ran else {
            let minutes = max(1, Int(((report.nextFetch?.timeIntervalSinceNow ?? 0) / 60).rounded(.up)))
            return quiet ? "GitHub refs are current (next fetch in \(minutes)m)"
                : "GitHub refs were fetched less than an hour ago; next fetch in \(minutes)m (use --force to fetch now)"
        }
        let rate = report.rateLimit.map { " rate limit \($0.remaining)/\($0.limit) left" } ?? ""
        if quiet {
            return report.errors.isEmpty
                ? "\(Terminal.green("✓ SUCCESS")) Wrote \(report.refs.count) branch refs, \(report.pools.count) pool hashes\(rate)"
                : "\(Terminal.yellow("⚠ WARNING")) Wrote \(report.refs.count)/\(report.requested) branch refs, \(report.pools.count) pool hashes (\(report.errors.count) errors)\(rate)"
        }
        var lines = ["Wrote \(report.refs.count)/\(report.requested) branch ref(s) and \(report.pools.count) Windows pool hash(es).\(rate)"]
        if let e = report.poolError { lines.append("\(Terminal.yellow("WARNING")): Windows pools.yml: \(e)") }
        if !report.errors.isEmpty {
            lines.append("Encountered \(report.errors.count) error(s):")
            lines += report.errors.map { "  - \($0)" }
        }
        if let rl = report.rateLimit, rl.remaining < 10 {
            lines.append("\(Terminal.yellow("WARNING")): only \(rl.remaining) GitHub requests left this hour; set GITHUB_TOKEN or [github] api_token")
        }
        return lines.joined(separator: "\n")
    }
}
