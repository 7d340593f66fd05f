import FleetCore
import FleetSSH
import Foundation
import Testing

/// write_puppet_state, run for real under dash and bash against real git checkouts.
@Suite("Host kit: write_puppet_state")
struct HostKitTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    struct Sandbox: Sendable {
        let dir: String
        var library: String { dir + "/puppet_state_functions.sh" }
        var repo: String { dir + "/code" }
        var state: String { dir + "/state/last_run_metadata.json" }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("fleetroll-kit-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
            try HostKit.puppetStateFunctions.write(toFile: library, atomically: true, encoding: .utf8)
        }

        @discardableResult
        func sh(_ script: String, shell: String = "dash", env: [String: String] = [:]) throws -> ProcessOutput {
            let exports = env.map { "export \($0.key)=\(ShellQuoting.quote($0.value)); " }.joined()
            return try ProcessRunner.runBlocking([shell, "-c", "cd \(ShellQuoting.quote(dir)) && \(exports)\(script)"], stdin: nil, timeout: 30)
        }

        func git(_ args: String) throws {
            let out = try sh("git -C code \(args)")
            guard out.exitCode == 0 else { throw NSError(domain: "git", code: Int(out.exitCode), userInfo: [NSLocalizedDescriptionKey: out.stderrText]) }
        }

        func makeRepo(branch: String = "production") throws {
            try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
            try git("init -q -b \(branch)")
            try git("-c user.name=t -c user.email=t@e commit -q --allow-empty -m one")
            try git("remote add origin https://github.com/mozilla-platform-ops/ronin_puppet.git")
        }

        /// Calls the function as a wrapper would, under `set -e`, and returns the state it wrote.
        func write(role: String = "gecko_t_linux_talos", exit: String = "2", duration: String = "45", override: String = "ovr",
                   vault: String = "vault.yaml", shell: String = "dash", env: [String: String] = [:]) throws -> [String: Any] {
            let out = try sh("""
                set -e; . ./puppet_state_functions.sh
                write_puppet_state "$PWD/code" \(ShellQuoting.quote(role)) \(ShellQuoting.quote(exit)) \(ShellQuoting.quote(duration)) "$PWD/\(override)" "$PWD/\(vault)" "$PWD/state/last_run_metadata.json"
                echo still-running
                """, shell: shell, env: env)
            #expect(out.exitCode == 0)
            #expect(String(decoding: out.stdout, as: UTF8.self).contains("still-running"), "the wrapper goes on: \(out.stderrText)")
            let data = try #require(FileManager.default.contents(atPath: state))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }
    }

    static let keys = ["schema_version", "ts", "duration_s", "success", "exit_code", "role", "git_repo", "git_branch", "git_sha",
                       "git_dirty", "vault_path", "vault_sha", "override_path", "override_sha"]

    @Test(arguments: ["dash", "bash"])
    func writesAllKeysInOrder(_ shell: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.makeRepo()
        try "PUPPET_BRANCH=\"x\"\n".write(toFile: box.dir + "/ovr", atomically: true, encoding: .utf8)
        let s = try box.write(shell: shell)
        let text = try String(contentsOfFile: box.state, encoding: .utf8)
        let order = Self.keys.compactMap { text.range(of: "\"\($0)\":")?.lowerBound }
        #expect(order.count == 14 && order == order.sorted(), "14 keys in the schema's order")
        #expect(s["schema_version"] as? Int == 1)
        #expect(s["exit_code"] as? Int == 2 && s["success"] as? Bool == true && s["duration_s"] as? Int == 45)
        #expect(s["git_branch"] as? String == "production")
        #expect((s["git_sha"] as? String)?.count == 40)
        #expect(s["git_repo"] as? String == "https://github.com/mozilla-platform-ops/ronin_puppet.git")
        #expect(s["git_dirty"] as? Bool == false)
        #expect(s["override_sha"] as? String == Digest.sha256Hex(Data("PUPPET_BRANCH=\"x\"\n".utf8)))
        #expect(s["vault_sha"] is NSNull, "missing vault")
        #expect(Timestamp.parse(s["ts"] as? String ?? "") != nil)
        let mode = try FileManager.default.attributesOfItem(atPath: box.state)[.posixPermissions] as? Int
        #expect(mode == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.dir + "/state") == ["last_run_metadata.json"], "no temporary file left")
    }

