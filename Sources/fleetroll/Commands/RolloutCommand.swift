import ArgumentParser

/// `fleetroll rollout ...`: staged rollouts of an override file (README: "Staged rollouts").
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Roll an override out in stages: canary, batches, health gates, pause, rollback, finalize.",
        discussion: """
            A rollout is kept in the store with every decision (who, when, why, forced or not, what \
            the gates said), and each decision also gets a rollout.* line in <state>/audit.jsonl; its \
            writes are the verified writes of host-set-override, their audit lines carrying \
            parameters.rollout_id and rollout_stage. Every command is safe to run again: one cut off \
            by Ctrl-C or a crash is resumed by the next, which writes only the hosts not done yet.

            Gates (--gate KEY=VALUE at create; 0 turns one off): applied_min_pct 100, \
            healthy_min_pct 100, sshable_min_pct 100, tc_online_min_pct 90, min_jobs_per_host 1, \
            tc_success_rate_min 0.9, min_soak_minutes 30. A gate without data fails and says so.
            """,
        subcommands: [
            RolloutCreateCommand.self, RolloutStartCommand.self, RolloutStatusCommand.self, RolloutAdvanceCommand.self,
            RolloutPauseCommand.self, RolloutResumeCommand.self, RolloutRollbackCommand.self, RolloutFinalizeCommand.self,
            RolloutListCommand.self, RolloutShowCommand.self,
        ]
    )
}
