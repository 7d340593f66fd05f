extension RowBuilder {
    /// TC_JOBS and TC_OK%: a found worker's jobs over the report's window (0 when none was seen
    /// in it), and the share of the finished ones that completed (`-` when none finished). A host
    /// whose worker was not found has `-` in both: nothing is known.
    func fillJobs(_ row: inout HostRow, host: String, _ tc: WorkerRecord?) {
        guard tc?.type == .worker else {
            row.cells[.tcJobs] = "-"
            row.cells[.tcOkPct] = "-"
            return
        }
        let stats = inputs.jobStats[host] ?? JobStats()
        row.values.tcJobs = stats.jobs
        row.values.tcJobsOK = stats.succeeded
        row.values.tcJobsFailed = stats.failed
        row.values.tcOkPct = stats.okPercent
        row.cells[.tcJobs] = String(stats.jobs)
        row.cells[.tcOkPct] = stats.okPercent.map(String.init) ?? "-"
    }
}

extension RowBuilder {
    /// ROLLOUT: the rollout holding the host and its stage there, `-` when none holds it. The
    /// live view calls this alone when only the rollouts changed.
    public func fillRollout(_ row: inout HostRow) {
        let m = inputs.rollouts[row.host]
        row.values.rolloutID = m?.rolloutID
        row.values.rolloutStage = m?.stage
        row.values.rolloutHostState = m?.state.rawValue
        row.cells[.rollout] = m?.cell ?? "-"
    }
}
