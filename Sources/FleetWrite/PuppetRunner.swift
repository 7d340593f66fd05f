import FleetCore
import FleetSSH
import FleetStore
import Foundation
import Logging
import Synchronization

/// The outcome of a puppet run on one host.
public struct PuppetRunResult: Sendable {
    public var target: HostTarget
    public var record: PuppetRunRecord
    /// The last part of the output, cleaned of every control sequence (what is kept on disk).
    public var output: [String]
    /// Why the audit log could not record this host; nil when it did.
    public var auditError: String?

    public var logged: Bool { auditError == nil }
}

/// Runs the host's puppet wrapper once on many hosts, a bounded number at a time, streaming each
/// host's output as it arrives, and accounts for every host in the audit log.
///
/// Bounded: each run is ended on the host after `timeout` seconds (`PuppetRunScript`), and
/// fleetroll gives the session `grace` seconds more before it cuts it. Ctrl-C (`stop`) starts no
/// new host and ends the runs in flight at once: those are INTERRUPTED, the rest NOT_STARTED.
/// Every host gets a `host.run_puppet` outcome line; a host that is contacted gets a `STARTED`
/// line first, on disk before its session starts, so a fleetroll killed during a run still
/// leaves a record. No host is contacted whose `STARTED` line could not be written.
public struct PuppetRunner: Sendable {
    public var transport: any StreamingHostTransport
    public var auditLog: AuditLog
    /// Where each host's output tail is kept; nil keeps none.
    public var logs: PuppetRunLogs?
    public var workers: Int
    public var timeout: Double
    public var reason: String?
    public var context: RunContext
    /// Bytes of output kept per host (the host detail view shows them).
    public var keepBytes = 64 << 10
    /// Seconds the local session gets past `timeout`: connecting, and hearing the host confirm
    /// that it ended the run (TERM, then KILL 5 s later).
    public var grace: Double = 10
    let logger: Logger

    public init(transport: any StreamingHostTransport, auditLog: AuditLog, logs: PuppetRunLogs?, workers: Int, timeout: Double,
                reason: String?, context: RunContext, logger: Logger = Logger(label: "fleetroll.run-puppet")) {
        self.transport = transport; self.auditLog = auditLog; self.logs = logs; self.workers = max(1, workers)
        self.timeout = timeout; self.reason = reason; self.context = context; self.logger = logger
    }

    /// What happens while the batch runs, in order per host: started, its lines, finished.
    public enum Event: Sendable {
        case started(HostTarget)
        /// One whole line of output as the host sent it (control sequences still in; the
        /// receiver cleans it for where it shows it: `PuppetOutputText`).
        case line(HostTarget, String)
        case finished(PuppetRunResult)
    }

    var parameters: PuppetRunParameters { PuppetRunParameters(reason: reason, timeoutS: timeout) }

    public func run(_ hosts: [HostTarget], stop: StopRequest = StopRequest(),
                    events: @escaping @Sendable (Event) -> Void = { _ in }) async -> [PuppetRunResult] {
        let batch = Task {
            await runBounded(count: hosts.count, width: workers, admit: { !stop.isRequested },
                             skipped: { index in
                                 let result = notStarted(hosts[index], why: "not started: interrupted by Ctrl-C")
                                 events(.finished(result))
                                 return result
                             }) { index in
                await runOne(hosts[index], stop: stop, events: events)
            }
        }
        // Ctrl-C ends the runs in flight at once: a puppet run can take many minutes.
        stop.whenRequested { batch.cancel() }
        return await withTaskCancellationHandler { await batch.value } onCancel: { batch.cancel() }
    }

