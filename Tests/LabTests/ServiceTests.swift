import FleetConfig
import FleetCore
import FleetGather
@testable import FleetGitHub
import FleetLab
import FleetStore
import FleetTaskcluster
import Foundation
import Testing

@Suite("Configuration file")
struct ConfigTests {
    @Test func readsEverySection() throws {
        let c = try FleetConfig.parse("""
            [taskcluster]
            root_url = "http://127.0.0.1:9"
            concurrency = 2
            [taskcluster.pools]
            gecko_t_new = "proj/new-pool"
            [github]
            api_url = "http://127.0.0.1:9"
            api_token = "secret-token"
            [ssh]
            options = ["-J bastion", "-o ServerAliveInterval=5"]
            connect_timeout = 4
            timeout = 30
            [gather]
            workers = 20
            batch_timeout = 300
            """, file: "c.toml")
        #expect(c.taskclusterRootURL == "http://127.0.0.1:9")
        #expect(c.taskclusterConcurrency == 2)
        #expect(c.pools["gecko_t_new"] == WorkerPool("proj/new-pool"))
        #expect(c.githubToken == "secret-token")
        #expect(c.sshOptions == ["-J bastion", "-o ServerAliveInterval=5"])
        #expect(c.connectTimeout == 4)
        #expect(c.timeout == 30)
        #expect(c.workers == 20)
        #expect(c.batchTimeout == 300)
        let shown = c.describe(tokenSource: "config.toml").joined(separator: "\n")
        #expect(!shown.contains("secret-token"))
        #expect(shown.contains("gecko_t_new = \"proj/new-pool\"   # from config"))
    }

    @Test(arguments: [
        ("[taskcluster]\nroot_urll = \"x\"\n", "taskcluster.root_urll"),
        ("[taskcluster]\nroot_url = \"ftp://x\"\n", "taskcluster.root_url"),
        ("[taskcluster.pools]\nrole = \"no-slash\"\n", "taskcluster.pools.role"),
        ("[ssh]\nconnect_timeout = \"ten\"\n", "ssh.connect_timeout"),
        ("[ssh]\noptions = [1, 2]\n", "ssh.options"),
        ("[gather]\nworkers = 0\n", "gather.workers"),
        ("[github]\napi_token = 5\n", "github.api_token"),
        ("[nonsense]\n", "nonsense"),
    ])
    func errorsNameFileAndKey(_ text: String, _ key: String) {
        do {
            _ = try FleetConfig.parse(text, file: "/state/config.toml")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.file == "/state/config.toml")
            #expect(error.key == key, "\(error)")
        }
    }

    @Test func brokenTOMLNamesTheFile() {
        #expect(throws: ConfigError.self) { try FleetConfig.parse("[taskcluster\n", file: "f.toml") }
    }

    @Test func missingFileIsFine() throws {
        #expect(try FleetConfig.load(path: "/nonexistent/config.toml") == FleetConfig())
    }

    @Test func cliReportsConfigErrors() throws {
        let state = try makeTemporaryDirectory("cfg")
        defer { try? FileManager.default.removeItem(atPath: state) }
        try "[gather]\nworkers = -1\n".write(toFile: state + "/config.toml", atomically: true, encoding: .utf8)
        let r = try runCommand([Binaries.fleetroll, "config", "show", "--state-dir", state])
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("\(state)/config.toml: gather.workers"))
    }
}

