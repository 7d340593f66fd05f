import ArgumentParser
import FleetCore
import FleetTaskcluster
import Foundation

struct GatherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gather",
        abstract: "Run gather-host, gather-tc and gather-gh in turn and print one summary.",
        discussion: """
            Each step runs even when an earlier one had failures. --json prints one object with each \
            step's own JSON (schemas/gather.schema.json). Exit status 1 when any step failed, 130 \
            Ctrl-C, 143 SIGTERM.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var global: GlobalOptions<GatherDebug>
    @OptionGroup var ssh: SSHOptions
    @OptionGroup var host: GatherHostOptions
    @OptionGroup var taskcluster: TaskclusterOptions
    @OptionGroup var github: GitHubOptions

    @Flag(help: "Skip the SSH step.") var skipHost = false
    @Flag(help: "Skip the Taskcluster step.") var skipTc = false
    @Flag(help: "Skip the GitHub step.") var skipGh = false
    @Flag(name: [.long, .customLong("override-delay")], help: "Fetch GitHub even if it was fetched less than an hour ago.")
    var force = false

    /// The Python tool's `gather -v`: more detail from the SSH step and one line per host from
    /// the Taskcluster step (`--verbose` does the same).
    @Flag(name: .customShort("v"), help: "Print more detail per host (as --verbose) and the Taskcluster step's per-host lines.")
    var verbosity: Int

    var verbose: Bool { verbosity > 0 || host.verbose }

    func validate() throws {
        if verbosity > 0 && host.quiet { throw ValidationError("-v and --quiet are mutually exclusive.") }
    }

    func run() async throws {
        let selection = try resolveHosts(hosts)
        var summary: [String] = []
        var problems: [String] = []
        var json: [String: Any] = ["gather_host": NSNull(), "gather_tc": NSNull(), "gather_gh": NSNull()]
        if !skipHost {
            var hostOptions = host
            hostOptions.verbose = verbose
            var captured = ""
            let outcome = try await hostOptions.run(selection, global: global, ssh: ssh) { text in
                if host.json { captured = text } else { print(text) }
            }
            if host.json { json["gather_host"] = Self.object(captured) }
            if outcome.interrupted {
                if host.json { print(JSONOutput.render(json)) }
                throw CLIError.interrupted
            }
            summary.append("hosts: \(selection.hosts.count - outcome.failed.count)/\(selection.hosts.count) gathered")
            if let f = outcome.failure { problems.append("gather-host: \(f)") }
        }
        // The other steps end on Ctrl-C at once: nothing of theirs is half-stored.
        Interrupts.install(Interrupts.terminateAndExit)
        if !skipTc {
            do {
                let r = try await GatherTCCommand.collect(selection, global: global, taskcluster: taskcluster)
                if host.json {
                    json["gather_tc"] = Self.object(JSONOutput.encode(r.records))
                } else if !host.quiet {
                    print(TaskclusterView(report: r, verbose: verbose).render(quiet: false))
                }
                summary.append("taskcluster: \(r.found) worker(s) found, \(r.failedPools) pool(s) failed")
                if let f = TaskclusterView(report: r, verbose: false).failure { problems.append(f) }
            } catch let error as CLIError {
                throw error
            } catch {
                summary.append("taskcluster: FAILED")
                problems.append("gather-tc: \(ErrorText.describe(error))")
            }
        }
        if !skipGh {
            do {
                let r = try await GatherGHCommand.collect(global: global, github: github, force: force)
                let view = GitHubView(report: r)
                if host.json {
                    json["gather_gh"] = Self.object(view.json())
                } else if !host.quiet {
                    print(view.render(quiet: false))
                }
                summary.append(r.ran ? "github: \(r.refs.count)/\(r.requested) branch ref(s)" : "github: current (throttled)")
                if let f = view.reportProblems() { problems.append(f.hasPrefix("gather-gh") ? f : "gather-gh: \(f)") }
            } catch let error as CLIError {
                throw error
            } catch {
                summary.append("github: FAILED")
                problems.append("gather-gh: \(ErrorText.describe(error))")
            }
        }
        let failed = !problems.isEmpty
        let mark = failed ? Terminal.yellow("⚠ WARNING") : Terminal.green("✓ SUCCESS")
        let line = "\(mark) gather: " + summary.joined(separator: "; ")
        if host.json {
            json["ok"] = !failed
            json["summary"] = "gather: " + summary.joined(separator: "; ")
            json["problems"] = problems
            print(JSONOutput.render(json))
        } else {
            print(line)
        }
        guard failed else { return }
        for p in problems.dropLast() { Terminal.error(p) }
        throw CLIError.failed(problems.last!)
    }

    /// A step's JSON text as an object to nest.
    static func object(_ text: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? NSNull()
    }
}
