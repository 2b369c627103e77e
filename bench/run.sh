#!/usr/bin/env bash
# The benchmark suite (see BENCHMARKS.md): throughput and latency of the GraphQL server under
# 32 connections, beside a hand-written baseline (bench/baseline) answering the same bytes.
#
#   bench/run.sh                          # SQLite, and PostgreSQL when a local server answers
#   ENGINES=sqlite DURATION=10s bench/run.sh
#   WRITE=0 bench/run.sh                  # print the table, leave BENCHMARKS.md alone
#   SCENARIOS=search WRITE=0 bench/run.sh # some scenarios only (always with WRITE=0)
#
# Builds release binaries; seeds N (100,000) synthetic cases per engine once (kept under
# $BENCH_DIR and reused while the binary is older than the seed); installs wrk (Debian)
# when missing; pins the server to CPU 0 and wrk to CPU 1; runs each scenario for DURATION
# with 32 connections, after a warm-up. Every response body is checked: a status other
# than 200 or a body with "errors" counts as an error, not a request. Reports requests/s,
# p50, p99, SQL statements per request (from /metrics), peak RSS (VmHWM, reset before each
# scenario) and, for the by-slug and page scenarios, the ratio to the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS:-32}
ENGINES=${ENGINES:-sqlite postgres}
WRITE=${WRITE:-1}
# Some of the scenarios only; use it with WRITE=0 (the block in BENCHMARKS.md lists them all).
SCENARIOS=${SCENARIOS:-typename by-slug page search statistics statistics-cold}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
BENCH_DIR=${BENCH_DIR:-/var/tmp/casegraph-bench}
PORT=${PORT:-18100}
BASELINE_PORT=${BASELINE_PORT:-18101}
mkdir -p "$BENCH_DIR"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
cargo build --release --quiet -p casegraph -p casegraph-baseline
binary=./target/release/casegraph
baseline=./target/release/casegraph-baseline
cpus=$(nproc)
server_cpu=0
client_cpu=$((cpus > 1 ? 1 : 0))

# ---- the operations (the same bodies go to the GraphQL server and the baseline) ----------
by_slug_query='query CaseBySlug($slug: String!) { case(slug: $slug) { slug title category { name } collection { title } organisations { role organisation { name } } countries { code } } }'
page_query='query CasePage { cases(first: 20, orderBy: {field: PUBLISHED_AT, direction: DESC}) { nodes { slug title category { name } collection { title } organisations { role organisation { name } } countries { code } } } }'
search_query='query Search { cases(first: 20, filter: {search: "digital customs"}) { totalCount edges { score highlights { field snippet } node { slug title category { name } } } } }'
statistics_query='query Dashboard { statistics { caseCount organisationCount countryCount byCategory { category { slug name } count share } byOrganisationType { type label count share } byCountry(first: 15) { country { code name } count share } byCollection { collection { slug year } count share } byMonth(field: PUBLISHED_AT) { month count } byTag(first: 10) { tag count } followUpActions { total byKind { kind label count } byStatus { status count } } } }'

body() { # body QUERY [VARIABLES_JSON]: one request body on one line
  python3 - "$1" "${2:-{\}}" <<'PYTHON'
import json, sys
query, variables = sys.argv[1], json.loads(sys.argv[2])
request = {"query": query}
if query.startswith("query "):
    request["operationName"] = query.split()[1].split("(")[0]
if variables:
    request["variables"] = variables
print(json.dumps(request, separators=(",", ":"), ensure_ascii=False))
PYTHON
}

