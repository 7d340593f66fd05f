import ArgumentParser
import FleetCore
import FleetOps
import FleetReport
import FleetWeb
import Foundation
import Hummingbird
import ServiceLifecycle

struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Serve the fleet report as a live web page and a read-only JSON API.",
        discussion: """
            The page at / is the report (the live view's header, filter box, saved and recent \
            filters, sorting, a page per host) and updates itself as gathers store data. The API: \
            /api/health, /api/hosts?filter=&sort= (host-monitor --once --json's rows plus a summary), \
            /api/hosts/HOST, /api/filters, /api/events (Server-Sent Events), /openapi.json. \
            Nothing it serves changes a host; vault.yaml is only named by its SHA-256 and humanhash.
            It listens on loopback only, and answers only to loopback names (DNS rebinding). Any \
            other address needs --allow-remote and --token-file FILE; every request then needs \
            'Authorization: Bearer <the file's token>'. For a browser elsewhere, an SSH tunnel to \
            127.0.0.1 is the simpler way. Ctrl-C or SIGTERM stops it (open event streams end).
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file; omit for every host in the store.", valueName: "HOST_OR_FILE"))
    var hosts: [String] = []

    @OptionGroup var global: GlobalOptions<NoDebug>

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("Port to listen on (0: any free port, printed at start).", valueName: "port"))
    var port = 8765

    @Flag(help: "Allow an address other than loopback (needs --token-file).")
    var allowRemote = false

    @Option(help: ArgumentHelp("A file holding the bearer token every request must carry (at least 16 characters; not readable by others).",
                               valueName: "file"))
    var tokenFile: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        if allowRemote && tokenFile == nil { throw ValidationError("--allow-remote needs --token-file: a remote page must be guarded.") }
    }

    func run() async throws {
        do { try BindPolicy.check(host: host, allowRemote: allowRemote, hasToken: tokenFile != nil) } catch {
            throw CLIError.usage(error.message)
        }
        var settings = WebSettings()
        settings.host = host
        settings.port = port
        settings.allowRemote = allowRemote
        settings.token = try tokenFile.map(readToken)
        settings.version = Fleetroll.version
        settings.source = hosts.count == 1 ? (hosts[0] as NSString).lastPathComponent : (hosts.isEmpty ? "all hosts" : "\(hosts.count) args")

        let fleet = try global.fleet()
        let database = try global.openDatabase()
        let names = hosts.isEmpty ? nil : try resolveHosts(hosts).hosts.map(\.description)
        let model = WebModel(live: fleet.liveReport(database, hosts: names), clock: fleet.context.clock)
        await model.load()
        if let error = model.current.storeError { throw CLIError.failed("cannot read the store \(global.state.database.path): \(error)") }

        let services = WebServices(
            filters: { fleet.servedFilters() }, auditLines: { fleet.auditLines(host: $0, limit: $1) },
            checkStore: { try fleet.checkStore() }, logSizeWarnings: { fleet.largeFileWarnings() })
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let rows = model.current.rows.count
        let app = WebApp.application(model: model, services: services, settings: settings, logger: global.makeLogger("fleetroll.web")) { port in
            // Unbuffered, so whoever started us (a script, a test) can read the address at once.
            Terminal.write("fleetroll web: serving http://\(shown):\(port)/ (\(rows) hosts, read-only; Ctrl-C stops)\n")
        }
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: global.makeLogger("fleetroll.web"))
        // Open event streams end on shutdown; a connection that hangs anyway does not keep us up.
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            throw CLIError.failed("the web server stopped: \(error)")
        }
        Terminal.note("fleetroll web: stopped")
    }

    /// The token, trimmed. A token others can read is no secret, so such a file is refused.
    func readToken(_ path: String) throws -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.usage("--token-file: cannot read \(path)")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw CLIError.usage("--token-file: \(path) can be read by others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16, !token.contains(where: { $0.isWhitespace }) else {
            throw CLIError.usage("--token-file: the token must be one word of at least 16 characters")
        }
        return token
    }
}