    @Test(arguments: [("0", true), ("2", true), ("1", false), ("4", false), ("6", false)])
    func successFollowsDetailedExitCodes(_ code: String, _ success: Bool) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let s = try box.write(exit: code)
        #expect(s["success"] as? Bool == success)
        #expect(s["exit_code"] as? Int == Int(code))
        #expect(s["git_sha"] is NSNull && s["git_dirty"] is NSNull, "no checkout: git fields are null")
    }

    @Test(arguments: ["dash", "bash"])
    func hostileStringsAreEscaped(_ shell: String) throws {
        let box = try Sandbox()
        defer { box.remove() }
        let role = "role \"quoted\" \\ back\\slash\ttab\nnew line $(not run) `nor this`"
        let s = try box.write(role: role, exit: "not-a-number", duration: "", shell: shell)
        #expect(s["role"] as? String == role)
        #expect(s["exit_code"] is NSNull && s["duration_s"] is NSNull && s["success"] as? Bool == false)
    }

    @Test func dirtyAndDetachedCheckouts() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.makeRepo(branch: "master")
        try "x".write(toFile: box.repo + "/untracked", atomically: true, encoding: .utf8)
        #expect(try box.write()["git_dirty"] as? Bool == true)
        try FileManager.default.removeItem(atPath: box.repo + "/untracked")
        #expect(try box.write()["git_dirty"] as? Bool == false)
        // Detached on a commit a branch points at: that branch (the old writer said "HEAD").
        try box.git("checkout -q --detach")
        #expect(try box.write()["git_branch"] as? String == "master")
        // Detached on a commit no branch points at: the override's branch, else null.
        try box.git("-c user.name=t -c user.email=t@e commit -q --allow-empty -m two")
        #expect(try box.write(env: ["PUPPET_BRANCH": "relops-1234"])["git_branch"] as? String == "relops-1234")
        #expect(try box.write()["git_branch"] is NSNull)
    }

    @Test func aDirectoryItCannotWriteLeavesTheOldFile() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let old = "{\"old\": true}\n"
        try old.write(toFile: box.state, atomically: true, encoding: .utf8)
        chmod(box.dir + "/state", 0o555)
        defer { chmod(box.dir + "/state", 0o755) }
        chmod(box.dir, 0o755)
        chmod(box.library, 0o644)
        // Root ignores permissions, so the call runs as an unprivileged user when we are root.
        let call = ". \(ShellQuoting.quote(box.library)); write_puppet_state /nonexistent r 0 1 '' '' \(ShellQuoting.quote(box.state)); echo rc=$?"
        let out = getuid() == 0
            ? try ProcessRunner.runBlocking(["su", "nobody", "-s", "/bin/sh", "-c", call], stdin: nil, timeout: 30)
            : try ProcessRunner.runBlocking(["sh", "-c", call], stdin: nil, timeout: 30)
        #expect(String(decoding: out.stdout, as: UTF8.self).contains("rc=0"), "never fails the puppet run")
        #expect(out.stderrText.contains("ERROR: write_puppet_state:"))
        #expect(try String(contentsOfFile: box.state, encoding: .utf8) == old)
    }

    @Test func theBinaryCarriesTheFilesAsTheyAre() throws {
        for (name, embedded) in [("puppet_state_functions.sh", HostKit.puppetStateFunctions), ("verify-state-file.sh", HostKit.verifyStateFile)] {
            let file = try String(contentsOfFile: Self.repoRoot + "/host-kit/" + name, encoding: .utf8)
            #expect(file == embedded, "\(name) differs from the embedded copy: run scripts/embed-host-kit")
        }
    }

    @Test func shellcheckIsClean() throws {
        let paths = ["puppet_state_functions.sh", "verify-state-file.sh"].map { Self.repoRoot + "/host-kit/" + $0 }
        let out: ProcessOutput
        do { out = try ProcessRunner.runBlocking(["shellcheck", "-s", "sh"] + paths, stdin: nil, timeout: 60) } catch {
            Issue.record("shellcheck is not installed (scripts/install-deps installs it)")
            return
        }
        #expect(out.exitCode == 0, "\(String(decoding: out.stdout, as: UTF8.self))")
    }

    @Test func verifierJudgesFiles() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try HostKit.verifyStateFile.write(toFile: box.dir + "/verify.sh", atomically: true, encoding: .utf8)
        _ = try box.write()
        var out = try box.sh("sh ./verify.sh state/last_run_metadata.json")
        #expect(out.exitCode == 0 && String(decoding: out.stdout, as: UTF8.self).hasPrefix("OK: "))
        try "{\"schema_version\": 1, \"ts\": \"x\"}".write(toFile: box.state, atomically: true, encoding: .utf8)
        out = try box.sh("sh ./verify.sh state/last_run_metadata.json")
        #expect(out.exitCode == 1 && String(decoding: out.stdout, as: UTF8.self).contains("missing keys"))
    }
}

