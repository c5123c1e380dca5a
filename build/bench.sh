#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite in tests/ModelRegistry.Benchmarks (see its README.md).
#
#   ./build/bench.sh              full run, about 17 minutes on 2 cores: every benchmark out of process, then one
#                                 Markdown table of all results (ratios to each class's baseline, machine, date)
#                                 written to tests/ModelRegistry.Benchmarks/RESULTS.md
#   ./build/bench.sh --quick      every benchmark once, in process (BenchmarkDotNet's Dry job), to prove they still
#                                 work; numbers mean nothing. About 10 s after the build. Exits non-zero if any fails.
#   --no-build                    skip building (the caller already built the project in Release)
#   anything else goes to BenchmarkDotNet, e.g. --filter '*Mistral*'; a filtered full run writes its table to
#   build/out/bench/RESULTS.md so the committed one always covers the whole suite.
#
# The suite needs no network and no recorded-traffic corpus: a loopback server on 127.0.0.1 serves our own fixtures.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
project="$root/tests/ModelRegistry.Benchmarks"
out="$root/build/out/bench"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

quick=0; build=1; filtered=0; args=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --filter) filtered=1; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done

mkdir -p "$out"
if [ "$build" -eq 1 ]; then
  dotnet build "$project" -c Release --nologo -v quiet -warnaserror >"$out/build.log" 2>&1 \
    || { cat "$out/build.log" >&2; echo "bench.sh: the benchmark project does not build (see above)" >&2; exit 1; }
fi

run() { dotnet run --project "$project" -c Release --no-build -- --artifacts "$out/artifacts" "$@"; }

if [ "$quick" -eq 1 ]; then
  log="$out/quick.log"
  run --quick "${args[@]}" >"$log" 2>&1
  status=$?
  if [ "$status" -ne 0 ]; then
    grep -E "set-up check failed|Exception:|FAILED" "$log" | sort -u | head -40 >&2
    echo "bench.sh: quick run failed; the whole output is in $log" >&2
  fi
  if ! grep -E "^benchmarks: " "$log" | tail -1; then
    echo "bench.sh: the quick run printed no 'benchmarks:' summary (a stale build?); see $log" >&2
    status=1
  fi
  exit "$status"
fi

if [ "$filtered" -eq 1 ]; then results="$out/RESULTS.md"; else results="$project/RESULTS.md"; fi
echo "bench.sh: full run; load average now: $(cut -d' ' -f1-3 /proc/loadavg) (numbers are steadier on an idle machine)"
run --results "$results" "${args[@]}" 2>&1 | tee "$out/full.log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && echo "bench.sh: results in $results"
exit "$status"
