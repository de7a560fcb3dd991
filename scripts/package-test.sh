#!/usr/bin/env bash
# Installs the Debian package on this machine and uses it as an administrator would (run by .ci/run):
#   dpkg -i (apt-get install -f for its dependencies); the binary runs without the Swift toolchain (ldd,
#   an empty environment, the toolchain's directory hidden); the system user, the conffile, the secret's
#   file, the state directory and the man page are there with the right owners and modes;
#   the administrator's edits: a secret in /etc/stripe-webhookd/env, a config with free loopback ports,
#   no source allow-list and one command handler;
#   the daemon started from the installed unit's ExecStart line as the unit's User/Group, with its
#   WorkingDirectory, UMask, Environment= and EnvironmentFile= applied (systemd is not PID 1 here);
#   `stripe-webhookd trigger` answered 200 (and 400 with another secret), the event stored and handled
#   (`events list`), SIGTERM (the unit's KillSignal) ends it with status 0 within TimeoutStopSec;
#   installing again keeps the edited conffile, the secret and the user;
#   dpkg --remove keeps the configuration, the store and the user; dpkg --purge leaves nothing.
#
# usage: scripts/package-test.sh [DEB]        (default: the newest dist/stripe-webhookd_*.deb)
# Must run as root, on a machine where the package is not installed (it purges it at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
name=stripe-webhookd
unit=/lib/systemd/system/$name.service
[ "$(id -u)" = 0 ] || { echo "package-test: run as root (it installs and purges $name)" >&2; exit 2; }
deb=${1:-$(ls -t dist/${name}_*.deb 2>/dev/null | head -1)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "package-test: no package (run scripts/package.sh first)" >&2; exit 2; }
state() { dpkg-query -W -f='${db:Status-Status}' "$name" 2>/dev/null || true; }
case $(state) in
  ""|not-installed) ;;
  *) echo "package-test: $name is installed here ($(state)); this test installs and purges it: dpkg --purge $name first" >&2; exit 2 ;;
esac

work=$(mktemp -d /tmp/webhookd-package-test.XXXXXX)
daemon_pid=""
installed=no
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then kill -KILL "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; fi
  if [ "$installed" = yes ] && [ -n "$(state)" ] && [ "$(state)" != not-installed ]; then dpkg --purge "$name" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package-test: FAILED: $*" >&2; [ -f "$work/daemon.log" ] && tail -20 "$work/daemon.log" >&2; exit 1; }
check() { echo "package-test: ok: $*"; }
# "mode owner:group" of a path.
perms() { stat -c '%a %U:%G' "$1"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Install.
installed=yes
export DEBIAN_FRONTEND=noninteractive
if ! dpkg -i "$deb" >"$work/install.log" 2>&1; then
  apt-get install -f -y -qq >>"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dpkg -i $deb and apt-get install -f"; }
fi
[ "$(state)" = installed ] || { cat "$work/install.log" >&2; fail "$name is '$(state)' after installing"; }
version=$(dpkg-query -W -f='${Version}' "$name")
check "installed $deb ($version)"

# The binary: no Swift library, nothing from the toolchain, runs with an empty environment.
bin=/usr/bin/$name
[ -x "$bin" ] || fail "no $bin"
! ldd "$bin" | grep -E 'libswift|/opt/swift|not found' || fail "$bin needs the libraries above"
[ "$(env -i LD_LIBRARY_PATH= "$bin" --version)" = "$name $version" ] || fail "$bin --version with an empty environment"
toolchain=$(command -v swift >/dev/null && dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")" || true)
if [ -n "$toolchain" ] && [ -d "$toolchain" ] && unshare --mount true 2>/dev/null; then
  [ "$(unshare --mount sh -c "mount -t tmpfs none '$toolchain' && env -i '$bin' --version")" = "$name $version" ] \
    || fail "$bin does not run with $toolchain hidden"
  check "$bin runs with $toolchain hidden, an empty environment, and ldd shows no Swift library"
else
  check "$bin runs with an empty environment and ldd shows no Swift library (no toolchain here to hide)"
fi

# The user, the files and their modes.
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd "$name") || fail "no user $name"
[ "$uid" -lt 1000 ] && [ "$home" = /var/lib/$name ] && [ "$shell" = /usr/sbin/nologin ] \
  || fail "user $name: uid $uid, home $home, shell $shell (expected a system user, /var/lib/$name, /usr/sbin/nologin)"
