#!/usr/bin/env bash
# Fuzzes every provider's response decoders and mappers through their public clients and the provider kit
# (tests/ModelRegistry.Fuzz, see its README.md): mutated seed bodies and recorded responses, served in memory, must end
# in an answer or a ModelProviderException; never another exception, a hang (10 s) or more than 64 MB allocated.
#
#   ./build/fuzz.sh [seconds]          build (Release, warnings as errors), then fuzz for that long (default 60)
#   ./build/fuzz.sh 600 --seed 42      the same inputs as any other run with seed 42 (and the same corpus)
#   ./build/fuzz.sh --replay FILE      run one saved failing input again and show what it does
#   --no-build                         skip the build (the caller built the project in Release)
#   anything else goes to the runner: --workers N, --targets mistral.stream, --no-corpus
#
# The recorded corpus is used when found: MODELREGISTRY_CASSETTES, else ../shared/cassettes beside the repository.
# Prints one summary line ("fuzz: N inputs ... 0 escapes, 0 hangs, 0 big allocations, 0 secret leaks"); the whole
# report (inputs per second per target) is in build/out/fuzz/run.log, failing inputs beside it. Exits non-zero when
# anything failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
project="$root/tests/ModelRegistry.Fuzz"
dll="$project/bin/Release/net10.0/ModelRegistry.Fuzz.dll"
out="$root/build/out/fuzz"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

seconds=60; build=1; replay=0; args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --replay) replay=1; args+=("$1" "${2:-}"); shift ;;
    --seconds) seconds="${2:-}"; shift ;;
    --seed | --workers | --targets | --out) args+=("$1" "${2:-}"); shift ;;
    [0-9]*) seconds="$1" ;;
    *) args+=("$1") ;;
  esac
  shift
done
case "$seconds" in
  '' | *[!0-9]*) echo "fuzz.sh: seconds must be a whole number, not '$seconds'" >&2; echo "fuzz: not run (bad arguments)"; exit 2 ;;
esac

if [ "$build" -eq 1 ]; then
  mkdir -p "$root/build/out"
  if ! dotnet build "$project" -c Release --nologo -v quiet -warnaserror >"$root/build/out/fuzz-build.log" 2>&1; then
    cat "$root/build/out/fuzz-build.log" >&2
    echo "fuzz: not run (the fuzz project does not build; see above)"
    exit 1
  fi
fi
if [ ! -f "$dll" ]; then
  echo "fuzz.sh: $dll is missing; run without --no-build" >&2
  echo "fuzz: not run (not built)"
  exit 1
fi

if [ "$replay" -eq 1 ]; then
  exec dotnet "$dll" "${args[@]}"
fi

rm -rf "$out"
mkdir -p "$out"
log="$out/run.log"
# The runner stops itself at the time budget (and a stuck call after 15 s); the outer limit only guards the runner.
timeout --signal=KILL $((seconds + 180)) dotnet "$dll" --seconds "$seconds" --out "$out" "${args[@]}" >"$log" 2>&1
status=$?
summary=$(grep '^fuzz: ' "$log" | tail -1)
if [ "$status" -ne 0 ]; then
  { grep -A3 -E '^FAIL |^fuzz: the ' "$log" | grep -v '^--$' | head -60
    [ -n "$summary" ] || tail -20 "$log"; } >&2
fi
if [ -z "$summary" ]; then
  summary="fuzz: the runner ended without a summary (exit status $status)"
  [ "$status" -ne 0 ] || status=1
fi
echo "$summary (report: ${log#"$root"/})"
exit "$status"
