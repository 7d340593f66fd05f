import Foundation

/// An exclusive `flock` on the database's directory, held while a process opens the database
/// and migrates it (the same lock `StateDirectory.withDirectoryLock` takes; no lock file is left
/// behind). Without it, several fleetroll processes starting at once on a new state directory
/// race: each sees no tables, and all but one fail (`table ... already exists`, or `database is
/// locked` while switching to WAL). They wait their turn instead; once the schema is there, the
/// lock is held only for the moment an open takes.
enum OpenLock {
    static func around<T>(_ databasePath: String, _ body: () throws -> T) throws -> T {
        let directory = (databasePath as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StateDirectoryError.lock(directory, String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw StateDirectoryError.lock(directory, String(cString: strerror(errno))) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