getent group "$name" >/dev/null || fail "no group $name"
check "system user $name (uid $uid) and its group"
dpkg-query -W -f='${Conffiles}\n' "$name" | grep -q "^ /etc/$name/config.json " || fail "/etc/$name/config.json is not a conffile"
cmp -s /etc/$name/config.json /usr/share/doc/$name/examples/config.example.json || fail "the conffile is not the config example"
[ "$(perms /etc/$name)" = "750 root:$name" ] || fail "/etc/$name is $(perms /etc/$name)"
[ "$(perms /etc/$name/config.json)" = "640 root:$name" ] || fail "/etc/$name/config.json is $(perms /etc/$name/config.json)"
[ "$(perms /etc/$name/env)" = "640 root:$name" ] || fail "/etc/$name/env is $(perms /etc/$name/env)"
[ "$(perms /var/lib/$name)" = "750 $name:$name" ] || fail "/var/lib/$name is $(perms /var/lib/$name)"
check "conffile /etc/$name/config.json (the example), env and /var/lib/$name with their owners and modes"
page=/usr/share/man/man1/$name.1.gz
if grep -qs '^path-exclude=/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
  # A minimal image that tells dpkg to skip man pages: check the one in the package instead.
  echo "package-test: note: dpkg here excludes /usr/share/man; checking the page inside $deb"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ".$page" >"$work/page.gz" || fail "no $page in $deb"
  page=$work/page.gz
fi
[ -f "$page" ] || fail "no $page"
if command -v man >/dev/null && [ "$page" = /usr/share/man/man1/$name.1.gz ]; then
  [ "$(man -w $name)" = "$page" ] || fail "man -w $name: $(man -w $name 2>&1)"
  MANWIDTH=120 man -P cat $name >"$work/man.txt" 2>"$work/man.err" || fail "man $name: $(cat "$work/man.err")"
elif command -v groff >/dev/null; then
  zcat "$page" | groff -man -Tascii -P-cbou -rLL=120n 2>"$work/man.err" >"$work/man.txt" || fail "groff: $(cat "$work/man.err")"
else
  zcat "$page" | sed 's/\\-/-/g' >"$work/man.txt" || fail "$page is not gzip"
fi
for text in "stripe-webhookd - a Stripe webhook receiver" "stripe-webhookd serve" "--store URL" "stripe-webhookd events" "EXIT CODES"; do
  grep -qF -- "$text" "$work/man.txt" || fail "the man page lacks '$text'"
done
check "man $name ($(wc -l <"$work/man.txt") lines)"
[ -f "$unit" ] || fail "no $unit"
if command -v systemd-analyze >/dev/null; then
  # systemd is not running here, so only the unit itself is checked: an error fails the command, and
  # a line it cannot parse (an unknown key, a bad value) is reported as FILE:LINE: and ignored by systemd.
  systemd-analyze verify "$unit" >"$work/verify.log" 2>&1 || { cat "$work/verify.log" >&2; fail "systemd-analyze verify $unit"; }
  ! grep -E "^$unit:[0-9]+:" "$work/verify.log" || fail "systemd-analyze verify $unit: the lines above are ignored by systemd"
  check "systemd-analyze verify $unit"
fi

# The administrator's part: the secret, and a config for this machine (free ports, no handler
# programs that are not here, no allow-list of Stripe's addresses: the requests come from loopback).
secret="whsec_package_test_$(openssl rand -hex 12 2>/dev/null || echo $RANDOM$RANDOM)"
printf 'STRIPE_WEBHOOK_SECRET=%s\n' "$secret" >>/etc/$name/env
port=$(free_port) admin_port=$(free_port)
python3 - /etc/$name/config.json "$port" "$admin_port" <<'PYTHON'
import json, sys
path, port, admin_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
config = json.load(open(path))
config["port"] = port
config["admin"]["port"] = admin_port
config["endpoints"] = [{"path": "/webhook", "secrets": [{"value": "env:STRIPE_WEBHOOK_SECRET", "label": "test"}]}]
config.pop("allowed_source_ips", None)
config["handlers"] = [{
    "name": "record",
    "events": ["payment_intent.*"],
    "command": ["/bin/sh", "-c", "echo \"$STRIPE_EVENT_ID $(/usr/bin/id -un)\" >> /var/lib/stripe-webhookd/handled"],
    "timeout_seconds": 10,
}]
with open(path, "w") as f:
    json.dump(config, f, indent=2)
PYTHON
[ "$(perms /etc/$name/config.json)" = "640 root:$name" ] || fail "editing the config changed its mode"

