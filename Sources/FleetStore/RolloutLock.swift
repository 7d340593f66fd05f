import Foundation

/// One rollout command at a time per state directory: an exclusive `flock` on
/// `<state>/rollouts.lock`, held from the command's start to its end (the process's end
/// releases it, a crash too). Without it, two advances of one rollout would write the same
/// stage, and two starts could each find a host free and both take it.
public final class RolloutLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Takes the lock, or fails at once when another process holds it.
    public static func acquire(state: StateDirectory) throws -> RolloutLock {
        try state.createRoot()
        let path = state.root.appendingPathComponent("rollouts.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RolloutLockError.io(path, String(cString: strerror(errno))) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            let why = String(cString: strerror(errno))
            close(fd)
            throw busy ? RolloutLockError.busy(path) : RolloutLockError.io(path, why)
        }
        return RolloutLock(fd: fd)
    }
}

public enum RolloutLockError: Error, CustomStringConvertible, Equatable {
    case busy(String)
    case io(String, String)

    public var description: String {
        switch self {
        case .busy(let p): return "another rollout command is running on this state directory (it holds \(p)); try again when it ends"
        case .io(let p, let why): return "cannot lock \(p): \(why)"
        }
    }
}
