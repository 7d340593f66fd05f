import ArgumentParser
import FleetConfig
import FleetCore
import FleetGather
import FleetOps
import FleetSSH
import FleetStore
import FleetWrite
import Foundation

struct RunPuppetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-run-puppet",
        abstract: "Run puppet once on hosts over SSH, watching each run as it happens, then gather them again.",
        discussion: """
            On each host: sudo -n env FLEETROLL_SINGLE_RUN=1 \(PuppetRunScript.wrapperPath), in a \
            \(PuppetRunScript.columns)x\(PuppetRunScript.rows) pseudo-terminal. FLEETROLL_SINGLE_RUN=1 asks the wrapper \
            for one attempt instead of retrying forever. Exit 0 is OK (no changes), 2 is OK (changes \
            applied), anything else is FAIL with the code; a failing sudo, a missing wrapper, an \
            unreachable host and a timeout are FAIL with their class.

            One host runs at once; several (or a .list file) need --confirm, and without it the hosts \
            and what would run are shown. A list file whose name lacks "staging" gets a warning.

            Each line of output is shown as it arrives, after the host's short name, whole lines only; \
            cursor control is removed, colours stay on a terminal (none on a pipe or with NO_COLOR). \
            On a terminal a progress line on stderr names the runs in flight. -q shows only that and \
            the summary; --json prints the records (an array, each with the host's output tail) and \
            nothing else.

            --timeout S (default 600) ends the run on the host after S seconds (TERM, KILL 5 s later). \
            Ctrl-C starts no new host and ends the runs in flight: every host ends up OK, FAIL, \
            INTERRUPTED or NOT_STARTED, on screen and in <state>/audit.jsonl (one host.run_puppet line \
            per host, a STARTED line first for each host contacted; never the output). The last 64 KiB \
            of each host's output is kept in <state>/puppet_runs/ for the host detail view. Afterwards \
            the hosts are gathered again (--no-audit skips that). Exit status: 0 all OK (or a dry \
            run), 1 any FAIL, 2 usage errors, 130 Ctrl-C (143 SIGTERM).

            Examples:
              fleetroll host-run-puppet ms3
              fleetroll host-run-puppet canary-staging.list                 # dry run
              fleetroll host-run-puppet canary-staging.list --confirm --reason "RELOPS-999 canary" --timeout 900
              fleetroll host-run-puppet ms1,ms2 --confirm -q --json | jq -r '.[] | [.host, .result, .observed.puppet_exit] | @tsv'
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @Flag(help: "Run on several hosts (one host runs without it). Without it, fleetroll shows what it would run.")
    var confirm = false

    @Option(help: "Why you are running puppet; recorded in the audit log.")
    var reason: String?

    @Flag(help: "Do not gather the hosts again afterwards.")
    var noAudit = false

    @Option(help: "Hosts run at the same time.")
    var workers = 10

    @Flag(name: [.customShort("q"), .long], help: "Show only the progress line and the summary, not the hosts' output.")
    var quiet = false

    @Flag(help: "Print JSON only: the hosts' records (each with the output's end), an array for one host as for several; the plan without --confirm.")
    var json = false

    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: RunPuppetSSHOptions

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
    }

    func run() async throws {
        let selection = try resolveHosts(hosts)
        let windows = selection.hosts.filter(\.isWindows)
        let targets = selection.hosts.filter { !$0.isWindows }
        if let file = selection.listFile, !(file as NSString).lastPathComponent.lowercased().contains("staging") {
            Terminal.note(Terminal.yellowOnStderr("WARNING: host list filename does not contain 'staging'. "
                + "Running puppet on non-staging hosts may disrupt in-flight tests."))
        }
        let view = PuppetRunView(targets: targets, quiet: quiet || json, json: json, auditLog: global.state.auditLog.path)
        if selection.isBatch && !confirm {
            view.dryRun(selection: selection, windows: windows, workers: workers, timeout: ssh.timeout, reason: reason, autoAudit: !noAudit)
            return
        }
        if targets.isEmpty {
            Terminal.note("No hosts to run puppet on: host-run-puppet skips Windows hosts (\(windows.count) given).")
            return
        }
        let state = global.state
        do { try state.prepare() } catch {
            throw CLIError.usage("cannot use the state directory \(state.root.path): \(error)")
        }
        let fleet = try global.fleet()
        // Every run must be recorded: with no audit log to write to, no host is contacted.
        do { try AuditLog(url: state.auditLog).checkWritable() } catch {
            throw CLIError.failed("the audit log cannot be written (\(error)); no host was contacted")
        }
        let settings = try ssh.settings(state: state, config: fleet.config)
        let runner = fleet.puppetRunner(transport: fleet.streamingTransport(settings.run), workers: workers, timeout: ssh.timeout,
                                        reason: reason)
        var gather = GatherOptions()
        gather.workers = workers
        let gatherer = noAudit ? nil : fleet.gatherer(try global.openDatabase(), transport: fleet.transport(settings.gather), options: gather)
        let flow = RunPuppetAndRefresh(runner: runner, gatherer: gatherer)

        let stop = StopRequest()
        Interrupts.install { _ in
            guard !stop.isRequested else { return }
            stop.request()
            view.note("Stopping: no new host starts, and the runs in flight are being ended.")
        }
        view.begin(workers: min(workers, targets.count), timeout: ssh.timeout)
        let outcome = await flow.run(targets, stop: stop, events: view.handle) { results, elapsed in
            view.finish(results, elapsed: elapsed, windows: windows, single: !selection.isBatch)
        }
        if !outcome.refreshed.isEmpty {
            let failed = outcome.refreshed.filter { !$0.observation.ok }.count
            Terminal.note("Audit refreshed for \(outcome.refreshed.count - failed) host(s)." + (failed > 0 ? " \(failed) could not be gathered." : ""))
        }
        let unrecorded = outcome.results.filter { !$0.logged }
        if !unrecorded.isEmpty {
            let hosts = unrecorded.map { "\($0.target) (\($0.record.result.rawValue))" }.joined(separator: ", ")
            throw CLIError.failed("the audit log \(state.auditLog.path) could not record \(unrecorded.count) host(s): "
                + "\(hosts): \(unrecorded[0].auditError ?? "")")
        }
        if stop.isRequested { throw CLIError.interrupted }
        let failed = outcome.results.filter { $0.record.result != .ok }
        if !failed.isEmpty {
            // Said on stderr too, so a caller that sends stdout away still learns what failed.
            let named = failed.prefix(5).map { "\($0.record.host) [\($0.record.errorClass?.rawValue ?? $0.record.result.rawValue)]" }
            throw CLIError.failed("puppet did not run successfully on \(failed.count) of \(outcome.results.count) host(s): "
                + named.joined(separator: ", ") + (failed.count > 5 ? ", ..." : ""))
        }
    }
}

/// The ssh options of host-run-puppet: those of the other commands, but `--timeout` is the limit
/// on each host's run (600 s), not the 10 s a gather session gets. The gather afterwards keeps
/// the usual session limit (`[ssh] timeout`, else 10).
struct RunPuppetSSHOptions: ParsableArguments {
    @Option(name: .customLong("ssh-option"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "Extra ssh arguments, split like a shell would, e.g. --ssh-option \"-J bastion\". Repeatable; they win over fleetroll's own defaults.",
        valueName: "args"))
    var sshOptions: [String] = []

    @Option(help: ArgumentHelp("ssh ConnectTimeout in seconds (default: [ssh] connect_timeout, else 10).", valueName: "seconds"))
    var connectTimeout: Int?

    @Option(help: ArgumentHelp("Each host's run is ended on the host after this many seconds.", valueName: "seconds"))
    var timeout: Double = 600

    @Flag(name: .customLong("no-multiplex"), help: "Do not reuse ssh connections (ControlMaster) for the gather afterwards; runs always have a connection of their own.")
    var noMultiplex = false

    func validate() throws {
        if let c = connectTimeout, c < 1 { throw ValidationError("--connect-timeout must be at least 1 second.") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second.") }
        do { _ = try SSHSettings.splitOptions(sshOptions) } catch {
            throw ValidationError("--ssh-option: \(error)")
        }
    }

    /// The settings of the runs, and of the gather after them.
    func settings(state: StateDirectory, config: FleetConfig) throws -> (run: SSHSettings, gather: SSHSettings) {
        var s = SSHSettings()
        s.connectTimeout = connectTimeout ?? config.connectTimeout ?? 10
        do { s.extraArguments = try SSHSettings.splitOptions(config.sshOptions + sshOptions) } catch {
            throw CLIError.usage("[ssh] options in \(state.config.path): \(error)")
        }
        s.controlDirectory = noMultiplex ? nil : state.sshControl.path
        var run = s, gather = s
        run.timeout = timeout
        // A run gets a connection of its own: closing it (Ctrl-C, the time limit) then hangs up
        // the run on the host at once. A session riding on a shared master can outlive its
        // client when the client is ended while the master is still setting the session up.
        run.controlDirectory = nil
        run.extraArguments += ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
        gather.timeout = config.timeout ?? 10
        return (run, gather)
    }
}
