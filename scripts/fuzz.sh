#!/usr/bin/env bash
# Runs one libFuzzer target (README "Hardening"):
#
#   scripts/fuzz.sh TARGET [SECONDS]      TARGET: request-decoder, chunked-body, signature-header, event-envelope
#   scripts/fuzz.sh all [SECONDS]         each target in turn, SECONDS each (default 60)
#   scripts/fuzz.sh TARGET --replay FILE… run the target once on each FILE (a saved crash) and exit
#
# Builds Fuzz/ (its own package: the parsers compiled with -sanitize=fuzzer,address) in .build-fuzz,
# grows a working corpus in .build-fuzz/corpus/TARGET from the committed seeds in Fuzz/Corpus/TARGET,
# and writes any crashing input to .build-fuzz/artifacts/. Prints libFuzzer's final statistics and a
# one-line summary; exits non-zero when the target crashed, so CI fails on a finding.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(request-decoder chunked-body signature-header event-envelope)
usage() { echo "usage: scripts/fuzz.sh {${targets[*]// /|}|all} [SECONDS | --replay FILE...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
target=$1
shift

if [ "$target" = all ]; then
  status=0
  for each in "${targets[@]}"; do "$0" "$each" "$@" || status=1; done
  exit $status
fi

case "$target" in
  request-decoder) executable=FuzzRequestDecoder; dict=http.dict ;;
  chunked-body) executable=FuzzChunkedBody; dict=http.dict ;;
  signature-header) executable=FuzzSignatureHeader; dict=signature.dict ;;
  event-envelope) executable=FuzzEventEnvelope; dict=json.dict ;;
  *) usage ;;
esac

scratch=$PWD/.build-fuzz
# -parse-as-library: libFuzzer's driver, started from each target's `<Target>_main`, is the entry point.
(cd Fuzz && swift build -c debug --scratch-path "$scratch" --product "$executable" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | grep -v 'Cannot export local symbol' >&2)
binary=$scratch/debug/$executable

# Swift's own crash backtracer would race libFuzzer's handler; libFuzzer must see the trap to save the input.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

if [ "${1:-}" = --replay ]; then
  shift
  [ $# -ge 1 ] || usage
  exec "$binary" -runs=1 "$@"
fi

seconds=${1:-60}
corpus=$scratch/corpus/$target
artifacts=$scratch/artifacts
mkdir -p "$corpus" "$artifacts"
log=$scratch/fuzz-$target.log
echo "# fuzz: $target for ${seconds}s (log $log)"
set +e
"$binary" "$corpus" "Fuzz/Corpus/$target" -dict="Fuzz/Dictionaries/$dict" -max_total_time="$seconds" \
  -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" >"$log" 2>&1
status=$?
set -e
grep -E '^stat::|^(SUMMARY|==[0-9]+==)|Fatal error|artifact_prefix' "$log" || true
runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
rate=$(grep -oE '^stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
if [ $status -eq 0 ]; then
  echo "fuzz: $target ok: ${runs:-?} executions in ${seconds}s (${rate:-?}/s), corpus $(ls "$corpus" | wc -l) inputs"
else
  echo "fuzz: $target FAILED (exit $status) after ${runs:-?} executions; input saved under $artifacts/ (replay: scripts/fuzz.sh $target --replay FILE)"
fi
exit $status
