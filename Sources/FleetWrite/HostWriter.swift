import FleetCore
import FleetSSH
import FleetStore
import Foundation
import Logging
import Synchronization

/// Ctrl-C for a running batch: the first request stops new hosts from starting, the second also
/// ends the sessions in flight, by cancelling that batch's task: only its own ssh sessions end.
public final class StopRequest: Sendable {
    private struct State {
        var count = 0
        var onRequest: [@Sendable () -> Void] = []
        var onForce: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    public init() {}

    public func request() {
        let due = state.withLock { s -> [@Sendable () -> Void] in
            s.count += 1
            return s.count == 1 ? s.onRequest : s.count == 2 ? s.onForce : []
        }
        for f in due { f() }
    }

    /// Runs `f` on the first request (at once if that already came): for batches whose
    /// sessions Ctrl-C ends at once (puppet runs), not only on the second.
    public func whenRequested(_ f: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if s.count > 0 { return true }
            s.onRequest.append(f)
            return false
        }
        if now { f() }
    }

    public var isRequested: Bool { state.withLock { $0.count > 0 } }
    public var isForced: Bool { state.withLock { $0.count > 1 } }

    /// Runs `f` on the second request (at once if that already came).
    public func whenForced(_ f: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if s.count > 1 { return true }
            s.onForce.append(f)
            return false
        }
        if now { f() }
    }

    /// Runs `work` as a task that a forced stop cancels.
    public func cancellable<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        let task = Task { await work() }
        whenForced { task.cancel() }
        return await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }
}

/// The outcome of a write on one host.
public struct WriteResult: Sendable {
    public var target: HostTarget
    public var record: WriteRecord
    /// Why the audit log could not record this host (its `STARTED` line or its outcome); nil
    /// when it did. A host whose `STARTED` line failed was not contacted.
    public var auditError: String?

    /// False when the outcome could not be appended to the audit log.
    public var logged: Bool { auditError == nil }
}

/// Runs a `WritePlan` on many hosts at once, records every host it touched in the audit log,
/// and keeps a vault's local copy once a host has accepted it.
///
/// No host is changed without a line in the audit log: each host's `STARTED` line is appended
/// (and synced) before its ssh session starts, so a fleetroll that is killed mid-write still
/// leaves a record; the outcome line follows. A session that ends before the host answered is
/// checked by reading the file back, so its outcome is what the host holds, not a guess.
public struct HostWriter: Sendable {
    public var transport: any HostTransport
    public var auditLog: AuditLog
    /// Where a vault's local copy goes (vault writes only).
    public var vaultStore: ContentStore?
    public var workers: Int
    /// Who writes and the clock every audit line is stamped with.
    public var context: RunContext
    let logger: Logger

    public init(transport: any HostTransport, auditLog: AuditLog, vaultStore: ContentStore?, workers: Int,
                context: RunContext, logger: Logger = Logger(label: "fleetroll.write")) {
        self.transport = transport; self.auditLog = auditLog; self.vaultStore = vaultStore
        self.workers = max(1, workers); self.context = context; self.logger = logger
    }