prepare() { # prepare ENGINE: sets database_url, seeding once
  local engine=$1 marker
  case "$engine" in
    sqlite)
      database_url="sqlite://$BENCH_DIR/read-$N.db?mode=rwc"
      marker="$BENCH_DIR/read-$N.db.seeded"
      if [ ! -f "$marker" ] || [ "$binary" -nt "$marker" ]; then
        rm -f "$BENCH_DIR/read-$N.db" "$BENCH_DIR/read-$N.db-wal" "$BENCH_DIR/read-$N.db-shm" "$marker"
        echo "seeding $N synthetic cases into SQLite" >&2
        DATABASE_URL="$database_url" CASEGRAPH_LOG=warn "$binary" seed --synthetic "$N" --seed 7 >&2
        touch "$marker"
      fi
      ;;
    postgres)
      database_url="$PG_URL/casegraph_bench_$N"
      marker="$BENCH_DIR/statistics-postgres-$N.seeded"
      if [ ! -f "$marker" ] || [ "$binary" -nt "$marker" ]; then
        rm -f "$marker"
        psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS casegraph_bench_$N WITH (FORCE)"
        psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE casegraph_bench_$N"
        echo "seeding $N synthetic cases into PostgreSQL" >&2
        DATABASE_URL="$database_url" CASEGRAPH_LOG=warn "$binary" seed --synthetic "$N" --seed 7 >&2
        psql "$database_url" -qc "VACUUM ANALYZE" >&2
        touch "$marker"
      fi
      ;;
  esac
}

published_slugs() { # 1,000 published slugs, spread over the table
  case "$1" in
    sqlite) sqlite3 "$BENCH_DIR/read-$N.db" "SELECT slug FROM cases WHERE status = 'PUBLISHED' AND id % 97 = 0 LIMIT 1000" ;;
    postgres) psql "$database_url" -Atc "SELECT slug FROM cases WHERE status = 'PUBLISHED' AND id % 97 = 0 LIMIT 1000" ;;
  esac
}

start() { # start PORT COMMAND...: on the server CPU, waits for /readyz
  local port=$1
  shift
  taskset -c "$server_cpu" env DATABASE_URL="$database_url" CASEGRAPH_LOG=warn "$@" >"$work/server.log" 2>&1 &
  server=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 150); do curl -sf "$url/readyz" >/dev/null && return; sleep 0.2; done
  echo "server did not start:" >&2; cat "$work/server.log" >&2; exit 1
}

stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; }

statements() { # db_statements_total of the running GraphQL server
  curl -s "$url/metrics" | awk '/^db_statements_total/ { print $2 }'
}

run() { # run LABEL BODIES_FILE [COLD]: prints "rps p50 p99 errors requests statements/request rss_mb"
  local label=$1 bodies=$2 cold=${3:-} before after output requests
  BODIES="$bodies" KEY="$key" COLD_LOCALES="${cold:+w$RANDOM}" taskset -c "$client_cpu" \
    wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" --timeout 30s -s bench/wrk/graphql.lua "$url" >/dev/null
  echo 5 >"/proc/$server/clear_refs" 2>/dev/null || true
  before=$(statements)
  output=$(BODIES="$bodies" KEY="$key" COLD_LOCALES="${cold:+m$RANDOM}" taskset -c "$client_cpu" \
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -s bench/wrk/graphql.lua "$url")
  after=$(statements)
  local rss
  rss=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status")
  local result
  result=$(grep '^RESULT' <<<"$output")
  if grep -q '^FIRST_ERROR' <<<"$output"; then echo "$label: $(grep '^FIRST_ERROR' <<<"$output")" >&2; fi
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$result")
  local per_request="—"
  if [ -n "$before" ] && [ -n "$after" ] && [ "$requests" -gt 0 ]; then
    per_request=$(awk -v b="$before" -v a="$after" -v r="$requests" 'BEGIN { printf "%.1f", (a - b) / r }')
  fi
  sed -E 's/RESULT requests=([0-9]+) errors=([0-9]+) rps=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+)/\3 \4 \5 \2 \1/' <<<"$result" \
    | awk -v s="$per_request" -v m="$rss" '{ print $0, s, m }'
}

