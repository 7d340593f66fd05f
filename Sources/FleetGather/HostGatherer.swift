import FleetCore
import FleetSSH
import FleetStore
import Foundation
import Logging

/// Knobs for one gather run.
public struct GatherOptions: Sendable {
    /// Hosts audited at once.
    public var workers = 10
    /// No host is started after this many seconds from the start of the run.
    public var batchTimeout: Double = 600
    /// Fetch override contents (the SHA-256 is gathered either way).
    public var includeContent = true
    /// Attempts per host for connection failures (the first try plus one retry).
    public var maxAttempts = 2
    /// Delay before the first retry; doubles for each further one.
    public var retryDelay: Double = 1

    public init() {}
}

/// The outcome for one host: the stored record plus what only the live output shows.
public struct GatherResult: Sendable {
    public var target: HostTarget
    public var observation: HostObservation
    /// The override content, for display (it is stored in the content store, not the record).
    public var overrideContent: Data?
    /// False when the record could not be written to the database.
    public var stored: Bool
}

/// Audits hosts over ssh, several at a time, and stores every outcome, failures included.
public struct HostGatherer: Sendable {
    public let transport: any HostTransport
    public let store: ObservationStore
    public let overrides: ContentStore
    public let vaults: ContentStore
    public let options: GatherOptions
    /// Who gathers and the clock every record is stamped with.
    public let context: RunContext
    let logger: Logger

    public init(transport: any HostTransport, store: ObservationStore, state: StateDirectory, options: GatherOptions,
                context: RunContext, logger: Logger = Logger(label: "fleetroll.gather")) {
        self.transport = transport
        self.store = store
        self.overrides = state.overrideStore
        self.vaults = state.vaultStore
        self.options = options
        self.context = context
        self.logger = logger
    }

    /// Audits `hosts` and returns their results in the order given. `progress` is called after
    /// each host with (hosts done, total).
    public func gather(_ hosts: [HostTarget], progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async -> [GatherResult] {
        let script = AuditScript(includeContent: options.includeContent, knownVaultSHAs: vaults.storedSHAs()).body
        let start = context.now
        return await runBounded(count: hosts.count, width: options.workers,
                                skipped: { batchTimeoutResult(hosts[$0]) },
                                progress: { progress($0, hosts.count) }) { index in
            // The batch budget is checked when a host would start; sessions in flight run on.
            if context.now.timeIntervalSince(start) > options.batchTimeout { return batchTimeoutResult(hosts[index]) }
            return await gatherOne(hosts[index], script: script)
        }
    }

    func gatherOne(_ target: HostTarget, script: String) async -> GatherResult {
        let started = context.now
        var attempt = 0
        var run: AuditRun
        var verdict: AuditVerdict
        repeat {
            attempt += 1
            run = await transport.run(script: script, on: target)
            verdict = AuditInterpreter.interpret(run, timeoutSeconds: transport.timeout)
            guard let cls = verdict.errorClass, FailureClassifier.isRetryable(cls), attempt < options.maxAttempts else { break }
            let delay = options.retryDelay * pow(2, Double(attempt - 1))
            logger.debug("\(target): \(cls.rawValue) (\(verdict.error ?? "")), retrying in \(delay)s")
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        } while true

        var observed = verdict.observed
        let error = verdict.error
        let errorClass = verdict.errorClass
        if var o = observed {
            // A local disk problem must not turn what the host told us into a failure.
            do {
                if let content = verdict.overrideContent { o.overrideFilePath = try overrides.store(content).path }
            } catch {
                o.contentError = "could not keep the override content: \(error)"
                logger.error("\(target): \(o.contentError!)")
            }
            do {
                if let content = verdict.vaultContent {
                    o.vaultFilePath = try vaults.store(content).path
                } else if let sha = o.vaultSHA256 {
                    o.vaultFilePath = vaults.path(forSHA: sha)?.path
                }
            } catch {
                o.vaultFetchError = "could not keep the vault content: \(error)"
                logger.error("\(target): \(o.vaultFetchError!)")
            }
            observed = o
        }
        let observation = HostObservation(
            ts: context.timestamp, actor: context.actor, host: target.description, ok: errorClass == nil,
            sshRC: run.launchError == nil ? Int(run.exitCode) : nil,
            stderr: run.stderr.trimmingCharacters(in: .whitespacesAndNewlines),
            error: error, errorClass: errorClass, attempts: attempt,
            durationS: (context.now.timeIntervalSince(started) * 1000).rounded() / 1000,
            observed: errorClass == nil ? observed : nil)
        // A session fleetroll stopped itself learned nothing about the host: not stored.
        var stored = errorClass != .interrupted
        do {
            if stored { try await store.insert(observation) }
        } catch let dbError {
            logger.error("\(target): could not store the observation: \(dbError)")
            stored = false
        }
        return GatherResult(target: target, observation: observation,
                            overrideContent: errorClass == nil ? verdict.overrideContent : nil, stored: stored)
    }

    /// A host that was never started because the run's time budget was spent. Nothing was
    /// learned about the host, so nothing is stored.
    func batchTimeoutResult(_ target: HostTarget) -> GatherResult {
        let o = HostObservation(ts: context.timestamp, actor: context.actor, host: target.description, ok: false,
                                sshRC: nil, stderr: "",
                                error: "batch timeout of \(Int(options.batchTimeout))s exceeded before this host was started",
                                errorClass: .timeout, attempts: 0)
        return GatherResult(target: target, observation: o, overrideContent: nil, stored: false)
    }
}