    public func run(_ plan: WritePlan, on hosts: [HostTarget], stop: StopRequest = StopRequest(),
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async -> [WriteResult] {
        let script = plan.script
        let stored = LocalCopy()
        return await stop.cancellable {
            await runBounded(count: hosts.count, width: workers, admit: { !stop.isRequested },
                             skipped: { notStarted(hosts[$0], plan, why: "not started: interrupted by Ctrl-C") },
                             progress: { progress($0, hosts.count) }) { index in
                await writeOne(plan, script: script, on: hosts[index], stop: stop, stored: stored)
            }
        }
    }

    func writeOne(_ plan: WritePlan, script: String, on target: HostTarget, stop: StopRequest,
                  stored: LocalCopy) async -> WriteResult {
        let started = context.now
        let writeID = UUID().uuidString.lowercased()
        do {
            try auditLog.append(StartedLine(ts: context.timestamp, actor: context.actor, action: plan.action,
                                              host: target.description, writeID: writeID, parameters: plan.parameters))
        } catch {
            logger.error("\(target): could not append to the audit log: \(error)")
            var result = notStarted(target, plan, why: "not started: the audit log could not record it (\(error))")
            result.auditError = "\(error)"
            return result
        }
        var attempt = 0
        var run: AuditRun
        repeat {
            attempt += 1
            run = await transport.run(script: script, on: target, stdin: plan.content)
            // Only a connection that never reached the host is safe to try again.
            let neverStarted = !run.timedOut && run.exitCode == 255 && run.stdout.isEmpty
                && FailureClassifier.classify(exitCode: run.exitCode, stderr: run.stderr, timedOut: false) == .unreachable
            guard neverStarted, attempt < 2, !stop.isRequested else { break }
            try? await Task.sleep(nanoseconds: 1_000_000_000)
        } while true

        var outcome = WriteOutcome.interpret(run, timeoutSeconds: transport.timeout)
        if (stop.isForced || run.cancelled) && (outcome.status == .fail || outcome.status == .unknown) && outcome.errorClass != .sudo {
            outcome.status = .interrupted
            outcome.error = "interrupted by Ctrl-C; the file is either the old or the new one, never partial"
        } else if outcome.status == .unknown {
            outcome = await check(outcome, plan: plan, on: target)
        }
        var parameters = plan.parameters
        if plan.file == .vault, outcome.status.succeeded, let content = plan.content, let store = vaultStore {
            parameters.storedPath = stored.path.withLock { path -> String? in
                if path == nil { path = try? store.store(content).path }
                return path
            }
        }
        let record = WriteRecord(
            ts: context.timestamp, actor: context.actor, action: plan.action, host: target.description,
            result: outcome.status, sshRC: run.launchError == nil ? Int(run.exitCode) : nil,
            stderr: run.stderr.trimmingCharacters(in: .whitespacesAndNewlines), error: outcome.error,
            errorClass: outcome.errorClass, durationS: (context.now.timeIntervalSince(started) * 1000).rounded() / 1000,
            observed: outcome.observed, parameters: parameters, writeID: writeID)
        var auditError: String?
        do { try auditLog.append(record) } catch {
            logger.error("\(target): could not append to the audit log: \(error)")
            auditError = "\(error)"
        }
        return WriteResult(target: target, record: record, auditError: auditError)
    }

    /// The session ended before the host said how the write went: read the file back. The
    /// script on the host commits only while its session is alive, and the check waits for a
    /// write still running there, so what it reads is how the write ended.
    func check(_ outcome: WriteOutcome, plan: WritePlan, on target: HostTarget) async -> WriteOutcome {
        var out = outcome
        let cut = outcome.error ?? "the session ended before the host answered"
        var script = CheckFileScript(file: plan.file)
        script.waitSeconds = max(1, min(10, Int(transport.timeout) - 3))
        let run = await transport.run(script: script.body, on: target)
        let output = RemoteOutput.parse(run.stdout)
        let f = output.fields
        guard output.complete, f["SUDO_OK"] != "0", let kind = f["KIND"] else {
            let why = run.timedOut ? "no answer" : run.stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? "no answer"
            out.error = "\(cut); reading the file back failed too (\(why)): the host has the old file or the new one, never a partial one"
            return out
        }
        if f["IN_FLIGHT"] == "1" {
            out.error = "\(cut); a write is still running on the host: the file will be the old or the new one, never a partial one"
            return out
        }
        let sha = f["SHA256"]
        out.observed.verification = "\(cut); read back: \(kind)" + (sha.map { " with sha256 \($0.prefix(12))…" } ?? "")
        switch plan.operation {
        case .write(let content, _, _, _):
            let want = Digest.sha256Hex(content)
            if kind == HostFileKind.file.rawValue, sha == want {
                out.status = outcome.observed.existingSHA256 == want ? .noChange : .ok
                out.error = nil
                out.errorClass = nil
            } else {
                out.status = .fail
                out.error = "\(cut); reading the file back shows the host does not have the new file"
            }
        case .remove:
            if kind == HostFileKind.missing.rawValue {
                out.status = .ok
                out.observed.removed = true
                out.error = nil
                out.errorClass = nil
            } else {
                out.status = .fail
                out.error = "\(cut); reading the file back shows it is still there"
            }
        }
        return out
    }

    func notStarted(_ target: HostTarget, _ plan: WritePlan, why: String) -> WriteResult {
        let record = WriteRecord(ts: context.timestamp, actor: context.actor, action: plan.action, host: target.description,
                                 result: .notStarted, sshRC: nil, stderr: "", error: why,
                                 errorClass: nil, durationS: 0, observed: WriteObserved(), parameters: plan.parameters)
        // Nothing was done on this host, so nothing goes into the audit log.
        return WriteResult(target: target, record: record, auditError: nil)
    }
}

/// The vault's local copy, written once, when the first host accepts the file.
final class LocalCopy: Sendable {
    let path = Mutex<String?>(nil)
}

/// Reads what a write or remove script reported.
struct WriteOutcome {
    var status: WriteStatus
    var error: String?
    var errorClass: ErrorClass?
    var observed = WriteObserved()

