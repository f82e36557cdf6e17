#!/usr/bin/env bash
# Hostile input: schemathesis (from PyPI, pinned, in a venv under target/) against the live
# server's /api/openapi.json, once anonymously and once with each role's token, on the demo
# province, with real ids of its competitions, events, registrations, people, awards, users and
# organisations (scripts/schemathesis_ids.py). Checks: no 5xx, every response matches its documented status, content type, headers
# and schema. Bounded (examples per operation and seconds per role) so that it fits CI. One
# worker: with two, CPython 3.11's ast.parse (hypothesis describes its lambdas with it) sometimes
# fails across threads ("AST constructor recursion depth mismatch"), a crash of the tool.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV=target/schemathesis-$VERSION
BIN=${SKILLCOMP_BIN:-target/debug/skillcomp}
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-5}
SECONDS_PER_ROLE=${SCHEMATHESIS_SECONDS:-45}

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$dir/fuzz.db" SKILLCOMP_BIND="127.0.0.1:$port" RUST_LOG=error \
  SKILLCOMP_JWT_SECRET=fuzz-secret-fuzz-secret-fuzz-secret-0123 SKILLCOMP_DEMO_HISTORY=50 \
  SKILLCOMP_LOGIN_PER_IP=off SKILLCOMP_SIGNUP_PER_IP=off SKILLCOMP_LOGIN_FAILURES_PER_ACCOUNT=off
bin=$(realpath "$BIN")
(cd "$dir" && "$bin" seed-demo >/dev/null)
(cd "$dir" && exec "$bin" serve 2>"$dir/server.log") &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done

token() {
  local password
  password=$(awk -v u="$1" '$1==u {print $2}' "$dir/data/demo-accounts.txt")
  curl -sf -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# Real ids, so that operations on one object reach it (the admin reads them).
python3 scripts/schemathesis_ids.py "$base/api/v1" "$(token admin)" >"$dir/schemathesis.toml"

failed=0
for who in anonymous 13800000001 judge.zhang org.kunming official.kunming admin; do
  auth=()
  [ "$who" != anonymous ] && auth=(-H "Authorization: Bearer $(token "$who")")
  log="$dir/schemathesis-$who.log"
  # The two spreadsheet uploads have no body schemathesis can make; the API tests send real files.
  if "$VENV/bin/schemathesis" --config-file "$dir/schemathesis.toml" run "$base/api/openapi.json" "${auth[@]}" \
      --max-examples "$EXAMPLES" --max-time "$SECONDS_PER_ROLE" --workers 1 --seed 20261124 \
      --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance \
      --exclude-path-regex '/import$' >"$log" 2>&1; then
    echo "schemathesis as $who: $(grep -oE '[0-9]+ generated, [0-9]+ passed' "$log" | tail -1) — no failures"
  else
    failed=1
    echo "schemathesis as $who: FAILED"
    sed -n '/FAILURES\|ERRORS/,/WARNINGS/p' "$log" | cut -c1-400 | head -150
  fi
done
if grep -q ' ERROR ' "$dir/server.log" 2>/dev/null; then
  grep ' ERROR ' "$dir/server.log" | grep -v 'request parse error' | head -20 || true
fi
exit $failed
