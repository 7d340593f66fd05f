import ArgumentParser
import FleetCore
import FleetOps
import Foundation

struct RolloutAdvanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advance",
        abstract: "Write the next batch when every gate passes (or --force with --reason).",
        discussion: """
            Judges the gates from fresh data (as rollout status does), then writes the next \
            --batch-size targets (default: the rollout's batch %). A failed gate refuses the advance, \
            exit 1, naming each failed gate with its value and threshold; the refusal is recorded. \
            --force --reason TEXT advances anyway; the audit log and the store keep force, the reason \
            and every gate's value. A stage that was cut off (Ctrl-C, a crash) is resumed first: only \
            its hosts not written yet are written. With --force, a stage whose writes still fail on \
            some hosts after that retry is left behind (they stay failed; rollback and finalize still \
            cover them). Without --confirm the gates and the next batch are \
            shown and nothing is written. Exit status: 0, 1 refused or a host failed, 2 usage, 130 Ctrl-C.
            """
    )

    @Argument(help: "The rollout's id.")
    var id: String

    @Option(help: "Hosts in the next stage (default: the rollout's --batch-pct of its targets).")
    var batchSize: Int?

    @Flag(help: "Advance even though gates failed (needs --reason).")
    var force = false

    @Flag(help: "Judge from the data already in the store (no gather before the gates).")
    var noRefresh = false

    @OptionGroup var write: RolloutWriteOptions
    @OptionGroup var global: GlobalOptions<SSHDebug>
    @OptionGroup var ssh: SSHOptions
    @OptionGroup var taskcluster: TaskclusterOptions
    @OptionGroup var github: GitHubOptions

    func validate() throws {
        if let b = batchSize, b < 1 { throw ValidationError("--batch-size must be at least 1.") }
        if force && (write.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--force needs --reason TEXT: why the gates are overridden is recorded in the audit log.")
        }
    }

    func run() async throws {
        let engine = try RolloutFlow.engine(global: global, ssh: ssh, workers: write.workers, gather: !write.noAudit || !noRefresh,
                                            backup: !write.noBackup, taskcluster: taskcluster, github: github,
                                            gatherAfterWrites: !write.noAudit)
        try await RolloutFlow.mapped {
            guard write.confirm else { return try await dryRun(engine) }
            let stop = RolloutFlow.installStop()
            let bar = RolloutFlow.progress("Writing the next stage", enabled: !write.json)
            let outcome: RolloutEngine.AdvanceOutcome
            do {
                outcome = try await engine.advance(id, batchSize: batchSize, force: force, reason: write.reason, refresh: !noRefresh, stop: stop) { done, total in
                    bar.update(done: done, total: total)
                }
            } catch RolloutEngineError.refused(let error) {
                bar.finish()
                if case .gatesFailed(let failed) = error {
                    for g in failed { Terminal.note("FAIL gate \(g.line)") }
                    throw CLIError.failed("advance refused: \(failed.count) gate(s) failed: " + failed.map { g in
                        "\(g.key) \(g.value.map(GateResult.format) ?? "no value") (threshold \(GateResult.format(g.threshold)))"
                    }.joined(separator: ", ") + "; --force --reason TEXT advances anyway")
                }
                throw CLIError.failed(error.description)
            }
            bar.finish()
            switch outcome {
            case .resumed(let run):
                try RolloutFlow.finish(run, title: "Rollout \(id): stage \(run.rollout.currentStage?.index ?? 0) resumed (it was cut off)",
                                       action: "advance", json: write.json, stop: stop)
            case .advanced(let run, let status, let retried):
                if let retried, !write.json {
                    print(RolloutView.run(retried, title: "Rollout \(id): stage \(retried.rollout.currentStage?.index ?? 0) retried first"))
                    Terminal.note(Terminal.yellow("FORCED past the failed write(s) on " + retried.failed.map(\.host).joined(separator: ", ")))
                }
                if !write.json {
                    for g in status.gates where !g.passed { Terminal.note(Terminal.yellow("FORCED past gate \(g.line)")) }
                }
                try RolloutFlow.finish(run, title: "Rollout \(id): stage \(run.rollout.currentStage?.index ?? 0)",
                                       action: "advance", json: write.json, stop: stop, gates: status.gates)
            }
        }
    }

    func dryRun(_ engine: RolloutEngine) async throws {
        let r = try await engine.load(id)
        var lines = RolloutView.header(r)
        if r.state == .active, let s = r.currentStage, s.state == .applying {
            lines.append("Action: resume stage \(s.index): write \(r.unwrittenInCurrentStage.count) host(s) not written yet:")
            lines += HostPreview.lines(r.unwrittenInCurrentStage)
            return write.json ? print(JSONOutput.render(["dry_run": true, "rollout_id": r.id, "action": "resume", "hosts": r.unwrittenInCurrentStage]))
                : RolloutFlow.dryRun(lines)
        }
        // A dry run changes nothing: not even the pause a failed puppet run would bring.
        let status = try await engine.status(id, refresh: !noRefresh, mayPause: false)
        let next = Array(status.rollout.unstaged.prefix(status.rollout.nextBatchSize(batchSize)))
        lines += RolloutView.gates(status.gates)
        lines.append("Action: advance to stage \(status.rollout.stages.count) with \(next.count) host(s):")
        lines += HostPreview.lines(next)
        let failed = status.gates.filter { !$0.passed }
        if status.rollout.state != .active { lines.append(Terminal.yellow("The advance would be refused: the rollout is \(status.rollout.state.words).")) }
        else if !failed.isEmpty && !force { lines.append(Terminal.yellow("The advance would be refused: \(failed.count) gate(s) failed.")) }
        if write.json {
            print(JSONOutput.render(["dry_run": true, "rollout_id": r.id, "action": "advance", "hosts": next,
                                     "gates": RolloutView.object(status.gates)]))
        } else { RolloutFlow.dryRun(lines) }
    }
}
