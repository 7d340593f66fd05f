import ArgumentParser
import FleetCore
import FleetOps
import Foundation

struct RolloutResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused rollout: its stage waits for assessment again (recorded).",
        discussion: """
            Touches no host; the next advance judges the gates as usual. Exit status: 0, 1 when the \
            rollout is not paused, 2 for an unknown rollout.
            """
    )

    @Argument(help: "The rollout's id.")
    var id: String

    @Option(help: "Why; recorded in the audit log and the store.")
    var reason: String?

    @OptionGroup var global: GlobalOptions<NoDebug>

    func run() async throws {
        let engine = try RolloutFlow.storeEngine(global)
        try await RolloutFlow.mapped {
            let r = try await engine.resume(id, reason: reason)
            print("Rollout \(r.id) is \(r.state.words).")
        }
    }
}
