import ArgumentParser
import FleetConfig
import FleetCore
import FleetGather
import FleetOps
import FleetSSH
import FleetStore
import FleetWrite
import Foundation

/// Options of the rollout commands that write hosts (start, advance, rollback, finalize).
struct RolloutWriteOptions: ParsableArguments {
    @Flag(help: "Apply the step. Without it, fleetroll shows what it would do and changes nothing.")
    var confirm = false

    @Flag(help: "Do not keep a backup (<file>.bak.<UTC time>) of the file being replaced or removed.")
    var noBackup = false

    @Option(help: "Why you are taking this step; recorded in the audit log and the store.")
    var reason: String?

    @Flag(help: "Do not gather the written hosts again afterwards.")
    var noAudit = false

    @Option(help: "Hosts written at the same time.")
    var workers = 10

    @Flag(help: "Print JSON only: schemas/rollout-run.schema.json with --confirm, rollout-plan.schema.json without.")
    var json = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
    }
}

/// What the rollout commands share: the engine, the refresh of Taskcluster and GitHub, Ctrl-C,
/// progress, and turning the engine's refusals into exit codes.
enum RolloutFlow {
    /// The engine for a command. Taskcluster and GitHub are refreshed only when configured
    /// (`[taskcluster] root_url` / `[github] api_url`, or the options), never by default.
    static func engine(global: GlobalOptions<SSHDebug>, ssh: SSHOptions, workers: Int, gather: Bool, backup: Bool = true,
                       taskcluster: TaskclusterOptions? = nil, github: GitHubOptions? = nil, lock: Bool = true,
                       gatherAfterWrites: Bool = true) throws -> RolloutEngine {
        let state = global.state
        do { try state.prepare() } catch { throw CLIError.usage("cannot use the state directory \(state.root.path): \(error)") }
        if lock { try hold(state) }
        let fleet = try global.fleet()
        let database = try global.openDatabase()
        let transport = fleet.transport(try ssh.settings(state: state, config: fleet.config))
        var engine = fleet.rolloutEngine(database, transport: transport, workers: workers, gather: gather,
                                         services: services(fleet, database, taskcluster: taskcluster, github: github))
        engine.backup = backup
        engine.gatherAfterWrites = gatherAfterWrites
        return engine
    }

    /// The rollout lock of the state directory, held until the process ends (`RolloutLock`).
    nonisolated(unsafe) private static var held: RolloutLock?

    /// Takes the lock for a command that changes rollouts; another one running is exit 1.
    static func hold(_ state: StateDirectory) throws {
        do { held = try RolloutLock.acquire(state: state) } catch { throw CLIError.failed("\(error)") }
    }

    /// Takes the lock if it is free: false when another rollout command holds it.
    static func tryHold(_ state: StateDirectory) -> Bool {
        held = try? RolloutLock.acquire(state: state)
        return held != nil
    }

    /// An engine for the commands that only read and record (pause, resume): no host is contacted.
    static func storeEngine(_ global: GlobalOptions<NoDebug>, lock: Bool = true) throws -> RolloutEngine {
        if lock { try hold(global.state) }
        let fleet = try global.fleet()
        let database = try global.openDatabase()
        return fleet.rolloutEngine(database, transport: fleet.transport(.init()), workers: 1, gather: false, services: nil)
    }

