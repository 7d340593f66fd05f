#!/usr/bin/env python3
"""Drives `fleetroll web`'s page in headless Chromium, as an operator would.

Run by Tests/LabTests/WebBrowserTests.swift against a server over a lab store:
the table shows the lab's hosts; a filter typed and Enter shows the right rows
and goes into the URL; a bad filter shows the CLI's error; a host gathered
while the page is open appears without a reload; a note added appears too
(timed, for the insert-to-browser latency); a host's page shows its detail;
with --rollout, the bar names the rollout, the rollouts list links to it and
its page shows stages, hosts, gates coloured pass/fail and decisions;
the page makes no request elsewhere and the browser logs no error (a CSP
violation would be one). Screenshots go to --out. Prints one JSON line of
measurements last; exits non-zero on the first failed check.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def wait(what, condition, timeout=10.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception:  # the DOM is swapped under us: try again
            pass
        time.sleep(step)
    fail("timed out waiting for " + what)


def rows(driver):
    # In one script: the page may swap #report between two WebDriver calls.
    return driver.execute_script("return [...document.querySelectorAll('#report tr[data-host]')].map(r => r.dataset.host)")


def text(driver, element_id):
    return driver.execute_script("const e = document.getElementById(arguments[0]); return e ? e.innerText : null", element_id)


def apply_filter(driver, text):
    box = driver.find_element(By.ID, "filter")
    box.clear()
    box.send_keys(text + Keys.ENTER)


def check_rollout(driver, base, rollout, out):
    # The bar names it on every page; the list links to it.
    driver.get(base + "/")
    wait("the rollout in the bar", lambda: rollout in (driver.find_element(By.CSS_SELECTOR, "#bar a.rollout").text))
    driver.find_element(By.ID, "rollouts-link").click()
    wait("the rollouts list", lambda: driver.find_elements(By.CSS_SELECTOR, 'tr[data-rollout="%s"]' % rollout))
    row = driver.find_element(By.CSS_SELECTOR, 'tr[data-rollout="%s"]' % rollout).text
    for part in ["paused", "2/3", "2/3 applied", "browser-test"]:
        if part not in row:
            fail("the rollouts list row lacks %r: %r" % (part, row))
    wait("the live feed on the list", lambda: text(driver, "live") == "live")
    driver.save_screenshot(os.path.join(out, "rollouts-page.png"))

    driver.find_element(By.CSS_SELECTOR, 'tr[data-rollout="%s"] a' % rollout).click()
    wait("the rollout's page", lambda: rollout in driver.find_element(By.TAG_NAME, "h1").text)
    if urlparse(driver.current_url).path != "/rollouts/" + rollout:
        fail("rollout page URL " + driver.current_url)
    page = text(driver, "report") or ""
    for part in ["Stage 0 (canary)", "Stage 1", "min_soak_minutes", "RELOPS-42 soak skipped", "Decisions (oldest first)"]:
        if part not in page:
            fail("the rollout page lacks %r" % part)
    # Pass and fail are coloured apart, by the verdict classes.
    colours = driver.execute_script(
        "return ['applied_min_pct', 'min_soak_minutes'].map(k => getComputedStyle("
        "document.querySelector('#stage-0 tr[data-gate=\"' + k + '\"] td:nth-child(4)')).color)")
    if colours[0] == colours[1]:
        fail("a passed and a failed gate look the same (%s)" % colours)
    links = driver.execute_script("return [...document.querySelectorAll('#stage-0 td a')].map(a => a.getAttribute('href'))")
    if not links or not all(link.startswith("/hosts/") for link in links):
        fail("stage hosts do not link to their pages: %s" % links)
    wait("the live feed on the rollout", lambda: text(driver, "live") == "live")
    driver.save_screenshot(os.path.join(out, "rollout-page.png"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--hosts", required=True, help="comma list: the hosts in the store")
    p.add_argument("--new-host", required=True)
    p.add_argument("--gather", required=True, help="JSON argv that gathers --new-host")
    p.add_argument("--note", required=True, help="JSON argv prefix that adds a note: the text is appended")
    p.add_argument("--notes", type=int, default=5)
    p.add_argument("--rollout", help="the id of a rollout in the store, paused in its second stage")
    a = p.parse_args()
    base = a.url.rstrip("/")
    hosts = a.hosts.split(",")
    os.makedirs(a.out, exist_ok=True)

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1000",
                "--no-first-run", "--disable-extensions", "--disable-background-networking"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    metrics = {}
    try:
        driver.set_page_load_timeout(30)
        driver.get(base + "/")
        wait("the table", lambda: rows(driver))
        if sorted(rows(driver)) != sorted(hosts):
            fail("the table shows %s, the store has %s" % (rows(driver), hosts))
        wait("the live feed", lambda: text(driver, "live") == "live")
        count = text(driver, "count")
        if count != "hosts=%d" % len(hosts):
            fail("header says %r" % count)

        # A filter and Enter: the rows and the address bar change, the page does not reload.
        driver.execute_script("window.__marker = 1")
        target = hosts[1]
        short = target.split(".")[0]
        apply_filter(driver, "host~" + short)
        wait("the filtered rows", lambda: rows(driver) == [target])
        query = parse_qs(urlparse(driver.current_url).query)
        if query.get("filter") != ["host~" + short]:
            fail("the URL does not carry the filter: " + driver.current_url)
        if driver.execute_script("return window.__marker") != 1:
            fail("applying a filter reloaded the page")
        if text(driver, "count") != "hosts=1/%d" % len(hosts):
            fail("header after filter: " + text(driver, "count"))

        # The CLI's words for a bad filter.
        apply_filter(driver, "healthy=n bogus>1h")
        error = wait("the error", lambda: text(driver, "filter-error"))
        if error != "unknown column: bogus (at 'bogus', character 11)":
            fail("bad filter says %r" % error)
        if rows(driver):
            fail("a bad filter still shows rows")

        # A bookmark of a filtered URL opens filtered.
        driver.get(base + "/?filter=host~" + short)
        wait("the bookmarked filter", lambda: rows(driver) == [target])
        apply_filter(driver, "")
        wait("every row again", lambda: sorted(rows(driver)) == sorted(hosts))
        wait("the live feed again", lambda: text(driver, "live") == "live")

        # A host gathered while the page is open appears without a reload.
        driver.execute_script("window.__marker = 2")
        started = time.monotonic()
        gather = subprocess.Popen(json.loads(a.gather), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        seen = None
        done = None
        deadline = started + 60
        while time.monotonic() < deadline:
            if done is None and gather.poll() is not None:
                done = time.monotonic()
            if seen is None and a.new_host in rows(driver):
                seen = time.monotonic()
            if seen is not None and done is not None:
                break
            time.sleep(0.02)
        output = gather.stdout.read().decode(errors="replace")
        if done is None or gather.returncode != 0:
            fail("the gather failed: " + output)
        if seen is None:
            fail("the gathered host never appeared")
        metrics["gather_exit_to_row_s"] = round(max(0.0, seen - done), 3)
        if seen - done > 2.0:
            fail("the new host appeared %.2f s after its gather was stored (more than 2 s)" % (seen - done))
        if driver.execute_script("return window.__marker") != 2:
            fail("the page reloaded to show the new host")

        # Notes, timed from the command's exit (after its insert) to the cell on screen.
        latencies = []
        for i in range(a.notes):
            note = "web-check-%d-%d" % (os.getpid(), i)
            subprocess.run(json.loads(a.note) + [note], check=True, stdout=subprocess.DEVNULL)
            stored = time.monotonic()
            wait("note %d" % i, lambda: note in (text(driver, "report") or ""), timeout=5, step=0.005)
            latencies.append(time.monotonic() - stored)
        latencies.sort()
        metrics["note_to_screen_s"] = {"median": round(latencies[len(latencies) // 2], 3), "max": round(latencies[-1], 3)}
        if latencies[-1] > 2.0:
            fail("a note took %.2f s to show" % latencies[-1])

        # Nothing but our own origin was asked for.
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        foreign = [r for r in resources if not r.startswith(base + "/")]
        if foreign:
            fail("requests elsewhere: %s" % foreign)
        driver.save_screenshot(os.path.join(a.out, "fleet-page.png"))

        # A host's page.
        def open_host():
            driver.find_element(By.CSS_SELECTOR, 'tr[data-host="%s"] td.c-host a' % a.new_host).click()
            return True
        wait("a click on the host", open_host)
        wait("the host's page", lambda: driver.find_element(By.TAG_NAME, "h1").text == a.new_host)
        page = text(driver, "report") or ""
        for part in ["HEALTHY", "Latest gather", "History (newest first)", "Taskcluster", "Notes"]:
            if part not in page:
                fail("the host page lacks %r" % part)
        if urlparse(driver.current_url).path != "/hosts/" + a.new_host:
            fail("host page URL " + driver.current_url)
        driver.save_screenshot(os.path.join(a.out, "host-page.png"))

        if a.rollout:
            check_rollout(driver, base, a.rollout, a.out)

        # The other theme.
        driver.get(base + "/")
        wait("the table", lambda: rows(driver))
        before = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        driver.find_element(By.ID, "theme").click()
        after = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        if before == after:
            fail("the theme button changed nothing (%s)" % before)
        driver.save_screenshot(os.path.join(a.out, "fleet-page-other-theme.png"))

        # The bad filter's 400 is logged as a failed load: expected, the rest is not.
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"
                  and not (e.get("source") == "network" and "bogus" in e.get("message", "") and "status of 400" in e.get("message", ""))]
        if errors:
            fail("browser errors: %s" % errors)
    finally:
        driver.quit()
    print(json.dumps(metrics), flush=True)
    print("OK", flush=True)


if __name__ == "__main__":
    main()
