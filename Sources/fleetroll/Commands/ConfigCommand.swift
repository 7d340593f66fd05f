import ArgumentParser
import FleetCore
import FleetTaskcluster
import Foundation

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the configuration fleetroll uses.", subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the effective configuration (secrets masked).")

        @OptionGroup var global: GlobalOptions<NoDebug>

        @Flag(help: "Print one JSON object (schemas/config-show.schema.json).")
        var json = false

        func run() throws {
            let config = try global.config()
            let path = global.state.config.path
            let exists = FileManager.default.fileExists(atPath: path)
            let tokenSource = GitHubOptions.token(config)?.source
            let credentials = (try? TaskclusterCredentials.find()).flatMap { $0 }
            if json {
                var object = config.describeObject(tokenSource: tokenSource)
                object["file"] = path
                object["file_present"] = exists
                object["state_dir"] = global.state.root.path
                object["taskcluster_credentials"] = credentials.map { ["client_id": $0.clientId, "source": $0.source] } as Any? ?? NSNull()
                print(JSONOutput.render(object))
                return
            }
            print("# \(path)\(exists ? "" : " (not present: defaults)")")
            print(config.describe(tokenSource: tokenSource).joined(separator: "\n"))
            print("\n# Taskcluster credentials: \(credentials.map { "\($0.clientId) (from \($0.source))" } ?? "none (reading needs none)")")
        }
    }
}
