import ArgumentParser
import FleetCore
import FleetOps
import Foundation

struct RolloutFinalizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finalize",
        abstract: "Remove the override from every target once the change is merged (one action, irreversible).",
        discussion: """
            Needs --all --merged --confirm, an active rollout and every target through a stage. Each \
            host is gathered just before (the snapshot in the store) and its override removed with a \
            backup on the host; hosts then follow the default branch. vault.yaml stays as rolled out. \
            Hosts that fail stay to be finalized: run it again. Exit status: 0, 1 refused or a host \
            failed, 2 usage, 130 Ctrl-C.
            """
    )

    @Argument(help: "The rollout's id.")
    var id: String

    @Flag(help: "Every target (required: finalize is never partial).")
    var all = false

    @Flag(help: "The change is merged, so hosts can follow the default branch (required).")
    var merged = false

    @OptionGroup var write: RolloutWriteOptions
    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions

    func validate() throws {
        if !all { throw ValidationError("finalize needs --all: it removes the override from every target in one action.") }
        // Like --all, a missing --merged is a usage error (exit 2); the dry run still says what it would refuse.
        if write.confirm && !merged { throw ValidationError(RolloutError.notMerged.description) }
    }

    func run() async throws {
        let engine = try RolloutFlow.engine(global: global, ssh: ssh, workers: write.workers, gather: !write.noAudit, backup: !write.noBackup)
        try await RolloutFlow.mapped {
            let r = try await engine.load(id)
            guard write.confirm else {
                var refusal: String?
                do { _ = try r.finalizing(merged: merged) } catch { refusal = "\(error)" }
                if write.json {
                    print(JSONOutput.render(["dry_run": true, "rollout_id": r.id, "action": "finalize", "hosts": r.toFinalize,
                                             "refused": refusal as Any? ?? NSNull()]))
                } else {
                    RolloutFlow.dryRun(RolloutView.header(r) + ["Action: finalize: remove the override from \(r.toFinalize.count) host(s):"]
                                       + HostPreview.lines(r.toFinalize) + (refusal.map { [Terminal.yellow("It would be refused: \($0)")] } ?? []))
                }
                return
            }
            try await RolloutFlow.pass("Removing the override", title: "Rollout \(id): finalize", action: "finalize", json: write.json) { stop, progress in
                try await engine.finalize(id, merged: merged, reason: write.reason, stop: stop, progress: progress)
            }
        }
    }
}