/// gather-tc and gather-gh against the lab's fake Taskcluster and GitHub.
@Suite("Taskcluster and GitHub against the lab", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct LabServiceTests {
    static let windowsPool = "releng-hardware/win11-64-24h2-hw-ref"
    static let overridePool = "releng-hardware/gecko-t-linux-talos-2404-bug2031822"
    static let fork = ScenarioGenerator.overrideFile(branch: "relops-1234-talos-update", user: "aerickson")
        .replacingOccurrences(of: "# WORKER_TYPE_OVERRIDE='gecko-t-linux-talos-1804-staging'", with: "WORKER_TYPE_OVERRIDE='gecko-t-linux-talos-2404-bug2031822'")
    static let missingRepo = "PUPPET_REPO=\"https://github.com/nobody/ronin_puppet.git\"\nPUPPET_BRANCH=\"gone\"\n"
    static let privateRepo = "PUPPET_REPO=\"https://github.com/jmaher/ronin_puppet.git\"\nPUPPET_BRANCH=\"secret\"\n"

    static func host(_ n: String, role: String?, os: LabOS = .linux, _ edit: (inout ScenarioHost) -> Void = { _ in }) -> ScenarioHost {
        var h = ScenarioHost(name: n + ".test.releng.mdc1.mozilla.com", os: os)
        h.role = role
        var w = WorkerScenario()
        w.state = "running"
        w.lastActiveAgo = 120
        w.taskStartedAgo = 600
        w.taskDuration = 300
        w.taskState = "completed"
        h.worker = w
        edit(&h)
        return h
    }

    static var scenario: Scenario {
        var tc = TaskclusterScenario()
        tc.pageSize = 2
        tc.flaky = ["releng-hardware/gecko-t-linux-talos-1804": 1]
        tc.failing = ["releng-hardware/gecko-t-osx-1400-r8"]
        tc.partialErrors = ["releng-hardware/gecko-t-osx-1500-m4"]
        tc.workerTypes = ["win11-64-24h2-hw-ref", "win11-64-24h2-hw"]
        var gh = GitHubScenario(repos: [
            "mozilla-platform-ops/ronin_puppet": ["master": ScenarioGenerator.masterSHA, "a": "1", "b": "2", "c": "3", "d": "4"],
            "aerickson/ronin_puppet": ["relops-1234-talos-update": ScenarioGenerator.branchSHA, "x": "5", "y": "6"],
        ])
        gh.pageSize = 2
        gh.forbidden = ["jmaher/ronin_puppet"]
        gh.windowsPools = ["win11-64-24h2-hw-ref": "9effb8f"]
        return Scenario(hosts: [
            host("t-linux64-ms-301", role: "gecko_t_linux_talos") { $0.worker?.quarantineIn = 86400 },
            host("t-linux64-ms-302", role: "gecko_t_linux_talos") { $0.worker?.quarantineIn = -86400 },
            host("t-linux64-ms-303", role: "gecko_t_linux_talos") { $0.worker?.taskDuration = nil; $0.worker?.taskState = "running" },
            host("t-linux64-ms-304", role: "gecko_t_linux_talos") { $0.worker = nil },
            host("t-linux64-ms-305", role: "gecko_t_linux_talos") { $0.override = fork; $0.worker?.pool = overridePool },
            host("t-linux64-ms-306", role: "gecko_t_unmapped_role"),
            host("t-linux64-ms-307", role: "gecko_t_linux_talos") { $0.override = missingRepo },
            host("t-linux64-ms-308", role: "gecko_t_linux_talos") { $0.override = privateRepo },
            host("macmini-m4-301", role: "gecko_t_osx_1500_m4", os: .macos),
            host("macmini-m4-302", role: "gecko_t_osx_1500_m4", os: .macos),
            host("macmini-r8-301", role: "gecko_t_osx_1400_r8", os: .macos),
            host("nuc13-301", role: "win116424h2hwref") { $0.worker?.pool = windowsPool },
        ], taskcluster: tc, github: gh)
    }

    @Test func gatherStoresWhatTheServicesHold() async throws {
        let labDir = try makeTemporaryDirectory("lab-svc")
        let state = try makeTemporaryDirectory("state-svc")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let lab = try Lab.up(scenario: Self.scenario, directory: labDir, servicesExecutable: Binaries.directory + "/fleetroll-lab")
        defer { _ = try? Lab.down(directory: labDir) }
        try FileManager.default.copyItem(atPath: lab.configPath, toPath: state + "/config.toml")

        let gather = try runCommand([Binaries.fleetroll, "gather", "--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)",
                                     "--connect-timeout", "3", "-q", lab.hostListPath])
        #expect(gather.exitCode == 1, "a pool fails and two repos are unreadable: \(gather.stdout)\(gather.stderr)")
        #expect(gather.stdout.contains("gather: hosts: 12/12 gathered"))

        let db = try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state)))
        let workers = try await ServiceStore(database: db).latestWorkers()
        func w(_ short: String) throws -> WorkerRecord {
            try #require(workers.values.first { $0.workerId == short }, "no record for \(short)")
        }
        #expect(workers.count == 12, "every host gets a record")

        // Pagination (2 per page) and a retry after one 500: all talos workers found.
        for short in ["t-linux64-ms-301", "t-linux64-ms-302", "t-linux64-ms-303", "t-linux64-ms-307", "t-linux64-ms-308"] {
            let r = try w(short)
            #expect(r.type == .worker, "\(short)")
            #expect(r.workerType == "gecko-t-linux-talos-1804")
            #expect(r.state == "running")
            // Active 2 minutes before the lab started; a busy machine may take minutes to get here.
            #expect(r.lastDateActive.flatMap(Timestamp.parse).map { $0.timeIntervalSinceNow < 0 && $0.timeIntervalSinceNow > -1800 } == true)
        }
        #expect(try w("t-linux64-ms-301").isQuarantined())
        #expect(try !w("t-linux64-ms-302").isQuarantined())
        #expect(try w("t-linux64-ms-302").quarantineUntil != nil)
        #expect(try w("t-linux64-ms-303").taskResolved == nil)
        #expect(try w("t-linux64-ms-303").taskState == "running")
        #expect(try w("t-linux64-ms-301").taskState == "completed")
        // Not registered: a "not found" record, not silence.
        #expect(try w("t-linux64-ms-304").type == .notFound)
        // WORKER_TYPE_OVERRIDE moves the host to that pool.
        #expect(try w("t-linux64-ms-305").workerType == "gecko-t-linux-talos-2404-bug2031822")
        #expect(try w("t-linux64-ms-305").viaOverride == true)
        #expect(try w("t-linux64-ms-305").type == .worker)
        // A role without a pool is reported by name.
        #expect(try w("t-linux64-ms-306").type == .noPool)
        #expect(try w("t-linux64-ms-306").note?.contains("gecko_t_unmapped_role") == true)
        // macOS rule, with partial GraphQL errors accepted.
        #expect(try w("macmini-m4-301").type == .worker)
        #expect(try w("macmini-m4-301").workerType == "gecko-t-osx-1500-m4")
        // A pool that keeps failing: its host is "scan_failed", the others are stored.
        #expect(try w("macmini-r8-301").type == .scanFailed)
        // Windows role through the worker-types listing.
        #expect(try w("nuc13-301").type == .worker)
        #expect(try w("nuc13-301").workerType == "win11-64-24h2-hw-ref")

        // GitHub: master, the fork's branch from a stored override, pagination; 404 and 403 reported.
        let refs = try await ServiceStore(database: db).latestRefs()
        #expect(refs["mozilla-platform-ops/ronin_puppet:master"]?.sha == ScenarioGenerator.masterSHA)
        #expect(refs["aerickson/ronin_puppet:relops-1234-talos-update"]?.sha == ScenarioGenerator.branchSHA)
        #expect(refs.count == 2)
        let pools = try await ServiceStore(database: db).latestWindowsPools()
        #expect(pools["win11-64-24h2-hw-ref"]?.hash == "9effb8f")

        // The hourly throttle, and --force.
        let throttled = try runCommand([Binaries.fleetroll, "gather-gh", "--state-dir", state])
        #expect(throttled.stdout.contains(/next fetch in (5[0-9]|60)m/), "a busy machine may take minutes to get here: \(throttled.stdout)")
        let forced = try runCommand([Binaries.fleetroll, "gather-gh", "--state-dir", state, "--force"])
        #expect(forced.exitCode == 1)
        #expect(forced.stdout.contains("Wrote 2/4 branch ref(s)"), "\(forced.stdout)")
        // Problems go to stderr, so a cron job that drops stdout still sees them.
        #expect(forced.stderr.contains("ERROR: Repo not found: nobody/ronin_puppet"), "\(forced.stderr)")
        #expect(forced.stderr.contains("ERROR: Access denied to jmaher/ronin_puppet (403)"))
        #expect(forced.stdout.contains("rate limit"))
    }

    @Test func linkHeadersAndPoolsYAML() throws {
        #expect(GitHubClient.nextLink("<http://h/x?page=2>; rel=\"next\", <http://h/x?page=5>; rel=\"last\"") == "http://h/x?page=2")
        #expect(GitHubClient.nextLink("<http://h/x?page=1>; rel=\"prev\"") == nil)
        #expect(try GitHubClient.parsePools("pools:\n  - name: a\n    hash: 9effb8f\n  - name: b\n") == ["a": "9effb8f"])
        #expect(try GitHubClient.parsePools("- name: c\n  hash: 0123456\n- name: d\n  hash: 1234e56\n") == ["c": "0123456", "d": "1234e56"])
    }
}

