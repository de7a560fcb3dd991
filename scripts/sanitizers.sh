#!/usr/bin/env bash
# The test suite under AddressSanitizer and ThreadSanitizer (README "Hardening"):
#
#   scripts/sanitizers.sh [address|thread|all] [swift test arguments…]     default: all
#
# Each sanitizer builds in its own scratch path (.build-asan, .build-tsan). Reports go to files under
# the scratch path rather than to stderr, because several tests run the stripe-webhookd binary (built
# with the same sanitizer) and read its stderr themselves: a report from the daemon would otherwise be
# swallowed. A run is clean when `swift test` passes and no report file was written. Prints one line
# per sanitizer and exits non-zero if any was not clean.
set -uo pipefail
cd "$(dirname "$0")/.."

which=${1:-all}
[ $# -gt 0 ] && shift
case "$which" in
  address) sanitizers=(address) ;;
  thread) sanitizers=(thread) ;;
  all) sanitizers=(address thread) ;;
  *) echo "usage: scripts/sanitizers.sh [address|thread|all] [swift test arguments…]" >&2; exit 2 ;;
esac

# The tests' Python (the stripe SDK, prometheus_client): the venv scripts/test.sh uses.
source scripts/python-env.sh || exit 1
# Swift's backtracer would print over the sanitizer's own report.
export SWIFT_BACKTRACE=enable=no
status=0
summary=()
for sanitizer in "${sanitizers[@]}"; do
  case "$sanitizer" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
  esac
  reports=$PWD/$scratch/sanitizer-reports
  rm -rf "$reports"
  mkdir -p "$reports"
  log=$scratch/swift-test.log
  # detect_leaks=0: the Swift runtime keeps metadata caches and the test process's helper threads
  # alive to the end, which LeakSanitizer reports as leaks that are not this project's.
  export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=0:abort_on_error=0"
  # Known false positives only (Synchronization.Mutex is invisible to TSan; see the file).
  export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan-suppressions.txt"
  echo "# sanitizers: swift test --sanitize=$sanitizer (scratch $scratch, reports $reports)"
  started=$(date +%s)
  swift test --sanitize="$sanitizer" --scratch-path "$scratch" "$@" >"$log" 2>&1
  result=$?
  elapsed=$(( $(date +%s) - started ))
  counts=$(grep -oE 'Test run with [0-9]+ tests? in [0-9]+ suites? (passed|failed)[^.]*' "$log" | tail -1)
  report_files=$(find "$reports" -type f | wc -l)
  if [ $result -eq 0 ] && [ "$report_files" -eq 0 ]; then
    summary+=("$sanitizer: clean: ${counts:-no Swift Testing summary} (${elapsed}s)")
  else
    status=1
    summary+=("$sanitizer: NOT clean: swift test exit $result, $report_files report file(s) in $reports; ${counts:-} (${elapsed}s, log $log)")
    grep -E '✘|error:' "$log" | head -20
    for file in $(find "$reports" -type f | head -5); do
      echo "--- $file"
      head -60 "$file"
    done
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
