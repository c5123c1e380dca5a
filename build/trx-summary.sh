#!/usr/bin/env bash
# Counts the results of a directory of trx files (one per test project), as build/test.sh's summary line reports them.
#   build/trx-summary.sh DIR       prints "PASSED FAILED SKIPPED FILES"
#   build/trx-summary.sh --self-test   checks the arithmetic on sample trx counters; exits non-zero when it is wrong
#
# Skipped is total − executed: NUnit's ignored and inconclusive tests are "NotExecuted" results, yet the trx
# "notExecuted" counter stays 0 (seen with NUnit3TestAdapter: total="8" executed="4" ... notExecuted="0"). An executed
# test that neither passed nor failed (another outcome) is not green, so it counts as failed.
set -uo pipefail

count() { # dir -> "passed failed skipped files"
  local passed=0 failed=0 skipped=0 files=0 trx counters run_failed other
  for trx in "$1"/*.trx; do
    [ -f "$trx" ] || continue
    files=$((files + 1))
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    get() { local n; n=$(echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'); echo "${n:-0}"; }
    run_failed=$(( $(get failed) + $(get error) + $(get timeout) + $(get aborted) ))
    other=$(( $(get executed) - $(get passed) - run_failed ))
    [ "$other" -gt 0 ] && run_failed=$((run_failed + other))
    passed=$((passed + $(get passed)))
    failed=$((failed + run_failed))
    skipped=$((skipped + $(get total) - $(get executed)))
  done
  echo "$passed $failed $skipped $files"
}

self_test() {
  local dir status=0
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  sample() { # file total executed passed failed [error]
    printf '<?xml version="1.0" encoding="utf-8"?>\n<TestRun><ResultSummary outcome="Failed">\n' >"$dir/$1"
    printf '<Counters total="%s" executed="%s" passed="%s" failed="%s" error="%s" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />\n' \
      "$2" "$3" "$4" "$5" "${6:-0}" >>"$dir/$1"
    printf '</ResultSummary></TestRun>\n' >>"$dir/$1"
  }
  check() { # expected description
    local got
    got=$(count "$dir")
    if [ "$got" = "$1" ]; then echo "trx-summary self-test: ok   $2 -> $got"; else echo "trx-summary self-test: FAIL $2 -> $got, expected $1" >&2; status=1; fi
  }
  check "0 0 0 0" "no trx at all"
  sample a.trx 8 4 2 2 # the NUnit probe: 4 not executed (ignored, no corpus), notExecuted counter 0
  check "2 2 4 1" "total 8, executed 4, passed 2, failed 2"
  sample b.trx 15 15 15 0
  check "17 2 4 2" "plus a green project of 15"
  sample c.trx 6 5 3 1 # one executed test neither passed nor failed (inconclusive)
  check "20 4 5 3" "plus 6 tests, 5 executed, 3 passed, 1 failed, 1 other"
  sample d.trx 3 3 1 0 2 # errors count as failures
  check "21 6 5 4" "plus 3 executed, 1 passed, 2 errors"
  return "$status"
}

case "${1:-}" in
  --self-test) self_test ;;
  "" | -*) echo "usage: $0 DIR | --self-test" >&2; exit 2 ;;
  *) count "$1" ;;
esac
