#!/usr/bin/env bash
# End to end behind real nginx over HTTPS: installs nginx if missing, makes a self-signed certificate,
# starts nginx with the shipped deploy/nginx-site.conf on loopback ports and the daemon behind it,
# posts every bundled sample event over HTTPS with curl, and checks the statuses, the store, the
# client address the daemon logged (X-Forwarded-For from the trusted proxy, the allow-list), /metrics
# (parsed with prometheus_client) and /readyz on the admin listener, and that the whole run's log (at
# debug level) holds no secret, no signature and no payload value (checks in scripts/e2e-checks.py).
# usage: scripts/e2e-nginx.sh [BINARY]      (default .build/debug/stripe-webhookd)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${1:-$ROOT/.build/debug/stripe-webhookd}
[ -x "$BIN" ] || { echo "e2e-nginx: no binary at $BIN (swift build first)" >&2; exit 2; }
for tool in nginx openssl curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "# e2e-nginx: installing $tool"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null
  fi
done

# The tests' Python (scripts/test.sh exports the venv it prepares; e2e-checks.py needs prometheus_client).
PYTHON=${STRIPE_WEBHOOKD_PYTHON:-python3}
WORK=$(mktemp -d /tmp/webhookd-e2e.XXXXXX)
NGINX_PID= DAEMON_PID=
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "e2e-nginx: FAILED: $*" >&2; echo "  daemon log: $WORK/daemon.log, nginx log: $WORK/error.log" >&2; exit 1; }

DAEMON_PORT=$(free_port); HTTPS_PORT=$(free_port); ADMIN_PORT=$(free_port)
SECRET="whsec_e2e_$(openssl rand -hex 8)"
STORE="sqlite:$WORK/events.sqlite"

# A self-signed certificate for localhost.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

# The shipped site, pointed at this run's ports and certificate (nothing else changed).
sed -e "s|listen 443 ssl;|listen 127.0.0.1:$HTTPS_PORT ssl;|" -e '/listen \[::\]:443 ssl;/d' \
    -e "s|server 127.0.0.1:4242;|server 127.0.0.1:$DAEMON_PORT;|" \
    -e "s|server_name webhooks.example.com;|server_name localhost;|" \
    -e "s|/etc/ssl/certs/webhooks.example.com.pem|$WORK/cert.pem|" \
    -e "s|/etc/ssl/private/webhooks.example.com.key|$WORK/key.pem|" \
    deploy/nginx-site.conf > "$WORK/site.conf"
grep -q "listen 127.0.0.1:$HTTPS_PORT ssl;" "$WORK/site.conf" || fail "could not adapt deploy/nginx-site.conf"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
daemon off;
events { worker_connections 256; }
http {
  client_body_temp_path $WORK/client_body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  include $WORK/site.conf;
}
CONF
nginx -t -p "$WORK" -c "$WORK/nginx.conf" 2>"$WORK/nginx-t.log" || { cat "$WORK/nginx-t.log"; fail "nginx -t rejected the shipped site"; }
nginx -p "$WORK" -c "$WORK/nginx.conf" &
NGINX_PID=$!

# nginx on this host is the one trusted proxy; the clients are 127.0.0.2 (allowed) and 127.0.0.3 (not).
cat > "$WORK/config.json" <<JSON
{ "trusted_proxies": ["127.0.0.1"], "allowed_source_ips": ["127.0.0.2/32"] }
JSON
STRIPE_WEBHOOK_SECRET=$SECRET "$BIN" serve --config "$WORK/config.json" --port "$DAEMON_PORT" --admin-port "$ADMIN_PORT" \
  --store "$STORE" --log-format json --log-level debug >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
ADMIN="http://127.0.0.1:$ADMIN_PORT"
for _ in $(seq 100); do
  curl -s -o /dev/null "$ADMIN/healthz" && curl -sk -o /dev/null "https://127.0.0.1:$HTTPS_PORT/" && break
  sleep 0.1
done
curl -sf "$ADMIN/metrics" > "$WORK/metrics-before.txt" || fail "no /metrics on the admin listener"

