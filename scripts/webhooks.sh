#!/usr/bin/env bash
# Checks Casegraph's webhooks against real servers (scripts/webhooks/webhooks.mjs): every
# delivery is verified by a receiver with the `standardwebhooks` package, the specification's
# own library (never our HMAC code); then
#   1. retries: SQLite, the receiver fails the first 3 attempts of each message, retry waits
#      0.3 s: one publication arrives as one message in 4 attempts, accepted once within 15 s,
#      nothing for the draft before it;
#   2. a crash: SQLite, retry waits 3,0.3,0.3,0.3: the server is killed with SIGKILL after the
#      first (failed) attempt, started again on its database: the message is accepted exactly
#      once within 20 s of the restart;
#   3. two replicas on one PostgreSQL database: 20 cases created and published through
#      alternating replicas are each accepted exactly once within 30 s;
#   4. SSRF: without --webhook-allow-private-targets, createWebhook refuses loopback and
#      link-local (cloud metadata) URLs with userErrors, and accepts a public one.
#
#   scripts/webhooks.sh
#
# Runs the receiver's own test first (scripts/webhooks/selftest.mjs: signatures made with the
# library's `sign`). Then creates a throwaway PostgreSQL database (dropped on exit) with
# `psql -h $PG_HOST -p $PG_PORT -U $PG_USER` (defaults 127.0.0.1, 5432, postgres) and a
# temporary folder for the SQLite databases and the logs; the node check starts and kills the
# servers ($CASEGRAPH_BIN, default ${CARGO_TARGET_DIR:-/var/tmp/casegraph-ci-target}/debug/
# casegraph: not built here) on free loopback ports, the receiver on another. The servers',
# the commands' and the receiver's logs are printed when a check fails.
#
# Environment: also WEBHOOKS_TIMEOUT_MS, the whole node check (default 240000; `timeout` ends
# it 15 s later should its own watchdog fail). Exit code: 0 passed, 1 a check failed, 2 setup
# failed (npm, the binary, PostgreSQL, a server that does not start).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
check_dir=scripts/webhooks

say() { printf 'webhooks.sh: %s\n' "$*" >&2; }

if [[ ! -d "$check_dir/node_modules" ]]; then
  if ! (cd "$check_dir" && npm ci --silent --no-audit --no-fund); then
    say "npm ci failed in $check_dir"
    exit 2
  fi
fi
if ! node "$check_dir/selftest.mjs" >&2; then
  say "the receiver's self-test failed (scripts/webhooks/selftest.mjs): the check itself is broken"
  exit 2
fi

bin="${CASEGRAPH_BIN:-${CARGO_TARGET_DIR:-/var/tmp/casegraph-ci-target}/debug/casegraph}"
if [[ ! -x "$bin" ]]; then
  say "no executable casegraph binary at $bin (set CASEGRAPH_BIN, or cargo build)"
  exit 2
fi

pg_host="${PG_HOST:-127.0.0.1}"
pg_port="${PG_PORT:-5432}"
pg_user="${PG_USER:-postgres}"
psql_cmd=(psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -v ON_ERROR_STOP=1 -q)
database="casegraph_wh_$(date +%s)_$$"
tmpdir="$(mktemp -d)"
database_created=0

# The node check stops its servers itself, and kills them when it exits; should it be killed
# outright, the ones still running are in servers.pids (only ids of servers it started).
stop_leftover_servers() {
  local pid pids=()
  [[ -s "$tmpdir/servers.pids" ]] || return 0
  while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && pids+=("$pid")
  done <"$tmpdir/servers.pids"
  [[ ${#pids[@]} -gt 0 ]] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    for pid in "${pids[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then
        sleep 0.1
        continue 2
      fi
    done
    return 0
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

cleanup() {
  stop_leftover_servers
  if [[ $database_created -eq 1 ]]; then
    "${psql_cmd[@]}" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 \
      || say "could not drop the database $database"
  fi
  rm -rf "$tmpdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

print_logs() {
  local log printed=0
  for log in "$tmpdir"/*.log; do
    [[ -s "$log" ]] || continue
    printf '\n--- %s (last 200 lines) ---\n' "$(basename "$log")" >&2
    tail -n 200 "$log" >&2
    printed=1
  done
  if [[ $printed -eq 0 ]]; then
    say "(the logs are empty)"
  fi
}

if ! "${psql_cmd[@]}" -c "CREATE DATABASE $database" 2>"$tmpdir/psql.log"; then
  say "could not create the PostgreSQL database $database on $pg_host:$pg_port as $pg_user"
  cat "$tmpdir/psql.log" >&2
  exit 2
fi
database_created=1
rm -f "$tmpdir/psql.log"

timeout_ms="${WEBHOOKS_TIMEOUT_MS:-240000}"
status=0
CASEGRAPH_BIN="$bin" WEBHOOKS_DIR="$tmpdir" WEBHOOKS_TIMEOUT_MS="$timeout_ms" \
  WEBHOOKS_PG_URL="postgres://$pg_user@$pg_host:$pg_port/$database" \
  timeout --kill-after=5 "$((timeout_ms / 1000 + 15))" node "$check_dir/webhooks.mjs" || status=$?
case $status in
  0) ;;
  2)
    say "setup FAILED; the logs:"
    print_logs
    exit 2
    ;;
  *)
    if [[ $status -eq 124 || $status -eq 137 ]]; then
      say "FAILED: the check did not finish in time"
    fi
    say "FAILED; the logs:"
    print_logs
    exit 1
    ;;
esac
