import ArgumentParser
import FleetCore
import FleetOps
import Foundation

struct RolloutRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Give every host the rollout wrote what it had before (no override: removed).",
        discussion: """
            Each host that a write may have reached gets its earlier file back from the content store, \
            or has the rollout's file removed when it had none (vault.yaml likewise), through the \
            verified writes, with backups. Hosts that fail stay to be restored: run it again. Without \
            --confirm each host and what it would get are shown. Exit status: 0, 1 a host failed or \
            the rollout cannot be rolled back, 2 usage, 130 Ctrl-C.
            """
    )

    @Argument(help: "The rollout's id.")
    var id: String

    @OptionGroup var write: RolloutWriteOptions
    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions

    func run() async throws {
        let engine = try RolloutFlow.engine(global: global, ssh: ssh, workers: write.workers, gather: !write.noAudit, backup: !write.noBackup)
        try await RolloutFlow.mapped {
            let r = try await engine.load(id)
            guard write.confirm else {
                let plan = r.toRestore.map { h -> (String, String) in
                    let host = r.host(h)
                    return (h, "override: \(host?.previousOverride?.words ?? "unknown")" + (r.vaultSHA256 == nil ? "" : ", vault: \(host?.previousVault?.words ?? "unknown")"))
                }
                if write.json {
                    print(JSONOutput.render(["dry_run": true, "rollout_id": r.id, "action": "rollback",
                                             "hosts": plan.map { ["host": $0.0, "restores": $0.1] }]))
                } else {
                    RolloutFlow.dryRun(RolloutView.header(r) + ["Action: rollback of \(plan.count) host(s), each back to what it had:"]
                                       + plan.map { "  \($0.0): \($0.1)" })
                }
                return
            }
            try await RolloutFlow.pass("Restoring hosts", title: "Rollout \(id): rollback", action: "rollback", json: write.json) { stop, progress in
                try await engine.rollback(id, reason: write.reason, stop: stop, progress: progress)
            }
        }
    }
}
