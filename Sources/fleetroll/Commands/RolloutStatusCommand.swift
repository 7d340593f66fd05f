import ArgumentParser
import FleetCore
import FleetOps
import Foundation

struct RolloutStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every stage and host of a rollout from fresh data, and the gates' values.",
        discussion: """
            Gathers the rollout's hosts first (and Taskcluster and GitHub, when [taskcluster] root_url \
            or [github] api_url is configured or given), unless --no-refresh. Per host: its stage and \
            state in the rollout, the override on disk (OVR_BCH), PP_MATCH, APPLIED, HEALTHY; then each \
            gate with its value and threshold. A stage host whose puppet run failed after the stage was \
            applied (PP_LAST FAIL) pauses the rollout, which is recorded. Exit status 0 (also when gates \
            fail: advance is the command that refuses), 2 for an unknown rollout.
            """
    )

    @Argument(help: "The rollout's id.")
    var id: String

    @Flag(help: "Judge from the data already in the store; contact no host or service.")
    var noRefresh = false

    @Flag(help: "Print JSON only (schemas/rollout-status.schema.json).")
    var json = false

    @Option(help: "Hosts gathered at the same time.")
    var workers = 10

    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions
    @OptionGroup var taskcluster: TaskclusterOptions
    @OptionGroup var github: GitHubOptions

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
    }

    func run() async throws {
        let engine = try RolloutFlow.engine(global: global, ssh: ssh, workers: workers, gather: !noRefresh,
                                            taskcluster: taskcluster, github: github, lock: false)
        // Status only reads, but a failed puppet run makes it pause the rollout: that needs the
        // lock, taken only then. While another rollout command holds it, status shows and leaves
        // the pausing to it.
        let state = global.state
        Interrupts.install(Interrupts.terminateAndExit)
        try await RolloutFlow.mapped {
            let status = try await engine.status(id, refresh: !noRefresh, pauseLock: {
                let held = RolloutFlow.tryHold(state)
                if !held { Terminal.note("Another rollout command is running: this status pauses nothing.") }
                return held
            })
            print(json ? RolloutView.statusJSON(status) : RolloutView.status(status))
        }
    }
}
