#!/usr/bin/env bash
# Checks GraphQL subscriptions (graphql-transport-ws at /graphql/ws) with the `graphql-ws`
# client (scripts/subscriptions/subscribe.mjs) across two replicas sharing one PostgreSQL
# database: a case created and published through replica B over HTTP must reach a subscriber
# on replica A, the publication as CREATED/PUBLISHED within 1000 ms of the publish response
# for an anonymous subscriber, which must see nothing of the draft; a read:drafts subscriber
# sees the draft's CREATED; a connection_init with an unknown key is closed with 4403 (or 4401).
#
#   scripts/subscriptions.sh [BASE_URL_A [BASE_URL_B]]
#
# With base URLs (e.g. http://127.0.0.1:8080, servers you started on one database), checks
# those, with the key in CASEGRAPH_KEY (scopes read,read:drafts,write); B defaults to A.
# Without them, creates a throwaway PostgreSQL database (dropped on exit) with
# `psql -h $PG_HOST -p $PG_PORT -U $PG_USER` (defaults 127.0.0.1, 5432, postgres), creates the
# key in it, and starts two servers $CASEGRAPH_BIN (default: a `cargo build`, see
# scripts/lib/server.sh) with `serve --no-samples` on it, bound to 127.0.0.1:$PORT_A and
# 127.0.0.1:$PORT_B (default: two free ports; 18110 and 18111 without python3). Their logs are
# printed when a check fails.
#
# Environment: also SUBSCRIPTIONS_LATENCY_MS (default 1000) and SUBSCRIPTIONS_TIMEOUT_MS for
# the node check (default 60000). Exit code: 0 passed, 1 a check failed, 2 setup failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
check_dir=scripts/subscriptions

say() { printf 'subscriptions.sh: %s\n' "$*" >&2; }

if [[ ! -d "$check_dir/node_modules" ]]; then
  (cd "$check_dir" && npm ci --silent --no-audit --no-fund)
fi

# The node check, bounded by `timeout` too should its own watchdog ever fail.
run_check() { # run_check BASE_URL_A BASE_URL_B
  timeout --kill-after=5 "$(( ${SUBSCRIPTIONS_TIMEOUT_MS:-60000} / 1000 + 15 ))" \
    node "$check_dir/subscribe.mjs" "$1" "$2"
}

if [[ $# -ge 1 && -n "$1" ]]; then
  if [[ -z "${CASEGRAPH_KEY:-}" ]]; then
    say "CASEGRAPH_KEY must hold a key with the scopes read,read:drafts,write"
    exit 2
  fi
  run_check "$1" "${2:-$1}"
  exit 0
fi

# Only for casegraph_binary: start_server serves a single SQLite database.
source scripts/lib/server.sh
bin="$(casegraph_binary)"
if [[ ! -x "$bin" ]]; then
  say "no executable casegraph binary at $bin"
  exit 2
fi

pg_host="${PG_HOST:-127.0.0.1}"
pg_port="${PG_PORT:-5432}"
pg_user="${PG_USER:-postgres}"
psql_cmd=(psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -v ON_ERROR_STOP=1 -q)
database="casegraph_ws_$(date +%s)_$$"
tmpdir="$(mktemp -d)"
pids=()
database_created=0

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
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
export DATABASE_URL="postgres://$pg_user@$pg_host:$pg_port/$database"

# The key first: this migrates the new database once, before either replica starts.
key="$("$bin" keys create --name subscriptions --scopes read,read:drafts,write 2>"$tmpdir/keys.log")"
if [[ -z "$key" ]]; then
  say "could not create an API key in $database"
  print_logs
  exit 2
fi

# Two free loopback ports at once (both held while choosing, so they differ).
free_ports() {
  python3 -c 'import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' 2>/dev/null
}
if [[ -z "${PORT_A:-}" || -z "${PORT_B:-}" ]]; then
  read -r free_a free_b < <(free_ports || echo 18110 18111)
fi
port_a="${PORT_A:-$free_a}"
port_b="${PORT_B:-$free_b}"

start_replica() { # start_replica NAME PORT
  local name=$1 port=$2 pid
  "$bin" serve --bind "127.0.0.1:$port" --no-samples >"$tmpdir/replica-$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  say "replica $name did not become ready on http://127.0.0.1:$port"
  print_logs
  exit 2
}

# One after the other: the second replica finds the database migrated.
start_replica a "$port_a"
start_replica b "$port_b"
say "replica A on 127.0.0.1:$port_a, replica B on 127.0.0.1:$port_b, database $database"

status=0
CASEGRAPH_KEY="$key" run_check "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" || status=$?
if [[ $status -ne 0 ]]; then
  if [[ $status -eq 124 || $status -eq 137 ]]; then
    say "FAILED: the check did not finish in time"
  fi
  say "FAILED; the servers' logs:"
  print_logs
  exit 1
fi
