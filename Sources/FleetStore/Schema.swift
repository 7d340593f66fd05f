import FleetCore
import Foundation
import GRDB

/// The database schema, as GRDB migrations. A migration, once released, never changes: stores
/// written by earlier versions are brought forward by the ones after it.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-host-observations") { db in
            // An autoincrement id orders observations: timestamps have one-second resolution,
            // and the old (host, ts) key silently merged two gathers within the same second.
            try db.create(table: "host_observations") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("host", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("ok", .boolean).notNull()
                t.column("error_class", .text)
                t.column("data", .text).notNull()
            }
            try db.create(index: "host_observations_by_host", on: "host_observations", columns: ["host", "id"])
        }
        m.registerMigration("v2-taskcluster-github") { db in
            try db.create(table: "tc_workers") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("host", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("type", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "tc_workers_by_host", on: "tc_workers", columns: ["host", "id"])
            try db.create(table: "github_refs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("owner", .text).notNull()
                t.column("repo", .text).notNull()
                t.column("branch", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("sha", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "github_refs_by_key", on: "github_refs", columns: ["owner", "repo", "branch", "id"])
            try db.create(table: "windows_pools") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("pool_name", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("hash", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "windows_pools_by_name", on: "windows_pools", columns: ["pool_name", "id"])
            // One row per collector run, for the GitHub throttle and for data-freshness.
            try db.create(table: "collector_runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("collector", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("epoch", .integer).notNull()
                t.column("ok", .boolean).notNull()
                t.column("data", .text).notNull()
            }
        }
        m.registerMigration("v3-notes") { db in
            try db.create(table: "notes") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("host", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "notes_by_host", on: "notes", columns: ["host", "id"])
        }
        m.registerMigration("v4-python-import") { db in
            // One row per import from a Python fleetroll database, with what it added.
            try db.create(table: "python_imports") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "python_imports_by_source", on: "python_imports", columns: ["source", "id"])
            // The rows of each source already read (added, or passed over as older than ours),
            // by that table's own primary key, so a later import takes only what is new.
            try db.create(table: "python_import_keys") { t in
                t.column("source", .text).notNull()
                t.column("tbl", .text).notNull()
                t.column("key", .text).notNull()
                t.primaryKey(["source", "tbl", "key"])
            }
        }
        m.registerMigration("v5-report-columns") { db in
            // What the report reads of each record, as typed columns beside its JSON, and each
            // host's latest and latest successful observation and latest worker record in compact
            // summaries (`Summaries`): a report reads these instead of decoding every stored
            // record. Stores written before are filled from their JSON.
            try db.alter(table: "host_observations") { t in
                for (name, type) in StoredObservation.reportColumns { t.add(column: name, type) }
            }
            try db.execute(sql: "UPDATE host_observations SET " + StoredObservation.reportColumnsFromJSON)
            try db.alter(table: "tc_workers") { t in
                for (name, type) in StoredWorker.reportColumns { t.add(column: name, type) }
            }
            try db.execute(sql: "UPDATE tc_workers SET " + StoredWorker.reportColumnsFromJSON)
            try Summaries.create(db)
            try Summaries.fill(db)
        }
        m.registerMigration("v6-tc-tasks") { db in
            // Each host's worker's task runs, one row per (task, run), updated as its state moves on
            // (running, then completed): what TC_JOBS / TC_OK% and a rollout's job gates count.
            try db.create(table: "tc_task_runs") { t in
                t.column("host", .text).notNull()
                t.column("task_id", .text).notNull()
                t.column("run_id", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("started", .text)
                t.column("resolved", .text)
                // When the run counts from (started, else resolved; NULL while pending), as epoch
                // seconds, so a window is an index range.
                t.column("at_epoch", .integer)
                t.column("seen_epoch", .integer).notNull()
                t.primaryKey(["host", "task_id", "run_id"])
            }
            // Covers the report's per-host counts over a window without reading the table.
            try db.create(index: "tc_task_runs_by_time", on: "tc_task_runs", columns: ["at_epoch", "host", "state"])
        }
        m.registerMigration("v7-rollouts") { db in
            try RolloutSchema.create(db)
        }
        m.registerMigration("v8-tc-job-counts") { db in
            // Each host's TC_JOBS / TC_OK% counts over the day before its latest scan, kept with
            // each insert of task runs (`TaskRunStore.recount`) so a report reads one row per host.
            try db.create(table: "tc_job_counts") { t in
                t.primaryKey("host", .text)
                t.column("since_epoch", .integer).notNull()
                t.column("jobs", .integer).notNull()
                t.column("succeeded", .integer).notNull()
                t.column("failed", .integer).notNull()
            }
            try TaskRunStore.recountAll(since: Int(Date().addingTimeInterval(-JobStats.reportWindow).timeIntervalSince1970), in: db)
        }
        return m
    }
}
