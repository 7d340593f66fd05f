import FleetCore
import FleetLab
import FleetStore
import Foundation
import Testing

/// The live view in a real terminal: tmux runs it, send-keys types, capture-pane reads.
@Suite("Terminal view in tmux", .serialized)
struct TUITests {
    struct Session {
        let name = "fleetroll-test-\(UUID().uuidString.prefix(6))"

        func start(_ command: String, width: Int, height: Int) throws {
            _ = try runCommand(["tmux", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                                "\(command); echo EXITED-$?; sleep 60"])
        }

        func keys(_ keys: String...) throws { _ = try runCommand(["tmux", "send-keys", "-t", name] + keys) }

        func screen() throws -> String { try runCommand(["tmux", "capture-pane", "-p", "-t", name]).stdout }

        func resize(_ w: Int, _ h: Int) throws { _ = try runCommand(["tmux", "resize-window", "-t", name, "-x", "\(w)", "-y", "\(h)"]) }

        /// Waits (up to 10 s) until the screen shows `text`.
        func waitFor(_ text: String) throws -> String {
            let deadline = Date().addingTimeInterval(10)
            var last = ""
            while Date() < deadline {
                last = try screen()
                if last.contains(text) { return last }
                usleep(100_000)
            }
            return last
        }

        func kill() { _ = try? runCommand(["tmux", "kill-session", "-t", name]) }
    }

    static var hasTmux: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    @Test(.enabled(if: hasTmux, "needs tmux (scripts/install-deps installs it)"))
    func browsesLiveDataAndQuitsCleanly() async throws {
        let state = try makeTemporaryDirectory("tui")
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await StoreSeeder.seed(state: StateDirectory(root: URL(fileURLWithPath: state)), hosts: 39, observationsPerHost: 2)
        let tui = Session()
        defer { tui.kill() }
        try tui.start("'\(Binaries.fleetroll)' host-monitor --state-dir '\(state)'", width: 160, height: 15)
        var screen = try tui.waitFor("hosts=39/39")
        #expect(screen.contains("HOST") && screen.contains("OS") && screen.contains("ROLE"))
        #expect(screen.contains("t-linux64-ms-00001"))
        #expect(screen.contains("page 1/4"))

        // Four fast keys move four pages (none is dropped); the last host is reachable.
        try tui.keys("j", "j", "j", "j")
        screen = try tui.waitFor("page 4/4")
        #expect(screen.contains("t-linux64-ms-00039"))
        try tui.keys("g")
        screen = try tui.waitFor("page 1/4")

        // A host gathered while the view runs appears without a key press.
        var o = ObservedState()
        o.osType = "Linux"
        o.rolePresent = true
        o.role = "gecko_t_linux_talos"
        let store = ObservationStore(database: try FleetDatabase(path: state + "/fleetroll.db"))
        try await store.insert(HostObservation(ts: Timestamp.now(), actor: "t", host: "t-linux64-ms-00040.test.releng.mdc1.mozilla.com",
                                               ok: true, sshRC: 0, stderr: "", observed: o))
        screen = try tui.waitFor("hosts=40/40")
        #expect(screen.contains("hosts=40/40"))

        // Resizing, down to a tiny terminal, does not break it.
        try tui.resize(60, 8)
        _ = try tui.waitFor("page 1/8")  // the view has seen the new size
        try tui.keys("G")
        screen = try tui.waitFor("t-linux64-ms-00040")
        #expect(screen.contains("t-linux64-ms-00040"), "the last host is reachable at 60x8")
        try tui.resize(20, 5)
        usleep(500_000)
        try tui.resize(80, 24)
        screen = try tui.waitFor("hosts=40/40")

        // Ctrl-C leaves the terminal sane and exits 0.
        try tui.keys("C-c")
        screen = try tui.waitFor("EXITED-")
        #expect(screen.contains("EXITED-0"))
        #expect(!screen.contains("hosts=40/40"), "the screen is restored")
    }

