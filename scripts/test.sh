#!/usr/bin/env bash
# The test command (README "Set up"): build with warnings as errors, run every test, then a short crash test.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .build
swift test -Xswiftc -warnings-as-errors "$@" 2>&1 | tee .build/swift-test.log
tests=$(grep -oE 'Test run with [0-9]+ tests? in [0-9]+ suites? passed' .build/swift-test.log | grep -oE '^Test run with [0-9]+' | grep -oE '[0-9]+$')
# A short crash test (the full one is scripts/crash-test.py with its defaults: 30,000 events, 20 kills).
python3 scripts/crash-test.py --binary .build/debug/stripe-webhookd --events 3000 --kills 6 --seed 7
# Behind real nginx over HTTPS, with the shipped site config.
scripts/e2e-nginx.sh .build/debug/stripe-webhookd
echo "tests: $((tests + 2)) passed, 0 failed"
