#!/usr/bin/env bash
# The one test command: restore, build with warnings as errors, start the servers the tests need on 127.0.0.1,
# run every test project, stop the servers, pack the packages and prove them from a new app (build/pack.sh,
# build/consumer.sh), and end with one line: "tests: N passed, N failed, N skipped".
# Exits non-zero when anything fails.
#
# Every dotnet step (restore, build, publish, test, bench, fuzz) runs in a clean environment built here, not in the
# caller's: a MISTRAL_API_KEY, AWS_* credentials, DEFAULT_MODEL or METRICS_NAMESPACE in your shell never reaches a test.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
out="$root/build/out"
results="$out/test-results"
rm -rf "$results"
mkdir -p "$results" "$out/logs" "$out/aws"
: >"$out/aws/config"
: >"$out/aws/credentials"

pids=()
stop_postgres() { :; } # replaced once the cluster runs
cleanup() {
  stop_postgres
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

fail() { echo "test.sh: $*" >&2; echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

# --- the clean environment ---------------------------------------------------------------------------------------
# Kept from the caller: where the tools are (PATH, HOME, TMPDIR) and the SDK's own settings (DOTNET_ROOT*, DOTNET_CLI_*,
# NUGET_*, the CA bundle) needed to reach this machine's package source. Set here: a fixed locale, no telemetry, no
# build servers left running with this environment, and AWS config/credential files that hold nothing, so ~/.aws does
# not count either. The variables this script adds below (MODELREGISTRY_*) are the only other inputs the tests get.
from_caller() { # sets clean_env and network_env from the current environment
  clean_env=(LANG=C.UTF-8 LC_ALL=C.UTF-8 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
    MSBUILDDISABLENODEREUSE=1 AWS_CONFIG_FILE="$out/aws/config" AWS_SHARED_CREDENTIALS_FILE="$out/aws/credentials")
  network_env=() # only for the steps that download packages (restore, the AOT publish)
  local name
  for name in $(compgen -e); do
    case "$name" in
      PATH | HOME | TMPDIR | DOTNET_ROOT | DOTNET_ROOT_* | DOTNET_CLI_HOME | DOTNET_SKIP_FIRST_TIME_EXPERIENCE | \
        DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE | DOTNET_GENERATE_ASPNET_CERTIFICATE | NUGET_* | SSL_CERT_FILE | SSL_CERT_DIR | \
        UseSharedCompilation) clean_env+=("$name=${!name}") ;;
      http_proxy | https_proxy | no_proxy | HTTP_PROXY | HTTPS_PROXY | NO_PROXY) network_env+=("$name=${!name}") ;;
    esac
  done
}
# SIGINT back to its default: a caller that runs this script in the background (where the shell ignores SIGINT) would
# otherwise hand that on, and the chat sample under test could not be stopped with Ctrl-C.
clean() { env -i --default-signal=INT "${clean_env[@]}" "$@"; }
clean_with_network() { env -i --default-signal=INT "${clean_env[@]}" "${network_env[@]}" "$@"; }

# The variables users are told to set, and others that change what code under test does: planted here (in a subshell,
# whatever the caller has), they must not come through. Guards the lists above against a too-broad pattern.
leaked=$(
  for name in AWS_BEARER_TOKEN_BEDROCK AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION \
    AWS_DEFAULT_REGION DEFAULT_MODEL MISTRAL_API_KEY MISTRAL_API_KEY_PARAMETER METRICS_NAMESPACE POWERTOOLS_SERVICE_NAME \
    POWERTOOLS_METRICS_NAMESPACE OTEL_EXPORTER_OTLP_ENDPOINT ModelRegistry__DefaultModel DOTNET_ENVIRONMENT \
    ASPNETCORE_ENVIRONMENT MODELREGISTRY_CASSETTES MODELREGISTRY_POSTGRES; do
    export "$name=test.sh-leak-canary"
  done
  from_caller
  { clean env; clean_with_network env; } | grep -F 'test.sh-leak-canary' | cut -d= -f1 | sort -u | paste -sd' '
)
[ -z "$leaked" ] || fail "the clean environment lets the caller's $leaked through; fix from_caller in build/test.sh"
from_caller

# The recorded-traffic corpus: the caller's MODELREGISTRY_CASSETTES, else ../shared/cassettes beside the repository.
corpus="${MODELREGISTRY_CASSETTES:-$root/../shared/cassettes}"
corpus=$(realpath -m "$corpus")
clean_env+=(MODELREGISTRY_CASSETTES="$corpus")

candidate_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_http() { # url seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  return 1
}

# --- moto: a real SSM/KMS implementation for the ParameterStore tests ---------------------------------------
# It binds port 0 (a port nobody else holds) and logs the port it got; nothing is reserved and released first.
if ! python3 -c 'import moto.server' 2>/dev/null; then
  fail "moto (an AWS SSM emulator) is needed by the ParameterStore tests but is not installed. Install it with 'pip install \"moto[server]\"' (or 'apt-get install python3-moto'), then run again."