    func runOne(_ target: HostTarget, stop: StopRequest, events: @escaping @Sendable (Event) -> Void) async -> PuppetRunResult {
        if stop.isRequested || Task.isCancelled {
            let result = notStarted(target, why: "not started: interrupted by Ctrl-C")
            events(.finished(result))
            return result
        }
        let runID = UUID().uuidString.lowercased()
        do {
            try auditLog.append(StartedLine(ts: context.timestamp, actor: context.actor, host: target.description,
                                            runID: runID, parameters: parameters))
        } catch {
            logger.error("\(target): could not append to the audit log: \(error)")
            var result = notStarted(target, why: "not started: the audit log could not record it (\(error))", log: false)
            result.auditError = "\(error)"
            events(.finished(result))
            return result
        }
        events(.started(target))
        let started = context.now
        let script = PuppetRunScript(timeLimit: Int(timeout.rounded(.up)))
        var session: RunSession
        var run: AuditRun
        var attempt = 0
        repeat {
            attempt += 1
            session = RunSession(script: script, keepBytes: keepBytes) { events(.line(target, $0)) }
            let s = session
            run = await transport.stream(script: script.body, on: target, timeout: timeout + grace) { s.feed($0) }
            session.finish()
            // Only a connection that never reached the host is worth trying again.
            let neverStarted = !session.marks.started && !run.timedOut && run.exitCode == 255
                && FailureClassifier.classify(exitCode: run.exitCode, stderr: run.stderr, timedOut: false) == .unreachable
            guard neverStarted, attempt < 2, !stop.isRequested else { break }
            try? await Task.sleep(nanoseconds: 1_000_000_000)
        } while true

        let outcome = PuppetRunOutcome.interpret(session.marks, run: run, timeout: timeout, interrupted: run.cancelled || stop.isRequested,
                                                 lastLine: session.lastLine)
        let duration = (context.now.timeIntervalSince(started) * 100).rounded() / 100
        var observed = PuppetRunObserved(puppetExit: outcome.puppetExit, changesApplied: outcome.puppetExit == 2 && outcome.status == .ok,
                                         durationS: duration, outputBytes: session.bytes)
        func record() -> PuppetRunRecord {
            PuppetRunRecord(ts: context.timestamp, actor: context.actor, host: target.description, result: outcome.status,
                            sshRC: run.launchError == nil ? Int(run.exitCode) : nil,
                            stderr: run.stderr.trimmingCharacters(in: .whitespacesAndNewlines), error: outcome.error,
                            errorClass: outcome.errorClass, observed: observed, parameters: parameters, runID: runID)
        }
        let tail = session.tail
        if let logs {
            observed.outputLog = logs.path(for: target.description).path
            do { try logs.save(PuppetRunTail(record: record(), lines: tail.kept, cut: tail.cut)) } catch {
                logger.warning("\(target): could not keep the run's output: \(error)")
                observed.outputLog = nil
            }
        }
        var result = PuppetRunResult(target: target, record: record(), output: tail.kept)
        do { try auditLog.append(result.record) } catch {
            logger.error("\(target): could not append to the audit log: \(error)")
            result.auditError = "\(error)"
        }
        events(.finished(result))
        return result
    }

    /// A host nothing was run on. Its outcome line still goes to the audit log (`log`), so the log
    /// accounts for every host the command was given.
    func notStarted(_ target: HostTarget, why: String, log: Bool = true) -> PuppetRunResult {
        let record = PuppetRunRecord(ts: context.timestamp, actor: context.actor, host: target.description, result: .notStarted,
                                     sshRC: nil, stderr: "", error: why, errorClass: nil, observed: PuppetRunObserved(),
                                     parameters: parameters, runID: nil)
        var result = PuppetRunResult(target: target, record: record, output: [])
        if log {
            do { try auditLog.append(record) } catch { result.auditError = "\(error)" }
        }
        return result
    }
}

/// The status lines a run's script printed.
struct RunMarks: Sendable {
    var started = false
    var sudo = false
    var missing = false
    var timeout = false
    var exit: Int?
}

/// Reads one session's output as it arrives: whole lines to the receiver, status lines taken
/// out, the last part kept. Fed from the session's reader thread only, read after it ended.
final class RunSession: Sendable {
    private struct State {
        var splitter = LineSplitter()
        var marks = RunMarks()
        var tail: TailBuffer
        var bytes = 0
        /// A blank line waits: the one a status line starts with is not output.
        var blankPending = false
        var lastLine: String?
    }

    private let script: PuppetRunScript
    private let emit: @Sendable (String) -> Void
    private let state: Mutex<State>

    init(script: PuppetRunScript, keepBytes: Int, emit: @escaping @Sendable (String) -> Void) {
        self.script = script
        self.emit = emit
        state = Mutex(State(tail: TailBuffer(limit: keepBytes)))
    }

    func feed(_ data: Data) {
        let lines = state.withLock { s -> [String] in
            s.bytes += data.count
            return s.splitter.feed(data).flatMap { take(LineSplitter.text($0), &s) }
        }
        for l in lines { emit(l) }
    }

