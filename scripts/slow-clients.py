#!/usr/bin/env python3
"""Slow-client defence, measured (README "Hardening").

Starts stripe-webhookd on a loopback port with a temporary SQLite store, then measures one normal
client posting signed events (a fresh connection per event, as a webhook sender does), in three phases
of the same run:

  baseline   no attack;
  attack     while 1,000 connections (by default) are held open by a second process that trickles
             bytes: a third send a request head one byte a second, a third send a head and then drip
             the body, a third connect and send nothing. Whenever the daemon closes one (408 after
             the header or body deadline), it reconnects at once, so the pressure never lets up;
  recovery   after the attack stops.

It prints the normal client's p50/p99 per phase and the ratio of p99 under attack to p99 without it,
with what the attackers saw (408s, 503s, reconnections). The daemon's configuration is the one an
operator would deploy against this: `limits.max_connections` well above the expected attack size
(descriptors are cheap with epoll; the script raises `ulimit -n` to fit), and the default per-phase
deadlines (header 10 s, body 30 s, idle 60 s), which bound how long any one trickler can hold a slot.

Loopback only; every loop is bounded; the script stops by itself and exits 1 when the p99 ratio
exceeds --max-ratio (default 2.0).

  scripts/slow-clients.py [--binary PATH] [--attackers 1000] [--seconds 40] [--max-ratio 2.0]
"""
import argparse
import hashlib
import heapq
import hmac
import json
import os
import re
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SECRET = "whsec_slow_clients_local"
HOST = "127.0.0.1"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    default_binary = os.path.join(root, ".build/release/stripe-webhookd")
    if not os.path.exists(default_binary):
        default_binary = os.path.join(root, ".build/debug/stripe-webhookd")
    parser.add_argument("--binary", default=default_binary, help="the stripe-webhookd binary")
    parser.add_argument("--attackers", type=int, default=1000, help="connections held by the attack")
    parser.add_argument("--seconds", type=float, default=40,
                        help="length of each phase; above the 30 s body deadline, so every trickler is cut off at least once")
    parser.add_argument("--interval-ms", type=float, default=10, help="pause between normal requests")
    parser.add_argument("--max-connections", type=int, default=4096, help="the daemon's limits.max_connections")
    parser.add_argument("--max-ratio", type=float, default=2.0, help="fail when p99(attack) / p99(baseline) exceeds it")
    parser.add_argument("--store-dir", default=None, help="where the temporary SQLite store goes (default: a temp dir)")
    # Internal: the attacking process.
    parser.add_argument("--attack-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--attack-seconds", type=float, default=120, help=argparse.SUPPRESS)
    return parser.parse_args()


def raise_descriptor_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---------------------------------------------------------------------------------------------- attack

def attack(port, count, seconds):
    """Holds `count` trickling connections for at most `seconds`, until stdin closes. Reports on stdout."""
    raise_descriptor_limit(count + 64)
    selector = selectors.DefaultSelector()
    heads = {
        "header": b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
        "body": b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
        "idle": b"",
    }
    kinds = list(heads)
    stats = {"connected": 0, "reconnected": 0, "closed_by_server": 0, "status_408": 0, "status_503": 0, "other": 0, "refused": 0}
    conns = {}  # socket -> [kind, bytes of the head still to send]
    due = []  # heap of (time, sequence, socket): when each connection sends its next byte
    sequence = 0

    def schedule(sock, delay):
        nonlocal sequence
        sequence += 1
        heapq.heappush(due, (time.monotonic() + delay, sequence, sock))

    def open_one(index, reconnect):
        kind = kinds[index % len(kinds)]
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.connect_ex((HOST, port))
            selector.register(sock, selectors.EVENT_READ, index)
            conns[sock] = [kind, heads[kind]]
            schedule(sock, 0.05)
            stats["reconnected" if reconnect else "connected"] += 1
        except OSError:
            stats["refused"] += 1
            sock.close()

    for index in range(count):
        open_one(index, False)
    print(f"held {len(conns)}", flush=True)
    deadline = time.monotonic() + seconds
    stdin = sys.stdin.fileno()
    selector.register(stdin, selectors.EVENT_READ, -1)
    running = True
    last_report = time.monotonic()
    while running and time.monotonic() < deadline:
        wait = max(0.0, min(0.05, due[0][0] - time.monotonic())) if due else 0.05
        for key, _ in selector.select(timeout=wait):
            if key.data == -1:
                running = False  # the parent closed our stdin: stop
                break
            sock = key.fileobj
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if data.startswith(b"HTTP/1.1 408"):
                stats["status_408"] += 1
            elif data.startswith(b"HTTP/1.1 503"):
                stats["status_503"] += 1
            elif data:
                stats["other"] += 1
            # Any answer means the daemon is done with this connection: drop it and take another.
            stats["closed_by_server"] += 1
            selector.unregister(sock)
            del conns[sock]
            sock.close()
            open_one(key.data, True)
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, sock = heapq.heappop(due)
            state = conns.get(sock)
            if state is None:
                continue  # closed since it was scheduled
            kind, pending = state
            try:
                if pending:
                    sent = sock.send(pending)
                    state[1] = pending[sent:]
                elif kind != "idle":
                    sock.send(b"a")  # one byte a second: a header value or the body, never finished
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                pass  # reset: the read side notices and reconnects
            if kind != "idle" or state[1]:
                schedule(sock, 0.05 if state[1] else 1.0)
        if now - last_report > 1.0:
            last_report = now
            print("stats " + json.dumps(dict(stats, held=len(conns))), flush=True)
    print("stats " + json.dumps(dict(stats, held=len(conns))), flush=True)
    for sock in list(conns):
        sock.close()