# The unit's settings, as systemd would apply them (the last assignment of a key wins).
setting() { sed -n "s/^$1=//p" "$unit" | tail -1; }
exec_start=$(setting ExecStart)
[ -n "$exec_start" ] || fail "$unit has no ExecStart"
case $exec_start in *[\"\'\\\$%]*) fail "ExecStart uses quoting, variables or specifiers, which this test does not expand: $exec_start" ;; esac
exec_start=${exec_start#[-@:+!]}
read -ra command <<<"$exec_start"
user=$(setting User) group=$(setting Group) directory=$(setting WorkingDirectory) mask=$(setting UMask)
[ -n "$user" ] || fail "$unit has no User="
group=${group:-$user} mask=${mask:-0022}
# systemd's own environment for a service with User= and StateDirectory=, then Environment=, then
# EnvironmentFile= (a leading - means "if it exists").
environment=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "USER=$user" "LOGNAME=$user"
  "HOME=$(getent passwd "$user" | cut -d: -f6)" "SHELL=$(getent passwd "$user" | cut -d: -f7)")
for directory_name in $(setting StateDirectory); do
  state_mode=$(setting StateDirectoryMode)
  install -d -m "${state_mode:-0755}" -o "$user" -g "$group" "/var/lib/$directory_name"
  environment+=("STATE_DIRECTORY=/var/lib/$directory_name")
done
while read -r line; do
  read -ra assignments <<<"$line"
  environment+=("${assignments[@]}")
done < <(sed -n 's/^Environment=//p' "$unit")
while read -r file; do
  optional=no
  case $file in -*) optional=yes; file=${file#-} ;; esac
  [ -f "$file" ] || { [ "$optional" = yes ] && continue; fail "EnvironmentFile $file is missing"; }
  while IFS= read -r line; do
    case $line in ""|\#*|\;*) continue ;; esac
    key=${line%%=*} value=${line#*=}
    value=${value#\"}; value=${value%\"}
    environment+=("$key=$value")
  done <"$file"
done < <(sed -n 's/^EnvironmentFile=//p' "$unit")
limit=$(setting LimitNOFILE)
stop_timeout=$(setting TimeoutStopSec); stop_timeout=${stop_timeout%s}
kill_signal=$(setting KillSignal); kill_signal=${kill_signal:-SIGTERM}
store=""
for ((i = 0; i < ${#command[@]}; i++)); do [ "${command[i]}" = --store ] && store=${command[i + 1]}; done
[ -n "$store" ] || fail "ExecStart names no --store"
[ "${command[0]}" = "$bin" ] || fail "ExecStart runs ${command[0]}, not $bin"

# The check the README tells the administrator to run before starting, as the service user.
runuser -u "$user" -- env -i "${environment[@]}" "$bin" check-config --config /etc/$name/config.json >"$work/check-config.json" 2>"$work/check-config.err" \
  || fail "check-config as $user: $(cat "$work/check-config.err")"
grep -qF "$secret" "$work/check-config.json" && fail "check-config printed the secret"
check "check-config as $user accepts the edited config"

# Start it: ExecStart as User/Group (setpriv: no new privileges, like NoNewPrivileges=yes).
(
  cd "$directory"
  umask "$mask"
  if [ -n "$limit" ]; then ulimit -n "$limit" 2>/dev/null || echo "package-test: note: cannot set LimitNOFILE=$limit here" >&2; fi
  exec env -i "${environment[@]}" setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs -- "${command[@]}"
) >"$work/daemon.log" 2>&1 &
daemon_pid=$!
echo "package-test: started: ${command[*]} (as $user:$group in $directory, umask $mask, pid $daemon_pid)"
ready=""
for _ in $(seq 600); do
  kill -0 "$daemon_pid" 2>/dev/null || fail "the daemon exited"
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin_port/readyz" || true)
  [ "$ready" = 200 ] && break
  sleep 0.1
done
[ "$ready" = 200 ] || fail "/readyz on the admin port answered '$ready' for 60 s"
[ "$(stat -c %U "/proc/$daemon_pid")" = "$user" ] || fail "the daemon runs as $(stat -c %U "/proc/$daemon_pid"), not $user"
[ "$(readlink "/proc/$daemon_pid/cwd")" = "$directory" ] || fail "the daemon's directory is $(readlink "/proc/$daemon_pid/cwd")"
check "the daemon is ready (pid $daemon_pid, user $user, directory $directory)"

# An event signed with the secret from the env file: 200, stored, handled by the command as the user.
url=http://127.0.0.1:$port/webhook
STRIPE_WEBHOOK_SECRET=$secret "$bin" trigger payment_intent.succeeded --url "$url" >"$work/trigger.txt" 2>&1 \
  || fail "trigger: $(cat "$work/trigger.txt")"
grep -q -- '-> 200 ' "$work/trigger.txt" || fail "trigger: $(cat "$work/trigger.txt")"
event=$(grep -oE 'evt_[A-Za-z0-9_]+' "$work/trigger.txt" | head -1)
[ -n "$event" ] || fail "no event id in: $(cat "$work/trigger.txt")"
check "trigger: $(cat "$work/trigger.txt")"
status=""
for _ in $(seq 300); do
  status=$(runuser -u "$user" -- "$bin" events list --store "$store" --json 2>"$work/events.err" | python3 -c '
import json, sys
print(next((e["status"] for e in map(json.loads, sys.stdin) if e["id"] == sys.argv[1]), "absent"))' "$event") \
    || fail "events list: $(cat "$work/events.err")"
  [ "$status" = "done" ] && break
  sleep 0.1
done
[ "$status" = "done" ] || fail "event $event is '$status' in $store after 30 s, not done"
grep -qx "$event $user" /var/lib/$name/handled || fail "the handler did not record $event as $user: $(cat /var/lib/$name/handled 2>&1)"
check "events list: $event stored and done; its handler ran as $user"
set +e
STRIPE_WEBHOOK_SECRET=whsec_not_the_daemons "$bin" trigger payment_intent.succeeded --url "$url" >"$work/wrong.txt" 2>&1
wrong=$?
set -e
[ "$wrong" = 3 ] && grep -q -- '-> 400 ' "$work/wrong.txt" || fail "another secret: exit $wrong, $(cat "$work/wrong.txt")"
check "another secret: 400, exit 3"

# Stop it as systemd would: KillSignal, then up to TimeoutStopSec for it to exit.
kill -s "${kill_signal#SIG}" "$daemon_pid"
for _ in $(seq $((${stop_timeout:-90} * 10))); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$daemon_pid" 2>/dev/null && fail "the daemon did not exit within TimeoutStopSec=${stop_timeout}s of $kill_signal"
set +e; wait "$daemon_pid"; code=$?; set -e
daemon_pid=""
[ "$code" = 0 ] || fail "the daemon exited with status $code after $kill_signal"
runuser -u "$user" -- "$bin" events list --store "$store" --json | grep -qF "\"id\":\"$event\"" || fail "$event is gone after the stop"
check "$kill_signal: exit 0, the event still stored"

# Installing again (what an upgrade does): the edited conffile, the secret and the user are kept.
config_sum=$(md5sum </etc/$name/config.json) env_sum=$(md5sum </etc/$name/env)
dpkg -i "$deb" >"$work/reinstall.log" 2>&1 || { cat "$work/reinstall.log" >&2; fail "installing again"; }
[ "$(md5sum </etc/$name/config.json)" = "$config_sum" ] || fail "installing again replaced the edited /etc/$name/config.json"
[ "$(md5sum </etc/$name/env)" = "$env_sum" ] || fail "installing again changed /etc/$name/env"
[ "$(getent passwd "$name" | cut -d: -f3)" = "$uid" ] || fail "installing again changed the user"
[ "$(perms /etc/$name/config.json)" = "640 root:$name" ] || fail "after installing again /etc/$name/config.json is $(perms /etc/$name/config.json)"
check "installed again: the edited config, the secret and the user kept"

# Remove: the program goes, the administrator's data stay.
dpkg --remove "$name" >"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "dpkg --remove"; }
[ "$(state)" = config-files ] || fail "after dpkg --remove the package is '$(state)'"
for path in "$bin" "$unit" /usr/share/man/man1/$name.1.gz /usr/share/doc/$name; do
  [ ! -e "$path" ] || fail "$path is still there after dpkg --remove"
done
for path in /etc/$name/config.json /etc/$name/env "${store#sqlite:}"; do
  [ -e "$path" ] || fail "dpkg --remove deleted $path"
done
getent passwd "$name" >/dev/null || fail "dpkg --remove deleted the user"
check "dpkg --remove: program gone; config, secret, store and user kept"

# Purge: nothing left.
dpkg --purge "$name" >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge"; }
case $(state) in ""|not-installed) ;; *) fail "after dpkg --purge the package is '$(state)'" ;; esac
for path in /etc/$name /var/lib/$name "$bin" "$unit"; do
  [ ! -e "$path" ] || fail "$path is still there after dpkg --purge"
done
! getent passwd "$name" >/dev/null || fail "the user $name is still there after dpkg --purge"
! getent group "$name" >/dev/null || fail "the group $name is still there after dpkg --purge"
installed=no
check "dpkg --purge: configuration, secret, store, user and group gone"
echo "package-test: PASSED"
