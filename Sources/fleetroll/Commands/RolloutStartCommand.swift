import ArgumentParser
import FleetCore
import FleetOps
import Foundation

struct RolloutStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a planned rollout: write the canary stage, then gather those hosts again.",
        discussion: """
            Refused, naming the hosts, when a target already has an override file (as the last gather \
            saw it; the write's own guard also BLOCKs one it did not see) or is in another active \
            rollout: create a new rollout with --skip for them. Without --confirm the canary and the \
            refusals are shown and nothing changes. Run again after Ctrl-C, it resumes the canary. \
            Exit status: 0 every canary host written, 1 refused or a host failed, 2 usage, 130 Ctrl-C.
            """
    )

    @Argument(help: "The rollout's id (rollout list shows them).")
    var id: String

    @OptionGroup var write: RolloutWriteOptions
    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions

    func run() async throws {
        let engine = try RolloutFlow.engine(global: global, ssh: ssh, workers: write.workers, gather: !write.noAudit, backup: !write.noBackup)
        try await RolloutFlow.mapped {
            let r = try await engine.load(id)
            guard write.confirm else {
                let blocked = try await engine.blockers(r)
                var lines = RolloutView.header(r)
                lines.append("Action: start: write the canary stage 0 to \(min(r.canary, r.targets.count)) host(s):")
                lines += HostPreview.lines(Array(r.targets.prefix(r.canary)))
                for host in blocked.keys.naturallySorted(by: { $0 }) { lines.append(Terminal.yellow("  REFUSED \(host): \(blocked[host]!)")) }
                if !blocked.isEmpty { lines.append("The start would be refused; create a new rollout with --skip for these hosts.") }
                if write.json {
                    print(JSONOutput.render(["dry_run": true, "rollout_id": r.id, "action": "start", "hosts": Array(r.targets.prefix(r.canary)),
                                             "refused": blocked]))
                } else { RolloutFlow.dryRun(lines) }
                return
            }
            try await RolloutFlow.pass("Writing the canary", title: "Rollout \(id): canary stage 0", action: "start", json: write.json) { stop, progress in
                try await engine.start(id, reason: write.reason, stop: stop, progress: progress)
            }
        }
    }
}
