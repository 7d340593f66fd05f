#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSpawn
import Foundation
import Synchronization

/// What a finished child process left behind.
public struct ProcessOutput: Sendable {
    public var exitCode: Int32
    public var stdout: Data
    public var stderr: Data
    /// True when the wall-clock limit ended the process; `exitCode` is then 124.
    public var timedOut: Bool
    public var duration: Double
    /// True when the child wrote more to stdout than the run's limit and was ended for it; only
    /// the first `outputLimit` bytes are kept.
    public var outputLimitExceeded = false
    /// True when the task that ran it was cancelled and the child ended for that.
    public var cancelled = false

    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

public enum ProcessRunnerError: Error, CustomStringConvertible {
    case spawnFailed(String, Int32)

    public var description: String {
        switch self {
        case .spawnFailed(let cmd, let errno):
            return "could not start \(cmd): \(String(cString: strerror(errno)))"
        }
    }
}

/// Runs a child process with a wall-clock limit, feeding stdin and capturing both output pipes.
///
/// Each run gets its own OS thread: the poll loop blocks, and Swift's cooperative pool has only
/// as many threads as cores, so blocking there would cap parallel ssh sessions at the core count.
/// Children get their own process group, so the terminal's Ctrl-C reaches fleetroll only, and
/// fleetroll decides what happens to them: cancelling the task that awaits a run ends that run's
/// child (so one batch is stopped without touching another), and `terminateAllBeforeExit` ends
/// them all when fleetroll itself is about to exit. On Linux they also die with fleetroll
/// (a parent-death signal, set by `fleetroll_spawn`): a fleetroll that is killed leaves no ssh
/// behind that could go on changing a host with nobody to record it.
///
/// What a child may make fleetroll hold is bounded: stdout up to `outputLimit` (a child that
/// sends more is ended), stderr to its first `errorLimit` bytes.
public enum ProcessRunner {
    /// The exit code reported for a run that hit its time limit, as `timeout(1)` uses.
    public static let timeoutExitCode: Int32 = 124
    /// Default limits: large enough for anything fleetroll itself runs.
    public static let defaultOutputLimit = 256 << 20
    public static let defaultErrorLimit = 64 << 10

