import ArgumentParser
import FleetCore
import FleetSSH
import FleetWrite
import Foundation

struct SetOverrideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-set-override",
        abstract: "Set the override file on hosts (atomic, verified, backed up, logged).",
        discussion: """
            Sends --from-file to /etc/puppet/ronin_settings (macOS: /opt/puppet_environments/ronin_settings). \
            Without --confirm nothing changes: the hosts, the file's SHA-256, mode/owner/group, the \
            validation verdict and what the last gather predicts are shown.

            The file is checked first (bash -n, then the PUPPET_REPO, PUPPET_BRANCH, PUPPET_MAIL and \
            WORKER_TYPE_OVERRIDE rules). On each host it is written to a temporary file next to the \
            target, checked against its SHA-256, and only then renamed into place: a cut connection \
            or a full disk leaves the old file as it was. A host that already has a different override \
            is BLOCKED unless --force; one that has this exact file is NO_CHANGE. A symbolic link (or \
            anything else that is not a regular file) at the path is never followed: BLOCKED, or with \
            --force replaced by a regular file, the link's target untouched.

            Every host touched gets two lines in <state>/audit.jsonl: STARTED before it is contacted, \
            then the outcome; no host is touched when the log cannot be written. A session that ends \
            before the host answers is checked by reading the file back (UNKNOWN if that fails too). \
            Changed hosts are gathered again afterwards (--no-audit skips that). Exit status: 0 all OK \
            or NO_CHANGE (or a dry run), 1 any host FAIL, BLOCKED or UNKNOWN, or the audit log could \
            not be written, 2 usage or validation errors, 130 Ctrl-C.
            """
    )

    @Argument(help: ArgumentHelp("Hosts, comma lists, or one .list file.", valueName: "HOST_OR_FILE"))
    var hosts: [String]

    @OptionGroup var content: ContentOptions
    @OptionGroup var write: WriteOptions
    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions

    @Option(help: "Mode of the file on the host.")
    var mode = "0644"

    @Flag(help: "Replace an existing override that differs from this file, or a symbolic link (or other non-file) at the path (the link itself, never its target).")
    var force = false

    func run() async throws {
        let selection = try resolveHosts(hosts)
        let (bytes, verdict) = try await content.readChecked(ContentValidation.checkOverride)
        let ownership = try content.ownership(mode: mode)
        let plan = WritePlan.write(.override, content: bytes, source: "file:\(content.fromFile)", ownership: ownership,
                                   backup: write.backupPolicy(), force: force, reason: write.reason)
        var flow = WriteFlow(plan: plan, selection: selection, global: global, ssh: ssh, options: write, noun: "override")
        guard write.confirm else {
            let sha = plan.parameters.sha256 ?? ""
            flow.details = content.dryRunLines("Override", plan: plan, ownership: ownership, verdict: verdict) + [
                "--- override contents (begin) ---",
                Terminal.clean(String(decoding: bytes, as: UTF8.self)).trimmingTrailingNewlines(),
                "--- override contents (end) ---",
            ]
            flow.expected = await Expectations.load(selection, global: global) { observed in
                if let kind = observed.overrideKind, kind.exists, kind != .file { return force ? "REPLACE" : "BLOCKED (\(kind.phrase))" }
                guard let current = observed.overrideSHA256 else { return "WRITE" }
                if current == sha { return "NO_CHANGE" }
                return force ? "REPLACE" : "BLOCKED (has \(current.prefix(12))…)"
            }
            flow.dryRun()
            return
        }
        try await flow.run()
    }
}
