#!/usr/bin/env python3
"""Times the events console on a store of a million events.

Usage: scripts/console-bench.py BINARY [--events N] [--runs R] [--keep DIR]

Creates a store with the daemon (so its schema is this build's), fills it with N events (default
1,000,000) by direct SQL in one transaction: the bundled samples' bodies with fresh ids, received over
the last 48 hours, 98.5 % done and 1.5 % failed, 50,000 distinct objects, one handler run for every
tenth event. Then starts the daemon on it with an admin listener and fetches the overview, the event
list (first page, a later page by cursor, filtered by status, type and object) and an event page R
times each (default 7) with curl, printing each page's median and slowest time_total. The issue's
bar: the overview and the list under 200 ms.
"""
import argparse, glob, json, os, re, shutil, signal, sqlite3, statistics, subprocess, sys, tempfile, time

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "WebhookDaemon", "Samples")


def start(binary, directory, store):
    log = open(os.path.join(directory, "daemon.log"), "w+")
    env = dict(os.environ, STRIPE_WEBHOOK_SECRET="whsec_console_bench")
    process = subprocess.Popen([binary, "serve", "--store", store, "--port", "0", "--admin-port", "0", "--log-format", "json"],
                               stdout=log, stderr=log, env=env)
    deadline = time.time() + 600
    while time.time() < deadline:
        log.seek(0)
        text = log.read()
        admin = re.search(r"admin listener on http://127\.0\.0\.1:(\d+)", text)
        if admin and "listening on" in text:
            return process, int(admin.group(1))
        if process.poll() is not None:
            sys.exit("the daemon exited:\n" + text)
        time.sleep(0.2)
    sys.exit("the daemon did not start")


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def fill(path, count):
    samples = []
    for file in sorted(glob.glob(os.path.join(SAMPLES, "*.json"))):
        with open(file, "rb") as f:
            body = f.read()
        event = json.loads(body)
        obj = event["data"]["object"].get("id")
        samples.append((event["type"], event["id"].encode(), body, obj, event.get("api_version")))
    now = int(time.time() * 1000)
    span = 48 * 3600 * 1000
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    started = time.time()

    def rows():
        for i in range(count):
            kind, old_id, body, obj, version = samples[i % len(samples)]
            event_id = f"evt_bench{i:012d}"
            received = now - span + (i * span) // count
            status = "failed" if i % 67 == 0 else "done"
            yield (event_id, kind, f"{obj}_{i % 50000}" if obj else None, received // 1000, 0, None, version,
                   body.replace(old_id, event_id.encode()), received, "primary", status, 1 if status == "done" else 10,
                   "fulfil: exit status 1" if status == "failed" else None, received)

    # Bodies live in event_bodies under their event's seq (schema migration 9), runs under the seq too
    # (migration 12).
    insert_event = ("INSERT INTO events (id, type, object_id, created, livemode, account, api_version, received_at, verified_by, "
                    "status, attempts, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    with connection:
        cursor = connection.cursor()
        for i, row in enumerate(rows()):
            cursor.execute(insert_event, row[:7] + row[8:])
            seq = cursor.lastrowid
            cursor.execute("INSERT INTO event_bodies (seq, body) VALUES (?, ?)", (seq, row[7]))
            if i % 10 == 0:
                at = now - span + (i * span) // count
                cursor.execute(
                    "INSERT INTO handler_runs (event_seq, replay, handler, attempt, started_at, finished_at, succeeded, error, output) "
                    "VALUES (?, 0, 'fulfil', 1, ?, ?, ?, ?, NULL)",
                    (seq, at, at + 40, 0 if i % 67 == 0 else 1, "exit status 1" if i % 67 == 0 else None))
    connection.close()
    print(f"filled {count:,} events in {time.time() - started:.1f} s ({os.path.getsize(path) / 1e9:.2f} GB)", flush=True)


def timed(port, path, runs):
    times = []
    for _ in range(runs):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", f"http://127.0.0.1:{port}{path}"],
                             capture_output=True, text=True, check=True).stdout.split()
        if out[0] != "200":
            sys.exit(f"{path}: HTTP {out[0]}")
        times.append(float(out[1]) * 1000)
    return statistics.median(times), max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep")
    args = parser.parse_args()
    directory = args.keep or tempfile.mkdtemp(prefix="console-bench-")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "events.sqlite")
    store = f"sqlite:{path}"
    if not os.path.exists(path):
        process, _ = start(args.binary, directory, store)
        stop(process)
        fill(path, args.events)
    process, port = start(args.binary, directory, store)
    try:
        page = subprocess.run(["curl", "-s", f"http://127.0.0.1:{port}/events"], capture_output=True, text=True).stdout
        cursor = re.search(r'href="/events\?after=([0-9-]+)"', page).group(1)
        middle = f"evt_bench{args.events // 2:012d}"
        pages = [
            ("overview", "/"),
            ("list, first page", "/events"),
            ("list, next page (cursor)", f"/events?after={cursor}"),
            ("list, dead letters", "/events?status=failed"),
            ("list, type invoice.paid", "/events?type=invoice.paid"),
            ("list, type prefix invoice.*", "/events?type=invoice.*"),
            ("list, last 2 hours", "/events?from=2h"),
            ("list, one object", "/events?object=" + re.search(r'href="/events\?object=([^"&]+)"', page).group(1)),
            ("event page", f"/events/{middle}"),
        ]
        print(f"{args.events:,} events, {args.runs} runs each, curl time_total in ms:")
        print(f"  {'page':32} {'median':>8} {'slowest':>8}")
        for name, target in pages:
            median, slowest = timed(port, target, args.runs)
            print(f"  {name:32} {median:8.1f} {slowest:8.1f}", flush=True)
    finally:
        stop(process)
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
