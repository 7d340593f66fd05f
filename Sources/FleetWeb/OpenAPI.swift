import FleetCore

/// `/openapi.json`: every route the router has (a test holds the two to each other), what it
/// takes and what it answers. Written out by hand: the routes are few and all GET.
enum OpenAPI {
    struct Parameter {
        var name: String
        var location = "query"
        var description: String
    }

    struct Route {
        var path: String
        var summary: String
        var parameters: [Parameter] = []
        /// Status, description, media type.
        var responses: [(String, String, String)]
    }

    static let json = "application/json"
    static let html = "text/html"
    static let filterParameters = [
        Parameter(name: "filter", description: "The query language of host-monitor --filter, e.g. `healthy=n pp_last>20h sort:pp_last:desc`"),
        Parameter(name: "sort", description: "Sort keys as after `sort:`, e.g. `pp_last:desc,host`; they come before the filter's own"),
    ]
    static let hostParameter = Parameter(name: "host", location: "path", description: "The host's full name")
    static let rolloutParameter = Parameter(name: "id", location: "path", description: "The rollout's id, e.g. `ro-20261202-ab12`")

    static let routes: [Route] = [
        Route(path: "/", summary: "The fleet page: header, filter, the table a page at a time; live with its script",
              parameters: filterParameters + [Parameter(name: "page", description: "Page of the table, from 1")],
              responses: [("200", "The page", html), ("400", "The page with the filter's problem", html)]),
        Route(path: "/hosts/{host}", summary: "A host's page", parameters: [hostParameter],
              responses: [("200", "The page", html), ("404", "The store never saw this host", json)]),
        Route(path: "/rollouts", summary: "Every rollout, newest first: state, stage k of n, hosts applied, created, last decision",
              responses: [("200", "The page", html)]),
        Route(path: "/rollouts/{id}", summary: "A rollout's page: plan, stages with their hosts and last gate evaluation, decisions",
              parameters: [rolloutParameter],
              responses: [("200", "The page", html), ("404", "No rollout of that id", html)]),
        Route(path: "/api/health", summary: "Whether the store can be read",
              responses: [("200", "`{ok, db_ok, version}`", json), ("503", "The store cannot be read: ok and db_ok false, detail", json)]),
        Route(path: "/api/hosts", summary: "The rows of host-monitor --once --json (same values and order) and a summary",
              parameters: filterParameters + [Parameter(name: "offset", description: "Rows to skip"),
                                               Parameter(name: "limit", description: "Rows at most")],
              responses: [("200", "`{generated_at, rows, summary: {version, source, total_hosts, shown_hosts, fqdn_suffix, "
                           + "log_size_warnings, data_is_stale, updated_at, store_error, offset}}`", json),
                          ("400", "`{detail}`: the filter's problem in the CLI's words", json),
                          ("503", "`{detail}`: the store could not be read", json)]),
        Route(path: "/api/hosts/{host}", summary: "A host's detail: row, verdicts, HEALTHY reasons, records, history, notes, override, audit",
              parameters: [hostParameter],
              responses: [("200", "`{host, row, values, status, verdicts, healthy_reasons, latest, latest_ok, history, taskcluster, "
                           + "notes, override, audit}`", json), ("404", "`{detail}`", json)]),
        Route(path: "/api/rollouts", summary: "Every rollout, newest first, and the ids of those holding hosts",
              responses: [("200", "`{generated_at, rollouts: [{id, name, state, stage: {number, of, state}, hosts_applied, hosts_total, "
                           + "created_by, created_at, last_decision: {action, ts, actor, force, reason, outcome}}], active}`", json),
                          ("503", "`{detail}`: the store could not be read", json)]),
        Route(path: "/api/rollouts/{id}", summary: "A rollout: its summary, plan, stages (hosts, last gate evaluation) and decisions",
              parameters: [rolloutParameter],
              responses: [("200", "`{summary, override_sha256, vault_sha256, override_source, canary, batch_pct, gates, skipped, "
                           + "stages: [{index, state, started_at, applied_at, hosts: [{host, state, result, error, updated_at, verdict}], "
                           + "gates: {ts, actor, action, results: [{key, value, threshold, passed, explanation, verdict}]}}], unstaged, "
                           + "events: [{ts, actor, action, force, reason, stage, hosts, state, outcome, gate_results}]}`", json),
                          ("404", "`{detail}`", json), ("503", "`{detail}`: the store could not be read", json)]),
        Route(path: "/api/filters", summary: "Named filters: <state>/filters and the shipped ones",
              responses: [("200", "`[{name, query, description, source}]`", json)]),
        Route(path: "/api/events", summary: "Server-Sent Events: hello, then observation (one per stored gather), taskcluster, github, "
              + "note, content, reload, rollout", responses: [("200", "An event stream that lasts until the server stops", "text/event-stream")]),
        Route(path: "/openapi.json", summary: "This document", responses: [("200", "OpenAPI 3.1", json)]),
        Route(path: "/static/app.js", summary: "The page's script", responses: [("200", "JavaScript", "text/javascript")]),
        Route(path: "/static/app.css", summary: "The page's styles", responses: [("200", "CSS", "text/css")]),
        Route(path: "/favicon.svg", summary: "The icon", responses: [("200", "SVG", "image/svg+xml")]),
    ]

    static func document(version: String) -> [UInt8] {
        var w = JSONWriter(capacity: 8192)
        w.beginObject()
        w.key("info")
        w.beginObject()
        w.key("description"); w.value("Read-only: every route is GET, and none changes a host. vault.yaml contents are never served.")
        w.key("title"); w.value("fleetroll web")
        w.key("version"); w.value(version)
        w.endObject()
        w.key("openapi"); w.value("3.1.0")
        w.key("paths")
        w.beginObject()
        for r in routes {
            w.key(r.path)
            w.beginObject()
            w.key("get")
            w.beginObject()
            w.key("parameters")
            w.beginArray()
            for p in r.parameters {
                w.beginObject()
                w.key("description"); w.value(p.description)
                w.key("in"); w.value(p.location)
                w.key("name"); w.value(p.name)
                w.key("required"); w.value(p.location == "path")
                w.key("schema"); w.raw("{\"type\":\"string\"}")
                w.endObject()
            }
            w.endArray()
            w.key("responses")
            w.beginObject()
            for (status, description, type) in r.responses {
                w.key(status)
                w.beginObject()
                w.key("content"); w.raw("{\"\(type)\":{}}")
                w.key("description"); w.value(description)
                w.endObject()
            }
            w.endObject()
            w.key("summary"); w.value(r.summary)
            w.endObject()
            w.endObject()
        }
        w.endObject()
        w.key("security")
        w.raw("[{},{\"bearer\":[]}]")
        w.key("components")
        w.raw("{\"securitySchemes\":{\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\"}}}")
        w.endObject()
        w.newline()
        return w.bytes
    }
}
