import Foundation

/// An exclusive `flock` on `<database>.lock`, held while a process opens the database and
/// migrates it. Without it, several fleetroll processes starting at once on a new state
/// directory race: each sees no tables, and all but one fail (`table ... already exists`, or
/// `database is locked` while switching to WAL). Processes wait their turn instead; once the
/// schema is there, the lock is held only for the moment an open takes.
struct OpenLock {
    private let fd: Int32

    init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        // A state directory that is only readable (someone else's, shared) has nothing to
        // migrate and nobody to race with: go on without the lock.
        if fd < 0 && (errno == EACCES || errno == EROFS) { return }
        guard fd >= 0 else { throw AuditLogError.io("open \(path)", errno) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let code = errno
                close(fd)
                throw AuditLogError.io("lock \(path)", code)
            }
        }
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Runs `body` holding the lock for `databasePath`.
    static func around<T>(_ databasePath: String, _ body: () throws -> T) throws -> T {
        let lock = try OpenLock(path: databasePath + ".lock")
        defer { lock.release() }
        return try body()
    }
}
