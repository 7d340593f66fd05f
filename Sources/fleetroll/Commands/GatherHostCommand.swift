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

            --json prints one object whatever the number of hosts: {results, total, successful, \
            failed, unique_overrides, interrupted, not_gathered} (schemas/gather-host.schema.json).
            Ctrl-C stops starting hosts and ends the sessions in flight; the hosts that finished are \
            reported (and were stored). A second Ctrl-C exits at once.

            Exit status: 0 when every host succeeded, 1 when any failed, 2 for usage errors, 130 \
            Ctrl-C, 143 SIGTERM.
            """,
        aliases: ["host-audit"]
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions
    @OptionGroup var options: GatherHostOptions

    func run() async throws {
        let selection = try resolveHosts(hosts)
        let outcome = try await options.run(selection, global: global, ssh: ssh)
        if outcome.interrupted { throw CLIError.interrupted }
        if let problem = outcome.failure { throw CLIError.failed(problem) }
    }
}

/// What a gather-host run came to, for the exit status.
struct GatherHostOutcome {
    var hosts: Int
    var failed: [GatherResult]
    var interrupted: Bool

    /// Why the run exits 1, for stderr: the report on stdout may be going elsewhere.
    var failure: String? {
        guard !failed.isEmpty else { return nil }
        var classes: [String: Int] = [:]
        for r in failed { classes[r.observation.errorClass?.rawValue ?? "error", default: 0] += 1 }
        let detail = classes.keys.sorted().map { "\($0): \(classes[$0]!)" }.joined(separator: ", ")
        return "\(failed.count) of \(hosts) host(s) failed (\(detail))"
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

    @Flag(help: "Print JSON only: one object whatever the number of hosts (gather-host: {results, total, successful, failed, unique_overrides, interrupted, not_gathered}; gather: each step's JSON).")
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

    /// Audits the hosts and prints the chosen output. Ctrl-C (or SIGTERM) stops the run: hosts not
    /// started are not started, sessions in flight end, and the hosts that finished are printed.
    /// `output` takes what would go to stdout (gather --json folds it into its own object).
    func run(_ selection: HostSelection, global: some FleetOptions, ssh: SSHOptions,
             output: (String) -> Void = { print($0) }) async throws -> GatherHostOutcome {
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
        let hosts = selection.hosts
        let run = Task { await gatherer.gather(hosts) { done, _ in bar.update(done: done) } }
        let signals = SignalCount()
        Interrupts.install { sig in
            // The first signal ends the run with what finished; a second one ends fleetroll now.
            if signals.next() > 1 { Interrupts.terminateAndExit(sig) }
            run.cancel()
        }
        var results = await run.value
        bar.finish()
        let elapsed = Date().timeIntervalSince(started)
        let interrupted = Interrupts.signal != nil
        var notGathered: [String] = []
        if interrupted {
            notGathered = results.filter { $0.observation.errorClass == .interrupted }.map(\.observation.host)
            results = results.filter { $0.observation.errorClass != .interrupted }
            Terminal.note("\nInterrupted: \(results.count) of \(hosts.count) host(s) finished and were stored; \(notGathered.count) not gathered.")
        }

        if json {
            output(view.json(results, notGathered: notGathered, interrupted: interrupted))
        } else if quiet {
            output(view.quietLine(results, elapsed: elapsed))
        } else if selection.isBatch || interrupted {
            output(view.summary(results))
        } else if let only = results.first {
            output(view.detail(only))
        }
        return GatherHostOutcome(hosts: results.count, failed: results.filter { !$0.observation.ok }, interrupted: interrupted)
    }
}
