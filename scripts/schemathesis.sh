#!/usr/bin/env bash
# Fuzzes a live Casegraph GraphQL API with Schemathesis and fails on any HTTP 5xx, any response
# that is not GraphQL JSON, and any error whose `extensions.code` is missing or INTERNAL (typed
# refusals such as BAD_USER_INPUT, FORBIDDEN, NOT_FOUND, QUERY_TOO_COMPLEX are fine).
#
#   scripts/schemathesis.sh
#
# Starts the server $CASEGRAPH_BIN (default: $CARGO_TARGET_DIR/debug/casegraph, built with
# `cargo build` when CASEGRAPH_BIN is not set) on a free loopback port with a throwaway SQLite
# database (sample data is loaded on first start) and budgets large enough never to throttle,
# creates a `read,read:drafts,write,admin` API key in it, and runs `schemathesis run` on every
# Query and Mutation field: the fuzzing phase (valid operations and operations with invalid
# arguments, some sent with variables, some with the key, so mutations run with every scope
# and are refused without one) then the stateful phase (ids and slugs of one answer fed into
# the next).
# Settings: scripts/schemathesis/schemathesis.toml; check and generation hooks:
# scripts/schemathesis/hooks.py; real slugs and ids: scripts/schemathesis/dictionaries.py.
#
# Environment: FUZZ_SEED (default 20261204); FUZZ_MAX_EXAMPLES per operation (default 100; the
# connections get 300, see the .toml); FUZZ_WORKERS (default 2); FUZZ_TIMEOUT for the whole run
# in seconds (default 300); PORT (default: a free one); FUZZ_OUT, the directory of the logs and
# reports (default $CARGO_TARGET_DIR/schemathesis: server.log, schemathesis.txt, report.json,
# requests.har with every request and response). Exit code: 0 clean, 1 failures, 2 setup failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
fuzz_dir="$repo/scripts/schemathesis"

SCHEMATHESIS_VERSION=4.32.5
PYTHON="${PYTHON:-python3}"
# The hooks are imported from the repository: no __pycache__ next to them.
export PYTHONDONTWRITEBYTECODE=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
seed="${FUZZ_SEED:-20261204}"
max_examples="${FUZZ_MAX_EXAMPLES:-100}"
workers="${FUZZ_WORKERS:-2}"
run_timeout="${FUZZ_TIMEOUT:-300}"
out="${FUZZ_OUT:-$CARGO_TARGET_DIR/schemathesis}"

say() { printf 'schemathesis.sh: %s\n' "$*" >&2; }

installed="$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)"
if [[ "$installed" != "$SCHEMATHESIS_VERSION" ]]; then
  say "installing schemathesis $SCHEMATHESIS_VERSION (found: ${installed:-none})"
  "$PYTHON" -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

mkdir -p "$out"
rm -f "$out"/{keys.log,server.log,schemathesis.txt,report.json,requests.har}
source scripts/lib/server.sh
server_database
tmpdir="$SERVER_DIR"

port="${PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
url="http://127.0.0.1:$port/graphql"

# The key is created first (this migrates the empty database); the server still loads the
# sample set on its first start, as the database has no content yet.
key="$("$SERVER_BIN" keys create --name fuzz --scopes read,read:drafts,write,admin 2>"$out/keys.log")"
if [[ -z "$key" ]]; then
  say "could not create an API key; its log:"
  cat "$out/keys.log" >&2
  exit 2
fi

# Budgets and the cost limit far above anything a fuzz can ask for: a THROTTLED or
# QUERY_TOO_COMPLEX answer would only stop queries before the code under test.
SERVER_LOG="$out/server.log" start_server "$port" --log-format json \
  --anonymous-budget 1000000000 --anonymous-refill 1000000000 \
  --key-budget 1000000000 --key-refill 1000000000 --max-cost 100000000

config="$tmpdir/schemathesis.toml"
cp "$fuzz_dir/schemathesis.toml" "$config"
"$PYTHON" "$fuzz_dir/dictionaries.py" "$url" "$key" >>"$config"

say "fuzzing $url (seed $seed, $max_examples examples per operation, $workers workers; logs in $out)"
started=$SECONDS
status=0
# Run from the temporary directory: Schemathesis writes nothing into the repository. `timeout`
# bounds a run whose stateful phase would keep finding new failures; --max-failures as well.
(
  cd "$tmpdir"
  CASEGRAPH_FUZZ_KEY="$key" SCHEMATHESIS_HOOKS="$fuzz_dir/hooks.py" \
    timeout --kill-after=10 "$run_timeout" \
    "$PYTHON" -m schemathesis.cli --config-file "$config" --no-color run "$url" \
    --seed "$seed" --max-examples "$max_examples" --workers "$workers" \
    --continue-on-failure --max-failures 50 --request-timeout 30 \
    --report json,har --report-dir "$out" \
    --report-json-path "$out/report.json" --report-har-path "$out/requests.har"
) 2>&1 | tee "$out/schemathesis.txt" || status=$?
elapsed=$((SECONDS - started))

if [[ $status -eq 124 || $status -eq 137 ]]; then
  say "FAILED: schemathesis did not finish within ${run_timeout}s"
  exit 1
fi

# A short summary from the run's JSON report.
"$PYTHON" - "$out/report.json" "$elapsed" <<'PY' || true
import json, sys
report, elapsed = json.load(open(sys.argv[1])), sys.argv[2]
operations, cases = report["operations"], report["test_cases"]
print(f"\nschemathesis.sh: {operations['tested']}/{operations['total']} operations tested, "
      f"{cases['generated']} test cases, {cases['unique_failures']} distinct failures, "
      f"{len(report['errors'])} errors, {elapsed}s")
for failure in report["failures"]:
    print(f"  FAIL {', '.join(failure['operations'])}: {failure['title']}")
for error in report["errors"]:
    print(f"  ERROR {json.dumps(error)[:300]}")
PY

if [[ $status -ne 0 ]]; then
  say "FAILED (schemathesis exit code $status): see the reproducers above; server log: $out/server.log"
  exit 1
fi
say "passed"
