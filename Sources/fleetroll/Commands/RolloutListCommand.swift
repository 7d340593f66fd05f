import ArgumentParser
import FleetCore
import FleetOps
import FleetStore
import Foundation

struct RolloutListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the rollouts in the store, newest first.",
        discussion: "Reads the store only."
    )

    @Flag(help: "Print a JSON array (schemas/rollout-list.schema.json).")
    var json = false

    @OptionGroup var global: GlobalOptions<NoDebug>

    func run() async throws {
        let list = try await RolloutStore(database: try global.openDatabase()).list()
        if json { return print(RolloutView.listJSON(list)) }
        guard !list.isEmpty else { return print("No rollouts yet (fleetroll rollout create NAME ...).") }
        for s in list {
            let stage = s.stage.map { "stage \($0) \(s.stageState?.words ?? "")" } ?? "not started"
            print("\(s.id)  \(s.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))  \(s.applied)/\(s.targets) applied  "
                  + "\(stage)  \(s.created.ts) \(s.created.actor)  \(Terminal.clean(s.name, singleLine: true))")
        }
    }
}
