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
                                "\(command); echo EXITED-$?; stty -a | grep -q -- ' icanon' && stty -a | grep -q -- ' echo ' && echo TTY-SANE; sleep 60"])
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

        /// Waits (up to 10 s) until the screen passes `test`.
        func waitUntil(_ test: (String) -> Bool) throws -> String {
            let deadline = Date().addingTimeInterval(10)
            var last = ""
            while Date() < deadline {
                last = try screen()
                if test(last) { return last }
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
        #expect(screen.contains("[▼ 1/4]"))
        #expect(screen.contains("HOST ↑"), "the sort arrow")

        // Four fast keys move four pages (none is dropped); the last host is reachable.
        try tui.keys("j", "j", "j", "j")
        screen = try tui.waitFor("[▲ 4/4]")
        #expect(screen.contains("t-linux64-ms-00039"))
        try tui.keys("g")
        screen = try tui.waitFor("[▼ 1/4]")

        // A host gathered while the view runs appears without a key press.
        var o = ObservedState()
        o.osType = "Linux"
        o.rolePresent = true
        o.role = "gecko_t_linux_talos"
        let store = ObservationStore(database: try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state))))
        try await store.insert(HostObservation(ts: Timestamp.now(), actor: "t", host: "t-linux64-ms-00040.test.releng.mdc1.mozilla.com",
                                               ok: true, sshRC: 0, stderr: "", observed: o))
        screen = try tui.waitFor("hosts=40/40")
        #expect(screen.contains("hosts=40/40"))

        // Resizing, down to a tiny terminal, does not break it.
        try tui.resize(60, 8)
        _ = try tui.waitFor("1/10]")  // the view has seen the new size: 4 hosts a page
        try tui.keys("G")
        screen = try tui.waitFor("t-linux64-ms-00040")
        #expect(screen.contains("t-linux64-ms-00040"), "the last host is reachable at 60x8")
        try tui.resize(20, 5)
        usleep(500_000)
        try tui.resize(80, 24)
        screen = try tui.waitFor("hosts=40/40")
        try tui.resize(160, 40)
        screen = try tui.waitFor("[▼ 1/2]")

        // Ctrl-C leaves the terminal sane and exits 0.
        try tui.keys("C-c")
        screen = try tui.waitFor("EXITED-")
        #expect(screen.contains("EXITED-0"))
        #expect(try tui.waitFor("TTY-SANE").contains("TTY-SANE"), "echo and line editing are back")
        #expect(!screen.contains("hosts=40/40"), "the screen is restored")
    }

    /// The verdicts are on the first screen, next to HOST, whatever the width (issue 11).
    @Test(.enabled(if: hasTmux, "needs tmux (scripts/install-deps installs it)"))
    func verdictsAreOnTheFirstScreen() async throws {
        let state = try makeTemporaryDirectory("tui-verdicts")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let dir = StateDirectory(root: URL(fileURLWithPath: state))
        try await StoreSeeder.seed(state: dir, hosts: 12, observationsPerHost: 1)
        let down = "t-linux64-ms-00003.test.releng.mdc1.mozilla.com"
        try await ObservationStore(database: try FleetDatabase(state: dir)).insert(HostObservation(
            ts: Timestamp.now(), actor: "t", host: down, ok: false, sshRC: 255, stderr: "Connection refused",
            error: "ssh: connect to host port 22: Connection refused", errorClass: .unreachable))
        for (w, h) in [(80, 24), (200, 40)] {
            let tui = Session()
            defer { tui.kill() }
            try tui.start("'\(Binaries.fleetroll)' host-monitor --state-dir '\(state)'", width: w, height: h)
            let screen = try tui.waitFor("hosts=12/12")
            let lines = screen.split(separator: "\n").map(String.init)
            let labels = try #require(lines.first { $0.hasPrefix("HOST") }, "\(w)x\(h): \(screen)")
            #expect(labels.replacingOccurrences(of: " ↑", with: "").split(separator: "|").prefix(3)
                        .map { $0.trimmingCharacters(in: .whitespaces) } == ["HOST", "HEALTHY", "STATUS"], "\(w)x\(h): \(labels)")
            let row = try #require(lines.first { $0.hasPrefix("t-linux64-ms-00003") }, "\(screen)")
            #expect(row.contains("| N ") && row.contains("UNREACHABLE"), "\(w)x\(h): \(row)")
            try tui.keys("q")
            _ = try tui.waitFor("EXITED-")
        }
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
        var screen = try tui.waitFor("/os=M")
        #expect(screen.contains("hosts=7/39"), "\(screen)")
        try tui.keys("?")
        screen = try tui.waitFor("Keys:")
        #expect(screen.contains("page down") && screen.contains("HOST"), "keys and columns")
        try tui.keys("x")
        _ = try tui.waitFor("hosts=7/39")
        try tui.keys("\\")
        _ = try tui.waitFor("hosts=39/39")
        try tui.keys("s")
        _ = try tui.waitFor("sort=role")
        try tui.keys("O")
        screen = try tui.waitFor("os=Linux")
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
        screen = try again.waitFor("Filter ↓: os=M")
        #expect(screen.contains("Filter ↓: os=M"))
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
        var screen = try tui.waitFor("Saved  Recent")
        #expect(screen.contains("Filters"))
        #expect(screen.contains("linux-moonshots") && screen.contains(" 13/13 "), "shipped and state filters")
        // Keys the view uses (j, k, G, f) are search text here.
        try tui.keys("z", "z", "j", "f")
        screen = try tui.waitFor("find: zzjf")
        try tui.keys("Enter")
        screen = try tui.waitFor("no matches")
        #expect(screen.contains("Filters"), "the picker stays open")
        for _ in 0..<4 { try tui.keys("BSpace") }
        try tui.keys("p", "r", "o", "d", "Enter")
        screen = try tui.waitFor("/os=M")
        #expect(!screen.contains("hosts=20/20") && !screen.contains("hosts=0/20"), "only the minis: \(screen)")
        try tui.keys("f")
        screen = try tui.waitFor("› ● prod-minis")
        try tui.keys("Right")
        screen = try tui.waitFor("› ● os=M")
        #expect(screen.contains("› ● os=M"), "the applied query is in the recent tab")
        try tui.keys("Escape", "q")
        #expect(try tui.waitFor("EXITED-").contains("EXITED-0"))
    }
}