fi
python3 -m moto.server -H 127.0.0.1 -p 0 >"$out/logs/moto.log" 2>&1 &
moto_pid=$!
pids+=("$moto_pid")
moto_port=""
for _ in $(seq 1 300); do
  moto_port=$(grep -o 'Running on http://127\.0\.0\.1:[0-9]*' "$out/logs/moto.log" | head -1 | grep -o '[0-9]*$')
  [ -n "$moto_port" ] && break
  kill -0 "$moto_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$moto_port" ] || fail "moto did not start (see $out/logs/moto.log)"
wait_http "http://127.0.0.1:$moto_port/moto-api/" 30 || fail "moto did not answer on 127.0.0.1:$moto_port (see $out/logs/moto.log)"
clean_env+=(MODELREGISTRY_MOTO_ENDPOINT="http://127.0.0.1:$moto_port")

# --- redis: a real server for the limits shared between processes ------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: redis-server not found; installing Debian's redis-server package" >&2
  if [ "$(id -u)" -eq 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  { $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq redis-server; } >"$out/logs/apt.log" 2>&1 \
    || fail "could not install redis-server (see $out/logs/apt.log); install it with 'apt-get install redis-server' and run again."
fi
# redis-server cannot bind port 0 (it means "no TCP"), so: try a free-looking port, and when another process took it
# meanwhile (redis exits on the failed bind, or a foreign server answers), try another one.
redis_port=""
for _ in 1 2 3 4 5; do
  port=$(candidate_port)
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no >"$out/logs/redis.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    if redis-cli -p "$port" info server 2>/dev/null | tr -d '\r' | grep -qx "process_id:$pid"; then redis_port=$port; break; fi
    sleep 0.1
  done
  if [ -n "$redis_port" ]; then pids+=("$pid"); break; fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done
[ -n "$redis_port" ] || fail "redis-server did not start on 127.0.0.1 in 5 tries (see $out/logs/redis.log)"
clean_env+=(MODELREGISTRY_REDIS="127.0.0.1:$redis_port")

# --- PostgreSQL: a throwaway cluster for the conversation store ----------------------------------------------
pg_bin=""
# initdb on PATH may be a link into PostgreSQL's own bin directory, which also holds createdb: follow it.
for dir in "$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")")" /usr/lib/postgresql/*/bin; do
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ] && [ -x "$dir/createdb" ]; then pg_bin=$dir; break; fi
done
if [ -z "$pg_bin" ]; then
  echo "test.sh: PostgreSQL (initdb, pg_ctl, postgres) not found; installing Debian's postgresql package" >&2
  if [ "$(id -u)" -eq 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  { $apt_get update -qq && DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq postgresql; } >"$out/logs/apt-postgresql.log" 2>&1 \
    || fail "could not install postgresql (see $out/logs/apt-postgresql.log); install it with 'apt-get install postgresql' and run again."
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && pg_bin=$dir; done
  [ -n "$pg_bin" ] || fail "postgresql was installed but no initdb was found under /usr/lib/postgresql/*/bin"
fi
# PostgreSQL refuses to run as root: as root, the cluster runs as the 'postgres' user (the Debian package creates it).
pg_dir="$out/postgres"
rm -rf "$pg_dir"
mkdir -p "$pg_dir"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root and there is no 'postgres' user to run PostgreSQL as; install the postgresql package or run as another user"
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
  "${as_pg[@]}" test -w "$pg_dir" || fail "the 'postgres' user cannot write $pg_dir (a parent directory is closed to it); run as another user or open the path"
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --no-sync >"$out/logs/initdb.log" 2>&1 \
  || fail "initdb failed (see $out/logs/initdb.log)"
# Like redis: try a free-looking port; when another process took it meanwhile, pg_ctl fails to start, so try another.
pg_port=""
for _ in 1 2 3 4 5; do
  port=$(candidate_port)
  if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c full_page_writes=off" start >>"$out/logs/postgres.log" 2>&1; then
    pg_port=$port; break
  fi