@Suite("Current branch heads")
struct CurrentRefsTests {
    @Test func onlyTheLatestRunCounts() async throws {
        let dir = try makeTemporaryDirectory("refs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = ServiceStore(database: try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: dir))))
        let t1 = Date(timeIntervalSince1970: 1_800_000_000), t2 = t1.addingTimeInterval(7200)
        try await store.insertRefs([BranchRef(ts: Timestamp.iso(t1), owner: "o", repo: "r", branch: "gone", sha: "a"),
                                    BranchRef(ts: Timestamp.iso(t1), owner: "o", repo: "r", branch: "kept", sha: "b")], pools: [])
        try await store.recordRun("github", at: t1, ok: true, summary: [:])
        try await store.insertRefs([BranchRef(ts: Timestamp.iso(t2), owner: "o", repo: "r", branch: "kept", sha: "c")], pools: [])
        try await store.recordRun("github", at: t2, ok: true, summary: [:])
        let current = try await store.currentRefs()
        #expect(current.keys.sorted() == ["o/r:kept"])
        #expect(current["o/r:kept"]?.sha == "c")
        #expect(try await store.latestRefs().count == 2, "history is kept")
    }
}

@Suite("Taskcluster credentials")
struct CredentialTests {
    /// The Hawk specification's own example (hueniverse/hawk README).
    @Test func hawkHeaderMatchesTheSpecExample() throws {
        let c = TaskclusterCredentials(clientId: "dh37fgj492je", accessToken: "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn", source: "test")
        let header = c.hawkHeader(method: "GET", url: try #require(URL(string: "http://example.com:8000/resource/1?b=1&a=2")),
                                  ts: 1_353_832_234, nonce: "j4h3g2", ext: "some-app-ext-data")
        #expect(header == "Hawk id=\"dh37fgj492je\", ts=\"1353832234\", nonce=\"j4h3g2\", ext=\"some-app-ext-data\", mac=\"6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE=\"")
        #expect(!c.description.contains("werxhqb98"), "the token is never printed")
    }

    @Test func foundInEnvironmentOrFile() throws {
        let dir = try makeTemporaryDirectory("tc-creds")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try TaskclusterCredentials.find(environment: ["HOME": dir]) == nil, "none is fine")
        let env = try TaskclusterCredentials.find(environment: ["TASKCLUSTER_CLIENT_ID": "a", "TASKCLUSTER_ACCESS_TOKEN": "b", "HOME": dir])
        #expect(env?.clientId == "a")
        try #"{"clientId": "mozilla-auth0/ad|x", "accessToken": "t"}"#.write(toFile: dir + "/.tc_token", atomically: true, encoding: .utf8)
        #expect(try TaskclusterCredentials.find(environment: ["HOME": dir])?.clientId == "mozilla-auth0/ad|x")
        try #"{"clientId": "x"}"#.write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        #expect(throws: CredentialsError.self) { try TaskclusterCredentials.find(environment: ["TC_TOKEN": dir + "/bad.json"]) }
        #expect(throws: CredentialsError.self) { try TaskclusterCredentials.find(environment: ["TC_TOKEN": dir + "/missing.json"]) }
    }
}
