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

    @OptionGroup var global: GlobalOptions<NoDebug>

    @Flag(help: "Do it. Without this flag nothing changes.")
    var confirm = false

    @Flag(help: "Rotate the audit log whatever its size.")
    var force = false

    @Option(help: "Rotate the audit log once it reaches this many MiB.")
    var maxSize = 100

    @Option(help: "Observations kept per host (the newest successful one is always kept too).")
    var keep = 10

    @Flag(help: "Print one JSON object: {dry_run, state_dir, steps: [{target, result, message}], rotated} (schemas/maintain.schema.json).")
    var json = false

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
        let failures = out.filter { $0.hasPrefix("FAIL") }
        if json {
            print(JSONOutput.render(["dry_run": !confirm, "state_dir": state.root.path, "rotated": rotated,
                                     "steps": out.compactMap(Self.step)] as [String: Any]))
        } else {
            if confirm {
                out += ["", rotated > 0 ? "Summary: \(rotated) file(s) rotated, database maintained." : "Summary: No files rotated, database maintained."]
            } else {
                out += ["", "Run again with --confirm to apply changes."]
            }
            print(out.joined(separator: "\n"))
        }
        if let first = failures.first { throw CLIError.failed("maintain: " + String(first.dropFirst(5))) }
    }

    /// A result line (`OK x: ...`, `SKIP x: ...`, `FAIL x: ...`, `DRY RUN: Would ...`) as a JSON step.
    static func step(_ line: String) -> [String: Any]? {
        if line.hasPrefix("DRY RUN: Would ") {
            let target = line.contains("audit.jsonl") ? "audit.jsonl" : "store.db"
            return ["target": target, "result": "DRY_RUN", "message": String(line.dropFirst("DRY RUN: ".count))]
        }
        for result in ["OK", "SKIP", "FAIL"] where line.hasPrefix(result + " ") {
            let rest = line.dropFirst(result.count + 1)
            let target = rest.prefix { $0 != ":" && $0 != " " }
            return ["target": String(target), "result": result, "message": String(rest.dropFirst(target.count).drop { $0 == ":" || $0 == " " })]
        }
        return nil
    }
}
