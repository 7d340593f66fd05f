/// The page's own files, built into the binary: no file to install or lose, and nothing is ever
/// fetched from elsewhere (system fonts only). Verdict colours follow `CellVerdict`: good
/// green, watch amber, act red, as the terminal colours them.
enum Assets {
    static let styles = """
    :root { color-scheme: light; --bg: #ffffff; --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --head: #f6f8fa;
      --hover: #eef2f7; --good: #1a7f37; --watch: #9a6700; --act: #cf222e; --link: #0550ae; --code: #f3f4f6; }
    @media (prefers-color-scheme: dark) {
      :root:not([data-theme=light]) { color-scheme: dark; --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d;
        --head: #161b22; --hover: #1c2330; --good: #3fb950; --watch: #d29922; --act: #f85149; --link: #58a6ff; --code: #161b22; }
    }
    :root[data-theme=dark] { color-scheme: dark; --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d;
      --head: #161b22; --hover: #1c2330; --good: #3fb950; --watch: #d29922; --act: #f85149; --link: #58a6ff; --code: #161b22; }
    body { margin: 0; padding: 0 1rem 2rem; background: var(--bg); color: var(--fg);
      font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
    a { color: var(--link); text-decoration: none; } a:hover { text-decoration: underline; }
    code, pre, .bar, td, .tree { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
    pre { background: var(--code); padding: .5rem; overflow: auto; white-space: pre-wrap; }
    .bar { display: flex; flex-wrap: wrap; gap: .25rem .9rem; padding: .5rem 0; color: var(--muted); }
    .brand { color: var(--good); font-weight: 600; }
    .stale { color: var(--watch); }
    .live { color: var(--good); } .live.off { color: var(--watch); }
    .filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-start; padding: .25rem 0 .5rem; }
    .filters input[type=search] { flex: 1 1 24rem; min-width: 12rem; padding: .35rem .5rem; font: 13px ui-monospace, monospace;
      background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 4px; }
    button, .button, summary { padding: .3rem .7rem; border: 1px solid var(--line); border-radius: 4px; background: var(--head);
      color: var(--fg); font: inherit; cursor: pointer; list-style: none; }
    .menu { position: relative; }
    .menu ul { position: absolute; z-index: 2; right: 0; min-width: 22rem; max-height: 60vh; overflow: auto; margin: .25rem 0;
      padding: .25rem 0; list-style: none; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; }
    .menu li a { display: block; padding: .3rem .6rem; color: var(--fg); } .menu li a:hover { background: var(--hover); }
    .menu li a.active b::before { content: "\\25CF  "; color: var(--good); }
    .menu span { color: var(--muted); }
    .error { color: var(--act); font-weight: 600; margin: .25rem 0; }
    .empty { color: var(--muted); }
    table { border-collapse: collapse; }
    table.hosts { width: 100%; }
    th, td { padding: .2rem .5rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
    th { background: var(--head); position: sticky; top: 0; font-size: 12px; }
    th a { color: var(--fg); }
    tbody tr:hover { background: var(--hover); }
    td.c-note, td.c-role { white-space: normal; }
    .v-good { color: var(--good); } .v-watch { color: var(--watch); } .v-act { color: var(--act); font-weight: 600; }
    td.c-host.v-act a, td.c-host.v-watch a { color: inherit; }
    .pager { padding: .75rem 0; display: flex; gap: .75rem; color: var(--muted); }
    h1 { font-size: 20px; margin: .5rem 0; } h2 { font-size: 15px; margin: 1.25rem 0 .4rem; }
    table.cells th { width: 8rem; position: static; }
    .tree { margin: 0; } dl.tree { display: grid; grid-template-columns: max-content 1fr; gap: 0 1rem; }
    dl.tree dt { color: var(--muted); } dl.tree dd { margin: 0; } ol.tree { padding-left: 1.5rem; }
    .null { color: var(--muted); }
    ol.audit > li { border-bottom: 1px solid var(--line); padding: .25rem 0; }
    .bar a.rollout { font-weight: 600; } .bar a.rollout.v-good { color: var(--good); } .bar a.rollout.v-watch { color: var(--watch); }
    .bar a.rollout.v-act { color: var(--act); }
    table.rollouts { width: 100%; } td.decision { white-space: normal; color: var(--muted); }
    section.stage { border-top: 1px solid var(--line); margin-top: 1rem; }
    h3 { font-size: 13px; margin: .75rem 0 .3rem; }
    table.gates td:last-child, table.events td { white-space: normal; }
    """

    static let favicon = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" aria-label="fleetroll"><rect width="16" height="16" rx="3" fill="#1a7f37"/>\
    <path d="M4 4h8v2H6v2h5v2H6v2H4z" fill="#fff"/></svg>
    """
}
