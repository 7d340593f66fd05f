import FleetCore
import FleetReport
import FleetStore
import Foundation

/// What a server needs beside the read model, read from the state directory.
extension Fleet {
    /// The named filters the CLI finds (`[filters] directory`, `<state>/filters`, the shipped
    /// ones), never the current directory's: a server's directory is wherever it was started.
    public func servedFilters() -> [NamedFilter] {
        NamedFilters.load(from: (config.filtersDirectory.map { [$0] } ?? []) + [state.root.appendingPathComponent("filters").path])
    }

    /// Throws when a new reader could not read the store now.
    public func checkStore() throws {
        try FleetDatabase.probe(path: state.database.path)
    }

    /// The audit log and the store when either has grown past 100 MB (`fleetroll maintain` rotates).
    public func largeFileWarnings() -> [String] {
        [("audit", state.auditLog.path), ("db", state.database.path)].compactMap { name, path in
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            return size >= 100 << 20 ? "\(name): \(size >> 20)M" : nil
        }
    }

    /// The newest `limit` lines of the audit log about `host`, oldest first, as JSON objects
    /// holding only the fields a write line is documented to have: whatever else a line
    /// carries (another tool's, a hand edit) is not passed on, so no file content can be.
    public func auditLines(host: String, limit: Int) -> [String] {
        guard limit > 0, let data = try? Data(contentsOf: state.auditLog, options: .alwaysMapped) else { return [] }
        let needle = Data(host.utf8)
        var kept: [String] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where line.range(of: needle) != nil {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
                  object["host"] as? String == host,
                  let text = try? JSONSerialization.data(withJSONObject: Self.auditFields(object), options: [.sortedKeys, .withoutEscapingSlashes])
            else { continue }
            kept.append(String(decoding: text, as: UTF8.self))
            if kept.count > limit { kept.removeFirst() }
        }
        return kept
    }

    static let auditKeys: Set<String> = ["ts", "actor", "action", "host", "ok", "result", "ssh_rc", "stderr", "error", "error_class",
                                         "duration_s", "write_id"]
    static let auditParameterKeys: Set<String> = ["source", "sha256", "humanhash", "mode", "owner", "group", "backup", "backup_suffix",
                                                  "reason", "force", "stored_path"]
    static let auditObservedKeys: Set<String> = ["content_changed", "removed", "backup_path", "existing_sha256", "backups_pruned",
                                                 "existing_kind", "verification"]

    static func auditFields(_ object: [String: Any]) -> [String: Any] {
        var out = object.filter { auditKeys.contains($0.key) }
        if let p = object["parameters"] as? [String: Any] { out["parameters"] = p.filter { auditParameterKeys.contains($0.key) } }
        if let o = object["observed"] as? [String: Any] { out["observed"] = o.filter { auditObservedKeys.contains($0.key) } }
        return out
    }
}