    /// The stream ended: a last line without a newline is a line too (a blank one at the very
    /// end is not shown).
    func finish() {
        let lines = state.withLock { s -> [String] in
            guard let rest = s.splitter.finish() else { return [] }
            return take(LineSplitter.text(rest), &s)
        }
        for l in lines { emit(l) }
    }

    /// The lines to hand over for one line read: status lines, and the blank line the script
    /// prints before each, are taken out.
    private func take(_ text: String, _ s: inout State) -> [String] {
        if let mark = script.mark(text) {
            s.blankPending = false
            switch mark {
            case .started: s.marks.started = true
            case .sudo: s.marks.sudo = true
            case .missing: s.marks.missing = true
            case .timeout: s.marks.timeout = true
            case .exit(let n): s.marks.exit = n
            }
            return []
        }
        var out: [String] = []
        if s.blankPending { out.append("") }
        s.blankPending = text.isEmpty
        if !text.isEmpty { out.append(text) }
        for line in out {
            let clean = PuppetOutputText.clean(line, color: false)
            s.tail.append(clean)
            if !clean.trimmingCharacters(in: .whitespaces).isEmpty { s.lastLine = clean }
        }
        return out
    }

    var marks: RunMarks { state.withLock { $0.marks } }
    var bytes: Int { state.withLock { $0.bytes } }
    var tail: TailBuffer { state.withLock { $0.tail } }
    var lastLine: String? { state.withLock { $0.lastLine } }
}

/// How a run ended, from its status lines and what ssh said.
struct PuppetRunOutcome {
    var status: PuppetRunStatus
    var errorClass: PuppetRunErrorClass?
    var error: String?
    var puppetExit: Int?

    static func interpret(_ marks: RunMarks, run: AuditRun, timeout: Double, interrupted: Bool, lastLine: String?) -> PuppetRunOutcome {
        if let launch = run.launchError { return PuppetRunOutcome(status: .fail, errorClass: .local, error: launch) }
        let limit = "\(Int(timeout.rounded(.up)))s"
        if marks.sudo {
            return PuppetRunOutcome(status: .fail, errorClass: .sudo, error: "sudo -n failed on the host: \(lastLine ?? "no message"); nothing ran")
        }
        if marks.missing {
            return PuppetRunOutcome(status: .fail, errorClass: .missingWrapper,
                                    error: "\(PuppetRunScript.wrapperPath) is not on the host (or not executable); nothing ran")
        }
        if let code = marks.exit {
            if marks.timeout {
                return PuppetRunOutcome(status: .fail, errorClass: .timeout,
                                        error: "the run took longer than \(limit) and was ended on the host (exit \(code))")
            }
            if code == 0 || code == 2 { return PuppetRunOutcome(status: .ok, puppetExit: code) }
            return PuppetRunOutcome(status: .fail, errorClass: .puppet, error: "puppet failed (exit \(code))", puppetExit: code)
        }
        if interrupted {
            return PuppetRunOutcome(status: .interrupted, errorClass: .interrupted,
                                    error: marks.started ? "interrupted by Ctrl-C: the session was closed, which ends the run on the host"
                                        : "interrupted by Ctrl-C before the run started")
        }
        let stderr = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        let lastStderr = stderr.split(whereSeparator: \.isNewline).last.map(String.init)
        if run.timedOut || marks.timeout {
            let what = marks.started ? "the run took longer than \(limit); the session was closed, which ends the run on the host"
                : "no answer within \(limit)"
            return PuppetRunOutcome(status: .fail, errorClass: .timeout, error: what)
        }
        if run.exitCode == 255 {
            let why = lastStderr ?? "ssh exited with status 255"
            // The host was reached: what failed is the session, and how the run ended is unknown.
            if marks.started { return PuppetRunOutcome(status: .fail, errorClass: .noStatus, error: "the connection was lost during the run: \(why)") }
            let cls = PuppetRunErrorClass(transport: FailureClassifier.classify(exitCode: 255, stderr: stderr, timedOut: false))
            return PuppetRunOutcome(status: .fail, errorClass: cls, error: why)
        }
        return PuppetRunOutcome(status: .fail, errorClass: .noStatus,
                                error: "the session ended without the run's exit status (ssh status \(run.exitCode)"
                                    + (lastStderr.map { ": \($0)" } ?? "") + ")")
    }
}
