#!/usr/bin/env bash
# The test command (README "Set up"): build with warnings as errors, run every test, then a short crash test.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test -Xswiftc -warnings-as-errors "$@"
# A short crash test (the full one is scripts/crash-test.py with its defaults: 8,000 events, 20 kills).
python3 scripts/crash-test.py --binary .build/debug/stripe-webhookd --events 3000 --kills 6 --seed 7
