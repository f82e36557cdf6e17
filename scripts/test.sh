#!/usr/bin/env bash
# Every test: unit tests, then the black-box API tests on a fresh SQLite database per test and on
# PostgreSQL (a throwaway database per test, dropped after). Under CI=true a missing PostgreSQL
# fails the run; elsewhere it is skipped loudly.
set -uo pipefail
# (pipefail: a step fails when its command fails, even though its output goes through tee)
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh

PG_URL="${SKILLCOMP_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
PG_HOST_PORT="${PG_URL#*://}"; PG_HOST_PORT="${PG_HOST_PORT#*@}"; PG_HOST_PORT="${PG_HOST_PORT%%/*}"
PG_HOST="${PG_HOST_PORT%%:*}"; PG_PORT="${PG_HOST_PORT##*:}"; [ "$PG_PORT" = "$PG_HOST" ] && PG_PORT=5432

results=()
failed=0
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
step() {
  local name="$1"; shift
  echo "==> $name"
  if "$@" 2>&1 | tee -a "$log"; then results+=("ok      $name"); else results+=("FAILED  $name"); failed=1; fi
}

export RUST_BACKTRACE=1
step "build" bash -c "cargo build --workspace --tests --quiet && cargo build -p skillcomp --bin skillcomp --quiet"
step "unit tests (domain, api helpers)" cargo test -p skillcomp --lib --quiet
step "API tests on SQLite" env -u SKILLCOMP_TEST_POSTGRES_URL cargo test -p skillcomp-tests --test api --quiet
# The same again on another day: a Saturday inside the National Day holiday, far from today, so
# that no test leans on the day it happens to run (SKILLCOMP_CLOCK sets the servers' clock).
CLOCK_AT="${SKILLCOMP_TEST_CLOCK:-2027-10-02T10:00:00+08:00}"
step "API tests on SQLite with the clock at $CLOCK_AT" env -u SKILLCOMP_TEST_POSTGRES_URL SKILLCOMP_CLOCK="$CLOCK_AT" cargo test -p skillcomp-tests --test api --quiet

if (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null; then
  step "API tests on PostgreSQL ($PG_HOST:$PG_PORT)" env SKILLCOMP_TEST_POSTGRES_URL="$PG_URL" cargo test -p skillcomp-tests --test api --quiet
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $PG_HOST:$PG_PORT, and CI needs it" >&2
  results+=("FAILED  API tests on PostgreSQL: no server at $PG_HOST:$PG_PORT"); failed=1
else
  echo
  echo "!!! SKIPPED: the API tests on PostgreSQL — no server at $PG_HOST:$PG_PORT"
  echo "!!! (set SKILLCOMP_TEST_POSTGRES_URL, or start PostgreSQL, to run them)"
  echo
  results+=("SKIPPED API tests on PostgreSQL (no server at $PG_HOST:$PG_PORT)")
fi

step "hostile input: schemathesis on the live server, anonymous and each role" bash scripts/schemathesis.sh

if [ -f frontend/package.json ]; then
  step "SPA: packages (npm ci)" bash -c "cd frontend && npm ci --no-audit --no-fund --loglevel=error"
  step "SPA: API client types match openapi.json" bash -c "cd frontend && npm run -s api:check"
  step "SPA: type check (vue-tsc)" bash -c "cd frontend && npm run -s typecheck"
  step "SPA unit tests (vitest)" bash -c "cd frontend && npm test -s"
  step "SPA browser tests (chromium, real server)" bash -c "bash scripts/ensure-deps.sh chromium && cd frontend && npm run -s build && SKILLCOMP_BIN=../target/debug/skillcomp npm run -s e2e"
fi

passed=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failures=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$log" | grep -oE '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
echo
echo "summary:"
printf '  %s\n' "${results[@]}"
echo
echo "tests: $passed passed, $failures failed"
exit "$failed"
