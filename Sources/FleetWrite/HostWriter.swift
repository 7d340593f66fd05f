import FleetCore
import FleetSSH
import FleetStore
import Foundation
import Logging
import Synchronization

/// Ctrl-C for a running batch: the first request stops new hosts from starting, the second also
/// ends the sessions in flight.
public final class StopRequest: Sendable {
    private let count = Mutex(0)

    public init() {}

    public func request() {
        let n = count.withLock { $0 += 1; return $0 }
        if n >= 2 { ProcessRunner.terminateAll() }
    }

    public var isRequested: Bool { count.withLock { $0 > 0 } }
    var isForced: Bool { count.withLock { $0 > 1 } }
}

/// The outcome of a write on one host.
public struct WriteResult: Sendable {
    public var target: HostTarget
    public var record: WriteRecord
    /// False when the record could not be appended to the audit log.
    public var logged: Bool
}

/// Runs a `WritePlan` on many hosts at once, records every host it touched in the audit log,
/// and keeps a vault's local copy once a host has accepted it.
public struct HostWriter: Sendable {
    public var transport: SSHTransport
    public var auditLog: AuditLog
    /// Where a vault's local copy goes (vault writes only).
    public var vaultStore: ContentStore?
    public var workers: Int
    let logger: Logger

    public init(transport: SSHTransport, auditLog: AuditLog, vaultStore: ContentStore?, workers: Int,
                logger: Logger = Logger(label: "fleetroll.write")) {
        self.transport = transport; self.auditLog = auditLog; self.vaultStore = vaultStore
        self.workers = max(1, workers); self.logger = logger
    }

    public func run(_ plan: WritePlan, on hosts: [HostTarget], stop: StopRequest = StopRequest(),
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async -> [WriteResult] {
        let script = plan.script
        let stored = LocalCopy()
        return await runBounded(count: hosts.count, width: workers, admit: { !stop.isRequested },
                                skipped: { notStarted(hosts[$0], plan) },
                                progress: { progress($0, hosts.count) }) { index in
            await writeOne(plan, script: script, on: hosts[index], stop: stop, stored: stored)
        }
    }

    func writeOne(_ plan: WritePlan, script: String, on target: HostTarget, stop: StopRequest,
                  stored: LocalCopy) async -> WriteResult {
        let started = Date()
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

        var outcome = WriteOutcome.interpret(run, timeoutSeconds: transport.settings.timeout)
        if stop.isForced && outcome.status == .fail && outcome.errorClass != .sudo {
            outcome.status = .interrupted
            outcome.error = "interrupted by Ctrl-C; the file is either the old or the new one, never partial"
        }
        var parameters = plan.parameters
        if plan.file == .vault, outcome.status.succeeded, let content = plan.content, let store = vaultStore {
            parameters.storedPath = stored.path.withLock { path -> String? in
                if path == nil { path = try? store.store(content).path }
                return path
            }
        }
        let record = WriteRecord(
            ts: Timestamp.now(), actor: currentActor(), action: plan.action, host: target.description,
            result: outcome.status, sshRC: run.launchError == nil ? Int(run.exitCode) : nil,
            stderr: run.stderr.trimmingCharacters(in: .whitespacesAndNewlines), error: outcome.error,
            errorClass: outcome.errorClass, durationS: (Date().timeIntervalSince(started) * 1000).rounded() / 1000,
            observed: outcome.observed, parameters: parameters)
        var logged = true
        do { try auditLog.append(record) } catch {
            logger.error("\(target): could not append to the audit log: \(error)")
            logged = false
        }
        return WriteResult(target: target, record: record, logged: logged)
    }

    func notStarted(_ target: HostTarget, _ plan: WritePlan) -> WriteResult {
        let record = WriteRecord(ts: Timestamp.now(), actor: currentActor(), action: plan.action, host: target.description,
                                 result: .notStarted, sshRC: nil, stderr: "", error: "not started: interrupted by Ctrl-C",
                                 errorClass: nil, durationS: 0, observed: WriteObserved(), parameters: plan.parameters)
        // Nothing was done on this host, so nothing goes into the audit log.
        return WriteResult(target: target, record: record, logged: false)
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

    static func interpret(_ run: AuditRun, timeoutSeconds: Double) -> WriteOutcome {
        if let launch = run.launchError { return WriteOutcome(status: .fail, error: launch, errorClass: .local) }
        let output = RemoteOutput.parse(run.stdout)
        let f = output.fields
        var observed = WriteObserved()
        observed.existingSHA256 = f["EXISTING_SHA256"].flatMap { $0.isEmpty ? nil : $0 }
        observed.backupPath = f["BACKUP_CREATED"]
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
        case "FAIL": return WriteOutcome(status: .fail, error: f["ERROR"] ?? "the remote script failed", errorClass: .remote, observed: observed)
        default: break
        }
        // A complete answer is trusted even if the session was then cut; without one, a timeout
        // leaves the host with its old file or the new one, never a partial one.
        if run.timedOut {
            return WriteOutcome(status: .fail, error: "no answer within \(Int(timeoutSeconds))s; the file is the old or the new one, never partial",
                                errorClass: .timeout, observed: observed)
        }
        let stderr = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if run.exitCode != 0 {
            let cls = FailureClassifier.classify(exitCode: run.exitCode, stderr: stderr, timedOut: false)
            let reason = stderr.split(whereSeparator: \.isNewline).last.map(String.init) ?? "ssh exited with status \(run.exitCode)"
            return WriteOutcome(status: .fail, error: reason, errorClass: cls, observed: observed)
        }
        return WriteOutcome(status: .fail, error: "the host's answer ended early; run gather-host to see what it holds",
                            errorClass: .truncated, observed: observed)
    }
}