@Suite("Host kit: edge cases")
struct HostKitEdgeTests {
    @Test(arguments: ["dash", "bash"])
    func numbersAndOddPaths(_ shell: String) throws {
        let box = try HostKitTests.Sandbox()
        defer { box.remove() }
        let odd = "we\\ird\nname"
        try "x".write(toFile: box.dir + "/" + odd, atomically: true, encoding: .utf8)
        let s = try box.write(exit: "002", duration: "045", override: odd, shell: shell)
        #expect(s["exit_code"] as? Int == 2 && s["success"] as? Bool == true && s["duration_s"] as? Int == 45)
        #expect(s["override_sha"] as? String == Digest.sha256Hex(Data("x".utf8)), "no escaped-name prefix")
        #expect(try box.write(exit: "1234567890123", shell: shell)["exit_code"] is NSNull)
    }

    @Test(arguments: ["dash", "bash"])
    func branchOfADetachedCheckout(_ shell: String) throws {
        let box = try HostKitTests.Sandbox()
        defer { box.remove() }
        try box.makeRepo(branch: "main")
        try box.git("branch zeta")
        try box.git("remote set-url origin https://user:secret@github.com/o/ronin_puppet.git")
        try box.git("checkout -q --detach")
        // main and zeta both point at HEAD: the override's branch wins.
        #expect(try box.write(shell: shell, env: ["PUPPET_BRANCH": "zeta"])["git_branch"] as? String == "zeta")
        let s = try box.write(shell: shell)
        #expect(s["git_branch"] as? String == "main")
        #expect(s["git_repo"] as? String == "https://github.com/o/ronin_puppet.git", "credentials are not kept")
    }

    @Test func aDirectoryInsideAnotherRepositoryIsNotACheckout() throws {
        let box = try HostKitTests.Sandbox()
        defer { box.remove() }
        try box.makeRepo()
        try FileManager.default.createDirectory(atPath: box.repo + "/sub", withIntermediateDirectories: true)
        let out = try box.sh(". ./puppet_state_functions.sh; write_puppet_state \"$PWD/code/sub\" r 0 1 x y \"$PWD/state/last_run_metadata.json\"")
        #expect(out.exitCode == 0)
        let data = try #require(FileManager.default.contents(atPath: box.state))
        let s = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(s["git_sha"] is NSNull && s["git_branch"] is NSNull)
    }
}
