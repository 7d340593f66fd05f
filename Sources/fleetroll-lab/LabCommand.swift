import ArgumentParser
import FleetLab
import FleetStore
import Foundation

@main
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetroll-lab",
        abstract: "A fleet of fake hosts made of real parts, for fleetroll's demo, tests and benchmarks.",
        discussion: """
            Each host is a real OpenSSH sshd on its own loopback address (127.77.N.x), in its own \
            mount namespace with its own /etc, /root, /opt, /var/root and /home. Needs root.
            """,
        subcommands: [Up.self, Down.self, Status.self, GenerateScenario.self, Serve.self, SeedStore.self]
    )
}

struct LabDirectory: ParsableArguments {
    @Option(help: "The lab's directory (keys, ssh_config, hosts.list, per-host files).")
    var dir = "/tmp/fleetroll-lab"
}

extension LabCommand {
    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the hosts of a scenario.")

        @OptionGroup var lab: LabDirectory

        @Option(help: "Scenario YAML file (see lab/scenarios/).")
        var scenario: String?

        @Option(help: "Without --scenario: how many Linux hosts to generate.")
        var linux = 8

        @Option(help: "Without --scenario: how many macOS hosts to generate.")
        var macos = 2

        @Option(help: "sshd port on every host address.")
        var port = Lab.defaultPort

        @Flag(help: "Do not run the fake Taskcluster and GitHub.")
        var noServices = false

        func run() throws {
            let s = try scenario.map(Scenario.load) ?? ScenarioGenerator.fleet(linux: linux, macos: macos, withFaults: false)
            let me = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let state = try Lab.up(scenario: s, directory: lab.dir, port: port, servicesExecutable: noServices ? nil : me)
            let running = state.hosts.filter { $0.pid != nil }.count
            print("Lab up in \(state.directory): \(state.hosts.count) hosts on \(state.subnet).0/24 (\(running) with sshd running)")
            print("  ssh config: \(state.sshConfigPath)")
            print("  host list:  \(state.hostListPath)")
            if let url = state.servicesURL {
                print("  Taskcluster and GitHub: \(url) (settings for fleetroll: \(state.configPath))")
            }
            print("Try:  ssh -F \(state.sshConfigPath) \(state.hosts[0].name) hostname")
            print("Stop: fleetroll-lab down --dir \(state.directory)")
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every process of a lab and remove its files.")

        @OptionGroup var lab: LabDirectory

        @Flag(help: "Keep the lab's files (logs, host directories) after stopping it.")
        var keepFiles = false

        func run() throws {
            let report = try Lab.down(directory: lab.dir, keepFiles: keepFiles)
            print("Lab down: \(report.hosts) hosts, \(report.processesStopped) processes stopped.")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each lab host, its state and the connections it accepted.")

        @OptionGroup var lab: LabDirectory

        func run() throws {
            let (state, rows) = try Lab.status(directory: lab.dir)
            print("Lab in \(state.directory), subnet \(state.subnet).0/24, port \(state.port)")
            let width = rows.map(\.host.name.count).max() ?? 4
            print("HOST".padding(toLength: width, withPad: " ", startingAt: 0) + "  ADDRESS        OS     FAULT        STATE    CONNECTIONS")
            for r in rows {
                let cols = [r.host.name.padding(toLength: width, withPad: " ", startingAt: 0),
                            r.host.address.padding(toLength: 13, withPad: " ", startingAt: 0),
                            r.host.os.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0),
                            r.host.fault.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0),
                            r.state.padding(toLength: 7, withPad: " ", startingAt: 0),
                            String(r.connections)]
                print(cols.joined(separator: "  "))
            }
        }
    }

    /// Runs the lab's fake Taskcluster and GitHub in the foreground; `up` starts it.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the lab's fake Taskcluster and GitHub (started by up).", shouldDisplay: false)

        @OptionGroup var lab: LabDirectory

        func run() async throws {
            let state = try LabState.load(directory: lab.dir)
            let scenario = try Scenario.load(path: lab.dir + "/scenario.yaml")
            try await LabServices.serve(scenario: scenario, address: "\(state.subnet).1", commits: state.commits ?? [:])
        }
    }

    /// Fills a state directory with a synthetic fleet, for the report benchmark.
    struct SeedStore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "seed-store", abstract: "Fill a state directory with a synthetic fleet (benchmarks).")

        @Option(help: "The fleetroll state directory to fill.") var stateDir: String
        @Option(help: "Hosts.") var hosts = 1000
        @Option(help: "Observations per host.") var observations = 10

        func run() async throws {
            try await StoreSeeder.seed(state: StateDirectory(root: URL(fileURLWithPath: stateDir)), hosts: hosts, observationsPerHost: observations)
            print("Seeded \(stateDir) with \(hosts) hosts x \(observations) observations.")
        }
    }

    struct GenerateScenario: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "scenario", abstract: "Print a generated scenario YAML.")

        @Option(help: "Linux (talos) hosts.") var linux = 8
        @Option(help: "macOS (mac mini) hosts.") var macos = 2
        @Flag(help: "Give a few hosts an override, and make one down, one hung and one with broken sudo.") var faults = false

        func run() throws {
            print(try ScenarioGenerator.fleet(linux: linux, macos: macos, withFaults: faults).yaml())
        }
    }
}
