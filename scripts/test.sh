#!/usr/bin/env bash
# The test command (README "Set up"): build with warnings as errors, run every test, then a short crash test.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test -Xswiftc -warnings-as-errors "$@"
