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
