import FleetCore
import FleetLab
import FleetStore
import Foundation
import Testing

/// Task history through the binary against the lab's fake Taskcluster: gather-tc keeps each
/// worker's latest run, `--task-history` reads every worker's recent tasks (one failing request
/// is reported, the rest stored), and the report counts them in TC_JOBS / TC_OK%.
@Suite("Task history against the lab", .enabled(if: isRoot, Comment(rawValue: needsRoot)), .serialized)
struct TaskHistoryLabTests {
    static let domain = ".test.releng.mdc1.mozilla.com"

    static var scenario: Scenario {
        func host(_ n: Int, worker: WorkerScenario?) -> ScenarioHost {
            var h = ScenarioHost(name: "t-linux64-ms-\(n)" + domain, os: .linux)
            h.role = "gecko_t_linux_talos"
            h.worker = worker
            return h
        }
        var tc = TaskclusterScenario()
        tc.historyFailing = ["t-linux64-ms-503"]
        return Scenario(hosts: [
            // 12 runs, the newest running, the rest completed.
            host(501, worker: ScenarioGenerator.busyWorker(1)),
            // 12 runs: one running, 7 completed, 2 failed, 2 exceptions.
            host(502, worker: ScenarioGenerator.busyWorker(3)),
            // Its history request fails: only the scan's latest run (running) is known.
            host(503, worker: ScenarioGenerator.busyWorker(5)),
            // Not a worker Taskcluster knows.
            host(504, worker: nil),
        ], taskcluster: tc)
    }

    @Test func gatherStoresRunsAndTheReportCountsThem() async throws {
        let labDir = try makeTemporaryDirectory("lab-tasks")
        let state = try makeTemporaryDirectory("state-tasks")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let lab = try Lab.up(scenario: Self.scenario, directory: labDir, servicesExecutable: Binaries.directory + "/fleetroll-lab")
        defer { _ = try? Lab.down(directory: labDir) }
        try FileManager.default.copyItem(atPath: lab.configPath, toPath: state + "/config.toml")
        let list = lab.hostListPath
        func fleetroll(_ args: [String]) throws -> CommandResult {
            try runCommand([Binaries.fleetroll, args[0], "--state-dir", state] + args.dropFirst())
        }
        let gathered = try fleetroll(["gather-host", "--ssh-option", "-F \(lab.sshConfigPath)", "--connect-timeout", "3", "-q", list])
        #expect(gathered.exitCode == 0, "\(gathered)")
        let db = try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state)))
        let store = TaskRunStore(database: db)
        let hosts = [501, 502, 503, 504].map { "t-linux64-ms-\($0)" + Self.domain }
        func counts() async throws -> [Int] {
            let runs = try await store.taskRuns(hosts: hosts)
            return hosts.map { runs[$0]?.count ?? 0 }
        }

        // A plain scan keeps each found worker's latest run and makes no per-worker request.
        let plain = try fleetroll(["gather-tc", list])
        #expect(plain.exitCode == 0, "\(plain)")
        #expect(!plain.stdout.contains("Task history"), "\(plain.stdout)")
        #expect(try await counts() == [1, 1, 1, 0])

        // --task-history: every worker's recent tasks; the failing one is named, the rest stored.
        let history = try fleetroll(["gather-tc", "--task-history", list])
        #expect(history.exitCode == 0, "one worker's history is not a failed scan: \(history)")
        #expect(history.stdout.contains("Task history: read for 2 worker(s), 1 failed."), "\(history.stdout)")
        #expect(history.stderr.contains("WARNING: task history of t-linux64-ms-503\(Self.domain): ") && history.stderr.contains("HTTP 500"), "\(history.stderr)")
        #expect(!history.stderr.contains("ms-501") && !history.stderr.contains("ms-502"))
        #expect(try await counts() == [12, 12, 1, 0])
        // Read again: the same runs, updated in place, not added twice.
        let again = try fleetroll(["gather-tc", "--task-history", "--json", list])
        #expect(again.exitCode == 0)
        #expect(again.stderr.contains("WARNING: task history of t-linux64-ms-503"), "on stderr, so --json stays JSON")
        try JSONContractTests.validate(again.stdout, "gather-tc", "gather-tc --task-history --json")
        #expect(try await counts() == [12, 12, 1, 0])
        let runs = try await store.taskRuns(hosts: [hosts[1]])[hosts[1]] ?? []
        #expect(Dictionary(grouping: runs, by: \.state).mapValues(\.count) == ["running": 1, "completed": 7, "failed": 2, "exception": 2])

        // The table.
        let table = try fleetroll(["host-monitor", "--once", "--columns", "host,tc_jobs,tc_ok_pct", list])
        #expect(table.exitCode == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["HOST", "TC_JOBS", "TC_OK%"], "\(table.stdout)")
        let cells = Dictionary(uniqueKeysWithValues: lines.dropFirst().map { ($0[0], Array($0.dropFirst())) })
        #expect(cells[hosts[0]] == ["12", "100"], "\(table.stdout)")
        #expect(cells[hosts[1]] == ["12", "63"], "7 of 11 finished completed")
        #expect(cells[hosts[2]] == ["1", "-"], "only a running task is known")
        #expect(cells[hosts[3]] == ["-", "-"], "no worker")
        // Every column by default, TC_JOBS and TC_OK% after TC_QUAR.
        let wide = try fleetroll(["host-monitor", "--once", list])
        #expect(wide.stdout.split(separator: "\n").first?.contains("TC_QUAR  TC_JOBS  TC_OK%  DATA") == true, "\(wide.stdout)")

        // The query language compares them as numbers.
        let low = try fleetroll(["host-monitor", "--once", "--hostname-only", "--filter", "tc_ok_pct<90", list])
        #expect(low.stdout.split(separator: "\n").map(String.init) == [hosts[1]], "\(low)")
        let sorted = try fleetroll(["host-monitor", "--once", "--hostname-only", "--filter", "tc_jobs>0 sort:tc_jobs", list])
        #expect(sorted.stdout.split(separator: "\n").map(String.init) == [hosts[2], hosts[0], hosts[1]], "\(sorted)")
        let bad = try fleetroll(["host-monitor", "--once", "--filter", "tc_jobs>many", list])
        #expect(bad.exitCode == 2 && bad.stderr.contains("tc_jobs compares whole numbers"), "\(bad)")

        // --json: the cells and the typed counts, in the schema.
        let json = try fleetroll(["host-monitor", "--once", "--json", list])
        #expect(json.exitCode == 0)
        try JSONContractTests.validate(json.stdout, "host-monitor", "host-monitor --once --json")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let byHost = Dictionary(uniqueKeysWithValues: rows.map { ($0["host"] as? String ?? "", $0) })
        let row = try #require(byHost[hosts[1]]?["row"] as? [String: String])
        #expect(row["tc_jobs"] == "12" && row["tc_ok_pct"] == "63")
        let values = try #require(byHost[hosts[1]]?["values"] as? [String: Any])
        #expect(values["tc_jobs"] as? Int == 12 && values["tc_jobs_ok"] as? Int == 7 && values["tc_jobs_failed"] as? Int == 4)
        #expect(values["tc_ok_pct"] as? Int == 63)
        let none = try #require(byHost[hosts[3]]?["values"] as? [String: Any])
        #expect(none["tc_jobs"] is NSNull && none["tc_ok_pct"] is NSNull)
    }
}
