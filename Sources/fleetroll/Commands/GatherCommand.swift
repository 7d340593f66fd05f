import ArgumentParser
import FleetCore
import FleetTaskcluster
import Foundation

struct GatherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gather",
        abstract: "Run gather-host, gather-tc and gather-gh in turn and print one summary.",
        discussion: "Each step runs even when an earlier one had failures. Exit status 1 when any step failed."
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions
    @OptionGroup var host: GatherHostOptions
    @OptionGroup var services: ServiceOptions

    @Flag(help: "Skip the SSH step.") var skipHost = false
    @Flag(help: "Skip the Taskcluster step.") var skipTc = false
    @Flag(help: "Skip the GitHub step.") var skipGh = false
    @Flag(name: [.long, .customLong("override-delay")], help: "Fetch GitHub even if it was fetched less than an hour ago.")
    var force = false

    /// The Python tool's `gather -v`: more detail from the SSH step and one line per host from
    /// the Taskcluster step (`--verbose` does the same).
    @Flag(name: .customShort("v"), help: "Print more detail per host (as --verbose) and the Taskcluster step's per-host lines.")
    var verbosity: Int

    var verbose: Bool { verbosity > 0 || host.verbose }

    func validate() throws {
        if verbosity > 0 && host.quiet { throw ValidationError("-v and --quiet are mutually exclusive.") }
    }

    func run() async throws {
        let selection = try resolveHosts(hosts)
        Interrupts.install(Interrupts.terminateAndExit)
        var summary: [String] = []
        var failed = false
        if !skipHost {
            var hostOptions = host
            hostOptions.verbose = verbose
            let bad = try await hostOptions.run(selection, global: global, ssh: ssh)
            summary.append("hosts: \(selection.hosts.count - bad)/\(selection.hosts.count) gathered")
            failed = failed || bad > 0
        }
        if !skipTc {
            do {
                let r = try await GatherTCCommand.collect(selection, global: global, services: services)
                if !host.quiet && !host.json { print(TaskclusterView(report: r, verbose: verbose).render(quiet: false)) }
                summary.append("taskcluster: \(r.found) worker(s) found, \(r.failedPools) pool(s) failed")
                failed = failed || r.failedPools > 0
            } catch let error as CLIError {
                throw error
            } catch {
                summary.append("taskcluster: FAILED: \(error)")
                failed = true
            }
        }
        if !skipGh {
            do {
                let r = try await GatherGHCommand.collect(global: global, services: services, force: force)
                if !host.quiet && !host.json { print(GitHubView(report: r).render(quiet: false)) }
                summary.append(r.ran ? "github: \(r.refs.count)/\(r.requested) branch ref(s)" : "github: current (throttled)")
                failed = failed || !r.errors.isEmpty
            } catch let error as CLIError {
                throw error
            } catch {
                summary.append("github: FAILED: \(error)")
                failed = true
            }
        }
        let mark = failed ? Terminal.yellow("⚠ WARNING") : Terminal.green("✓ SUCCESS")
        let line = "\(mark) gather: " + summary.joined(separator: "; ")
        if host.json { Terminal.note(line) } else { print(line) }
        if failed { throw CLIError.hostsFailed }
    }
}

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the configuration fleetroll uses.", subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the effective configuration (secrets masked).")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let config = try global.config()
            let exists = FileManager.default.fileExists(atPath: global.state.config.path)
            print("# \(global.state.config.path)\(exists ? "" : " (not present: defaults)")")
            print(config.describe(tokenSource: ServiceOptions.githubToken(config)?.source).joined(separator: "\n"))
            let credentials = (try? TaskclusterCredentials.find()).flatMap { $0 }
            print("\n# Taskcluster credentials: \(credentials.map { "\($0.clientId) (from \($0.source))" } ?? "none (reading needs none)")")
        }
    }
}