extension TUITests {
    /// monitor.md §12's end-to-end scenarios (5 hosts at 300x40), the detail popup, and changes to
    /// notes and Taskcluster data showing up without a key press.
    @Test(.enabled(if: hasTmux, "needs tmux (scripts/install-deps installs it)"))
    func upstreamScenariosDetailAndLiveServiceData() async throws {
        let state = try makeTemporaryDirectory("tui-spec")
        defer { try? FileManager.default.removeItem(atPath: state) }
        try await StoreSeeder.seed(state: StateDirectory(root: URL(fileURLWithPath: state)), hosts: 5, observationsPerHost: 1)
        let fqdn = { (n: Int) in String(format: "t-linux64-ms-%05d.test.releng.mdc1.mozilla.com", n) }
        let tui = Session()
        defer { tui.kill() }
        let command = "cd '\(HostKitPaths.repoRoot)' && '\(Binaries.fleetroll)' host-monitor --state-dir '\(state)'"
        try tui.start(command + " --filter role=nomatch", width: 300, height: 40)
        var screen = try tui.waitFor("hosts=0/5")
        #expect(screen.contains("/role=nomatch"))
        try tui.keys("\\")
        _ = try tui.waitFor("hosts=5/5")
        // The header is painted before the rows: wait for the last row, not only the count.
        screen = try tui.waitFor(String(format: "t-linux64-ms-%05d ", 5))
        for text in ["HOST", "OS", "ROLE", "OVR_BCH", "HEALTHY", "gecko_t_linux_talos"] { #expect(screen.contains(text), "\(text)") }
        for n in 1...5 { #expect(screen.contains(String(format: "t-linux64-ms-%05d ", n)), "short names") }
        #expect(screen.contains("fqdn=.test.releng.mdc1.mozilla.com"))

        // Keys at the edges and quick filters cycled all the way round do no harm.
        try tui.keys("k", "l", "h", "o", "o", "O", "O", "O", "O")
        screen = try tui.waitFor("hosts=5/5")
        try tui.keys("s")
        screen = try tui.waitFor("ROLE ↑")
        #expect(screen.contains("sort=role"))

        // A filter file added while the view runs is in the next picker.
        try FileManager.default.createDirectory(atPath: state + "/filters", withIntermediateDirectories: true)
        try "query: healthy=n\n".write(toFile: state + "/filters/late-addition.yaml", atomically: true, encoding: .utf8)
        try tui.keys("f")
        screen = try tui.waitFor("late-addition")
        try tui.keys("Escape")
        screen = try tui.waitUntil { !$0.contains("late-addition") }
        #expect(!screen.contains("late-addition"))

        // Enter shows the selected host's detail: its records, Taskcluster data and notes.
        try tui.keys("g", "J", "Enter")
        screen = try tui.waitFor("Latest gather")
        #expect(screen.contains("Report") && screen.contains("PP_MATCH"))
        let title = screen.split(separator: "\n").first { $0.contains("┌") && $0.contains("t-linux64-ms-") }.map(String.init) ?? ""
        let shown = (1...5).first { title.contains(fqdn($0)) }
        #expect(shown != nil, "the detail is titled with the host: \(title)")
        try tui.keys("PageDown", "PageDown")
        screen = try tui.waitFor("worker_type")
        #expect(screen.contains("Taskcluster") && screen.contains("Notes") && screen.contains("puppet_git_sha"))

        // A note stored meanwhile shows in the open detail, then in the NOTE column.
        let db = try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state)))
        try await NotesStore(database: db).append(NoteRecord(action: "host.note_add", actor: "test", host: fqdn(shown ?? 1),
                                                             ts: Timestamp.now(), note: "rolled back by test"))
        screen = try tui.waitFor("rolled back by test")
        #expect(screen.contains("rolled back by test"))
        try tui.keys("Escape")
        screen = try tui.waitUntil { !$0.contains("Latest gather") }
        #expect(screen.contains("rolled back by test"), "the NOTE column")