done
[ -n "$pg_port" ] || fail "PostgreSQL did not start on 127.0.0.1 in 5 tries (see $out/logs/postgres.log and $pg_dir/postgres.log)"
stop_postgres() { "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; }
"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres modelregistry >>"$out/logs/postgres.log" 2>&1 \
  || { stop_postgres; fail "could not create the test database (see $out/logs/postgres.log)"; }
clean_env+=(MODELREGISTRY_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=modelregistry")

# --- the HCL parser that checks the Terraform sample (Terraform itself is not installed) -----------------------
command -v node >/dev/null 2>&1 || fail "node is needed to parse the Terraform sample; install Node.js (apt-get install nodejs npm) and run again."
npm ci --prefix build/hcl --no-audit --no-fund --loglevel=error >"$out/logs/npm.log" 2>&1 || fail "npm ci in build/hcl failed (see $out/logs/npm.log)"

# --- build and test --------------------------------------------------------------------------------------------
clean_with_network dotnet restore ModelRegistry.sln --nologo -v quiet || fail "restore failed"
clean dotnet build ModelRegistry.sln --no-restore --nologo -v quiet -c Release -warnaserror || fail "build failed"
# The Lambda sample's end-to-end test also runs its Native AOT bootstrap.
clean_with_network ./build/publish-lambda.sh x64 >"$out/logs/publish-lambda.log" 2>&1 || { cat "$out/logs/publish-lambda.log" >&2; fail "Native AOT publish of the Lambda sample failed (see $out/logs/publish-lambda.log)"; }
clean_env+=(MODELREGISTRY_LAMBDA_AOT="$root/build/out/lambda/x64/bootstrap")
rm -f "$out/lambda-startup.tsv"

clean dotnet test ModelRegistry.sln --no-build --nologo -c Release \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results"
test_status=$?

# The benchmark suite's quick mode: every benchmark runs once, to prove they still work (numbers are not looked at).
bench_failed=0
clean ./build/bench.sh --quick --no-build || bench_failed=1

# --- FUZZ STEP (issue 13, item 6) ------------------------------------------------------------------------------
# 20 seconds of the fuzz runner (the solution build above built it); any escape, hang, big allocation or leaked secret
# counts as a failed test. Its one summary line says what ran; the report is in build/out/fuzz/run.log.
fuzz_failed=0
clean ./build/fuzz.sh 20 --no-build || fuzz_failed=1

# --- PACKAGES STEP (issue 19) -----------------------------------------------------------------------------------
# Packs every src package (build/pack.sh: version from Directory.Build.props, SourceLink, .snupkg, README, licence,
# package validation) and proves them from a new app (build/consumer.sh: restored from build/out/packages by version,
# published with Native AOT without warnings, each provider answering through AddModelRegistry()). A failure of
# either is a failed test; each prints one line that lands in the output.
packages_failed=0
if clean_with_network ./build/pack.sh >"$out/logs/pack.log" 2>&1; then
  tail -1 "$out/logs/pack.log"
  if clean_with_network ./build/consumer.sh >"$out/logs/consumer.log" 2>&1; then
    tail -1 "$out/logs/consumer.log"
  else
    cat "$out/logs/consumer.log" >&2; echo "test.sh: the consumer smoke test failed (see $out/logs/consumer.log)" >&2; packages_failed=1
  fi
else
  cat "$out/logs/pack.log" >&2; echo "test.sh: build/pack.sh failed (see $out/logs/pack.log)" >&2; packages_failed=1
fi

# --- summary ---------------------------------------------------------------------------------------------------
if [ -f "$out/lambda-startup.tsv" ]; then
  awk -F'\t' '{ sum[$1] += $3; n[$1]++ } END { if (n["jit"] && n["aot"]) printf "lambda sample, process start to first response: aot %.0f ms, jit %.0f ms (aot/jit = %.3f)\n", sum["aot"]/n["aot"], sum["jit"]/n["jit"], (sum["aot"]/n["aot"])/(sum["jit"]/n["jit"]) }' "$out/lambda-startup.tsv"
fi

# Counted from each project's trx by build/trx-summary.sh (skipped = total − executed; its self-test checks that
# arithmetic on sample counters first, and a wrong count is a failed test: the line's honesty is the point of it).
summary_failed=0
clean ./build/trx-summary.sh --self-test >"$out/logs/trx-summary.log" 2>&1 || { cat "$out/logs/trx-summary.log" >&2; summary_failed=1; }
read -r passed failed skipped files < <(clean ./build/trx-summary.sh "$results")
failed=$((failed + summary_failed))
if [ "$files" -eq 0 ] || { [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
  failed=$((failed + 1)) # a test host crashed or nothing ran: never report green
fi
failed=$((failed + bench_failed + fuzz_failed + packages_failed)) # a broken benchmark, a fuzz escape or a bad package counts as a failed test

# Recorded-traffic tests that did not find the corpus report CassetteCorpus.NotFoundReason as their skip message.
corpus_skips=$(cat "$results"/*.trx 2>/dev/null | grep -o '<Message>recorded-traffic corpus not found' | wc -l)
if [ -d "$corpus" ] && [ "$corpus_skips" -eq 0 ]; then
  echo "recorded-traffic tests: ran, against the corpus at $corpus"
elif [ -d "$corpus" ]; then
  echo "recorded-traffic tests: ran against the corpus at $corpus, but $corpus_skips cases did not find it; they count as skipped"
else
  echo "recorded-traffic tests: not run (no corpus at $corpus; set MODELREGISTRY_CASSETTES to its path); $corpus_skips cases said so and count as skipped"
fi

echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$test_status" -eq 0 ]
