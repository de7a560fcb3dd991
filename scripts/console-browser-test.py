#!/usr/bin/env python3
"""The events console in a real browser: Debian's chromium and chromium-driver, driven by selenium.

Usage: scripts/console-browser-test.py BINARY [--screenshots DIR]

Runs a daemon (SQLite store in a temporary directory, an admin listener with admin.auth: a bearer
token and one user) with a command handler that fails on each event's first attempt and succeeds on
the second, delivers real sample events with `stripe-webhookd trigger` plus one signed event whose
metadata holds <script> and <img onerror> markup, then checks, in the browser: sign-in, the overview's
SVG chart, filters narrowing the list, an event page with its attempts and output, a replay running the
handler again (checked with `events show --json`), and that the markup event executes nothing; and
with plain HTTP requests: no token, a wrong token, a POST with a wrong Origin or without the CSRF token
are refused, and the webhook listener does not serve the console. With --screenshots, saves the three
pages as console-overview.png, console-events.png and console-event.png there.
Needs: chromium, chromium-driver (apt) and selenium (pip).
"""
import argparse, hashlib, hmac, http.client, json, os, re, subprocess, sys, tempfile, time, urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

SECRET = "whsec_console_browser_test_secret"
TOKEN = "console-test-token-0123456789abcdef"
PASSWORD = "correct horse battery staple"
SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "WebhookDaemon", "Samples")
MARKUP_SCRIPT = "<script>window.__pwned = 1; document.title = 'pwned';</script>"
MARKUP_IMG = "<img src=x onerror=\"window.__pwned = 2; document.title = 'pwned'\">"

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def wait_for(predicate, what, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def screenshot(driver, path, most=1600):
    """The whole page up to `most` pixels tall, then the window as it was."""
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    driver.set_window_size(1280, min(max(height, 900), most))
    driver.save_screenshot(path)
    driver.set_window_size(1280, 900)


def start_daemon(binary, directory):
    hashed = subprocess.run([binary, "hash-password", "--iterations", "10000"], input=PASSWORD + "\n",
                            capture_output=True, text=True, check=True).stdout.strip()
    handler = ('if [ "$STRIPE_EVENT_TYPE" = charge.refunded ]; then echo "refunds are not wired up yet" >&2; exit 3; fi; '
               'if [ "$STRIPE_EVENT_ATTEMPT" = 1 ]; then echo "first try fails for $STRIPE_EVENT_ID" >&2; exit 1; fi; '
               'echo "handled $STRIPE_EVENT_ID attempt $STRIPE_EVENT_ATTEMPT"')
    config = {
        "port": 0, "store": f"sqlite:{directory}/events.sqlite", "secrets": [{"value": "env:CONSOLE_TEST_SECRET", "label": "primary"}],
        "retry": {"initial_delay_seconds": 0.2, "max_attempts": 3},
        "admin": {"port": 0, "auth": {"token": "env:CONSOLE_TEST_TOKEN", "users": [{"name": "ops", "password_hash": hashed}]}},
        "handlers": [{"name": "flaky-notify", "events": ["*"], "command": ["/bin/sh", "-c", handler]}],
    }
    path = os.path.join(directory, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    env = dict(os.environ, CONSOLE_TEST_SECRET=SECRET, CONSOLE_TEST_TOKEN=TOKEN)
    log = open(os.path.join(directory, "daemon.log"), "w+")
    process = subprocess.Popen([binary, "serve", "--config", path, "--log-format", "json"], stdout=log, stderr=log, env=env)

    def ports():
        log.seek(0)
        text = log.read()
        webhook = re.search(r"listening on http://127\.0\.0\.1:(\d+)/webhook", text)
        admin = re.search(r"admin listener on http://127\.0\.0\.1:(\d+)", text)
        return (int(webhook.group(1)), int(admin.group(1))) if webhook and admin else None

    webhook_port, admin_port = wait_for(ports, "the daemon's listeners")
    return process, path, webhook_port, admin_port


def post_signed(port, body):
    timestamp = int(time.time())
    signature = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/webhook", body, {"Content-Type": "application/json", "Stripe-Signature": f"t={timestamp},v1={signature}"})
    status = connection.getresponse().status
    connection.close()
    return status


def request(port, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body, headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def events_show(binary, config, event_id):
    out = subprocess.run([binary, "events", "show", event_id, "--config", config, "--json"], capture_output=True, text=True,
                         env=dict(os.environ, CONSOLE_TEST_SECRET=SECRET, CONSOLE_TEST_TOKEN=TOKEN))
    if out.returncode != 0:
        return None
    shown = json.loads(out.stdout)
    # The replay an event is in: the highest of its handler runs' (0 until a forced replay).
    shown["replay"] = max([run.get("replay", 0) for run in shown.get("handlers", [])] or [0])
    return shown


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    directory = tempfile.mkdtemp(prefix="console-browser-")
    process, config, webhook_port, admin_port = start_daemon(binary, directory)
    driver = None
    try:
        # Real sample events through `trigger`, several of some types so that filters have something to narrow.
        url = f"http://127.0.0.1:{webhook_port}/webhook"
        for event_type, count in [("invoice.paid", 3), ("payment_intent.succeeded", 2), ("charge.refunded", 1),
                                  ("customer.subscription.updated", 2), ("invoice.payment_failed", 1)]:
            subprocess.run([binary, "trigger", event_type, "--url", url, "--secret", SECRET, "--count", str(count)],
                           check=True, capture_output=True)
        # One event whose customer-controlled fields hold markup.
        with open(os.path.join(SAMPLES, "customer.created.json"), "rb") as f:
            event = json.load(f)
        event["id"] = "evt_markup_" + str(int(time.time()))
        event["data"]["object"]["name"] = MARKUP_SCRIPT
        event["data"]["object"]["description"] = MARKUP_IMG
        event["data"]["object"]["metadata"] = {"note": MARKUP_SCRIPT, "avatar": MARKUP_IMG}
        markup_id = event["id"]
        check(post_signed(webhook_port, json.dumps(event).encode()) == 200, "the markup event is accepted (200)")

        # Every event fails once, then succeeds: wait until all are done.
        def all_done():
            out = subprocess.run([binary, "events", "list", "--config", config, "--json", "--limit", "100"], capture_output=True, text=True,
                                 env=dict(os.environ, CONSOLE_TEST_SECRET=SECRET, CONSOLE_TEST_TOKEN=TOKEN))
            rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
            settled = len(rows) == 10 and all(r["status"] == ("failed" if r["type"] == "charge.refunded" else "done") for r in rows)
            return rows if settled else None
        rows = wait_for(all_done, "every event handled (the charge.refunded one a dead letter)")
        invoice_paid = next(r for r in rows if r["type"] == "invoice.paid")["id"]

        # Plain HTTP: credentials, Origin and CSRF.
        base = f"http://127.0.0.1:{admin_port}"
        status, headers, _ = request(admin_port, "GET", "/")
        check(status == 303 and headers.get("Location", "").startswith("/login"), "GET / without credentials is sent to /login")
        status, _, _ = request(admin_port, "GET", "/events", {"Authorization": "Bearer wrong-token-0000000000"})
        check(status == 401, "GET /events with a wrong bearer token: 401")
        status, _, _ = request(admin_port, "GET", "/metrics")
        check(status == 401, "GET /metrics without the token: 401")
        status, _, _ = request(admin_port, "GET", "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        check(status == 200, "GET /metrics with the token: 200")
        status, headers, page = request(admin_port, "GET", f"/events/{invoice_paid}", {"Authorization": f"Bearer {TOKEN}"})
        check(status == 200 and "default-src 'none'" in headers.get("Content-Security-Policy", "") and headers.get("X-Frame-Options") == "DENY"
              and headers.get("Cache-Control") == "no-store", "the event page with the token: 200 with CSP, X-Frame-Options DENY, no-store")
        csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', request(admin_port, "GET", f"/events/{invoice_paid}/replay", {"Authorization": f"Bearer {TOKEN}"})[2])
        check(csrf is not None, "the replay confirmation carries a CSRF token")
        form = urllib.parse.urlencode({"csrf": csrf.group(1).decode() if csrf else ""})
        form_headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-www-form-urlencoded"}
        status, _, _ = request(admin_port, "POST", f"/events/{invoice_paid}/replay", dict(form_headers, Origin="http://evil.example"), form)
        check(status == 403, "a replay POST with a foreign Origin: 403")
        status, _, _ = request(admin_port, "POST", f"/events/{invoice_paid}/replay", form_headers, form)
        check(status == 403, "a replay POST without Origin: 403")
        status, _, _ = request(admin_port, "POST", f"/events/{invoice_paid}/replay", dict(form_headers, Origin=base), "csrf=")
        check(status == 403, "a replay POST without the CSRF token: 403")
        status, _, _ = request(admin_port, "POST", f"/events/{invoice_paid}/replay", dict(form_headers, Origin=base, Authorization="Bearer nope-nope-nope-nope"), form)
        check(status == 401, "a replay POST with a wrong token: 401")
        check(events_show(binary, config, invoice_paid)["replay"] == 0, "none of the refused posts replayed the event")
        status, _, _ = request(webhook_port, "GET", "/", {"Authorization": f"Bearer {TOKEN}"})
        check(status == 404, "the webhook listener does not serve the console (404)")

        # The browser.
        options = Options()
        options.binary_location = "/usr/bin/chromium"
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--disable-gpu"]:
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(60)
        driver.get(base + "/")
        check("/login" in driver.current_url, "the browser is sent to the sign-in page")
        driver.find_element(By.NAME, "name").send_keys("ops")
        driver.find_element(By.NAME, "password").send_keys("wrong password")
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        # The form's answer takes its time on a loaded machine: wait for the next page (refused, or
        # wrongly the overview) before judging it.
        wait_for(lambda: driver.find_elements(By.ID, "signin-failed") or driver.find_elements(By.ID, "by-outcome"),
                 "the answer to a wrong password")
        check(len(driver.find_elements(By.ID, "signin-failed")) == 1 and not driver.find_elements(By.ID, "by-outcome"),
              "a wrong password is refused")
        driver.find_element(By.NAME, "name").send_keys("ops")
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for(lambda: driver.find_elements(By.ID, "by-outcome"), "the overview after signing in")
        cookie = driver.get_cookie("webhookd_session")
        check(cookie is not None and cookie.get("httpOnly") and cookie.get("sameSite") == "Strict", "the session cookie is HttpOnly and SameSite=Strict")

        # Overview: the chart.
        bars = driver.find_elements(By.CSS_SELECTOR, "#by-outcome svg.chart rect.bar")
        check(len(bars) >= 1 and all(float(b.get_attribute("height")) > 0 for b in bars), f"the overview's chart draws bars ({len(bars)})")
        legend = driver.find_element(By.CSS_SELECTOR, "#by-outcome ul.legend").text
        check("done: 9" in legend and "failed: 1" in legend, f"the chart's legend counts 9 done events and 1 dead letter ({legend!r})")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#by-type svg.chart rect.bar")) >= 5, "the by-type chart draws a bar per type")
        handlers = driver.find_element(By.ID, "handlers").text
        check("flaky-notify 21 12 57 %" in handlers, f"the handler's runs, failures and failure rate show (21 runs, 12 failed): {handlers!r}")
        dead = driver.find_element(By.ID, "dead-letters").text
        check("charge.refunded 1" in dead, f"the dead letters table lists charge.refunded ({dead!r})")
        check("ready" in driver.find_element(By.ID, "readiness").text, "the overview says what /readyz says")
        if args.screenshots:
            screenshot(driver, os.path.join(args.screenshots, "console-overview.png"))

        # The list and its filters.
        driver.get(base + "/events")
        all_rows = driver.find_elements(By.CSS_SELECTOR, "#events tbody tr")
        check(len(all_rows) == 10, f"the list shows every event ({len(all_rows)})")
        Select(driver.find_element(By.NAME, "status")).select_by_value("failed")
        driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
        wait_for(lambda: "status=failed" in driver.current_url, "the dead-letter list")
        failed_types = [row.find_elements(By.TAG_NAME, "td")[2].text for row in driver.find_elements(By.CSS_SELECTOR, "#events tbody tr")]
        check(failed_types == ["charge.refunded"], f"status failed narrows the list to the dead letter ({failed_types})")
        driver.get(base + "/events")
        field = driver.find_element(By.NAME, "type")
        field.clear()
        field.send_keys("invoice.*")
        driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
        wait_for(lambda: "type=invoice." in driver.current_url, "the filtered list")
        types = [row.find_elements(By.TAG_NAME, "td")[2].text for row in driver.find_elements(By.CSS_SELECTOR, "#events tbody tr")]
        check(len(types) == 4 and all(t.startswith("invoice.") for t in types), f"type invoice.* narrows the list to 4 invoice events ({types})")
        Select(driver.find_element(By.NAME, "status")).select_by_value("failed")
        driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
        wait_for(lambda: driver.find_elements(By.ID, "no-events"), "the empty dead-letter list")
        check(True, "status failed with invoice.* narrows the list to nothing")
        driver.get(base + "/events?" + urllib.parse.urlencode({"id": markup_id}))
        check(len(driver.find_elements(By.CSS_SELECTOR, "#events tbody tr")) == 1, "the event id filter finds exactly the event")
        driver.get(base + "/events")
        if args.screenshots:
            screenshot(driver, os.path.join(args.screenshots, "console-events.png"))

        # An event page: attempts and output.
        driver.get(base + f"/events/{invoice_paid}")
        attempts = driver.find_element(By.ID, "attempts").text
        check("Attempt 1" in attempts and f"first try fails for {invoice_paid}" in attempts, "the event page shows the failed first attempt with its output")
        check("Attempt 2" in attempts and f"handled {invoice_paid} attempt 2" in attempts, "the event page shows the second attempt's captured output")
        check("primary" in driver.find_element(By.CSS_SELECTOR, "dl.facts").text, "the event page names the secret label that verified it")
        related = driver.find_element(By.ID, "related").text
        check("Before" in related and "After" in related, "the event page lists the events about the same object")
        if args.screenshots:
            screenshot(driver, os.path.join(args.screenshots, "console-event.png"))

        # Replay: confirmation, then the handler runs again.
        driver.find_element(By.ID, "replay").click()
        wait_for(lambda: driver.find_elements(By.ID, "confirm"), "the replay confirmation")
        check(events_show(binary, config, invoice_paid)["replay"] == 0, "the confirmation page alone replays nothing")
        driver.find_element(By.ID, "confirm").click()
        wait_for(lambda: "replayed=1" in driver.current_url, "the event page after the replay")

        def replayed():
            shown = events_show(binary, config, invoice_paid)
            runs = [h for h in shown.get("handlers", []) if h.get("replay") == 1 and h["handler"] == "flaky-notify"]
            return shown if shown["status"] == "done" and runs and runs[-1]["succeeded"] else None
        shown = wait_for(replayed, "the replayed event handled again")
        check(shown is not None, "replay requeued the event and the handler ran again (events show: flaky-notify ran in replay 1 and succeeded, done)")
        driver.refresh()
        check("Replay 1, attempt 2" in driver.find_element(By.ID, "attempts").text, "the event page shows the replay's attempts")

        # Replay all dead letters of a type: confirmation, then requeued (and, still failing, back as a dead letter).
        refund = next(r for r in rows if r["type"] == "charge.refunded")["id"]
        driver.get(base + "/")
        driver.find_element(By.CSS_SELECTOR, "#dead-letters a.button").click()
        wait_for(lambda: driver.find_elements(By.ID, "confirm"), "the dead-letter replay confirmation")
        check("1 failed event of type charge.refunded" in driver.find_element(By.TAG_NAME, "main").text, "the confirmation says how many dead letters go")
        driver.find_element(By.ID, "confirm").click()
        wait_for(lambda: "replayed=1" in driver.current_url, "the overview after replaying dead letters")
        check("Requeued 1 dead letter" in driver.find_element(By.CSS_SELECTOR, "p.notice").text, "the overview says the dead letter was requeued")
        refunded = wait_for(lambda: (lambda shown: shown if len([h for h in shown["handlers"] if h["handler"] == "flaky-notify"]) >= 4 else None)(events_show(binary, config, refund)),
                            "the dead letter's handler running again")
        check(refunded is not None, "the requeued dead letter's handler ran again (a fourth run)")

        # The markup event: shown as text, nothing executed.
        driver.get(base + f"/events/{markup_id}")
        time.sleep(1)
        pwned = driver.execute_script("return window.__pwned === undefined ? null : window.__pwned;")
        check(pwned is None, "the markup event's <script> and <img onerror> did not run (window.__pwned unset)")
        check(driver.title != "pwned" and markup_id in driver.title, f"the page title is untouched ({driver.title!r})")
        payload = driver.find_element(By.ID, "payload").text
        check("<script>window.__pwned = 1;" in payload and "<img src=x onerror=" in payload, "the markup shows as text in the payload")
        check(len(driver.find_elements(By.CSS_SELECTOR, "main img, main script")) == 0, "no <img> or <script> element came from the event")
        source = driver.page_source
        check("&lt;script&gt;window.__pwned" in source, "the markup is HTML-escaped in the page")
        driver.get(base + "/events?" + urllib.parse.urlencode({"object": event["data"]["object"]["id"]}))
        check(driver.execute_script("return window.__pwned === undefined;"), "the list of the markup event's object runs nothing either")
    finally:
        if driver is not None:
            driver.quit()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    if failures:
        print(f"console browser test: {len(failures)} failed", flush=True)
        sys.exit(1)
    print("console browser test: all checks passed", flush=True)


if __name__ == "__main__":
    main()