        // A Taskcluster scan stored meanwhile (host 3 quarantined) shows without a key press.
        var w = WorkerRecord(type: .worker, ts: Timestamp.now(), host: fqdn(3), workerId: "t-linux64-ms-00003")
        w.lastDateActive = Timestamp.now()
        w.quarantineUntil = Timestamp.iso(Date().addingTimeInterval(86_400))
        try await ServiceStore(database: db).insertWorkers([w])
        screen = try tui.waitFor(" YES ")
        #expect(screen.contains(" YES "))

        try tui.keys("q")
        #expect(try tui.waitFor("EXITED-").contains("EXITED-0"))
        let history = try String(contentsOfFile: state + "/filter_history", encoding: .utf8)
        #expect(history.contains("role=nomatch"))
        let log = try String(contentsOfFile: state + "/monitor.log", encoding: .utf8)
        #expect(log.contains("INFO fleetroll.monitor: start") && log.contains("quit"), "logs go to the file: \(log)")

        // --sort is honoured; a narrow terminal shows the column scroll indicator; a --filter
        // with a problem is applied and its problem shown, as in the filter bar.
        let again = Session()
        defer { again.kill() }
        try again.start(command + " --sort role --filter 'bogus>1'", width: 40, height: 20)
        screen = try again.waitFor("unknown column")
        #expect(screen.contains("sort=role"))
        #expect(screen.contains("[▶ "), "column indicator: \(screen)")
        try again.keys("q")
        #expect(try again.waitFor("EXITED-").contains("EXITED-0"))
    }
}

enum HostKitPaths {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}