# ---------------------------------------------------------------------------------------- normal client

def signed_request(event_id):
    body = json.dumps({
        "id": event_id, "object": "event", "type": "payment_intent.succeeded", "api_version": "2024-06-20",
        "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": {"id": "pi_" + event_id[4:], "object": "payment_intent", "amount": 2000, "currency": "usd"}},
    }).encode()
    timestamp = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    head = (f"POST /webhook HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Stripe-Signature: t={timestamp},v1={mac}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


def one_request(port, event_id):
    """Posts one signed event on a fresh connection; returns (seconds, status)."""
    request = signed_request(event_id)
    started = time.perf_counter()
    with socket.create_connection((HOST, port), timeout=15) as sock:
        sock.sendall(request)
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = sock.recv(4096)
            if not chunk:
                break
            response += chunk
    elapsed = time.perf_counter() - started
    match = re.match(rb"HTTP/1\.1 (\d{3})", response)
    return elapsed, int(match.group(1)) if match else 0


def measure(port, phase, seconds, interval):
    latencies, statuses = [], {}
    deadline = time.monotonic() + seconds
    index = 0
    while time.monotonic() < deadline:
        index += 1
        elapsed, status = one_request(port, f"evt_{phase}_{index:06d}_{os.getpid()}")
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            latencies.append(elapsed)
        time.sleep(interval)
    return latencies, statuses


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# ------------------------------------------------------------------------------------------------- main

def main():
    args = parse_arguments()
    if args.attack_port:
        attack(args.attack_port, args.attackers, args.attack_seconds)
        return 0
    limit = raise_descriptor_limit(max(args.max_connections, args.attackers) + 256)
    if limit < args.attackers + 64:
        print(f"slow-clients: ulimit -n is {limit}; need {args.attackers + 64}", file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="slow-clients-", dir=args.store_dir)
    config = os.path.join(workdir, "config.json")
    with open(config, "w") as handle:
        json.dump({"limits": {"max_connections": args.max_connections}, "shutdown_grace_seconds": 2}, handle)
    log_path = os.path.join(workdir, "daemon.log")
    log = open(log_path, "w")
    daemon = subprocess.Popen(
        [args.binary, "--config", config, "--port", "0", "--store", f"sqlite:{workdir}/events.sqlite",
         "--log-format", "text", "--log-level", "notice"],
        env={"STRIPE_WEBHOOK_SECRET": SECRET, "PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL, stderr=log)
    attacker = None
    try:
        port = None
        for _ in range(200):
            text = open(log_path).read()
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)/webhook", text)
            if found:
                port = int(found.group(1))
                break
            if daemon.poll() is not None:
                break
            time.sleep(0.05)
        if port is None:
            print("slow-clients: the daemon did not start:\n" + open(log_path).read(), file=sys.stderr)
            return 1
        print(f"# daemon {args.binary} on port {port}, max_connections {args.max_connections}, "
              f"default deadlines (header 10 s, body 30 s, idle 60 s); ulimit -n {limit}")
        interval = args.interval_ms / 1000
        measure(port, "warmup", 1, interval)

        baseline, baseline_statuses = measure(port, "baseline", args.seconds, interval)

        attacker = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--attack-port", str(port), "--attackers", str(args.attackers),
             "--attack-seconds", str(args.seconds + 60)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = attacker.stdout.readline().strip()
        print(f"# attack: {line} trickling connections")
        time.sleep(2)  # let every attacker get its head in
        attacked, attacked_statuses = measure(port, "attack", args.seconds, interval)
        attacker.stdin.close()
        reports = [l for l in attacker.stdout.read().splitlines() if l.startswith("stats ")]
        attacker.wait(timeout=30)
        attack_stats = json.loads(reports[-1][6:]) if reports else {}
        attacker = None

        recovery, recovery_statuses = measure(port, "recovery", args.seconds, interval)
    finally:
        if attacker is not None:
            attacker.kill()
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            daemon.kill()
        log.close()

    def row(name, values, statuses):
        return (f"{name:<10} {len(values):>5} x 200  p50 {percentile(values, 0.5) * 1000:7.2f} ms  "
                f"p99 {percentile(values, 0.99) * 1000:7.2f} ms  max {max(values) * 1000:7.2f} ms  statuses {statuses}")

    print(row("baseline", baseline, baseline_statuses))
    print(row("attack", attacked, attacked_statuses))
    print(row("recovery", recovery, recovery_statuses))
    print(f"attackers: {json.dumps(attack_stats)}")
    ratio = percentile(attacked, 0.99) / percentile(baseline, 0.99)
    p50_ratio = percentile(attacked, 0.5) / percentile(baseline, 0.5)
    print(f"p99 under attack / p99 baseline = {ratio:.2f} (limit {args.max_ratio}); p50 ratio {p50_ratio:.2f}")
    print(f"daemon exit status {daemon.returncode}")
    failed = ratio > args.max_ratio or daemon.returncode != 0 or \
        any(status != 200 for statuses in (baseline_statuses, attacked_statuses) for status in statuses)
    shutil.rmtree(workdir, ignore_errors=True)
    print("slow-clients: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
