#!/usr/bin/env bash
# Checks that casegraph-baseline answers byte for byte what the GraphQL server answers: starts
# both (release builds) on free ports over the same database and POSTs the same bodies to
# both: the CasePage operation, and CaseBySlug for 50 published cases spread over the table
# (and the one with the most organisations and countries, and one without an English title, if any),
# one draft, one archived and one unknown slug. Compares the status, the Content-Type and the
# body (cmp); on a difference, prints the two bodies' diff (pretty-printed). Exits non-zero on
# any difference.
#
#   bench/baseline/compare.sh                      # /var/tmp/casegraph-bench/read-100000.db
#   bench/baseline/compare.sh sqlite://FILE        # another SQLite file
#   bench/baseline/compare.sh postgres://USER@HOST:PORT/DB
#   PG_DATABASE_URL=postgres://… bench/baseline/compare.sh   # SQLite, then PostgreSQL too
#
# Without an argument and without the 100k file, seeds a small SQLite file (2,000 synthetic
# cases) under $TMPDIR first. Creates a read key (`casegraph keys create`) in each database.
set -euo pipefail
cd "$(dirname "$0")/../.."

DEFAULT_DB=/var/tmp/casegraph-bench/read-100000.db
SLUGS=${SLUGS:-50}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "building release binaries" >&2
cargo build --release --quiet -p casegraph -p casegraph-baseline
binary=./target/release/casegraph
baseline=./target/release/casegraph-baseline

by_slug_query='query CaseBySlug($slug: String!) { case(slug: $slug) { slug title category { name } collection { title } organisations { role organisation { name } } countries { code } } }'
page_query='query CasePage { cases(first: 20, orderBy: {field: PUBLISHED_AT, direction: DESC}) { nodes { slug title category { name } collection { title } organisations { role organisation { name } } countries { code } } } }'

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

body() { # body OPERATION_NAME QUERY [SLUG]: one request body
  python3 - "$@" <<'PYTHON'
import json, sys
name, query = sys.argv[1], sys.argv[2]
request = {"query": query, "operationName": name}
if len(sys.argv) > 3:
    request["variables"] = {"slug": sys.argv[3]}
print(json.dumps(request, separators=(",", ":"), ensure_ascii=False))
PYTHON
}

start() { # start NAME PORT DATABASE_URL COMMAND...: background, waits for /readyz
  local name=$1 port=$2 url=$3
  shift 3
  DATABASE_URL="$url" CASEGRAPH_LOG=warn "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 150); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return
    sleep 0.2
  done
  echo "$name did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=()
}

slugs() { # slugs ENGINE URL: the slugs to ask for, one a line
  local statements=(
    # SLUGS published cases spread over the table (7919 × id permutes ids modulo a prime).
    "SELECT slug FROM cases WHERE status = 'PUBLISHED' ORDER BY (id * 7919) % 100003, id LIMIT $SLUGS"
    # The published case with the most organisations and countries (its response may hold
    # as many objects as the operation can cost: no refund, a different throttleStatus).
    "SELECT slug FROM cases c WHERE status = 'PUBLISHED' ORDER BY
       (SELECT count(*) FROM case_organisation o WHERE o.case_id = c.id)
       + (SELECT count(*) FROM case_country k WHERE k.case_id = c.id) DESC, id LIMIT 1"
    # A published case without an English title, if any (falls back to another locale).
    "SELECT slug FROM cases c WHERE status = 'PUBLISHED' AND NOT EXISTS
       (SELECT 1 FROM case_translation t WHERE t.case_id = c.id AND t.locale = 'en') ORDER BY id LIMIT 1"
    # Not visible to a read key: null.
    "SELECT slug FROM cases WHERE status = 'DRAFT' ORDER BY id LIMIT 1"
    "SELECT slug FROM cases WHERE status = 'ARCHIVED' ORDER BY id LIMIT 1"
  )
  case "$1" in
    sqlite)
      python3 - "$2" "${statements[@]}" <<'PYTHON'
import sqlite3, sys
connection = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for statement in sys.argv[2:]:
    for (slug,) in connection.execute(statement):
        print(slug)
PYTHON
      ;;
    postgres)
      for statement in "${statements[@]}"; do psql "$2" -Atc "$statement"; done
      ;;
  esac
  echo "no-such-case-$(date +%s)"
}

