import ArgumentParser
import FleetStore
import Foundation

struct MaintainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintain",
        abstract: "Rotate the audit log, apply the store's retention, and compact the database.",
        discussion: """
            audit.jsonl is renamed to audit.jsonl.YYYYmmdd-HHMMSS once it reaches --max-size MiB \
            (or always with --force); the rotated file is kept. Without --confirm, only says what it would do.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Do it. Without this flag nothing changes.")
    var confirm = false

    @Flag(help: "Rotate the audit log whatever its size.")
    var force = false

    @Option(help: "Rotate the audit log once it reaches this many MiB.")
    var maxSize = 100

    @Option(help: "Observations kept per host (the newest successful one is always kept too).")
    var keep = 10

    func validate() throws {
        guard maxSize >= 1 else { throw ValidationError("--max-size must be at least 1.") }
        guard keep >= 1 else { throw ValidationError("--keep must be at least 1.") }
    }

    func run() async throws {
        let state = global.state
        var out: [String] = []
        if !confirm { out += ["DRY RUN: --confirm not provided; no changes will be made.", "FleetRoll directory: \(state.root.path)", ""] }
        let log = AuditLog(url: state.auditLog)
        func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
        var rotated = 0
        if !FileManager.default.fileExists(atPath: log.url.path) {
            out.append("SKIP audit.jsonl: file does not exist")
        } else {
            do {
                let r = try log.rotate(threshold: maxSize << 20, force: force, dryRun: !confirm)
                if let target = r.rotatedTo {
                    out.append(confirm ? "OK audit.jsonl (\(mb(r.sizeBytes))) -> \(target.lastPathComponent)"
                                       : "DRY RUN: Would rotate audit.jsonl (\(mb(r.sizeBytes))) -> \(target.lastPathComponent)")
                    rotated += confirm ? 1 : 0
                } else {
                    out.append("SKIP audit.jsonl: \(mb(r.sizeBytes)) (below \(maxSize) MB threshold)")
                }
            } catch {
                out.append("FAIL audit.jsonl: \(error)")
            }
        }
        // The Python tool's fleetroll.db is never touched: it keeps its own retention.
        let name = state.database.lastPathComponent
        if !state.hasDatabase {
            out.append("SKIP \(name): file does not exist")
        } else if !confirm {
            out.append("DRY RUN: Would apply retention (keep \(keep) per host) and compact \(name)")
        } else {
            do {
                let db = try global.openDatabase(retention: keep)
                let removed = try await db.applyRetention()
                out.append("OK \(name): retention removed \(removed) old observation(s)")
                let (before, after) = try await db.compact()
                let freed = before - after
                out.append("OK \(name): compacted from \(mb(before)) to \(mb(after)) (freed \(mb(max(0, freed))))")
            } catch {
                out.append("FAIL \(name): \(error)")
            }
        }
        if confirm {
            out += ["", rotated > 0 ? "Summary: \(rotated) file(s) rotated, database maintained." : "Summary: No files rotated, database maintained."]
        } else {
            out += ["", "Run again with --confirm to apply changes."]
        }
        print(out.joined(separator: "\n"))
        if out.contains(where: { $0.hasPrefix("FAIL") }) { throw CLIError.hostsFailed }
    }
}
