#!/usr/bin/env python3
"""Multi-instance chaos test: three daemons on one PostgreSQL database behind nginx.

Runs inside a throwaway cluster (re-runs itself under scripts/postgres-cluster.sh when
STRIPE_WEBHOOKD_TEST_POSTGRES_URL is unset). First an outage check: PostgreSQL stopped, a daemon
answers webhooks 503 with Retry-After and /readyz 503 store_unwritable; started again, it serves
without a restart. Then the chaos: unique signed events from concurrent clients through nginx (an
upstream of the three), many about the same few objects, some delivered a second time straight to
a random instance; a random instance is SIGKILLed and restarted repeatedly, and PostgreSQL is
restarted once mid-run. A command handler appends `start`/`end` lines (event, object, instance
generation, nanosecond time) to a log. At the end, read with psql and from that log:
  - every event answered 200 is stored, done, unclaimed, with a successful run of the handler;
  - the handler ran for each, exactly once unless a crash touched the event (a run by an instance
    that was SIGKILLed, or a run during the PostgreSQL restart window);
  - no two runs about one object overlapped in time (a killed run ends at its instance's kill).
Prints the figures and exits non-zero on any violation.

usage: scripts/chaos-postgres.py [--binary PATH] [--events N] [--clients C] [--kills K] [--objects O]
                                 [--duplicates FRACTION] [--lease SECONDS] [--seed S]
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "Sources/WebhookDaemon/Samples/payment_intent.succeeded.json")
SAMPLE_EVENT_ID = b"evt_1PgcXBB7WZ01zgkWhplYwSWm"
SAMPLE_OBJECT_ID = b"pi_1PgafyB7WZ01zgkWSjxsAJo3"
HANDLER = "record-run"
HANDLER_SCRIPT = """#!/bin/sh
# One run of the chaos handler: start and end lines, each one append of less than PIPE_BUF bytes.
printf 'start %s %s %s %s\\n' "$STRIPE_EVENT_ID" "$STRIPE_OBJECT_ID" "$CHAOS_INSTANCE" "$(date +%s%N)" >> "$CHAOS_LOG"
sleep 0.01
printf 'end %s %s %s %s\\n' "$STRIPE_EVENT_ID" "$STRIPE_OBJECT_ID" "$CHAOS_INSTANCE" "$(date +%s%N)" >> "$CHAOS_LOG"
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    """Rows of `sql` as lists of strings, read with psql (not through the daemon's code)."""
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


class Instance:
    """One daemon: its port, its process, its generations (one per start)."""

    def __init__(self, index, binary, config, secret, work, handler_log):
        self.index = index
        self.port = free_port()
        self.binary = binary
        self.config = config
        self.secret = secret
        self.work = work
        self.handler_log = handler_log
        self.generation = 0
        self.proc = None
        self.kills = {}  # generation label -> kill time (ns)
        self.lock = threading.Lock()

    def label(self):
        return f"i{self.index}g{self.generation}"

    def start(self):
        """Starts a new generation; one that exits at start (PostgreSQL not accepting connections yet)
        is started again, as systemd's Restart=on-failure would."""
        for _ in range(60):
            if self.start_once():
                return
            time.sleep(0.5)
        raise SystemExit(f"chaos: instance {self.index} kept exiting at start; see {self.work}")

    def start_once(self):
        with self.lock:
            self.generation += 1
            env = dict(os.environ, STRIPE_WEBHOOK_SECRET=self.secret, CHAOS_INSTANCE=self.label(), CHAOS_LOG=self.handler_log)
            log = open(os.path.join(self.work, f"daemon-{self.index}.log"), "ab")
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--config", self.config, "--port", str(self.port), "--log-format", "text", "--log-level", "notice"],
                env=env, stdout=log, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return True
            except OSError:
                if self.proc.poll() is not None:
                    return False
                time.sleep(0.05)
        raise SystemExit(f"chaos: instance {self.index} did not listen within 60 s")

    def kill(self):
        with self.lock:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.kills[self.label()] = time.time_ns()

    def stop(self):
        with self.lock:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return -1


def post(port, body, secret, timeout=10):
    """Posts one signed event; returns (status, headers, body)."""
    t = str(int(time.time()))
    mac = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/webhook", body=body, headers={
            "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": f"t={t},v1={mac}"})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