    static func services(_ fleet: Fleet, _ database: FleetDatabase, taskcluster: TaskclusterOptions?, github: GitHubOptions?) -> RolloutServiceRefresh? {
        let config = fleet.config
        var tc: TaskclusterCollector?
        var gh: GitHubCollector?
        if let taskcluster, taskcluster.tcRootURL != nil || config.taskclusterRootURL != nil {
            tc = fleet.taskcluster(database, client: taskcluster.client(config, logger: fleet.logger), table: taskcluster.poolTable(config),
                                   concurrency: taskcluster.concurrency(config))
        }
        if let github, github.githubAPIURL != nil || config.githubAPIURL != nil {
            gh = fleet.github(database, client: github.client(config, logger: fleet.logger))
        }
        guard tc != nil || gh != nil else { return nil }
        let clock = fleet.context
        return { [tc, gh] targets in
            var problems: [String] = []
            if let tc {
                do {
                    // The rollout's hosts' recent tasks too: what the job gates count.
                    let report = try await tc.collect(targets, now: clock.now, taskHistory: Set(targets.map(\.description)))
                    for f in report.historyFailures.prefix(3) { problems.append("gather-tc: task history of \(f.host): \(f.error)") }
                    if report.historyFailures.count > 3 { problems.append("gather-tc: task history of \(report.historyFailures.count - 3) more host(s) failed") }
                    if report.failedPools > 0 { problems.append("gather-tc: \(report.failedPools) pool(s) could not be scanned") }
                } catch { problems.append("gather-tc: \(ErrorText.describe(error))") }
            }
            if let gh {
                do {
                    let report = try await gh.collect(force: false, now: clock.now)
                    problems += report.errors.map { "gather-gh: \($0)" }
                } catch { problems.append("gather-gh: \(ErrorText.describe(error))") }
            }
            return problems
        }
    }

    /// A confirmed pass of writes (start, rollback, finalize): Ctrl-C, the progress bar, then
    /// the hosts' lines and the exit status (`finish`).
    static func pass(_ label: String, title: String, action: String, json: Bool,
                     _ work: (StopRequest, @escaping @Sendable (Int, Int) -> Void) async throws -> StageRun) async throws {
        let stop = installStop()
        let bar = progress(label, enabled: !json)
        let run = try await work(stop) { done, total in bar.update(done: done, total: total) }
        bar.finish()
        try finish(run, title: title, action: action, json: json, stop: stop)
    }

    /// Ctrl-C for a pass of writes: the first stops new hosts, the second ends the sessions.
    static func installStop() -> StopRequest {
        let stop = StopRequest()
        Interrupts.install { _ in
            stop.request()
            Terminal.note("\nStopping: hosts not started yet will not be started (Ctrl-C again ends the sessions in flight). "
                          + "The next command resumes where this one stopped.")
        }
        return stop
    }

    static func progress(_ label: String, enabled: Bool) -> ProgressBar { ProgressBar(total: 0, label: label, enabled: enabled) }

    /// The engine's errors as the exit codes users script against: an unknown rollout or a
    /// missing file is a usage error (2); a refused step, a host that failed, the audit log: 1.
    static func mapped(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let error as RolloutEngineError {
            switch error {
            case .notFound: throw CLIError.usage(error.description)
            case .interrupted:
                Terminal.note(error.description)
                throw CLIError.interrupted
            default: throw CLIError.failed(error.description)
            }
        } catch let error as RolloutError {
            throw CLIError.failed(error.description)
        } catch let error as RolloutStoreError {
            throw CLIError.usage(error.description)
        }
    }

    /// Prints a pass and says how it ended: exit 130 after Ctrl-C, 1 when a host failed.
    static func finish(_ run: StageRun, title: String, action: String, json: Bool, stop: StopRequest, gates: [GateResult] = []) throws {
        print(json ? RolloutView.runJSON(run, action: action, gates: gates) : RolloutView.run(run, title: title))
        if !run.refreshed.isEmpty {
            let failed = run.refreshed.filter { !$0.observation.ok }.count
            Terminal.note("Audit refreshed for \(run.refreshed.count - failed) host(s)." + (failed > 0 ? " \(failed) could not be gathered." : ""))
        }
        if let unrecorded = run.results.lazy.compactMap(\.auditError).first {
            throw CLIError.failed("the audit log could not record every host: \(unrecorded)")
        }
        if stop.isRequested { throw CLIError.interrupted }
        if !run.failed.isEmpty {
            throw CLIError.failed("\(run.failed.count) host(s) failed: " + run.failed.prefix(5).map(\.host).joined(separator: ", ")
                                  + "; run the same command again to retry them")
        }
    }

    /// The dry-run footer every mutating rollout command prints.
    static func dryRun(_ lines: [String]) {
        print(([Terminal.yellow("DRY RUN: --confirm not provided; no changes will be made.")] + lines
               + ["", Terminal.yellow("Run again with --confirm to apply changes.")]).joined(separator: "\n"))
    }
}
