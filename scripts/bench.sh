#!/usr/bin/env bash
# Load test of stripe-webhookd (README "Performance", docs/benchmarks.md): builds a release binary,
# starts it with a fresh secret and a temporary store, and loads it with wrk, every request a signed
# event with its own id about one of --objects PaymentIntents (default 1,000, as real traffic; all
# prepared before the timed run). Prints requests per second, p50 and p99 latency, peak RSS, and per
# event the daemon's CPU time and bytes written to disk, both counted until the handlers have drained
# the backlog, for the durable store (SQLite, synchronous=FULL) and the memory store; for the durable
# store also the backlog 3 s after the load stopped and how long it took to drain; then the peak RSS
# of a daemon holding --idle connections (default 1,000) open.
#
# usage: scripts/bench.sh [--mode durable|memory|both] [--duration S] [--connections N] [--threads N]
#                         [--events N] [--objects N] [--idle N] [--body FILE] [--port P] [--binary PATH]
#                         [-- DAEMON-ARGS...]
# needs: swift (unless --binary), wrk, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=both duration=10 connections=32 threads=1 events=0 objects=1000 idle=1000 port=4299 binary=""
body=Sources/WebhookDaemon/Samples/payment_intent.succeeded.json
daemon_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --mode) mode=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --objects) objects=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --body) body=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --) shift; daemon_args=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
case $mode in durable) modes=(durable) ;; memory) modes=(memory) ;; both) modes=(durable memory) ;;
  *) echo "bench.sh: --mode must be durable, memory or both" >&2; exit 2 ;; esac
for tool in wrk python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool is required (Debian: apt-get install $tool)" >&2; exit 2; }
done
[ -f "$body" ] || { echo "bench.sh: no body file $body" >&2; exit 2; }
# Enough distinct events that none repeats: a generous guess at the rate times the duration.
[ "$events" -gt 0 ] || events=$((40000 * duration))

if [ -z "$binary" ]; then
  # The deployment build: the Swift runtime and Foundation linked in (--static-swift-stdlib), which
  # saves the dynamic loader's relocations and some 7 MB of resident shared libraries. Static
  # Foundation needs libcurl's headers (Debian: libcurl4-openssl-dev); without them, a dynamic build.
  if [ "$(dpkg-query -W -f='${db:Status-Status}' libcurl4-openssl-dev 2>/dev/null)" = installed ]; then
    build=(swift build -c release --static-swift-stdlib --scratch-path .build-static)
  else
    echo "# bench.sh: libcurl4-openssl-dev is missing, so the Swift runtime is linked dynamically (peak RSS is higher)" >&2
    build=(swift build -c release)
  fi
  echo "# building: ${build[*]}"
  "${build[@]}" >/dev/null 2>&1 || { "${build[@]}"; exit 1; }
  binary="$("${build[@]}" --show-bin-path)/stripe-webhookd"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/webhookd-bench.XXXXXX")
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

secret="whsec_$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
url="http://127.0.0.1:$port/webhook"

