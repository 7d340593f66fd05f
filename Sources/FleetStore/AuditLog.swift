import Foundation

/// `<state>/audit.jsonl`: one JSON object per line for every write fleetroll made on a host.
/// The Python fleetroll appends to the same file, in the same layout (see `JSONLinesFile`).
public struct AuditLog: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url }

    public func append<Record: Encodable>(_ record: Record) throws {
        try JSONLinesFile(url: url).append(record)
    }

    /// Throws unless a line could be appended now: the file opens for appending and its file
    /// system has room. Writes check this before touching any host (each host's `STARTED` line is
    /// then the real test: no host is contacted before its line is on disk).
    public func checkWritable() throws {
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AuditLogError.io("open \(url.path) for appending", errno) }
        defer { close(fd) }
        var fs = statvfs()
        if fstatvfs(fd, &fs) == 0, UInt64(fs.f_bavail) * UInt64(fs.f_frsize) < 64 << 10 {
            throw AuditLogError.io("append to \(url.path)", ENOSPC)
        }
    }

    /// Every valid record, oldest first; blank or broken lines are skipped.
    public func records() -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any]
        }
    }

    public struct Rotation: Sendable {
        public var sizeBytes: Int
        /// Where the log went, or nil when it stayed (too small, or missing).
        public var rotatedTo: URL?
    }

    /// Renames the log to `audit.jsonl.YYYYmmdd-HHMMSS` when it is at least `threshold` bytes
    /// (or always, with `force`). The rename happens under the append lock, so no line is lost;
    /// the next append starts a new file.
    public func rotate(threshold: Int, force: Bool, dryRun: Bool, now: Date = Date()) throws -> Rotation {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return Rotation(sizeBytes: 0, rotatedTo: nil) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw AuditLogError.io("lock \(url.path)", errno) }
        defer { flock(fd, LOCK_UN) }
        var st = stat()
        fstat(fd, &st)
        let size = Int(st.st_size)
        guard force || size >= threshold else { return Rotation(sizeBytes: size, rotatedTo: nil) }
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        var target = url.deletingLastPathComponent().appendingPathComponent("audit.jsonl.\(f.string(from: now))")
        var n = 1
        while FileManager.default.fileExists(atPath: target.path) {
            n += 1
            target = url.deletingLastPathComponent().appendingPathComponent("audit.jsonl.\(f.string(from: now)).\(n)")
        }
        if !dryRun, rename(url.path, target.path) != 0 { throw AuditLogError.io("rename \(url.path)", errno) }
        return Rotation(sizeBytes: size, rotatedTo: target)
    }
}

public enum AuditLogError: Error, CustomStringConvertible {
    case io(String, Int32)

    public var description: String {
        switch self {
        case .io(let what, let code): return "cannot \(what): \(String(cString: strerror(code)))"
        }
    }
}

/// A JSONL file several processes append to: the audit log, and the Python tool's notes file.
///
/// Each append holds an exclusive `flock`, writes the whole line with `O_APPEND` and `fsync`s
/// before unlocking, so lines from several processes never interleave and a crash cannot leave
/// half a line behind a later one. Lines are in the Python fleetroll's layout (`StoredJSON.line`).
struct JSONLinesFile {
    let url: URL

    func append<Record: Encodable>(_ record: Record) throws {
        let line = try StoredJSON.line(record)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AuditLogError.io("open \(url.path)", errno) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw AuditLogError.io("lock \(url.path)", errno) }
        defer { flock(fd, LOCK_UN) }
        let before = lseek(fd, 0, SEEK_END)
        let failure = writeAll(fd, line)
        // A write that failed half way (disk full) is taken back, so the next line starts clean.
        if failure != 0, before >= 0 { _ = ftruncate(fd, before) }
        if failure != 0 { throw AuditLogError.io("append to \(url.path)", failure) }
        guard fsync(fd) == 0 else { throw AuditLogError.io("fsync \(url.path)", errno) }
    }
}
