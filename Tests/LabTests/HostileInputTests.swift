import Foundation
import Testing

/// Host names that try to become ssh options or shell code are refused before anything runs.
/// A recording `ssh` first on PATH proves that ssh is never even started.
@Suite("Hostile host names")
struct HostileInputTests {
    static let hostile = [
        "-oProxyCommand=touch /tmp/pwned", "-oProxyCommand=touch${IFS}/tmp/pwned", "a;touch /tmp/pwned",
        "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "host|touch /tmp/pwned", "ok.example.com && touch /tmp/pwned",
        "-F/tmp/pwned@host", "user;id@host", "",
    ]

    @Test(arguments: hostile)
    func neverReachAShellOrSSH(_ name: String) throws {
        let dir = try makeTemporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let marker = dir + "/ssh-was-called"
        let fakeSSH = dir + "/ssh"
        try "#!/bin/sh\necho \"$@\" >> '\(marker)'\nexit 0\n".write(toFile: fakeSSH, atomically: true, encoding: .utf8)
        chmod(fakeSSH, 0o755)
        let pwned = "/tmp/pwned"
        try? FileManager.default.removeItem(atPath: pwned)

        let env = ["PATH": "\(dir):/usr/bin:/bin"]
        let direct = try runCommand([Binaries.fleetroll, "gather-host", "--state-dir", dir + "/state", "--", name], environment: env)
        #expect(direct.exitCode == 2, "stderr: \(direct.stderr)")
        #expect(direct.stderr.contains("ERROR:"))
        #expect(direct.stdout.isEmpty)

        let list = dir + "/fleet.list"
        try "# a list with one bad entry\ngood.example.com\n\(name.isEmpty ? "-" : name)\n".write(toFile: list, atomically: true, encoding: .utf8)
        let fromList = try runCommand([Binaries.fleetroll, "gather-host", "--state-dir", dir + "/state", list], environment: env)
        #expect(fromList.exitCode == 2, "stderr: \(fromList.stderr)")
        #expect(fromList.stderr.contains("fleet.list:3"))

        #expect(!FileManager.default.fileExists(atPath: marker), "ssh was started")
        #expect(!FileManager.default.fileExists(atPath: pwned))
        #expect(!FileManager.default.fileExists(atPath: dir + "/state/store.db"))
    }

    @Test func optionLookingArgumentIsAUsageError() throws {
        let dir = try makeTemporaryDirectory("hostile-opt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let marker = dir + "/ssh-was-called"
        try "#!/bin/sh\necho \"$@\" >> '\(marker)'\n".write(toFile: dir + "/ssh", atomically: true, encoding: .utf8)
        chmod(dir + "/ssh", 0o755)
        let r = try runCommand([Binaries.fleetroll, "gather-host", "--state-dir", dir + "/state", "-oProxyCommand=touch /tmp/pwned"],
                               environment: ["PATH": "\(dir):/usr/bin:/bin"])
        #expect(r.exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
    }

    @Test func workersMustBePositive() throws {
        let r = try runCommand([Binaries.fleetroll, "gather-host", "--workers", "0", "h.example.com"])
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("--workers must be at least 1"))
    }

    @Test func helpListsTheCommands() throws {
        let r = try runCommand([Binaries.fleetroll, "--help"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("gather-host"))
        #expect(r.stdout.contains("debug-host-script"))
        let v = try runCommand([Binaries.fleetroll, "--version"])
        #expect(v.stdout.hasPrefix("fleetroll, version "))
    }

    @Test func debugHostScriptPrintsTheScript() throws {
        let plain = try runCommand([Binaries.fleetroll, "debug-host-script"])
        #expect(plain.stdout.contains("__FLEETROLL_END__"))
        let wrapped = try runCommand([Binaries.fleetroll, "debug-host-script", "--wrap", "--no-content"])
        #expect(wrapped.stdout.hasPrefix("sh -c '"))
        #expect(wrapped.stdout.contains("include_content=0"))
    }
}