def outage_check(instance, ctl, make_body, acked):
    """PostgreSQL stopped: 503 + Retry-After and a failing /readyz; started: 200 again, no restart.
    Ids answered 200 go into `acked`."""
    subprocess.run([ctl, "stop"], check=True)
    failures = []
    try:
        statuses = []
        for _ in range(5):
            event_id, body = make_body()
            status, headers, _ = post(instance.port, body, instance.secret)
            statuses.append(status)
            if status == 200:
                acked.add(event_id)
            if status == 200:
                failures.append("a webhook was answered 200 while PostgreSQL was stopped")
            elif status != 503 or "Retry-After" not in headers:
                failures.append(f"a webhook was answered {status} (Retry-After: {headers.get('Retry-After')}) while PostgreSQL was stopped")
        ready, body = get(instance.port, "/readyz")
        if ready != 503 or "store_unwritable" not in body:
            failures.append(f"/readyz answered {ready} {body[:200]!r} while PostgreSQL was stopped")
        print(f"chaos: outage: PostgreSQL stopped -> webhooks {sorted(set(statuses))} with Retry-After, /readyz {ready} store_unwritable")
    finally:
        subprocess.run([ctl, "start"], check=True)
    started = time.time()
    while time.time() - started < 60:
        event_id, body = make_body()
        status, _, _ = post(instance.port, body, instance.secret)
        if status == 200:
            acked.add(event_id)
        ready, _ = get(instance.port, "/readyz")
        if status == 200 and ready == 200:
            print(f"chaos: outage: PostgreSQL started -> 200 and /readyz 200 after {time.time() - started:.1f} s, no daemon restart")
            return failures
        time.sleep(0.2)
    failures.append("service did not come back within 60 s of PostgreSQL starting again")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/stripe-webhookd"))
    parser.add_argument("--events", type=int, default=15000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--objects", type=int, default=64)
    parser.add_argument("--duplicates", type=float, default=0.1, help="fraction of events also sent straight to a random instance")
    parser.add_argument("--lease", type=int, default=4, help="claim_lease_seconds of the daemons")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    if not os.environ.get("STRIPE_WEBHOOKD_TEST_POSTGRES_URL"):
        os.execv(os.path.join(ROOT, "scripts/postgres-cluster.sh"), [os.path.join(ROOT, "scripts/postgres-cluster.sh"), sys.executable] + sys.argv)
    url = os.environ["STRIPE_WEBHOOKD_TEST_POSTGRES_URL"]
    ctl = os.environ["STRIPE_WEBHOOKD_TEST_POSTGRES_CTL"]
    if not os.access(args.binary, os.X_OK):
        raise SystemExit(f"chaos: no binary at {args.binary}; run `swift build` first or pass --binary")
    if shutil.which("nginx") is None:
        raise SystemExit("chaos: nginx is missing (Debian: apt-get install nginx)")
    rng = random.Random(args.seed)

    work = tempfile.mkdtemp(prefix="webhookd-chaos.")
    os.chmod(work, 0o755)
    handler_log = os.path.join(work, "runs.log")
    open(handler_log, "w").close()
    handler = os.path.join(work, "record-run.sh")
    with open(handler, "w") as f:
        f.write(HANDLER_SCRIPT)
    os.chmod(handler, 0o755)
    secret = "whsec_chaos_" + os.urandom(8).hex()
    config = os.path.join(work, "config.json")
    with open(config, "w") as f:
        json.dump({
            "store": url, "workers": 4, "claim_lease_seconds": args.lease,
            "retry": {"max_attempts": 50, "initial_delay_seconds": 0.2, "max_delay_seconds": 1},
            "handlers": [{
                "name": HANDLER, "events": ["payment_intent.succeeded"], "command": [handler], "timeout_seconds": 30,
                "environment": {"PATH": "/usr/bin:/bin", "CHAOS_INSTANCE": "env:CHAOS_INSTANCE", "CHAOS_LOG": "env:CHAOS_LOG"},
            }],
        }, f)

    template = open(SAMPLE, "rb").read()
    assert template.count(SAMPLE_EVENT_ID) == 1, "sample event id must appear once"

    def body_for(event_id, obj):
        return template.replace(SAMPLE_EVENT_ID, event_id.encode()).replace(SAMPLE_OBJECT_ID, obj.encode())

    instances = [Instance(i, args.binary, config, secret, work, handler_log) for i in range(3)]
    for instance in instances:
        instance.start()

    outage_ids = []  # sent during the outage check; those answered 200 are checked like the rest

    def outage_body():
        event_id = f"evt_outage_{args.seed}_{len(outage_ids):04d}"
        outage_ids.append(event_id)
        return event_id, body_for(event_id, "pi_outage")

    outage_acked = set()
    failures = outage_check(instances[0], ctl, outage_body, outage_acked)

    # nginx: one upstream of the three; a dead instance's connection errors go to the next one
    # (non_idempotent: a POST that may have reached a dying instance is sent again, a duplicate the
    # unique id absorbs).
    nginx_port = free_port()
    upstreams = "\n".join(f"    server 127.0.0.1:{i.port} max_fails=0;" for i in instances)
    with open(os.path.join(work, "nginx.conf"), "w") as f:
        f.write(f"""worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
daemon off;
events {{ worker_connections 512; }}
http {{
  client_body_temp_path {work}/client_body; proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
  access_log off;
  upstream webhookd {{
{upstreams}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{nginx_port};
    location / {{
      proxy_pass http://webhookd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 non_idempotent;
      proxy_connect_timeout 2s;
    }}
  }}
}}
""")
    nginx = subprocess.Popen(["nginx", "-p", work, "-c", os.path.join(work, "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "nginx.out"), "ab"))
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", nginx_port), timeout=0.2).close()
            break
        except OSError:
            if time.time() > deadline or nginx.poll() is not None:
                raise SystemExit(f"chaos: nginx did not start; see {work}/nginx-error.log")
            time.sleep(0.05)

    ids = [f"evt_chaos_{args.seed}_{i:06d}" for i in range(args.events)]
    objects = {event_id: f"pi_chaos_{rng.randrange(args.objects):04d}" for event_id in ids}
    twice = {event_id for event_id in ids if rng.random() < args.duplicates}
    acked, lock = set(), threading.Lock()
    stats = {"sent": 0, "ok": 0, "unavailable": 0, "bad_gateway": 0, "conn_errors": 0, "direct": 0, "direct_ok": 0}
    done_sending = threading.Event()
    progress = {"count": 0}

    def deliver(port, body):
        """Sends until 200 (as Stripe retries); False when the instance is down (direct sends only)."""
        while True:
            try:
                status, _, answer = post(port, body, secret)
            except (OSError, http.client.HTTPException):
                with lock:
                    stats["conn_errors"] += 1
                if port != nginx_port:
                    return False
                time.sleep(0.05)
                continue
            with lock:
                stats["sent"] += 1
            if status == 200:
                return True
            with lock:
                stats["unavailable" if status == 503 else "bad_gateway" if status == 502 else "other"] = \
                    stats.get("unavailable" if status == 503 else "bad_gateway" if status == 502 else "other", 0) + 1
            if status not in (502, 503, 504):
                raise SystemExit(f"chaos: unexpected {status} {answer!r}")
            time.sleep(0.05)

    def client(chunk, seed):
        local = random.Random(seed)
        for event_id in chunk:
            body = body_for(event_id, objects[event_id])
            if deliver(nginx_port, body):
                with lock:
                    acked.add(event_id)
                    stats["ok"] += 1
                    progress["count"] += 1
            if event_id in twice:
                instance = local.choice(instances)
                with lock:
                    stats["direct"] += 1
                if deliver(instance.port, body):
                    with lock:
                        stats["direct_ok"] += 1

    kill_log = []
    restart_window = {}

    def killer():
        kills = 0
        while kills < args.kills and not done_sending.is_set():
            time.sleep(rng.uniform(0.3, 1.2))
            instance = rng.choice(instances)
            instance.kill()
            kill_log.append(instance.label())
            kills += 1
            instance.start()
        stats["kills"] = kills

    def restarter():
        while progress["count"] < args.events // 2 and not done_sending.is_set():
            time.sleep(0.1)
        restart_window["start"] = time.time_ns()
        subprocess.run([ctl, "restart"], check=True)
        restart_window["end"] = time.time_ns()
        stats["postgres_restarts"] = 1

    started = time.time()
    chunks = [ids[i::args.clients] for i in range(args.clients)]
    threads = [threading.Thread(target=client, args=(c, args.seed + n)) for n, c in enumerate(chunks)]
    for th in threads:
        th.start()
    side = [threading.Thread(target=killer), threading.Thread(target=restarter)]
    for th in side:
        th.start()
    for th in threads:
        th.join()
    done_sending.set()
    for th in side:
        th.join()
    send_seconds = time.time() - started

    expected = acked | outage_acked

    def unfinished():
        return int(psql(url, "SELECT count(*) FROM event_states WHERE status <> 'done' OR claimed_by IS NOT NULL")[0][0])

    # The backlog drains at the handlers' pace (per object, one at a time): wait while it shrinks.
    left, last_progress = unfinished(), time.time()
    while left > 0 and time.time() - last_progress < 60:
        time.sleep(0.5)
        now_left = unfinished()
        if now_left < left:
            left, last_progress = now_left, time.time()
    statuses = [instance.stop() for instance in instances]
    nginx.send_signal(signal.SIGTERM)
    nginx.wait()

    rows = {r[0]: r[1:] for r in psql(url, "SELECT e.id, s.status, coalesce(s.claimed_by, '') FROM events e JOIN event_states s ON s.seq = e.seq")}
    succeeded = {r[0]: int(r[1]) for r in psql(
        url, f"SELECT event_id, count(*) FILTER (WHERE succeeded) FROM handler_runs WHERE handler = '{HANDLER}' GROUP BY event_id")}
    starts, ends = {}, {}
    for line in open(handler_log):
        parts = line.split()
        if len(parts) != 5:
            continue
        kind, event_id, obj, label, ns = parts
        key = (event_id, label)
        (starts if kind == "start" else ends).setdefault(key, []).append((int(ns), obj))

    kill_times = {}
    for instance in instances:
        kill_times.update(instance.kills)
    # A run whose outcome could not be recorded while PostgreSQL restarted may be repeated once its
    # lease lapsed: the window is the restart plus one lease on either side.
    window = (restart_window.get("start", 0) - args.lease * 10**9, restart_window.get("end", 0) + args.lease * 10**9)

    runs_per_event = {}
    intervals = {}
    for (event_id, label), begun in starts.items():
        finished = sorted(ns for ns, _ in ends.get((event_id, label), []))
        for index, (ns, obj) in enumerate(sorted(begun)):
            end = finished[index] if index < len(finished) else kill_times.get(label, ns)
            runs_per_event.setdefault(event_id, []).append((ns, label, end))
            intervals.setdefault(obj, []).append((ns, end, event_id, label))

    missing = sorted(expected - rows.keys())
    not_done = sorted(i for i, (status, _) in rows.items() if status != "done")
    claimed = sorted(i for i, (_, holder) in rows.items() if holder)
    never = sorted(i for i in rows if succeeded.get(i, 0) < 1)
    duplicates, after_kill, after_restart = [], 0, 0
    for event_id, runs in runs_per_event.items():
        if len(runs) < 2:
            continue
        earlier = sorted(runs)[:-1]
        if any(label in kill_times for _, label, _ in earlier):
            after_kill += 1
        elif any(window[0] <= ns <= window[1] for ns, _, _ in earlier):
            after_restart += 1
        else:
            duplicates.append(event_id)
    overlaps = []
    for obj, spans in intervals.items():
        spans.sort()
        for previous, current in zip(spans, spans[1:]):
            if current[0] < previous[1]:
                overlaps.append((obj, previous[2], previous[3], current[2], current[3]))

    kills = stats.get("kills", 0)
    print(f"chaos: seed={args.seed} events={args.events} clients={args.clients} objects={args.objects} lease={args.lease}s "
          f"instances=3 behind nginx")
    print(f"chaos: SIGKILLs={kills} PostgreSQL restarts={stats.get('postgres_restarts', 0)} in {send_seconds:.1f} s of sending")
    print(f"chaos: requests={stats['sent']} answered_200={stats['ok']} second_deliveries={stats['direct']} "
          f"(200: {stats['direct_ok']}) 503={stats['unavailable']} 502={stats['bad_gateway']} connection_errors={stats['conn_errors']}")
    print(f"chaos: acknowledged={len(expected)} stored={len(rows)} missing={len(missing)} not_done={len(not_done)} "
          f"still_claimed={len(claimed)} handler_never_succeeded={len(never)} handler_runs={sum(len(r) for r in runs_per_event.values())} "
          f"reruns_after_a_SIGKILL={after_kill} reruns_around_the_PostgreSQL_restart={after_restart} duplicate_runs_outside_crash_windows={len(duplicates)} overlapping_runs_per_object={len(overlaps)} "
          f"exits={statuses}")
    if missing:
        failures.append(f"{len(missing)} acknowledged events missing, e.g. {missing[:3]}")
    if not_done:
        failures.append(f"{len(not_done)} events not done, e.g. {not_done[:3]}")
    if claimed:
        failures.append(f"{len(claimed)} events still claimed")
    if never:
        failures.append(f"{len(never)} events whose handler never succeeded, e.g. {never[:3]}")
    if duplicates:
        failures.append(f"{len(duplicates)} events ran twice with no crash touching them, e.g. {duplicates[:3]}")
    if overlaps:
        failures.append(f"{len(overlaps)} overlapping runs about one object, e.g. {overlaps[:2]}")
    if len(acked) != args.events:
        failures.append(f"only {len(acked)} of {args.events} events were acknowledged")
    if kills < args.kills:
        failures.append(f"only {kills} kills happened before sending finished (raise --events)")
    if "postgres_restarts" not in stats:
        failures.append("PostgreSQL was not restarted")
    if any(status != 0 for status in statuses):
        failures.append(f"graceful stops exited {statuses}")
    if failures:
        print("chaos: FAILED: " + "; ".join(failures) + f" (work dir {work})")
        return 1
    print("chaos: PASSED: 0 acknowledged events lost, 0 duplicate runs outside crash windows, 0 overlapping runs per object")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