URL="https://localhost:$HTTPS_PORT/webhook"
post() {  # post FILE [SECRET] [CLIENT-ADDRESS] -> status
  local sig; sig=$(STRIPE_WEBHOOK_SECRET=${2:-$SECRET} "$BIN" sign "$1")
  echo "$sig" >> "$WORK/signatures"
  # The client claims to be 203.0.113.50; nginx appends the address it really saw, which the daemon believes.
  curl -s -o "$WORK/answer" -w '%{http_code}' --cacert "$WORK/cert.pem" --resolve "localhost:$HTTPS_PORT:127.0.0.1" \
    --interface "${3:-127.0.0.2}" -H 'X-Forwarded-For: 203.0.113.50' \
    -H 'Content-Type: application/json; charset=utf-8' -H 'User-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)' \
    -H "Stripe-Signature: $sig" --data-binary "@$1" "$URL"
}

sent=0
for type in $("$BIN" trigger --list); do
  # Snapshot samples only: the thin ones (Samples/Thin/) belong to a thin endpoint with its own secret.
  [ -f "$ROOT/Sources/WebhookDaemon/Samples/$type.json" ] || continue
  id="evt_e2e_$(openssl rand -hex 8)"
  "$PYTHON" - "$ROOT/Sources/WebhookDaemon/Samples/$type.json" "$id" "$WORK/$type.json" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read()
out, n = re.subn(rb'"id": "evt_[A-Za-z0-9]+"', b'"id": "' + sys.argv[2].encode() + b'"', raw, count=1)
assert n == 1
open(sys.argv[3], "wb").write(out)
PY
  status=$(post "$WORK/$type.json")
  [ "$status" = 200 ] || fail "$type answered $status: $(cat "$WORK/answer")"
  sent=$((sent + 1))
done
echo "e2e-nginx: $sent events over HTTPS through nginx -> 200"

# A forged signature is refused through the proxy too, and the proxy passes the daemon's 400 along.
status=$(post "$WORK/payment_intent.succeeded.json" "whsec_forged")
[ "$status" = 400 ] || fail "a forged signature answered $status"
grep -q signature_mismatch "$WORK/answer" || fail "forged: no signature_mismatch reason"

# Stripe delivers an event twice: 200 again, stored once.
status=$(post "$WORK/payment_intent.succeeded.json")
[ "$status" = 200 ] || fail "a duplicate delivery answered $status"
# A client outside allowed_source_ips gets 403 through the proxy.
status=$(post "$WORK/payment_intent.succeeded.json" "$SECRET" 127.0.0.3)
[ "$status" = 403 ] || fail "a client outside allowed_source_ips answered $status"
grep -q source_ip_not_allowed "$WORK/answer" || fail "403 without the source_ip_not_allowed reason"

# The store holds every event, each handled.
for _ in $(seq 100); do
  done_count=$("$BIN" events list --store "$STORE" --status done --json | wc -l)
  [ "$done_count" -ge "$sent" ] && break
  sleep 0.1
done
[ "$done_count" -eq "$sent" ] || fail "store has $done_count done events, expected $sent"
echo "e2e-nginx: store has $done_count events, all done"
grep -q '"message":"PaymentIntent was successful!"' "$WORK/daemon.log" || fail "no PaymentIntent log line"
"$PYTHON" scripts/e2e-checks.py client-ip "$WORK/daemon.log" "$sent" 127.0.0.2 || fail "client address"

# The ops paths answer on the admin listener and never through the public site.
public_metrics=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/cert.pem" --resolve "localhost:$HTTPS_PORT:127.0.0.1" "https://localhost:$HTTPS_PORT/metrics")
[ "$public_metrics" = 404 ] || fail "/metrics answered $public_metrics through the public nginx site"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/healthz")" = 200 ] || fail "/healthz did not answer 200"
# /readyz waits for a fresh background reading of the store, so the store gauges scraped next are current.
curl -s "$ADMIN/readyz" | grep -q '"status":"ready"' || fail "/readyz: $(curl -s "$ADMIN/readyz")"
curl -sf "$ADMIN/metrics" > "$WORK/metrics-after.txt" || fail "/metrics failed"
"$PYTHON" scripts/e2e-checks.py metrics "$WORK/metrics-before.txt" "$WORK/metrics-after.txt" "$sent" || fail "metrics"
"$PYTHON" scripts/e2e-checks.py leaks "$WORK/daemon.log" "$SECRET" "$WORK/signatures" "$ROOT/Sources/WebhookDaemon/Samples" || fail "log leak"
if [ -n "${E2E_EXTRA_CHECKS:-}" ]; then source "$E2E_EXTRA_CHECKS"; fi
echo "e2e-nginx: PASSED"
