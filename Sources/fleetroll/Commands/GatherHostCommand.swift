import ArgumentParser
import FleetCore
import FleetGather
import FleetSSH
import FleetStore
import FleetOps
import Foundation

struct GatherHostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gather-host",
        abstract: "Audit hosts over SSH and store what each one holds.",
        discussion: """
            One ssh session per host collects the OS, uptime, puppet role, the override file \
            (metadata, SHA-256 and content), vault.yaml (metadata and SHA-256; the content only \
            when the local store does not have it yet) and the last puppet run's state file.

            HOST_OR_FILE is a host (user@host allowed), several hosts, comma lists, or one .list \
            file (one host per line, # comments, '# fqdn: SUFFIX' appends SUFFIX to bare names). \
            Short names on the command line are expanded: ms1 -> t-linux64-ms-001.test.releng.mdc1.mozilla.com. \
            Anything that is not a valid host name is refused before any ssh runs.

            Every outcome is stored in <state>/store.db, failures included, each with its error \
            class: unreachable, timeout, auth, sudo, truncated, remote, ssh, local. Connection \
            failures are retried once. ssh connections are reused between runs (ControlMaster, \
            sockets under the state directory) unless --no-multiplex is given.

            Exit status: 0 when every host succeeded, 1 when any failed, 2 for usage errors.
            """,
        aliases: ["host-audit"]
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var global: GlobalOptions
    @OptionGroup var ssh: SSHOptions
    @OptionGroup var options: GatherHostOptions

    func run() async throws {
        let selection = try resolveHosts(hosts)
        Interrupts.install(Interrupts.terminateAndExit)
        if try await options.run(selection, global: global, ssh: ssh) > 0 { throw CLIError.hostsFailed }
    }
}

/// gather-host's own options, shared with `gather`.
struct GatherHostOptions: ParsableArguments {
    @Option(help: "Hosts audited at the same time (default: [gather] workers, else 10).")
    var workers: Int?

    @Option(help: ArgumentHelp("No host is started after this many seconds (default: [gather] batch_timeout, else 600).", valueName: "seconds"))
    var batchTimeout: Double?

    @Flag(help: "Do not fetch override contents (their SHA-256 is still gathered).")
    var noContent = false

    @Option(help: ArgumentHelp("Observations kept per host in the database (the newest successful one is always kept too).", valueName: "n"))
    var keep = 10

    @Flag(help: "Print JSON only: the record for one host, or {results, total, successful, failed, unique_overrides}.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print one line only.")
    var quiet = false

    @Flag(help: "Print more detail per host in the batch summary.")
    var verbose = false

    func validate() throws {
        if let w = workers, w < 1 { throw ValidationError("--workers must be at least 1.") }
        if let b = batchTimeout, b <= 0 { throw ValidationError("--batch-timeout must be more than 0 seconds.") }
        guard keep >= 1 else { throw ValidationError("--keep must be at least 1.") }
        if verbose && quiet { throw ValidationError("--verbose and --quiet are mutually exclusive.") }
    }

    /// Audits the hosts, prints the chosen output, and returns how many hosts failed.
    func run(_ selection: HostSelection, global: GlobalOptions, ssh: SSHOptions) async throws -> Int {
        let state = global.state
        let fleet = try global.fleet()
        let config = fleet.config
        let database = try global.openDatabase(retention: keep)
        var options = GatherOptions()
        options.workers = workers ?? config.workers ?? 10
        options.batchTimeout = batchTimeout ?? config.batchTimeout ?? 600
        options.includeContent = !noContent
        let gatherer = fleet.gatherer(database, transport: fleet.transport(try ssh.settings(state: state, config: config)), options: options)

        let view = GatherHostView(selection: selection, state: state, workers: options.workers, verbose: verbose)
        if !json && !quiet && selection.isBatch { print(view.header()) }
        let bar = ProgressBar(total: selection.hosts.count, label: "Auditing hosts", enabled: !json && !quiet)
        let started = Date()
        let results = await gatherer.gather(selection.hosts) { done, _ in bar.update(done: done) }
        bar.finish()
        let elapsed = Date().timeIntervalSince(started)

        if json {
            print(view.json(results))
        } else if quiet {
            print(view.quietLine(results, elapsed: elapsed))
        } else if selection.isBatch {
            print(view.summary(results))
        } else if let only = results.first {
            print(view.detail(only))
        }
        return results.filter { !$0.observation.ok }.count
    }
}
