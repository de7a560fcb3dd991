#!/usr/bin/env python3
"""Crash test: every event answered 200 survives SIGKILL, and every handler runs for it.

Starts the daemon on a fresh SQLite store, sends unique signed events from several concurrent
clients (each retries until it gets 200, as Stripe does), SIGKILLs the daemon at random moments and
restarts it, then checks in the database, read directly with Python's sqlite3 (not through the
daemon's own code), that:
  - every event id that was answered 200 is stored,
  - every stored event is done, with a successful run of its built-in handler,
  - nothing is stuck pending or claimed.
Prints the figures and exits non-zero on any violation.

usage: scripts/crash-test.py [--binary PATH] [--events N] [--clients C] [--kills K] [--seed S]
"""
import argparse
import hashlib
import hmac
import http.client
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "Sources/WebhookDaemon/Samples/payment_intent.succeeded.json")
SAMPLE_EVENT_ID = b"evt_1PgcXBB7WZ01zgkWhplYwSWm"
SAMPLE_OBJECT_ID = b"pi_1PgafyB7WZ01zgkWSjxsAJo3"
HANDLER = "builtin.payment_intent.succeeded"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, binary, port, store, secret, log_path):
        self.args = [binary, "serve", "--port", str(port), "--store", f"sqlite:{store}", "--log-format", "text",
                     "--log-level", "notice", "--workers", "4"]
        self.env = dict(os.environ, STRIPE_WEBHOOK_SECRET=secret)
        self.port = port
        self.log = open(log_path, "ab")
        self.proc = None
        self.lock = threading.Lock()

    def start(self):
        with self.lock:
            self.proc = subprocess.Popen(self.args, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(f"crash-test: daemon exited with {self.proc.returncode} at start; see {self.log.name}")
                time.sleep(0.02)
        raise SystemExit("crash-test: daemon did not start listening within 30 s")

    def kill(self):
        with self.lock:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        with self.lock:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return -1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/stripe-webhookd"))
    parser.add_argument("--events", type=int, default=30000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--objects", type=int, default=40, help="distinct data.object ids (per-object ordering)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if not os.access(args.binary, os.X_OK):
        raise SystemExit(f"crash-test: no binary at {args.binary}; run `swift build` first or pass --binary")

    work = tempfile.mkdtemp(prefix="webhookd-crash.")
    store = os.path.join(work, "events.sqlite")
    secret = "whsec_crash_" + os.urandom(8).hex()
    port = free_port()
    daemon = Daemon(args.binary, port, store, secret, os.path.join(work, "daemon.log"))
    template = open(SAMPLE, "rb").read()
    assert template.count(SAMPLE_EVENT_ID) == 1, "sample event id must appear once"

    ids = [f"evt_crash_{args.seed}_{i:06d}" for i in range(args.events)]
    bodies = {}
    for i, event_id in enumerate(ids):
        obj = f"pi_crash_{i % args.objects:04d}".encode()
        bodies[event_id] = template.replace(SAMPLE_EVENT_ID, event_id.encode()).replace(SAMPLE_OBJECT_ID, obj)

    acked, lock = set(), threading.Lock()
    stats = {"sent": 0, "ok": 0, "unavailable": 0, "conn_errors": 0, "other": 0, "duplicates": 0}
    done_sending = threading.Event()

    def client(chunk):
        conn = None
        for event_id in chunk:
            body = bodies[event_id]
            while True:
                t = str(int(time.time()))
                mac = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    conn.request("POST", "/webhook", body=body, headers={
                        "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": f"t={t},v1={mac}"})
                    resp = conn.getresponse()
                    answer = resp.read()
                    with lock:
                        stats["sent"] += 1
                    if resp.status == 200:
                        with lock:
                            acked.add(event_id)
                            stats["ok"] += 1
                            if b"duplicate" in answer:
                                stats["duplicates"] += 1
                        break
                    with lock:
                        stats["unavailable" if resp.status == 503 else "other"] += 1
                    if resp.status != 503:
                        raise SystemExit(f"crash-test: unexpected {resp.status} {answer!r} for {event_id}")
                    time.sleep(0.05)
                except (OSError, http.client.HTTPException):
                    with lock:
                        stats["conn_errors"] += 1
                    if conn is not None:
                        conn.close()
                    conn = None
                    time.sleep(0.02)
        if conn is not None:
            conn.close()

    def killer():
        kills = 0
        while kills < args.kills and not done_sending.is_set():
            time.sleep(rng.uniform(0.05, 0.35))
            daemon.kill()
            kills += 1
            daemon.start()
        stats["kills"] = kills

    daemon.start()
    started = time.time()
    chunks = [ids[i::args.clients] for i in range(args.clients)]
    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    for th in threads:
        th.start()
    kt = threading.Thread(target=killer)
    kt.start()
    for th in threads:
        th.join()
    done_sending.set()
    kt.join()
    send_seconds = time.time() - started

    # Let the last daemon finish the backlog, then stop it gracefully.
    def pending():
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute("SELECT count(*) FROM events WHERE status = 'pending'").fetchone()[0]
        finally:
            db.close()

    deadline = time.time() + 120
    while pending() > 0 and time.time() < deadline:
        time.sleep(0.25)
    status = daemon.stop()

    db = sqlite3.connect(store)
    rows = {r[0]: r[1:] for r in db.execute("SELECT id, status, claimed_by FROM events")}
    runs = {}
    for event_id, ok_runs in db.execute(
            # Runs are keyed by their event's seq (schema migration 12).
            "SELECT e.id, sum(r.succeeded) FROM handler_runs AS r JOIN events AS e ON e.seq = r.event_seq "
            "WHERE r.handler = ? GROUP BY e.id", (HANDLER,)):
        runs[event_id] = ok_runs
    missing = sorted(acked - rows.keys())
    not_done = sorted(i for i, (st, _) in rows.items() if st != "done")
    claimed = sorted(i for i, (_, c) in rows.items() if c is not None)
    never_handled = sorted(i for i in rows if runs.get(i, 0) < 1)
    rerun = sum(1 for i in rows if runs.get(i, 0) > 1)

    kills = stats.get("kills", 0)
    print(f"crash-test: seed={args.seed} events={args.events} clients={args.clients} objects={args.objects}")
    print(f"crash-test: kills={kills} (SIGKILL under load, each followed by a restart) in {send_seconds:.1f} s")
    print(f"crash-test: requests={stats['sent']} answered_200={stats['ok']} (duplicate answers {stats['duplicates']}) "
          f"503={stats['unavailable']} connection_errors={stats['conn_errors']}")
    print(f"crash-test: acknowledged_ids={len(acked)} stored={len(rows)} missing={len(missing)} "
          f"not_done={len(not_done)} still_claimed={len(claimed)} never_handled={len(never_handled)} "
          f"handler_reruns_after_crash={rerun} final_exit={status}")
    failures = []
    if missing:
        failures.append(f"{len(missing)} acknowledged events missing, e.g. {missing[:3]}")
    if not_done:
        failures.append(f"{len(not_done)} events not done, e.g. {not_done[:3]}")
    if claimed:
        failures.append(f"{len(claimed)} events still claimed")
    if never_handled:
        failures.append(f"{len(never_handled)} events whose handler never succeeded")
    if len(acked) != args.events:
        failures.append(f"only {len(acked)} of {args.events} events were ever acknowledged")
    if kills < args.kills:
        failures.append(f"only {kills} kills happened before sending finished (raise --events)")
    if status != 0:
        failures.append(f"graceful stop exited {status}")
    if failures:
        print("crash-test: FAILED: " + "; ".join(failures) + f" (work dir {work})")
        return 1
    print("crash-test: PASSED: 0 acknowledged events lost, every event handled, none stuck")
    return 0


if __name__ == "__main__":
    sys.exit(main())