compare() { # compare LABEL SERVER_URL BASELINE_URL ENGINE SLUG_SOURCE
  local label=$1 server_url=$2 baseline_url=$3 engine=$4 source=$5
  local key port base_port requests=0 failures=0 shown=0
  echo "== $label ==" >&2
  key=$(DATABASE_URL="$server_url" CASEGRAPH_LOG=warn "$binary" keys create --name compare --scopes read \
    --budget 1000000000000 --refill 1000000000000 2>/dev/null)
  port=$(free_port)
  base_port=$(free_port)
  while [ "$base_port" = "$port" ]; do base_port=$(free_port); done
  start server "$port" "$server_url" "$binary" serve --bind "127.0.0.1:$port" --no-samples
  start baseline "$base_port" "$baseline_url" "$baseline" --database-url "$baseline_url" \
    --bind "127.0.0.1:$base_port"

  : >"$work/bodies"
  body CasePage "$page_query" >>"$work/bodies"
  while IFS= read -r slug; do body CaseBySlug "$by_slug_query" "$slug" >>"$work/bodies"; done \
    < <(slugs "$engine" "$source")

  while IFS= read -r request; do
    requests=$((requests + 1))
    printf '%s' "$request" >"$work/request.json"
    local name meta_server meta_baseline
    name=$(python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["operationName"], r.get("variables", {}).get("slug", ""))' \
      <"$work/request.json")
    meta_server=$(curl -sS -X POST "http://127.0.0.1:$port/graphql" -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $key" --data-binary @"$work/request.json" -o "$work/server.json" \
      -w '%{http_code} %{content_type}')
    meta_baseline=$(curl -sS -X POST "http://127.0.0.1:$base_port/graphql" -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $key" --data-binary @"$work/request.json" -o "$work/baseline.json" \
      -w '%{http_code} %{content_type}')
    if [ "$meta_server" = "$meta_baseline" ] && cmp -s "$work/server.json" "$work/baseline.json"; then
      continue
    fi
    failures=$((failures + 1))
    echo "DIFFERENT: $name (server: $meta_server, baseline: $meta_baseline)" >&2
    if [ "$shown" = 0 ]; then
      shown=1
      cmp "$work/server.json" "$work/baseline.json" >&2 || true
      diff -u --label server <(python3 -m json.tool "$work/server.json" 2>&1) \
        --label baseline <(python3 -m json.tool "$work/baseline.json" 2>&1) >&2 || true
    fi
  done <"$work/bodies"
  stop_all
  if [ "$failures" -gt 0 ]; then
    echo "$label: $failures of $requests responses differ" >&2
    return 1
  fi
  echo "$label: $requests of $requests responses identical (status, Content-Type, body)"
}

status=0
target=${1:-}
if [ -z "$target" ]; then
  if [ -f "$DEFAULT_DB" ]; then
    target="sqlite://$DEFAULT_DB"
  else
    small="${TMPDIR:-/tmp}/casegraph-compare-2000.db"
    if [ ! -f "$small" ]; then
      echo "seeding 2,000 synthetic cases into $small" >&2
      DATABASE_URL="sqlite://$small?mode=rwc" CASEGRAPH_LOG=warn "$binary" seed --synthetic 2000 --seed 7 >&2
    fi
    target="sqlite://$small"
  fi
fi

run_target() { # run_target URL
  local url=$1 file
  case "$url" in
    sqlite:*)
      file=${url#sqlite://}
      file=${file#sqlite:}
      file=${file%%\?*}
      compare "SQLite $file" "sqlite://$file?mode=rwc" "sqlite://$file?mode=ro" sqlite "$file" || status=1
      ;;
    postgres:* | postgresql:*)
      compare "PostgreSQL $(printf '%s' "${url%%\?*}" | sed -E 's#//([^:@/]*):[^@/]*@#//\1:***@#')" "$url" "$url" postgres "$url" \
        || status=1
      ;;
    *)
      echo "unsupported database URL: $url" >&2
      status=1
      ;;
  esac
}

run_target "$target"
if [ -n "${PG_DATABASE_URL:-}" ]; then run_target "$PG_DATABASE_URL"; fi
exit "$status"
