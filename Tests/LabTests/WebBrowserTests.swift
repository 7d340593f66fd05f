import FleetCore
import FleetLab
import FleetStore
import Foundation
import Testing

/// `fleetroll web` as on-call uses it: the binary over a lab store, its JSON against
/// `host-monitor --once --json`, its page in headless Chromium (Tests/Browser/web_page_check.py)
/// while a gather runs, its rollout pages over a rollout stored through the store's API, and a
/// clean stop on SIGTERM with an event stream open.
@Suite("fleetroll web in a browser", .enabled(if: isRoot, Comment(rawValue: needsRoot)))
struct WebBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What the browser test needs; scripts/install-deps installs all of it.
    static var browserMissing: String? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: path) {
            return "\(path) is missing (Debian's chromium and chromium-driver): run scripts/install-deps"
        }
        let selenium = try? runCommand(["python3", "-c", "import selenium"])
        return selenium?.exitCode == 0 ? nil : "python3 cannot import selenium (PyPI): run scripts/install-deps"
    }

    /// The test's output folder: screenshots and the browser script's report.
    static var outputDirectory: String {
        ProcessInfo.processInfo.environment["FLEETROLL_TEST_OUTPUT"].map { $0 + "/web-browser" }
            ?? repository.appendingPathComponent(".build/test-output/web-browser").path
    }

    /// GET through Python's http.client: the status, then the body. `host` sets the Host header.
    func get(_ url: String, host: String? = nil) throws -> (status: Int, body: String) {
        let script = """
            import http.client, sys, urllib.parse
            u = urllib.parse.urlsplit(sys.argv[1])
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            c.putrequest("GET", u.path + ("?" + u.query if u.query else ""), skip_host=len(sys.argv) > 2)
            if len(sys.argv) > 2: c.putheader("Host", sys.argv[2])
            c.endheaders()
            r = c.getresponse()
            sys.stdout.write(str(r.status) + "\\n" + r.read().decode())
            """
        let out = try runCommand(["python3", "-c", script, url] + (host.map { [$0] } ?? []))
        let status = Int(out.stdout.prefix { $0 != "\n" }) ?? 0
        return (status, String(out.stdout.drop { $0 != "\n" }.dropFirst()))
    }

    /// A report row less what moves with the clock (ages), which the two reads took at different
    /// moments; the ages themselves are compared apart.
    static func timeless(_ row: [String: Any]) -> (NSDictionary, [String: Int]) {
        var r = row
        var cells = row["row"] as? [String: Any] ?? [:]
        for c in ReportColumn.allCases where c.isDuration || c == .data { cells[c.rawValue] = nil }
        r["row"] = cells
        var values = row["values"] as? [String: Any] ?? [:]
        var ages: [String: Int] = [:]
        for key in values.keys where key.hasSuffix("_s") {
            ages[key] = values[key] as? Int
            values[key] = nil
        }
        r["values"] = values
        return (r as NSDictionary, ages)
    }

    @Test(.enabled(if: browserMissing == nil, Comment(rawValue: browserMissing ?? "")))
    func theLivePageInABrowser() async throws {
        let labDir = try makeTemporaryDirectory("lab-web")
        let state = try makeTemporaryDirectory("state-web")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let lab = try Lab.up(scenario: ScenarioGenerator.fleet(linux: 4, macos: 0, withFaults: false), directory: labDir)
        defer { _ = try? Lab.down(directory: labDir) }
        let names = lab.hosts.map(\.name)
        let ssh = ["--state-dir", state, "--ssh-option", "-F \(lab.sshConfigPath)", "--connect-timeout", "3", "--timeout", "10"]
        let gathered = try runCommand([Binaries.fleetroll, "gather-host"] + ssh + ["-q"] + names.prefix(3))
        #expect(gathered.exitCode == 0, "\(gathered.stdout)\(gathered.stderr)")

        let rollout = try await Self.storeRollout(state: state, hosts: Array(names.prefix(3)))

        // The server, on a free port it names on its first line.
        let log = state + "/web.out"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Binaries.fleetroll)
        server.arguments = ["web", "--state-dir", state, "--port", "0"]
        server.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        server.standardError = server.standardOutput
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var base: String?
        for _ in 0..<300 where base == nil {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let r = text.range(of: "serving http://") { base = String(text[r.upperBound...].prefix { $0 != "/" }) }
            else { try await Task.sleep(for: .milliseconds(50)) }
        }
        let url = try #require(base.map { "http://" + $0 }, "the server never said where: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(url.hasPrefix("http://127.0.0.1:"))

        // /api/hosts is host-monitor --once --json, plus the summary.
        let api = try get(url + "/api/hosts")
        let cli = try runCommand([Binaries.fleetroll, "host-monitor", "--state-dir", state, "--once", "--json"])
        #expect(api.status == 200 && cli.exitCode == 0)
        let served = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any])
        let apiRows = try #require(served["rows"] as? [[String: Any]])
        let cliRows = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [[String: Any]])
        #expect(apiRows.count == 3 && cliRows.count == 3)
        #expect(apiRows.map { $0["host"] as? String } == cliRows.map { $0["host"] as? String })
        for (a, c) in zip(apiRows, cliRows) {
            let (x, xAges) = Self.timeless(a)
            let (y, yAges) = Self.timeless(c)
            #expect(x == y, "\(a["host"] ?? "")")
            #expect(Set(xAges.keys) == Set(yAges.keys))
            for (k, v) in xAges { #expect(abs(v - (yAges[k] ?? -100)) <= 5, "\(k)") }
        }
        let summary = try #require(served["summary"] as? [String: Any])
        #expect(summary["total_hosts"] as? Int == 3 && summary["fqdn_suffix"] as? String == ".test.releng.mdc1.mozilla.com")
        #expect(try get(url + "/api/hosts", host: "evil.example:80").status == 421, "DNS rebinding")
        #expect(try get(url + "/api/health").status == 200)

        // The browser.
        let out = Self.outputDirectory
        try? FileManager.default.removeItem(atPath: out)
        let browser = try runCommand([
            "env", "SE_OFFLINE=true", "python3", Self.repository.appendingPathComponent("Tests/Browser/web_page_check.py").path,
            "--url", url, "--out", out, "--hosts", names.prefix(3).joined(separator: ","), "--new-host", names[3],
            "--gather", String(decoding: try JSONEncoder().encode([Binaries.fleetroll, "gather-host"] + ssh + ["-q", names[3]]), as: UTF8.self),
            "--note", String(decoding: try JSONEncoder().encode([Binaries.fleetroll, "note-add", "--state-dir", state, names[0]]), as: UTF8.self),
            "--rollout", rollout,
        ], timeout: 300)
        #expect(browser.exitCode == 0, "\(browser.stdout)\(browser.stderr)")
        print("web browser test: \(browser.stdout.split(separator: "\n").suffix(2).joined(separator: " ")); screenshots in \(out)")
        for shot in ["fleet-page.png", "host-page.png", "rollouts-page.png", "rollout-page.png", "fleet-page-other-theme.png"] {
            let data = FileManager.default.contents(atPath: out + "/" + shot) ?? Data()
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(shot) is a PNG")
        }

        // SIGTERM with an event stream open: the stream ends and the server exits 0, soon.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let stream = state + "/events.out"
        _ = FileManager.default.createFile(atPath: stream, contents: nil)
        reader.arguments = ["python3", "-u", "-c", "import sys, urllib.request\nfor l in urllib.request.urlopen(sys.argv[1]): print(l.decode().strip())",
                            url + "/api/events"]
        reader.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stream))
        try reader.run()
        defer { if reader.isRunning { reader.terminate() } }
        for _ in 0..<200 where !((try? String(contentsOfFile: stream, encoding: .utf8)) ?? "").contains("event: hello") {
            try await Task.sleep(for: .milliseconds(50))
        }
        server.terminate()
        let stopped = Date()
        while (server.isRunning || reader.isRunning) && Date().timeIntervalSince(stopped) < 10 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isRunning && !reader.isRunning, "still running 10 s after SIGTERM")
        #expect(Date().timeIntervalSince(stopped) < 5)
        if !server.isRunning { #expect(server.terminationStatus == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
        #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("fleetroll web: stopped"))
    }

    /// A rollout over `hosts`, stored as the engine stores one: the canary applied, an advance
    /// refused by a failed gate, a forced one with a reason, then a pause. Returns its id.
    static func storeRollout(state: String, hosts: [String]) async throws -> String {
        let database = try FleetDatabase(state: StateDirectory(root: URL(fileURLWithPath: state)))
        let store = RolloutStore(database: database)
        func stamp(_ ts: String, _ reason: String? = nil) -> Rollout.Stamp { Rollout.Stamp(ts: ts, actor: "browser-test", reason: reason) }
        var r = try Rollout.plan(id: "ro-20261202-be01", name: "browser canary", created: stamp("2026-12-02T07:00:00+00:00"),
                                 overrideSHA256: String(repeating: "e", count: 64), vaultSHA256: nil, targets: hosts, skipped: [],
                                 canary: 1, batchPct: 50, gates: .defaults)
        try await store.create(r, event: RolloutEvent(rolloutID: r.id, action: .create, stamp: r.created, hosts: hosts, state: r.state, outcome: "created"))
        r = try r.started(at: "2026-12-02T07:01:00+00:00").written(hosts[0], state: .applied, result: "OK", error: nil, at: "2026-12-02T07:02:00+00:00")
        try await store.save(r, event: RolloutEvent(rolloutID: r.id, action: .start, stamp: stamp("2026-12-02T07:01:00+00:00"), stage: 0,
                                                    hosts: [hosts[0]], state: r.state, outcome: "started"))
        let gates = [GateResult(key: .appliedMinPct, value: 100, threshold: 100, passed: true, explanation: "1 of 1 stage host(s) APPLIED Y"),
                     GateResult(key: .minSoakMinutes, value: 2, threshold: 30, passed: false, explanation: "the stage was applied 2 minute(s) ago")]
        try await store.record(RolloutEvent(rolloutID: r.id, action: .advance, stamp: stamp("2026-12-02T07:04:00+00:00"), stage: 0, gates: .defaults,
                                            gateResults: gates, state: r.state, outcome: "advance refused: 1 gate(s) failed"))
        r = try r.advanced(at: "2026-12-02T07:05:00+00:00", batchSize: 1, gates: gates, force: true, reason: "RELOPS-42 soak skipped")
        try await store.save(r, event: RolloutEvent(rolloutID: r.id, action: .advance, stamp: stamp("2026-12-02T07:05:00+00:00", "RELOPS-42 soak skipped"),
                                                    force: true, stage: 1, hosts: r.stages[1].hosts, gates: .defaults, gateResults: gates,
                                                    state: r.state, outcome: "advanced to stage 1 (1 host(s)); forced past 1 failed gate(s)"))
        r = try r.written(hosts[1], state: .applied, result: "OK", error: nil, at: "2026-12-02T07:06:00+00:00").paused()
        try await store.save(r, event: RolloutEvent(rolloutID: r.id, action: .pause, stamp: stamp("2026-12-02T07:07:00+00:00", "lunch"),
                                                    stage: 1, state: r.state, outcome: "paused"))
        return r.id
    }

    @Test func refusals() throws {
        let state = try makeTemporaryDirectory("state-web-refuse")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let remote = try runCommand([Binaries.fleetroll, "web", "--state-dir", state, "--host", "0.0.0.0", "--port", "0"], timeout: 20)
        #expect(remote.exitCode == 2 && remote.stderr.contains("not a loopback address"), "\(remote.stderr)")
        let noToken = try runCommand([Binaries.fleetroll, "web", "--state-dir", state, "--host", "0.0.0.0", "--allow-remote"], timeout: 20)
        #expect(noToken.exitCode == 2 && noToken.stderr.contains("--token-file"), "\(noToken.stderr)")
        let token = state + "/token"
        try "short\n".write(toFile: token, atomically: true, encoding: .utf8)
        chmod(token, 0o644)
        let open = try runCommand([Binaries.fleetroll, "web", "--state-dir", state, "--host", "0.0.0.0", "--allow-remote", "--token-file", token], timeout: 20)
        #expect(open.exitCode == 2 && open.stderr.contains("can be read by others"), "\(open.stderr)")
        chmod(token, 0o600)
        let short = try runCommand([Binaries.fleetroll, "web", "--state-dir", state, "--host", "0.0.0.0", "--allow-remote", "--token-file", token], timeout: 20)
        #expect(short.exitCode == 2 && short.stderr.contains("at least 16"), "\(short.stderr)")
    }
}
