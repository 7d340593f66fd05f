import FleetCore
import FleetSSH
import Foundation

/// One write to run on many hosts: what to send (or remove), and how.
public struct WritePlan: Sendable {
    public enum Operation: Sendable {
        /// Replace the file with `content`. `replaceOther`: a symbolic link or other non-file at the
        /// path is replaced too (the link itself; its target is never touched).
        case write(content: Data, ownership: FileOwnership, guardExisting: Bool, replaceOther: Bool)
        /// Remove the file (with `removeOther`, also a link or other non-file at the path).
        case remove(removeOther: Bool)
    }

    public var file: ManagedFile
    public var operation: Operation
    public var backup: BackupPolicy
    public var parameters: WriteParameters

    /// `host.set_override`, `host.unset_override` or `host.set_vault`: the audit log's action.
    public var action: String {
        switch (file, operation) {
        case (.override, .write): return "host.set_override"
        case (.override, .remove): return "host.unset_override"
        case (.vault, .write): return "host.set_vault"
        case (.vault, .remove): return "host.unset_vault"
        }
    }

    public var content: Data? {
        if case .write(let content, _, _, _) = operation { return content }
        return nil
    }

    /// Builds the plan and the audit parameters for a write of `content`.
    public static func write(_ file: ManagedFile, content: Data, source: String, ownership: FileOwnership,
                             backup: BackupPolicy, force: Bool, reason: String?) -> WritePlan {
        let sha = Digest.sha256Hex(content)
        var p = WriteParameters(backup: backup.enabled, backupSuffix: backup.suffix, reason: reason, force: force)
        p.source = source
        p.sha256 = sha
        p.humanhash = try? Humanhash.humanize(sha)
        p.mode = ownership.mode
        p.owner = ownership.owner
        p.group = ownership.group ?? "auto"
        let guardExisting = file == .override && !force
        return WritePlan(file: file, operation: .write(content: content, ownership: ownership, guardExisting: guardExisting,
                                                       replaceOther: force),
                         backup: backup, parameters: p)
    }

    public static func remove(_ file: ManagedFile, backup: BackupPolicy, reason: String?, force: Bool = false) -> WritePlan {
        WritePlan(file: file, operation: .remove(removeOther: force), backup: backup,
                  parameters: WriteParameters(backup: backup.enabled, backupSuffix: backup.suffix, reason: reason, force: force))
    }

    /// The remote script for this plan.
    var script: String {
        switch operation {
        case .write(let content, let ownership, let guardExisting, let replaceOther):
            return WriteFileScript(file: file, sha256: Digest.sha256Hex(content), ownership: ownership,
                                   backup: backup, guardExisting: guardExisting, replaceOther: replaceOther).body
        case .remove(let removeOther):
            return RemoveFileScript(file: file, backup: backup, removeOther: removeOther).body
        }
    }

    /// `YYYYmmddTHHMMSSZ` in UTC, the backup suffix format users know.
    public static func backupSuffix(_ date: Date = Date()) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        f.timeZone = TimeZone(identifier: "UTC")
        f.locale = Locale(identifier: "en_US_POSIX")
        return f.string(from: date)
    }
}
