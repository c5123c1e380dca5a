#!/usr/bin/env bash
# The one test command: restore, build with warnings as errors, start the servers the tests need on 127.0.0.1,
# run every test project, stop the servers, and end with one line: "tests: N passed, N failed, N skipped".
# Exits non-zero when anything fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
out="$root/build/out"
results="$out/test-results"
rm -rf "$results"
mkdir -p "$results" "$out/logs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

fail() { echo "test.sh: $*" >&2; echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_http() { # url seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  return 1
}

# --- moto: a real SSM/KMS implementation for the ParameterStore tests ---------------------------------------
if ! python3 -c 'import moto.server' 2>/dev/null; then
  fail "moto (an AWS SSM emulator) is needed by the ParameterStore tests but is not installed. Install it with 'pip install \"moto[server]\"' (or 'apt-get install python3-moto'), then run again."
fi
moto_port=$(free_port)
python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"$out/logs/moto.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$moto_port/moto-api/" 30 || fail "moto did not start on 127.0.0.1:$moto_port (see $out/logs/moto.log)"
export MODELREGISTRY_MOTO_ENDPOINT="http://127.0.0.1:$moto_port"

# --- redis: a real server for the limits shared between processes ------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: redis-server not found; installing Debian's redis-server package" >&2
  if [ "$(id -u)" -eq 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  { $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq redis-server; } >"$out/logs/apt.log" 2>&1 \
    || fail "could not install redis-server (see $out/logs/apt.log); install it with 'apt-get install redis-server' and run again."
fi
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >"$out/logs/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$redis_port" ping >/dev/null 2>&1 || fail "redis-server did not start on 127.0.0.1:$redis_port (see $out/logs/redis.log)"
export MODELREGISTRY_REDIS="127.0.0.1:$redis_port"

# --- the HCL parser that checks the Terraform sample (Terraform itself is not installed) -----------------------
command -v node >/dev/null 2>&1 || fail "node is needed to parse the Terraform sample; install Node.js (apt-get install nodejs npm) and run again."
npm ci --prefix build/hcl --no-audit --no-fund --loglevel=error >"$out/logs/npm.log" 2>&1 || fail "npm ci in build/hcl failed (see $out/logs/npm.log)"

# --- build and test --------------------------------------------------------------------------------------------
dotnet restore ModelRegistry.sln --nologo -v quiet || fail "restore failed"
dotnet build ModelRegistry.sln --no-restore --nologo -v quiet -c Release -warnaserror || fail "build failed"
# The Lambda sample's end-to-end test also runs its Native AOT bootstrap.
./build/publish-lambda.sh x64 >"$out/logs/publish-lambda.log" 2>&1 || { cat "$out/logs/publish-lambda.log" >&2; fail "Native AOT publish of the Lambda sample failed (see $out/logs/publish-lambda.log)"; }
export MODELREGISTRY_LAMBDA_AOT="$root/build/out/lambda/x64/bootstrap"
rm -f "$out/lambda-startup.tsv"

dotnet test ModelRegistry.sln --no-build --nologo -c Release \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results"
test_status=$?

# The benchmark suite's quick mode: every benchmark runs once, to prove they still work (numbers are not looked at).
bench_failed=0
./build/bench.sh --quick --no-build || bench_failed=1

# --- summary ---------------------------------------------------------------------------------------------------
corpus="${MODELREGISTRY_CASSETTES:-$root/../shared/cassettes}"
if [ -d "$corpus" ]; then
  echo "recorded-traffic tests: ran, against the corpus at $(cd "$corpus" && pwd)"
else
  echo "recorded-traffic tests: not run (no corpus at $corpus; set MODELREGISTRY_CASSETTES to its path); they count as skipped"
fi

if [ -f "$out/lambda-startup.tsv" ]; then
  awk -F'\t' '{ sum[$1] += $3; n[$1]++ } END { if (n["jit"] && n["aot"]) printf "lambda sample, process start to first response: aot %.0f ms, jit %.0f ms (aot/jit = %.3f)\n", sum["aot"]/n["aot"], sum["jit"]/n["jit"], (sum["aot"]/n["aot"])/(sum["jit"]/n["jit"]) }' "$out/lambda-startup.tsv"
fi

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
failed=$((failed + bench_failed)) # a broken benchmark counts as a failed test
if [ "$files" -eq 0 ] || [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=$((failed + 1)) # a test host crashed or nothing ran: never report green
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$test_status" -eq 0 ]
