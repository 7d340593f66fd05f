import ArgumentParser
import FleetCore
import FleetOps
import FleetStore
import Foundation

struct RolloutShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a rollout as stored: stages, hosts and every decision with its gate values.",
        discussion: "Reads the store only (rollout status gathers fresh data). Exit status 2 for an unknown rollout."
    )

    @Argument(help: "The rollout's id.")
    var id: String

    @Flag(help: "Print JSON (schemas/rollout-show.schema.json).")
    var json = false

    @OptionGroup var global: GlobalOptions<NoDebug>

    func run() async throws {
        let store = RolloutStore(database: try global.openDatabase())
        guard let r = try await store.rollout(id: id) else { throw CLIError.usage(RolloutStoreError.notFound(id).description) }
        let rollout = r.normalized()
        let events = try await store.events(id: id)
        if json { return print(RolloutView.showJSON(rollout, events: events)) }
        var lines = RolloutView.header(rollout) + RolloutView.stages(rollout) + ["Hosts:"] + RolloutView.hosts(rollout, rows: nil)
        lines.append("Decisions:")
        for e in events {
            let reason = e.reason.map { " reason=\"\(Terminal.clean($0, singleLine: true))\"" } ?? ""
            lines.append("  \(e.ts) \(e.actor) \(e.action.rawValue)\(e.force ? " FORCED" : "")\(reason): \(Terminal.clean(e.outcome, singleLine: true))")
            for g in e.gateResults where !g.passed || e.force { lines.append("      \(g.passed ? "pass" : "FAIL") \(g.line)") }
        }
        print(lines.joined(separator: "\n"))
    }
}