    /// With `onStdout`, stdout is handed over as it arrives instead of being kept (and
    /// `outputLimit` does not apply: the receiver bounds what it keeps).
    public static func run(_ argv: [String], stdin: Data? = nil, timeout: Double, outputLimit: Int = defaultOutputLimit,
                           errorLimit: Int = defaultErrorLimit, onStdout: (@Sendable (Data) -> Void)? = nil) async throws -> ProcessOutput {
        let cancel = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // The thread lives until the child has exited: on Linux the child's parent-death
                // signal fires when the thread that started it ends.
                let thread = Thread {
                    continuation.resume(with: Result {
                        try runBlocking(argv, stdin: stdin, timeout: timeout, outputLimit: outputLimit, errorLimit: errorLimit,
                                        cancel: cancel, onStdout: onStdout)
                    })
                }
                thread.stackSize = 512 * 1024
                thread.start()
            }
        } onCancel: {
            cancel.set()
        }
    }

    /// Sends SIGTERM to every child still running: only for a fleetroll about to exit (a batch
    /// is stopped by cancelling its task).
    public static func terminateAllBeforeExit() {
        for pid in running.withLock({ Array($0) }) { kill(-pid, SIGTERM) }
    }

    private static let running = Mutex<Set<pid_t>>([])
    private static let spawnLock = NSLock()

    private static func cloexecPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// A parent that ignores SIGCHLD would make waitpid fail with ECHILD; children must be
    /// waited for, so the default disposition is restored once. SIGPIPE is ignored: a child that
    /// exits before reading all its input (ssh to a host that refused) must cost an EPIPE, not
    /// fleetroll's life. Children get every signal back at its default (`fleetroll_spawn`).
    private static let restoreChildSignal: Void = {
        signal(SIGCHLD, SIG_DFL)
        signal(SIGPIPE, SIG_IGN)
    }()

    public static func runBlocking(_ argv: [String], stdin: Data?, timeout: Double, outputLimit: Int = defaultOutputLimit,
                                   errorLimit: Int = defaultErrorLimit, cancel: CancelFlag = CancelFlag(),
                                   onStdout: (@Sendable (Data) -> Void)? = nil) throws -> ProcessOutput {
        precondition(!argv.isEmpty)
        _ = restoreChildSignal
        // The search happens here: between fork and exec only async-signal-safe calls are allowed.
        guard let path = executablePath(argv[0]) else { throw ProcessRunnerError.spawnFailed(argv[0], ENOENT) }
        let start = monotonicNow()
        // Cancelled before it started: nothing runs at all.
        if cancel.isSet {
            return ProcessOutput(exitCode: 128 + SIGTERM, stdout: Data(), stderr: Data(), timedOut: false, duration: 0, cancelled: true)
        }
        // Pipes are created and the child spawned under one lock: a pipe end must be marked
        // close-on-exec before any other thread spawns, or that child inherits it and our read
        // never sees end-of-file.
        spawnLock.lock()
        var spawnLocked = true
        defer { if spawnLocked { spawnLock.unlock() } }
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0], inPipe: [Int32] = [-1, -1]
        guard cloexecPipe(&outPipe), cloexecPipe(&errPipe) else {
            throw ProcessRunnerError.spawnFailed(argv[0], errno)
        }
        var stdinFD: Int32
        if stdin != nil {
            guard cloexecPipe(&inPipe) else { throw ProcessRunnerError.spawnFailed(argv[0], errno) }
            stdinFD = inPipe[0]
        } else {
            stdinFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        }

        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let rc = fleetroll_spawn(&pid, path, cArgs, environ, stdinFD, outPipe[1], errPipe[1])
        close(outPipe[1]); close(errPipe[1]); close(stdinFD)
        spawnLock.unlock()
        spawnLocked = false
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            if inPipe[1] >= 0 { close(inPipe[1]) }
            throw ProcessRunnerError.spawnFailed(argv[0], rc)
        }
        running.withLock { _ = $0.insert(pid) }
        defer { running.withLock { _ = $0.remove(pid) } }

        var io = PipeSet(stdout: outPipe[0], stderr: errPipe[0], stdin: inPipe[1], input: stdin ?? Data(),
                         outputLimit: outputLimit, errorLimit: errorLimit)
        io.onStdout = onStdout
        defer { io.closeAll() }
        let deadline = start + timeout
        var timedOut = false
        var cancelled = false
        var killedAt: Double?
        var status: Int32 = 0
        var exited = false

        while true {
            let now = monotonicNow()
            if !exited, !timedOut, now >= deadline {
                timedOut = true
                kill(-pid, SIGTERM)
                killedAt = now
            }
            if !exited, killedAt == nil, cancel.isSet {
                cancelled = true
                kill(-pid, SIGTERM)
                killedAt = now
            }
            if !exited, killedAt == nil, io.outputLimitExceeded {
                kill(-pid, SIGTERM)
                killedAt = now
            }
            if let k = killedAt, !exited, now - k > 2 { kill(-pid, SIGKILL) }
            if !exited {
                let r = waitpid(pid, &status, WNOHANG)
                // ECHILD: someone else reaped it; nothing is left to wait for.
                if r == pid || (r < 0 && errno == ECHILD) { exited = true }
            }
            if io.allClosed && exited { break }
            // Once the child is gone, a grandchild (an ssh ControlMaster) may still hold the
            // pipes open; read what is already there, then stop.
            let wait: Double = exited ? 0.05 : min(0.1, max(0.001, (killedAt != nil ? now + 0.1 : deadline) - now))
            let readable = io.poll(timeout: wait)
            if exited && !readable { break }
        }
        while !exited {
            let r = waitpid(pid, &status, 0)
            if r == pid || (r < 0 && errno != EINTR) { exited = true }
        }
        let code: Int32 = timedOut ? timeoutExitCode : exitStatus(status)
        return ProcessOutput(exitCode: code, stdout: io.out, stderr: io.err, timedOut: timedOut,
                             duration: monotonicNow() - start, outputLimitExceeded: io.outputLimitExceeded, cancelled: cancelled)
    }

    /// `name` as execve needs it: a name with a slash as it is, else the first executable file
    /// of that name on PATH.
    static func executablePath(_ name: String) -> String? {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var st = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR { return candidate }
        }
        return nil
    }

    static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Set when the task awaiting a run is cancelled; the run's poll loop ends its child then (a
