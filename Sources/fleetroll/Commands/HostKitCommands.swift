import ArgumentParser
import FleetCore
import FleetSSH
import Foundation

struct HostKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-kit",
        abstract: "The files hosts need so fleetroll knows what puppet applied (see host-kit/README.md).",
        subcommands: [Print.self]
    )

    struct Print: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print puppet_state_functions.sh (the function the puppet wrapper calls), or the verifier.")

        @Flag(help: "Print verify-state-file.sh instead.")
        var verifier = false

        /// Accepted like on every other command (`fleetroll -d host-kit print`); nothing to log.
        @Flag(name: [.customShort("d"), .long], help: .hidden)
        var debug = false

        func run() {
            FileHandle.standardOutput.write(Data((verifier ? HostKit.verifyStateFile : HostKit.puppetStateFunctions).utf8))
        }
    }
}

struct HostVerifyStateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-verify-state",
        abstract: "Check each host's last_run_metadata.json over SSH (read-only).",
        discussion: """
            Runs host-kit/verify-state-file.sh on each host. --json prints one object, {results, total, \
            valid, failed} (schemas/host-verify-state.schema.json). Exit status 0 when every file is \
            valid, 1 otherwise, 2 for usage errors.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions

    @Option(help: "Hosts checked at the same time.")
    var workers = 10

    @Flag(help: "Print one JSON object: {results, total, valid, failed}.")
    var json = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
    }

    func run() async throws {
        let selection = try resolveHosts(hosts)
        let state = global.state
        try? state.prepare()
        let transport = SSHTransport(settings: try ssh.settings(state: state, config: try global.config()), logger: global.makeLogger("fleetroll"))
        Interrupts.install(Interrupts.terminateAndExit)
        let results = await runBounded(count: selection.hosts.count, width: workers, skipped: { _ in (false, "") }) { i in
            let run = await transport.run(script: HostKit.verifyStateFile, on: selection.hosts[i])
            let out = String(decoding: run.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if run.launchError == nil, !run.timedOut, (run.exitCode == 0 || run.exitCode == 1), out.hasPrefix("OK: ") || out.hasPrefix("FAIL: ") {
                return (run.exitCode == 0, out)
            }
            let cls = run.launchError != nil ? ErrorClass.local : FailureClassifier.classify(exitCode: run.exitCode, stderr: run.stderr, timedOut: run.timedOut)
            let why = run.launchError ?? run.stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit \(run.exitCode)"
            return (false, "FAIL: [\(cls.rawValue)] \(why)")
        }
        let sorted = zip(selection.hosts, results).naturallySorted(by: { $0.0.description })
        let failed = sorted.filter { !$0.1.0 }.count
        func message(_ text: String) -> String { text.replacingOccurrences(of: "^(OK|FAIL): ", with: "", options: .regularExpression) }
        if json {
            let rows: [[String: Any]] = sorted.map { host, result in
                let text = message(result.1)
                let cls = text.range(of: #"^\[([a-z_]+)\] "#, options: .regularExpression).map { String(text[$0].dropFirst().dropLast(2)) }
                return ["host": host.description, "ok": result.0, "message": text, "error_class": cls as Any? ?? NSNull()]
            }
            print(JSONOutput.render(["results": rows, "total": sorted.count, "valid": sorted.count - failed, "failed": failed] as [String: Any]))
        } else {
            for (host, (ok, text)) in sorted {
                print("\(ok ? Terminal.green("OK") : Terminal.red("FAIL")) \(host) \(Terminal.clean(message(text)))")
            }
            print("\(selection.hosts.count - failed)/\(selection.hosts.count) state files valid")
        }
        if failed > 0 { throw CLIError.failed("\(failed) of \(selection.hosts.count) state file(s) not valid") }
    }
}
