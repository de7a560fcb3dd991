#!/usr/bin/env bash
# Makes sure Debian packages are installed: `scripts/apt-need.sh PACKAGE...`. Missing ones are installed
# with apt-get when run as root (as on a fresh CI or development machine); otherwise it names them with
# the command to run and exits 1. Used by .ci/run and scripts/test.sh, so that a new machine needs no
# step typed by hand before the test command.
set -euo pipefail
need=()
for p in "$@"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing Debian packages: ${need[*]} (install them: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "# apt-need: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}"
