extension Assets {
    /// The page's only script, served as `/static/app.js` (the CSP allows no other). It makes the
    /// server-rendered page live: `/api/events` says something changed, the script fetches the
    /// same URL again and swaps `#report`, so the server stays the one place rows are filtered,
    /// sorted, escaped and coloured. Filtering, sorting and paging links are fetched the same
    /// way and put in the address bar; recent filters live in localStorage.
    static let script = #"""
    "use strict";
    (() => {
      const page = document.body.dataset.page;
      const historyKey = "fleetroll.filterHistory";
      const themeKey = "fleetroll.theme";
      let inFlight = false, again = false, timer = null;

      // Light or dark: the system's choice until the button picks one.
      const theme = document.getElementById("theme");
      const savedTheme = localStorage.getItem(themeKey);
      if (savedTheme) document.documentElement.dataset.theme = savedTheme;
      if (theme) {
        theme.hidden = false;
        theme.addEventListener("click", () => {
          const dark = document.documentElement.dataset.theme
            ? document.documentElement.dataset.theme === "dark"
            : matchMedia("(prefers-color-scheme: dark)").matches;
          document.documentElement.dataset.theme = dark ? "light" : "dark";
          localStorage.setItem(themeKey, document.documentElement.dataset.theme);
        });
      }

      // Fetches `url` and puts its #report in place of ours; the filter box is left alone, so
      // typing is never disturbed by an update.
      async function load(url, remember) {
        const response = await fetch(url, { headers: { Accept: "text/html" }, cache: "no-store" });
        const text = await response.text();
        const doc = new DOMParser().parseFromString(text, "text/html");
        const fresh = doc.getElementById("report");
        const current = document.getElementById("report");
        if (!fresh || !current) return;
        current.replaceWith(fresh);
        const bar = doc.getElementById("bar");
        if (bar && document.getElementById("bar")) document.getElementById("bar").replaceWith(bar);
        document.title = doc.title;
        if (url !== location.pathname + location.search) history.replaceState(null, "", url);
        const sort = document.getElementById("sort");
        if (sort) sort.value = fresh.dataset.sort || "";
        if (remember && fresh.dataset.ok === "true") rememberFilter(fresh.dataset.filter || "");
        markLive();
        tickAges();
      }

      async function refresh() {
        if (inFlight) { again = true; return; }
        inFlight = true;
        try { await load(location.pathname + location.search, false); } catch (e) { setLive(false); }
        inFlight = false;
        if (again) { again = false; schedule(); }
      }

      function schedule() {
        if (timer) return;
        timer = setTimeout(() => { timer = null; refresh(); }, 100);
      }

      function urlFor(filter) {
        const params = new URLSearchParams();
        if (filter) params.set("filter", filter);
        const sort = document.getElementById("sort");
        if (sort && sort.value) params.set("sort", sort.value);
        const q = params.toString();
        return "/" + (q ? "?" + q : "");
      }

      // The filter box: Enter applies (the form's submit), Escape clears.
      const form = document.getElementById("filter-form");
      const input = document.getElementById("filter");
      if (form && input) {
        form.addEventListener("submit", (e) => {
          e.preventDefault();
          load(urlFor(input.value.trim()), true).catch(() => setLive(false));
        });
        input.addEventListener("keydown", (e) => {
          if (e.key === "Escape") { input.value = ""; load(urlFor(""), false).catch(() => setLive(false)); }
        });
      }

      // Sorting, paging, saved filters and Clear are links: fetched in place when we can.
      document.addEventListener("click", (e) => {
        const a = e.target.closest("a[data-nav]");
        if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        const url = new URL(a.href);
        if (input && url.pathname === "/") input.value = url.searchParams.get("filter") || "";
        for (const d of document.querySelectorAll("details.menu[open]")) d.open = false;
        load(url.pathname + url.search, a.closest("#saved") !== null).catch(() => setLive(false));
      });

      // Recent filters: newest first, no repeats, ten at most.
      function recent() {
        try { return JSON.parse(localStorage.getItem(historyKey) || "[]"); } catch (e) { return []; }
      }
      function rememberFilter(query) {
        if (!query) return;
        const list = [{ query, ts: Date.now() }].concat(recent().filter((r) => r.query !== query)).slice(0, 10);
        localStorage.setItem(historyKey, JSON.stringify(list));
        showRecent();
      }
      function showRecent() {
        const box = document.getElementById("recent");
        const list = document.getElementById("recent-list");
        if (!box || !list) return;
        const items = recent();
        box.hidden = items.length === 0;
        list.replaceChildren(...items.map((r) => {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = "/?filter=" + encodeURIComponent(r.query);
          a.dataset.nav = "";
          const code = document.createElement("code");
          code.textContent = r.query;
          const age = document.createElement("span");
          age.textContent = " " + ago((Date.now() - r.ts) / 1000);
          a.append(code, age);
          li.append(a);
          return li;
        }));
      }
      const clearHistory = document.getElementById("clear-history");
      if (clearHistory) clearHistory.addEventListener("click", () => { localStorage.removeItem(historyKey); showRecent(); });
      showRecent();

      // The header's updated= keeps counting between updates.
      function ago(s) {
        s = Math.max(0, Math.floor(s));
        return s < 60 ? s + "s ago" : s < 3600 ? Math.floor(s / 60) + "m ago" : s < 86400 ? Math.floor(s / 3600) + "h ago" : Math.floor(s / 86400) + "d ago";
      }
      function tickAges() {
        const t = document.getElementById("updated");
        if (t && t.dataset.epoch) t.textContent = ago(Date.now() / 1000 - Number(t.dataset.epoch));
      }
      setInterval(tickAges, 1000);

      // Live: every change the server polls arrives here within a second of being stored.
      let live = false;
      function setLive(on) { live = on; markLive(); }
      function markLive() {
        const l = document.getElementById("live");
        if (!l) return;
        l.hidden = false;
        l.textContent = live ? "live" : "reconnecting";
        l.className = live ? "live" : "live off";
      }
      // A gather concerns the fleet page, a host's page for its host, a rollout's page for its hosts.
      function concerns(e) {
        if (page === "hosts") return true;
        if (page !== "host" && page !== "rollout") return false;
        try {
          const host = JSON.parse(e.data).host, report = document.getElementById("report").dataset;
          return page === "host" ? host === report.host : (report.hosts || "").split(" ").includes(host);
        } catch (x) { return false; }
      }
      const events = new EventSource("/api/events");
      let generation = null;
      events.addEventListener("hello", (e) => {
        setLive(true);
        const g = JSON.parse(e.data).generation;
        // A reconnect may have missed changes: fetch once.
        if (generation !== null && g !== generation) schedule();
        generation = g;
      });
      events.addEventListener("observation", (e) => { generation = JSON.parse(e.data).generation; if (concerns(e)) schedule(); });
      // Every page's bar names the rollouts that hold hosts: a rollout's change concerns them all.
      for (const name of ["taskcluster", "github", "note", "content", "reload", "rollout"]) {
        events.addEventListener(name, (e) => { generation = JSON.parse(e.data).generation; schedule(); });
      }
      events.onerror = () => setLive(false);
      // Ages (UPTIME, PP_LAST, DATA...) move with the clock, not with events.
      setInterval(schedule, 60000);
    })();
    """#
}