/// run cancelled before its child started still starts it, and ends it at once).
public final class CancelFlag: Sendable {
    private let flag = Mutex(false)

    public init() {}

    public func set() { flag.withLock { $0 = true } }

    public var isSet: Bool { flag.withLock { $0 } }
}

/// The parent's ends of the child's three pipes.
private struct PipeSet {
    var stdoutFD: Int32
    var stderrFD: Int32
    var stdinFD: Int32
    var input: Data
    var written = 0
    var out = Data()
    var err = Data()
    let outputLimit: Int
    let errorLimit: Int
    /// stdout went over `outputLimit`: the rest is read and dropped while the child is ended.
    var outputLimitExceeded = false
    /// Set: stdout goes here as it is read, and nothing of it is kept.
    var onStdout: (@Sendable (Data) -> Void)?

    init(stdout: Int32, stderr: Int32, stdin: Int32, input: Data, outputLimit: Int, errorLimit: Int) {
        stdoutFD = stdout; stderrFD = stderr; stdinFD = stdin; self.input = input
        self.outputLimit = outputLimit; self.errorLimit = errorLimit
        if stdinFD >= 0 {
            _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK)
            if input.isEmpty { close(stdinFD); stdinFD = -1 }
        }
    }

    var allClosed: Bool { stdoutFD < 0 && stderrFD < 0 }

    /// Waits up to `timeout` seconds for any pipe to be ready and services it. Returns whether
    /// anything was read or written.
    mutating func poll(timeout: Double) -> Bool {
        var fds: [pollfd] = []
        if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
        if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
        if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
        if fds.isEmpty {
            usleep(useconds_t(timeout * 1_000_000))
            return false
        }
        #if canImport(Glibc)
        let n = Glibc.poll(&fds, nfds_t(fds.count), Int32(timeout * 1000))
        #else
        let n = Darwin.poll(&fds, nfds_t(fds.count), Int32(timeout * 1000))
        #endif
        guard n > 0 else { return false }
        var progressed = false
        for p in fds where p.revents != 0 {
            if p.fd == stdinFD {
                progressed = writeInput() || progressed
            } else {
                progressed = true
                drain(p.fd)
            }
        }
        return progressed
    }

    private mutating func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &buffer, buffer.count)
        if n > 0 {
            if fd == stdoutFD, let onStdout {
                onStdout(Data(buffer[0..<n]))
            } else if fd == stdoutFD {
                let room = max(0, outputLimit - out.count)
                out.append(contentsOf: buffer[0..<min(n, room)])
                if n > room { outputLimitExceeded = true }
            } else {
                err.append(contentsOf: buffer[0..<min(n, max(0, errorLimit - err.count))])
            }
        } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
            close(fd)
            if fd == stdoutFD { stdoutFD = -1 } else { stderrFD = -1 }
        }
    }

    private mutating func writeInput() -> Bool {
        let n = input.withUnsafeBytes { raw in
            write(stdinFD, raw.baseAddress! + written, raw.count - written)
        }
        if n > 0 { written += n }
        if written >= input.count || (n < 0 && errno != EAGAIN && errno != EINTR) {
            close(stdinFD)
            stdinFD = -1
        }
        return n > 0
    }

    mutating func closeAll() {
        for fd in [stdoutFD, stderrFD, stdinFD] where fd >= 0 { close(fd) }
        stdoutFD = -1; stderrFD = -1; stdinFD = -1
    }
}
