#!/usr/bin/env bash
# The Python the tests run (the `stripe` SDK as signature oracle, `prometheus_client` as metrics parser):
# a virtual environment in .build/venv, created with `python3 -m venv` when missing and given the
# packages of scripts/python-requirements.txt when they do not import or that file changed. Nothing is
# installed into the system's Python (Debian refuses that: "externally managed"). Prints the
# interpreter's absolute path.
#
# usage: scripts/python-env.sh            set up if needed, print the interpreter
#        source scripts/python-env.sh     the same, and export STRIPE_WEBHOOKD_PYTHON (what the Swift
#                                         tests and the scripts run) and put the venv first on PATH
# STRIPE_WEBHOOKD_BASE_PYTHON names the Python the venv is made from (default: python3 on PATH).
# needs: python3 with its venv module (Debian: apt-get install python3-venv), and PyPI reachable the
#        first time (or a pip configured for a local index).
python_env_main() {
  local root venv python requirements base
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  venv=$root/.build/venv
  python=$venv/bin/python3
  requirements=$root/scripts/python-requirements.txt
  base=${STRIPE_WEBHOOKD_BASE_PYTHON:-python3}
  # The modules the requirements provide, as Python imports them.
  local check='import stripe, prometheus_client, selenium'

  # What was installed last, so that a changed requirements file is installed again.
  local stamp=$venv/requirements.installed
  if [ -x "$python" ] && cmp -s "$requirements" "$stamp" && "$python" -c "$check" 2>/dev/null; then
    echo "$python"
    return 0
  fi
  if ! command -v "$base" >/dev/null; then
    echo "python-env: no $base on PATH; install it (Debian: apt-get install python3 python3-venv)" >&2
    return 1
  fi
  # A venv whose interpreter no longer runs (its base Python was removed or upgraded) is made anew.
  if [ ! -x "$python" ] || ! "$python" -c 'import sys' 2>/dev/null; then
    echo "# python-env: creating $venv with $(command -v "$base") ($("$base" --version 2>&1))" >&2
    mkdir -p "$root/.build"
    if ! "$base" -m venv --clear "$venv" >&2; then
      rm -rf "$venv"
      echo "python-env: '$base -m venv' failed; on Debian or Ubuntu install the venv module: apt-get install python3-venv" >&2
      return 1
    fi
  fi
  if ! "$python" -m pip --version >/dev/null 2>&1; then
    echo "python-env: $venv has no pip ('$base -m venv' made it without ensurepip); apt-get install python3-venv, then rm -rf $venv" >&2
    return 1
  fi
  echo "# python-env: installing $(grep -v '^#' "$requirements" | xargs) into $venv" >&2
  if ! "$python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2; then
    echo "python-env: pip could not install $requirements into $venv (is PyPI reachable?)" >&2
    return 1
  fi
  if ! "$python" -c "$check" >&2; then
    echo "python-env: the packages installed but do not import in $python" >&2
    return 1
  fi
  cp "$requirements" "$stamp"
  echo "$python"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  python_env_main
else
  STRIPE_WEBHOOKD_PYTHON=$(python_env_main) || return 1
  export STRIPE_WEBHOOKD_PYTHON
  PATH=$(dirname "$STRIPE_WEBHOOKD_PYTHON"):$PATH
  export PATH
  unset -f python_env_main
fi
