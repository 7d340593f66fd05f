import ArgumentParser
import FleetCore
import FleetOps
import Foundation

struct RolloutPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause an active rollout: no advance until it is resumed (recorded).",
        discussion: "Touches no host. Exit status: 0, 1 when the rollout is not active, 2 for an unknown rollout."
    )

    @Argument(help: "The rollout's id.")
    var id: String

    @Option(help: "Why; recorded in the audit log and the store.")
    var reason: String?

    @OptionGroup var global: GlobalOptions<NoDebug>

    func run() async throws {
        let engine = try RolloutFlow.storeEngine(global)
        try await RolloutFlow.mapped {
            let r = try await engine.pause(id, reason: reason)
            print("Rollout \(r.id) is \(r.state.words).")
        }
    }
}
