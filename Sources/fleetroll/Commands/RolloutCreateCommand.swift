import ArgumentParser
import FleetCore
import FleetOps
import FleetReport
import FleetStore
import FleetWrite
import Foundation

struct RolloutCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Plan a rollout: the override (and vault), the targets resolved once, canary, batch size and gates.",
        discussion: """
            The files are checked as host-set-override and host-set-vault check them and kept in the \
            content stores. Targets come from --hosts (hosts, comma lists or one .list file) or from \
            --filter (a host-monitor query over the hosts in the store), minus each --skip. Nothing is \
            sent to any host: `rollout start ID --confirm` does that. Prints the new rollout's id.
            """
    )

    @Argument(help: "A name for the rollout (e.g. the branch or ticket).")
    var name: String

    @Option(name: .customLong("override"), help: ArgumentHelp("The override file to roll out.", valueName: "file"))
    var overrideFile: String

    @Option(name: .customLong("vault"), help: ArgumentHelp("A vault.yaml to roll out with it (contents never shown).", valueName: "file"))
    var vaultFile: String?

    @Option(name: .customLong("hosts"), parsing: .upToNextOption, help: ArgumentHelp("Target hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String] = []

    @Option(help: ArgumentHelp("Targets: the stored hosts this host-monitor query selects, in its order.", valueName: "query"))
    var filter: String?

    @Option(help: "Hosts in the first stage.")
    var canary = 1

    @Option(help: "A later stage's default size, in percent of the targets (advance --batch-size overrides it).")
    var batchPct = 25

    @Option(name: .customLong("gate"), help: ArgumentHelp("A gate's threshold, e.g. min_soak_minutes=60 (repeatable; see `fleetroll rollout --help`).", valueName: "KEY=VALUE"))
    var gates: [String] = []

    @Option(name: .customLong("skip"), help: ArgumentHelp("A target to leave out (repeatable).", valueName: "HOST"))
    var skip: [String] = []

    @Option(help: "Why; recorded in the audit log and the store.")
    var reason: String?

    @Flag(help: "Print the new rollout as JSON (schemas/rollout-show.schema.json).")
    var json = false

    @OptionGroup var global: GlobalOptions<NoDebug>

    func validate() throws {
        if hosts.isEmpty == (filter == nil) { throw ValidationError("Give the targets with either --hosts or --filter.") }
    }

    func run() async throws {
        let gateConfig: GateConfig
        do { gateConfig = try GateConfig.parse(gates) } catch { throw CLIError.usage(error.description) }
        let override = try Self.read(overrideFile, "--override")
        do { try await ContentValidation.checkOverride(override) } catch { throw CLIError.usage(error.message) }
        let vault = try vaultFile.map { try Self.read($0, "--vault") }
        if let vault { do { try ContentValidation.checkVault(vault) } catch { throw CLIError.usage(error.message) } }
        let database = try global.openDatabase()
        let fleet = try global.fleet()
        let targets: [String]
        if let filter {
            let query = Query(filter)
            if let issue = query.validate(filter) { throw CLIError.usage("--filter: \(issue)") }
            let rows = query.apply(try await fleet.report(database).rows(hosts: nil, now: fleet.context.now))
            targets = rows.map(\.host)
            if targets.isEmpty { throw CLIError.usage("--filter: no stored host matches '\(filter)'") }
        } else {
            targets = try resolveHosts(hosts).hosts.map(\.description)
        }
        let skipped: [String]
        do { skipped = try HostSelection.resolve(skip).hosts.map(\.description) } catch {
            if skip.isEmpty { skipped = [] } else { throw CLIError.usage("--skip: \(error)") }
        }
        let engine = try RolloutFlow.storeEngine(global, lock: false)
        let plan = RolloutEngine.Plan(name: name, override: override, overrideSource: "file:\(overrideFile)", vault: vault,
                                      vaultSource: vaultFile.map { "file:\($0)" }, targets: targets, skipped: skipped, canary: canary,
                                      batchPct: batchPct, gates: gateConfig, reason: reason)
        try await RolloutFlow.mapped {
            let r: Rollout
            do { r = try await engine.create(plan) } catch RolloutEngineError.refused(let e) { throw CLIError.usage(e.description) }
            if json {
                print(RolloutView.showJSON(r, events: try await engine.store.events(id: r.id)))
            } else {
                print(r.id)
                Terminal.note((RolloutView.header(r) + ["Next: fleetroll rollout start \(r.id) --confirm"]).joined(separator: "\n"))
            }
        }
    }

    static func read(_ path: String, _ option: String) throws -> Data {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
              let data = FileManager.default.contents(atPath: path) else { throw CLIError.usage("\(option): cannot read \(path)") }
        if data.count > 16 << 20 { throw CLIError.usage("\(option): \(path) is larger than 16 MiB") }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) { throw CLIError.usage("\(option): \(path) is empty") }
        return data
    }
}
