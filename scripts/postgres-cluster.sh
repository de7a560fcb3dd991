#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: initdb in a temporary directory owned by the
# `postgres` user (the server refuses to run as root), started on 127.0.0.1 on a free port with its
# socket in that directory, one database `webhookd` created; stopped and removed when the command
# ends, however it ends. The command sees:
#   STRIPE_WEBHOOKD_TEST_POSTGRES_URL  postgres://webhookd:PASSWORD@127.0.0.1:PORT/webhookd
#   STRIPE_WEBHOOKD_TEST_POSTGRES_ADMIN_URL  the same as the superuser (tests create databases with it)
#   STRIPE_WEBHOOKD_TEST_POSTGRES_CTL  a command that takes stop|start|restart (the chaos test restarts the server)
# usage: scripts/postgres-cluster.sh COMMAND [ARG...]
# needs: Debian's postgresql package (initdb, pg_ctl under /usr/lib/postgresql/*/bin), runuser.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
bin=${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$bin/initdb" ] || { echo "postgres-cluster.sh: initdb not found (Debian: apt-get install postgresql)" >&2; exit 1; }
as_postgres=()
if [ "$(id -u)" = 0 ]; then as_postgres=(runuser -u postgres --); fi
dir=$(mktemp -d /tmp/webhookd-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
cleanup() {
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
printf '%s\n' "$password" >"$dir/pwfile"
[ "$(id -u)" = 0 ] && chown postgres "$dir/pwfile"
"${as_postgres[@]}" "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" -A scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = on
CONF
ctl() { "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 "$@" >/dev/null; }
ctl start
export PGPASSWORD=$password
"$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE webhookd LOGIN PASSWORD '$password' CREATEDB" -c "CREATE DATABASE webhookd OWNER webhookd" >/dev/null
unset PGPASSWORD
cat >"$dir/ctl" <<CTL
#!/usr/bin/env bash
# stop|start|restart the throwaway cluster (immediate stop: as a crash would).
set -euo pipefail
case "\$1" in
  stop) ${as_postgres[*]} "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null ;;
  start) ${as_postgres[*]} "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ;;
  restart) ${as_postgres[*]} "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m immediate -w -t 60 restart >/dev/null ;;
  *) echo "usage: \$0 stop|start|restart" >&2; exit 2 ;;
esac
CTL
chmod 755 "$dir/ctl"
export STRIPE_WEBHOOKD_TEST_POSTGRES_URL="postgres://webhookd:$password@127.0.0.1:$port/webhookd"
export STRIPE_WEBHOOKD_TEST_POSTGRES_ADMIN_URL="postgres://postgres:$password@127.0.0.1:$port/postgres"
export STRIPE_WEBHOOKD_TEST_POSTGRES_CTL="$dir/ctl"
echo "# postgres-cluster.sh: PostgreSQL $("$bin/postgres" --version | grep -oE '[0-9]+(\.[0-9]+)?' | head -1) on 127.0.0.1:$port ($dir)" >&2
set +e
"$@"
status=$?
set -e
exit $status
