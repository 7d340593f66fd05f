import FleetCore
import Foundation

/// `<state>/puppet_runs/<host>.log`: the last part of each host's latest host-run-puppet output,
/// for the host detail view (the audit log never holds output). The first line is the run's
/// record (JSON), the rest its output's last lines, cleaned of control sequences. Puppet output
/// can name secrets' paths and values, so files are 0600 in a 0700 directory, and each is
/// replaced by a rename: a reader sees the old run or the new one, never half of one.
public struct PuppetRunLogs: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public init(state: StateDirectory) { self.init(directory: state.puppetRuns) }

    /// The file for `host`. Host names are validated (`HostTarget`): no `/`, no leading `.`.
    public func path(for host: String) -> URL { directory.appendingPathComponent(host + ".log") }

    /// Replaces the host's kept output. Returns the file's path.
    @discardableResult
    public func save(_ tail: PuppetRunTail) throws -> URL {
        if mkdir(directory.path, 0o700) != 0 && errno != EEXIST {
            throw AuditLogError.io("create \(directory.path)", errno)
        }
        let target = path(for: tail.record.host)
        var text = String(decoding: try StoredJSON.line(tail.record), as: UTF8.self)
        if tail.cut { text += "... (earlier output not kept)\n" }
        for line in tail.lines { text += line + "\n" }
        let temporary = directory.appendingPathComponent(".\(tail.record.host).\(UUID().uuidString.prefix(8)).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditLogError.io("create \(temporary.path)", errno) }
        let failure = writeAll(fd, Data(text.utf8))
        close(fd)
        guard failure == 0, rename(temporary.path, target.path) == 0 else {
            let code = failure != 0 ? failure : errno
            unlink(temporary.path)
            throw AuditLogError.io("write \(target.path)", code)
        }
        return target
    }

    /// The host's latest kept run, or nil when there is none (or the file is not one of ours).
    public func load(host: String) -> PuppetRunTail? {
        guard let data = FileManager.default.contents(atPath: path(for: host).path) else { return nil }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first,
              let record = try? JSONDecoder().decode(PuppetRunRecord.self, from: Data(first.utf8)) else { return nil }
        lines.removeFirst()
        if lines.last == "" { lines.removeLast() }
        let cut = lines.first == "... (earlier output not kept)"
        if cut { lines.removeFirst() }
        return PuppetRunTail(record: record, lines: lines, cut: cut)
    }
}
