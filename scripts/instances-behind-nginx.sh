#!/usr/bin/env bash
# Several daemons on one store behind nginx (an upstream of them), in the foreground: for trying
# "Running several instances" (README) on one machine and for benchmarking it (docs/benchmarks.md).
# TERM or INT stops nginx and every daemon gracefully. The daemons read STRIPE_WEBHOOK_SECRET.
# usage: scripts/instances-behind-nginx.sh PORT COUNT BINARY [SERVE ARGUMENTS...]
#   e.g. scripts/instances-behind-nginx.sh 4242 3 .build/release/stripe-webhookd --store postgres://webhookd@127.0.0.1/webhookd
# needs: nginx, python3 (to find free ports).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 PORT COUNT BINARY [SERVE ARGUMENTS...]" >&2; exit 2; }
port=$1 count=$2 binary=$3
shift 3
command -v nginx >/dev/null || { echo "instances-behind-nginx.sh: nginx is missing (Debian: apt-get install nginx)" >&2; exit 1; }
work=$(mktemp -d /tmp/webhookd-instances.XXXXXX)
chmod 755 "$work"
pids=()
stop() {
  trap - TERM INT EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap 'stop; exit 0' TERM INT
trap stop EXIT
servers=""
for index in $(seq "$count"); do
  instance_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$binary" serve --port "$instance_port" "$@" >"$work/daemon-$index.log" 2>&1 &
  pids+=($!)
  servers+="    server 127.0.0.1:$instance_port max_fails=0;"$'\n'
done
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  client_body_temp_path $work/client_body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  access_log off;
  upstream stripe_webhookd {
$servers    keepalive 64;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://stripe_webhookd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 non_idempotent;
    }
  }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" &
pids+=($!)
echo "instances-behind-nginx.sh: $count daemons behind nginx on http://127.0.0.1:$port (logs in $work)" >&2
wait -n "${pids[@]}" || true
echo "instances-behind-nginx.sh: a process exited; stopping the rest (logs were in $work)" >&2