    @Test(.enabled(if: hasTmux, "needs tmux (scripts/install-deps installs it)"))
    func filterBarQuickFiltersHelpAndHistory() async throws {
        let state = try makeTemporaryDirectory("tui-keys")
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await StoreSeeder.seed(state: StateDirectory(root: URL(fileURLWithPath: state)), hosts: 39, observationsPerHost: 1)
        let tui = Session()
        defer { tui.kill() }
        let command = "'\(Binaries.fleetroll)' host-monitor --state-dir '\(state)'"
        try tui.start(command, width: 160, height: 15)
        _ = try tui.waitFor("hosts=39/39")

        // Every printable key can be typed into the filter bar, including the view's own keys.
        try tui.keys("/", "o", "s", "=", "M", "Enter")
        var screen = try tui.waitFor("query: os=M")
        #expect(screen.contains("hosts=7/39"), "\(screen)")
        try tui.keys("?")
        screen = try tui.waitFor("Keys")
        #expect(screen.contains("filter: type a query"))
        try tui.keys("x")
        _ = try tui.waitFor("hosts=7/39")
        try tui.keys("\\")
        _ = try tui.waitFor("hosts=39/39")
        try tui.keys("s")
        _ = try tui.waitFor("sort=role")
        try tui.keys("O")
        screen = try tui.waitFor("os=L")
        #expect(!screen.contains("hosts=39/39") && !screen.contains("hosts=0/39"), "only the Linux hosts: \(screen)")
        try tui.keys("o")
        screen = try tui.waitFor("[OVERRIDES]")
        try tui.keys("q")
        screen = try tui.waitFor("EXITED-")
        #expect(screen.contains("EXITED-0"))
        let history = try String(contentsOfFile: state + "/filter_history", encoding: .utf8)
        #expect(history == "os=M\n")

        // The history is there in the next session: / then Up recalls it.
        tui.kill()
        let again = Session()
        defer { again.kill() }
        try again.start(command, width: 160, height: 15)
        _ = try again.waitFor("hosts=39/39")
        try again.keys("/", "Up")
        screen = try again.waitFor("/os=M")
        #expect(screen.contains("/os=M"))
        try again.keys("Escape", "q")
        #expect(try again.waitFor("EXITED-").contains("EXITED-0"))
    }

    @Test(.enabled(if: hasTmux, "needs tmux (scripts/install-deps installs it)"))
    func namedFilterPicker() async throws {
        let state = try makeTemporaryDirectory("tui-picker")
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await StoreSeeder.seed(state: StateDirectory(root: URL(fileURLWithPath: state)), hosts: 20, observationsPerHost: 1)
        try FileManager.default.createDirectory(atPath: state + "/filters", withIntermediateDirectories: true)
        try "query: os=M\ndescription: only the minis\n".write(toFile: state + "/filters/prod-minis.yaml", atomically: true, encoding: .utf8)
        let tui = Session()
        defer { tui.kill() }
        try tui.start("cd '\(HostKitPaths.repoRoot)' && '\(Binaries.fleetroll)' host-monitor --state-dir '\(state)'", width: 160, height: 20)
        _ = try tui.waitFor("hosts=20/20")
        try tui.keys("f")
        var screen = try tui.waitFor("[Saved]")
        #expect(screen.contains("quarantined") && screen.contains("prod-minis"), "shipped and state filters")
        // Keys the view uses (j, k, G, f) are search text here.
        try tui.keys("z", "z", "j", "f", "Enter")
        screen = try tui.waitFor("no matches")
        #expect(screen.contains("find: zzjf"))
        for _ in 0..<4 { try tui.keys("BSpace") }
        try tui.keys("p", "r", "o", "d", "Enter")
        screen = try tui.waitFor("query: os=M")
        #expect(!screen.contains("hosts=20/20") && !screen.contains("hosts=0/20"), "only the minis: \(screen)")
        try tui.keys("f", "Right")
        screen = try tui.waitFor("[Recent]")
        #expect(screen.contains("os=M"), "the applied query is in the recent tab")
        try tui.keys("Escape", "q")
        #expect(try tui.waitFor("EXITED-").contains("EXITED-0"))
    }
}

enum HostKitPaths {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}