# Writes N signed requests to a file: per request, its length as a decimal line, then the exact bytes
# wrk sends. Each body is BODY with the top-level "id" replaced by evt_bench_<tag>_<n> and, with
# --objects N > 0, every occurrence of data.object.id's string by <prefix>_bench<tag>o<n % N>; each is
# signed (t = now) with the run's secret, as Stripe signs: HMAC-SHA256(secret, "<t>.<body>").
prepare() {  # prepare FILE COUNT TAG
  python3 - "$body" "$1" "$2" "$3" "$secret" "$port" "$objects" <<'PYTHON'
import hashlib, hmac, json, sys, time
body_file, out, count, tag, secret, port = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
objects = int(sys.argv[7])
raw = open(body_file, "rb").read()
event_id = json.loads(raw)["id"].encode()
object_id = (json.loads(raw).get("data", {}).get("object", {}).get("id") or "").encode()
marker = b'"id": "' + event_id + b'"'
if raw.count(marker) < 1:
    marker = b'"id":"' + event_id + b'"'
split = raw.index(marker) + len(marker) - len(event_id) - 1
head, tail = raw[:split], raw[split + len(event_id):]
now = str(int(time.time())).encode()
key = secret.encode()
with open(out, "wb") as f:
    for n in range(count):
        payload = head + b"evt_bench_" + tag.encode() + b"_" + str(n).encode() + tail
        if objects > 0 and object_id:
            new_object = object_id.split(b"_")[0] + b"_bench" + tag.encode() + b"o" + str(n % objects).encode()
            payload = payload.replace(b'"' + object_id + b'"', b'"' + new_object + b'"')
        mac = hmac.new(key, now + b"." + payload, hashlib.sha256).hexdigest()
        request = (b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:" + port.encode() +
                   b"\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)"
                   b"\r\nContent-Type: application/json; charset=utf-8"
                   b"\r\nStripe-Signature: t=" + now + b",v1=" + mac.encode() +
                   b"\r\nContent-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)
        f.write(str(len(request)).encode() + b"\n" + request)
PYTHON
}

# wrk: each thread loads every THREADS-th prepared request once and sends them in turn; at the end,
# one line with what the tables below need.
cat > "$work/unique.lua" <<'LUA'
local loaded, sent = {}, 0
local count = 0
function setup(thread)
  count = count + 1
  thread:set("index", count)
end
function init(args)
  local me, every = index or 1, tonumber(os.getenv("BENCH_THREADS"))
  local file = assert(io.open(os.getenv("BENCH_REQUESTS"), "rb"))
  local n = 0
  while true do
    local length = file:read("*l")
    if not length then break end
    local request = file:read(tonumber(length))
    if n % every == me - 1 then loaded[#loaded + 1] = request end
    n = n + 1
  end
  file:close()
end
function request()
  sent = sent % #loaded + 1
  return loaded[sent]
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH requests=%d seconds=%.3f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
LUA

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
written_bytes() { awk '/^write_bytes:/ {print $2}' "/proc/$1/io"; }
# Pending events of a durable store, read beside the daemon (WAL readers do not block it).
pending_count() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True).execute("SELECT count(*) FROM events WHERE status = '"'pending'"'").fetchone()[0])' "$1"; }
start_daemon() {  # start_daemon NAME STORE: runs the daemon in the background, waits until it answers
  STRIPE_WEBHOOK_SECRET=$secret "$binary" --port "$port" --store "$2" "${daemon_args[@]}" >"$work/$1.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "$url" && return 0
    kill -0 "$daemon_pid" 2>/dev/null || { echo "bench.sh: the daemon exited:"; tail -5 "$work/$1.log"; exit 1; }
    sleep 0.1
  done
  echo "bench.sh: the daemon did not answer at $url" >&2; exit 1
}
stop_daemon() {
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || true
  daemon_pid=""
}
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "# $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# wrk -t$threads -c$connections -d${duration}s, $events distinct signed events of $(wc -c <"$body") bytes ($body)"
echo "# events about $objects objects (--objects)"
printf '%-8s %9s %8s %8s %10s %12s %12s %7s %14s %8s\n' mode "req/s" "p50 ms" "p99 ms" "peak RSS" "CPU µs/event" "disk B/event" errors "pending at 3 s" "drained"
for current in "${modes[@]}"; do
  store=memory store_file=""
  [ "$current" = durable ] && store="sqlite:$work/events-$current.sqlite" store_file="$work/events-$current.sqlite"
  start_daemon "$current" "$store"
  # A short warm-up with its own events, then the measured run with fresh ones.
  prepare "$work/warmup.req" 20000 "w$current"
  BENCH_REQUESTS="$work/warmup.req" BENCH_THREADS=$threads \
    wrk -t"$threads" -c"$connections" -d2s -s "$work/unique.lua" "$url" >/dev/null
  prepare "$work/run.req" "$events" "r$current$RANDOM"
  # Let the warm-up's backlog drain, so that the counts below are this run's.
  if [ "$current" = durable ]; then
    for _ in $(seq 300); do [ "$(pending_count "$store_file")" = 0 ] && break; sleep 0.1; done
  fi
  before=$(cpu_ticks "$daemon_pid") written_before=$(written_bytes "$daemon_pid")
  result=$(BENCH_REQUESTS="$work/run.req" BENCH_THREADS=$threads \
    wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$work/unique.lua" "$url" | grep '^BENCH ')
  stopped=$(date +%s.%N) pending3="-" drained="-"
  if [ "$current" = durable ]; then
    # Acknowledged means stored; the handlers run behind. Polled every 0.1 s from the moment the load
    # stopped: how long the backlog took to reach 0 (at most 120 s), and what was left at 3 s.
    drained="no"
    while :; do
      left=$(pending_count "$store_file")
      elapsed=$(python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$stopped")
      [ "$left" = 0 ] && [ "$drained" = no ] && drained="${elapsed}s"
      [ "$pending3" = "-" ] && python3 -c "import sys; sys.exit(float(sys.argv[1]) < 3)" "$elapsed" && pending3=$left
      [ "$pending3" != "-" ] && { [ "$drained" != no ] || python3 -c "import sys; sys.exit(float(sys.argv[1]) < 120)" "$elapsed"; } && break
      sleep 0.1
    done
    [ "$drained" != no ] || drained="no($left)"
  else
    sleep 3
  fi
  # CPU and bytes until drained; the 3 s wait includes the checkpoints of the run's WAL frames.
  after=$(cpu_ticks "$daemon_pid") written_after=$(written_bytes "$daemon_pid")
  rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
  stop_daemon
  rm -f "$work/run.req" "$work/warmup.req"

  requests=$(field requests "$result")
  seconds=$(field seconds "$result")
  errors=$(( $(field non2xx "$result") + $(field socket_errors "$result") ))
  python3 - "$current" "$requests" "$seconds" "$(field p50_us "$result")" "$(field p99_us "$result")" \
    "$rss_kb" "$before" "$after" "$(getconf CLK_TCK)" "$errors" "$written_before" "$written_after" "$pending3" "$drained" <<'PYTHON'
import sys
mode, requests, seconds, p50, p99, rss, before, after, hz, errors, w0, w1, pending3, drained = sys.argv[1:]
requests = int(requests)
cpu_us = (int(after) - int(before)) / int(hz) * 1e6 / max(requests, 1)
disk = (int(w1) - int(w0)) / max(requests, 1)
print(f"{mode:8} {requests / float(seconds):9.0f} {int(p50) / 1000:8.2f} {int(p99) / 1000:8.2f} "
      f"{int(rss) / 1024:7.1f} MB {cpu_us:12.1f} {disk:12.0f} {errors:>7} {pending3:>14} {drained:>8}")
PYTHON
  [ "$requests" -le "$events" ] || echo "# warning: $requests requests > $events prepared events, so ids repeated (use --events)"
done
echo "# errors: non-2xx answers plus socket errors. CPU and disk: the daemon's user+system time and /proc/PID/io"
echo "#   write_bytes from the start of the run until the backlog drained (at least 3 s after it), / requests;"
echo "#   the daemon's log goes to a file too (a line per stored and per handled event), counted in disk."
echo "# pending at 3 s: events waiting for their handlers 3 s after the load stopped; drained: when none was left."

# Idle connections: each sends one signed event, reads the 200 and stays open (keep-alive), quiet.
if [ "$idle" -gt 0 ]; then
  start_daemon idle "sqlite:$work/events-idle.sqlite"
  prepare "$work/idle.req" "$idle" "i$RANDOM"
  python3 - "$work/idle.req" "$port" "$daemon_pid" <<'PYTHON'
import resource, socket, sys, time
requests_file, port, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
requests = []
with open(requests_file, "rb") as f:
    while line := f.readline():
        requests.append(f.read(int(line)))
connections, answered = [], 0
for request in requests:
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(request)
    connections.append(connection)
for connection in connections:
    connection.settimeout(10)
    if connection.recv(4096).startswith(b"HTTP/1.1 200"):
        answered += 1
time.sleep(2)
status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
rss, peak = (int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))
print(f"idle     {len(connections)} connections open ({answered} answered 200): RSS {rss:.1f} MB, peak {peak:.1f} MB")
for connection in connections:
    connection.close()
PYTHON
  stop_daemon
fi
