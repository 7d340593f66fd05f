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
            [github] api_token. Problems are listed on stderr. Exit status: 0 when every branch \
            was found, 1 otherwise.
            """
    )

    @OptionGroup var global: GlobalOptions<HTTPDebug>
    @OptionGroup var github: GitHubOptions

    @Flag(name: [.long, .customLong("override-delay")], help: "Fetch even if the last fetch was less than an hour ago.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print one line only.")
    var quiet = false

    @Flag(help: "Print what was fetched as one JSON object (schemas/gather-gh.schema.json).")
    var json = false

    func validate() throws {
        if quiet && json { throw ValidationError("--quiet and --json are mutually exclusive.") }
    }

    func run() async throws {
        Interrupts.install(Interrupts.terminateAndExit)
        let report = try await Self.collect(global: global, github: github, force: force)
        let view = GitHubView(report: report)
        print(json ? view.json() : view.render(quiet: quiet))
        if let problem = view.reportProblems() { throw CLIError.failed(problem) }
    }

    static func collect(global: some FleetOptions, github: GitHubOptions, force: Bool) async throws -> GitHubReport {
        let fleet = try global.fleet()
        let url = github.apiURL(fleet.config)
        // On a terminal, say what is being read while it is (a slow service is otherwise silence).
        let bar = ProgressBar(total: 0, label: "Reading GitHub at \(url)", enabled: true)
        bar.update(done: 0)
        defer { bar.finish() }
        return try await fleet.github(try global.openDatabase(), client: github.client(fleet.config, logger: fleet.logger))
            .collect(force: force, now: fleet.context.now) { done, total in bar.update(done: done, total: total) }
    }
}

/// Text and JSON output of gather-gh. Its problems go to stderr, so `gather-gh >/dev/null` in a
/// cron job still says why it exits 1.
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
        if !report.errors.isEmpty { lines.append("\(report.errors.count) error(s), listed on stderr.") }
        return lines.joined(separator: "\n")
    }

    /// Warnings that do not fail the run, printed on stderr by `failure`'s caller too.
    var warnings: [String] {
        var out: [String] = []
        if let e = report.poolError { out.append("Windows pools.yml: \(e)") }
        if let rl = report.rateLimit, rl.remaining < 10 {
            out.append("only \(rl.remaining) GitHub requests left this hour; set GITHUB_TOKEN or [github] api_token")
        }
        return out
    }

    /// Prints the warnings on stderr and returns the reason the run exits 1 (nil when it does
    /// not); with several errors, each is printed and the reason counts them.
    func reportProblems() -> String? {
        for w in warnings { Terminal.warning(w) }
        guard !report.errors.isEmpty else { return nil }
        if report.errors.count == 1 { return report.errors[0] }
        for e in report.errors { Terminal.error(e) }
        return "gather-gh: \(report.errors.count) errors (above)"
    }

    func json() -> String {
        var object: [String: Any] = [
            "ran": report.ran, "requested": report.requested, "errors": report.errors,
            "refs": report.refs.map { ["owner": $0.owner, "repo": $0.repo, "branch": $0.branch, "sha": $0.sha, "ts": $0.ts] },
            "windows_pools": report.pools.map { ["pool_name": $0.poolName, "hash": $0.hash, "ts": $0.ts] },
            "next_fetch": report.nextFetch.map(Timestamp.iso) as Any? ?? NSNull(),
            "pool_error": report.poolError as Any? ?? NSNull(),
        ]
        object["rate_limit"] = report.rateLimit.map { ["limit": $0.limit, "remaining": $0.remaining, "reset": $0.reset] } as Any? ?? NSNull()
        return JSONOutput.render(object)
    }
}
