import ArgumentParser
import FleetCore
import FleetSSH
import FleetWrite
import Foundation

/// Options of every command that changes hosts.
struct WriteOptions: ParsableArguments {
    @Flag(help: "Apply the change. Without it, fleetroll shows what it would do and changes nothing.")
    var confirm = false

    @Flag(help: "Do not keep a backup (<file>.bak.<UTC time>) of the file being replaced or removed.")
    var noBackup = false

    @Option(help: "Why you are making this change; recorded in the audit log.")
    var reason: String?

    @Flag(help: "Do not gather the changed hosts again afterwards.")
    var noAudit = false

    @Option(help: "Hosts changed at the same time.")
    var workers = 10

    @Flag(help: "Print JSON only: an array of the hosts' records with --confirm, the plan without it.")
    var json = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
    }

    func backupPolicy() -> BackupPolicy {
        BackupPolicy(enabled: !noBackup, suffix: WritePlan.backupSuffix())
    }
}

/// The file to send and how to install it (host-set-override, host-set-vault).
struct ContentOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .long], help: ArgumentHelp("The file to send.", valueName: "file"))
    var fromFile: String

    @Option(help: "Owner of the file on the host.")
    var owner = "root"

    @Option(help: "Group of the file on the host; 'auto' is wheel on macOS, root elsewhere.")
    var group = "auto"

    @Flag(name: .customLong("no-validate"), help: ArgumentHelp("Send the file without checking it first.", visibility: .hidden))
    var noValidate = false

    @Flag(name: .customLong("ignore-state"), help: ArgumentHelp("Accepted for old scripts: every host is always checked on the host itself.", visibility: .hidden))
    var ignoreState = false

    /// Reads the file's exact bytes; refuses directories, missing files and huge files.
    func read() throws -> Data {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: fromFile, isDirectory: &isDir) else {
            throw CLIError.usage("--from-file: no such file: \(fromFile)")
        }
        if isDir.boolValue { throw CLIError.usage("--from-file: \(fromFile) is a directory") }
        guard let data = FileManager.default.contents(atPath: fromFile) else {
            throw CLIError.usage("--from-file: cannot read \(fromFile)")
        }
        if data.count > 16 << 20 { throw CLIError.usage("--from-file: \(fromFile) is larger than 16 MiB") }
        return data
    }

    /// Reads the file and runs `check` on it unless --no-validate. Returns the bytes and the
    /// verdict shown in a dry run.
    func readChecked(_ check: (Data) async throws(ContentValidation.Failure) -> Void) async throws -> (Data, String) {
        let bytes = try read()
        // Even unchecked, an empty file is never sent: it would wipe the host's file.
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
            throw CLIError.usage("--from-file: \(fromFile) is empty; nothing would be left on the hosts")
        }
        if noValidate { return (bytes, "disabled") }
        do { try await check(bytes) } catch { throw CLIError.usage(error.message) }
        return (bytes, "passed")
    }

    /// The dry-run lines every content write shows.
    func dryRunLines(_ noun: String, plan: WritePlan, ownership: FileOwnership, verdict: String) -> [String] {
        [
            "\(noun) source: file:\(fromFile)",
            "\(noun) checksum: sha256=\(plan.parameters.sha256 ?? "") (\(plan.parameters.humanhash ?? ""))",
            "Mode: \(ownership.mode) Owner: \(ownership.owner) Group: \(ownership.group ?? "auto")",
            "Validation: \(verdict)",
        ]
    }

    func ownership(mode: String) throws -> FileOwnership {
        let o = FileOwnership(mode: mode, owner: owner, group: group == "auto" ? nil : group)
        if let problem = o.problem { throw CLIError.usage(problem) }
        return o
    }
}