rows="$work/rows"
: >"$rows"
for engine in $ENGINES; do
  if [ "$engine" = postgres ] && ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    echo "PostgreSQL does not answer: skipping it" >&2
    continue
  fi
  prepare "$engine"
  key=$(DATABASE_URL="$database_url" CASEGRAPH_LOG=warn "$binary" keys create --name "bench $(date +%s)" \
    --scopes read --budget 1000000000000 --refill 1000000000000 2>/dev/null)

  body '{ __typename }' >"$work/typename"
  published_slugs "$engine" | while read -r slug; do body "$by_slug_query" "{\"slug\":\"$slug\"}"; done >"$work/by-slug"
  body "$page_query" >"$work/page"
  body "$search_query" >"$work/search"
  body "$statistics_query" >"$work/statistics"

  echo "== $engine: GraphQL server ==" >&2
  # A 120 s execution limit instead of 10 s: 32 concurrent cold statistics requests queue
  # for the one CPU far longer than 10 s each, and the suite measures throughput, not the limit.
  start "$PORT" "$binary" serve --bind "127.0.0.1:$PORT" --no-samples --timeout 120
  declare -A graphql=()
  for scenario in $SCENARIOS; do
    case "$scenario" in
      statistics-cold) line=$(run "$scenario" "$work/statistics" cold) ;;
      *) line=$(run "$scenario" "$work/$scenario") ;;
    esac
    graphql[$scenario]=$line
    echo "$engine $scenario: $line" >&2
  done
  stop

  echo "== $engine: baseline ==" >&2
  start "$BASELINE_PORT" "$baseline" --database-url "$database_url" --bind "127.0.0.1:$BASELINE_PORT"
  declare -A base=()
  for scenario in by-slug page; do
    [[ " $SCENARIOS " == *" $scenario "* ]] || continue
    base[$scenario]=$(run "$scenario" "$work/$scenario")
    echo "$engine baseline $scenario: ${base[$scenario]}" >&2
  done
  stop

  label() {
    case "$1" in
      typename) echo '`{ __typename }`' ;;
      by-slug) echo 'case by slug (category, collection, organisations, countries)' ;;
      page) echo '20-case page by publishedAt, same fields' ;;
      search) echo 'case search, 20 ranked and highlighted, totalCount' ;;
      statistics) echo 'full statistics, cached' ;;
      statistics-cold) echo 'full statistics, cold (new locale each request)' ;;
    esac
  }
  for scenario in $SCENARIOS; do
    read -r rps p50 p99 errors requests per_request rss <<<"${graphql[$scenario]}"
    ratio="—"
    if [ -n "${base[$scenario]:-}" ]; then
      read -r base_rps base_p50 base_p99 _ _ _ base_rss <<<"${base[$scenario]}"
      ratio=$(awk -v g="$rps" -v b="$base_rps" 'BEGIN { printf "%.2f (baseline %.0f req/s, p50 %s ms, p99 %s ms, %s MB)", g / b, b, "'"$base_p50"'", "'"$base_p99"'", "'"$base_rss"'" }')
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
      "$engine" "$(label "$scenario")" "$rps" "$p50" "$p99" "$per_request" "$rss" "$errors" "$ratio" >>"$rows"
  done
  unset graphql base
done

machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $cpus cores, $(free -g | awk '/Mem:/ { print $2 }') GiB"
table=$(
  echo "Run of $(date -u +'%Y-%m-%d %H:%M UTC') on $machine: $N synthetic cases (seed 7), server on CPU $server_cpu,"
  echo "wrk on CPU $client_cpu, $CONNECTIONS connections, $DURATION per scenario after a $WARMUP warm-up, release build (fat LTO),"
  echo "server execution limit 120 s. PostgreSQL's own processes are not pinned: they use both CPUs."
  echo
  echo "| engine | scenario | req/s | p50 ms | p99 ms | SQL statements / request | peak RSS MB | error bodies | GraphQL / baseline req/s |"
  echo "|---|---|---|---|---|---|---|---|---|"
  cat "$rows"
)
echo "$table"
if [ "$WRITE" = 1 ]; then
  python3 - "$table" <<'PYTHON'
import sys
path = "BENCHMARKS.md"
text = open(path, encoding="utf-8").read()
begin, end = "<!-- bench/run.sh: begin -->", "<!-- bench/run.sh: end -->"
block = f"{begin}\n{sys.argv[1]}\n{end}"
if begin in text and end in text:
    text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n## Throughput suite (`bench/run.sh`)\n\n" + block + "\n"
open(path, "w", encoding="utf-8").write(text)
PYTHON
  echo "(table written to BENCHMARKS.md)" >&2
fi
