#!/usr/bin/env bash
# The test command (README "Set up"): set up the tests' Python (scripts/python-env.sh: a virtual
# environment in .build/venv with the `stripe` SDK and `prometheus_client`), build with warnings as
# errors, run every test, then a short crash test, a short multi-instance chaos test on PostgreSQL and
# the end-to-end run behind nginx.
# needs: swift, libssl-dev, libsqlite3-dev, libpq-dev, postgresql (a throwaway server), curl, python3
# with python3-venv; nginx and openssl are installed by scripts/e2e-nginx.sh when missing; chromium and
# chromium-driver for the console's browser test. .ci/run installs all of these on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build
for header in /usr/include/openssl/hmac.h /usr/include/sqlite3.h /usr/include/postgresql/libpq-fe.h; do
  [ -f "$header" ] || { echo "test.sh: $header is missing (Debian: apt-get install libssl-dev libsqlite3-dev libpq-dev)" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "test.sh: curl is missing (Debian: apt-get install curl)" >&2; exit 1; }
for program in chromium chromedriver; do
  command -v "$program" >/dev/null || { echo "test.sh: $program is missing (Debian: apt-get install chromium chromium-driver)" >&2; exit 1; }
done
# Exports STRIPE_WEBHOOKD_PYTHON (the Swift tests run it) and puts the venv first on PATH.
source scripts/python-env.sh
echo "# test.sh: python $STRIPE_WEBHOOKD_PYTHON (stripe $("$STRIPE_WEBHOOKD_PYTHON" -c 'import stripe; print(stripe.VERSION)'))"
# Against a throwaway PostgreSQL cluster (scripts/postgres-cluster.sh sets STRIPE_WEBHOOKD_TEST_POSTGRES_URL),
# so that the store suite runs on PostgreSQL too.
scripts/postgres-cluster.sh swift test -Xswiftc -warnings-as-errors "$@" 2>&1 | tee .build/swift-test.log
tests=$(grep -oE 'Test run with [0-9]+ tests? in [0-9]+ suites? passed' .build/swift-test.log | grep -oE '^Test run with [0-9]+' | grep -oE '[0-9]+$')
# A short crash test (the full one is scripts/crash-test.py with its defaults: 30,000 events, 20 kills).
"$STRIPE_WEBHOOKD_PYTHON" scripts/crash-test.py --binary .build/debug/stripe-webhookd --events 3000 --kills 6 --seed 7
# A short multi-instance chaos run: three daemons on one PostgreSQL behind nginx, SIGKILLs and one
# PostgreSQL restart (the full one is scripts/chaos-postgres.py with its defaults: 15,000 events, 24 kills).
"$STRIPE_WEBHOOKD_PYTHON" scripts/chaos-postgres.py --binary .build/debug/stripe-webhookd --events 1500 --kills 4 --seed 7
# Behind real nginx over HTTPS, with the shipped site config.
scripts/e2e-nginx.sh .build/debug/stripe-webhookd
# The events console in a real browser (Debian's chromium and chromium-driver, driven by selenium).
"$STRIPE_WEBHOOKD_PYTHON" scripts/console-browser-test.py .build/debug/stripe-webhookd
echo "tests: $((tests + 4)) passed, 0 failed"