    /// `.unknown` means the session ended without the host's answer after the script may have
    /// run: only reading the file back can tell what happened (`HostWriter.check`).
    static func interpret(_ run: AuditRun, timeoutSeconds: Double) -> WriteOutcome {
        if let launch = run.launchError { return WriteOutcome(status: .fail, error: launch, errorClass: .local) }
        let output = RemoteOutput.parse(run.stdout)
        let f = output.fields
        var observed = WriteObserved()
        observed.existingSHA256 = f["EXISTING_SHA256"].flatMap { Digest.isSHA256Hex($0) ? $0 : nil }
        observed.existingKind = f["EXISTING_KIND"].flatMap { HostFileKind(rawValue: $0)?.rawValue }
        observed.backupPath = f["BACKUP_CREATED"].flatMap { $0.isEmpty ? nil : $0 }
        observed.contentChanged = f["CONTENT_CHANGED"].map { $0 == "1" }
        observed.removed = f["REMOVED"].map { $0 == "1" }
        observed.backupsPruned = f["BACKUPS_PRUNED"].flatMap { Int($0) }
        if f["SUDO_OK"] == "0" {
            return WriteOutcome(status: .fail, error: "sudo -n failed on the host: \(f["SUDO_ERROR"] ?? "")", errorClass: .sudo, observed: observed)
        }
        switch f["RESULT"] {
        case "OK" where output.complete: return WriteOutcome(status: .ok, observed: observed)
        case "NO_CHANGE" where output.complete: return WriteOutcome(status: .noChange, observed: observed)
        case "BLOCKED" where output.complete: return WriteOutcome(status: .blocked, observed: observed)
        // The script says FAIL only before it changes anything (or when a change did not happen).
        case "FAIL": return WriteOutcome(status: .fail, error: f["ERROR"] ?? "the remote script failed", errorClass: .remote, observed: observed)
        default: break
        }
        let stderr = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        let cls = run.outputLimitExceeded ? .oversized
            : FailureClassifier.classify(exitCode: run.exitCode, stderr: stderr, timedOut: run.timedOut)
        let reason: String
        if run.outputLimitExceeded { reason = "the host sent more than fleetroll accepts" }
        else if run.timedOut { reason = "no answer within \(Int(timeoutSeconds))s" }
        else if run.exitCode != 0 { reason = stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? "ssh exited with status \(run.exitCode)" }
        else { reason = "the host's answer ended early" }
        // Without the script's first line, a session that timed out or that ssh itself gave up on
        // (status 255) never reached the script: nothing was changed.
        if !output.started && (run.exitCode == 255 || run.timedOut) {
            return WriteOutcome(status: .fail, error: reason + (run.timedOut ? "; nothing was changed" : ""), errorClass: cls, observed: observed)
        }
        return WriteOutcome(status: .unknown, error: "the session ended before the host answered (\(reason), ssh status \(run.exitCode))",
                            errorClass: cls, observed: observed)
    }
}
