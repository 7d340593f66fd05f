import FleetSSH
import Foundation

/// The lab's ronin_puppet: a real git repository with one commit per scenario commit name, each
/// on its own branch. Commits are made with fixed dates and authors, so a name gives the same SHA
/// every time the lab comes up.
enum LabRepository {
    /// Creates `<lab>/ronin_puppet.git` and returns each commit name's SHA.
    static func create(at path: String, commits: [String]) throws -> [String: String] {
        let work = path + ".work"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let env = ["GIT_AUTHOR_NAME=lab", "GIT_AUTHOR_EMAIL=lab@fleetroll.invalid", "GIT_COMMITTER_NAME=lab",
                   "GIT_COMMITTER_EMAIL=lab@fleetroll.invalid", "GIT_AUTHOR_DATE=2026-01-01T00:00:00+0000",
                   "GIT_COMMITTER_DATE=2026-01-01T00:00:00+0000"]
        func git(_ args: [String], in dir: String = work) throws -> String {
            let out = try ProcessRunner.runBlocking(["env"] + env + ["git", "-C", dir] + args, stdin: nil, timeout: 60)
            guard out.exitCode == 0 else { throw LabError.setup("git \(args.joined(separator: " ")): \(out.stderrText)") }
            return String(decoding: out.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git(["init", "-q", "-b", "lab-root"])
        try "# lab ronin_puppet\n".write(toFile: work + "/README.md", atomically: true, encoding: .utf8)
        _ = try git(["add", "README.md"])
        _ = try git(["commit", "-q", "-m", "lab root"])
        var shas: [String: String] = [:]
        for name in commits {
            _ = try git(["checkout", "-q", "-B", name, "lab-root"])
            try "\(name)\n".write(toFile: work + "/manifest.pp", atomically: true, encoding: .utf8)
            _ = try git(["add", "manifest.pp"])
            _ = try git(["commit", "-q", "-m", "lab commit \(name)"])
            shas[name] = try git(["rev-parse", "HEAD"])
        }
        try? FileManager.default.removeItem(atPath: path)
        let out = try ProcessRunner.runBlocking(["git", "clone", "-q", "--bare", work, path], stdin: nil, timeout: 60)
        guard out.exitCode == 0 else { throw LabError.setup("git clone --bare: \(out.stderrText)") }
        return shas
    }

    /// Clones the repository into a host's checkout and puts it in the state the scenario asks for.
    static func checkout(_ repo: String, into dir: String, run: PuppetRunScenario, commits: [String: String]) throws {
        let name = run.commit ?? "master"
        guard let sha = commits[name] else { throw LabError.scenario("puppet_run commit '\(name)' is not a lab commit") }
        try FileManager.default.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let owner = run.owner ?? "mozilla-platform-ops"
        let steps: [[String]] = [
            ["git", "clone", "-q", repo, dir],
            ["git", "-C", dir, "remote", "set-url", "origin", "https://github.com/\(owner)/ronin_puppet.git"],
            run.detached == true ? ["git", "-C", dir, "checkout", "-q", "--detach", sha] : ["git", "-C", dir, "checkout", "-q", name],
        ]
        for step in steps {
            let out = try ProcessRunner.runBlocking(step, stdin: nil, timeout: 60)
            guard out.exitCode == 0 else { throw LabError.setup("\(step.joined(separator: " ")): \(out.stderrText)") }
        }
        if run.dirty == true { try "lab\n".write(toFile: dir + "/untracked.lab", atomically: true, encoding: .utf8) }
    }
}
