#!/usr/bin/env bash
# Statistics latency at scale: seeds N synthetic cases (default 100,000) into SQLite (a file
# kept between runs under $BENCH_DIR) or PostgreSQL (ENGINE=postgres: a database of its own,
# kept too), serves it from a release build, and times sequential requests (one connection,
# no concurrency) for the full dashboard statistics, every field of `CaseStatistics`:
#   - cold: the cache is bypassed (a locale no earlier request used: the cache key includes
#     it), so every field runs its SQL, exactly as on a cache miss;
#   - cached: the same request again and again (one content-version lookup each).
#   - filtered by one category, then by one country, cold: read from the statistics rollups;
#   - the same two filters with `isSample: true` added, cold: every synthetic case is a
#     sample, so the answer is the same, but the rollups do not keep that constraint and the
#     statistics are computed from the cases, as every filter was before the rollups.
# Prints p50/p90/p99 in milliseconds as a Markdown table. Every response body is checked:
# one with "errors" aborts the run.
#
#   bench/statistics.sh                          # SQLite, N=100000
#   N=1000000 COLD=10 bench/statistics.sh
#   ENGINE=postgres PG_URL=postgres://postgres@127.0.0.1:5432 bench/statistics.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
COLD=${COLD:-30}
CACHED=${CACHED:-300}
PORT=${PORT:-18091}
ENGINE=${ENGINE:-sqlite}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
BENCH_DIR=${BENCH_DIR:-/var/tmp/casegraph-bench}
mkdir -p "$BENCH_DIR"
url="http://127.0.0.1:$PORT"

cargo build --release --quiet
binary=./target/release/casegraph
marker="$BENCH_DIR/statistics-$ENGINE-$N.seeded"
case "$ENGINE" in
  sqlite)
    db="$BENCH_DIR/statistics-$N.db"
    database_url="sqlite://$db?mode=rwc"
    reset() { rm -f "$db" "$db-wal" "$db-shm"; }
    ;;
  postgres)
    name="casegraph_bench_$N"
    database_url="$PG_URL/$name"
    reset() {
      psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"
      psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $name"
    }
    ;;
  *) echo "ENGINE must be sqlite or postgres" >&2; exit 2 ;;
esac
if [ ! -f "$marker" ] || [ "$binary" -nt "$marker" ]; then
  rm -f "$marker"
  reset
  echo "seeding $N synthetic cases into $ENGINE" >&2
  DATABASE_URL="$database_url" CASEGRAPH_LOG=warn "$binary" seed --synthetic "$N" --seed 7 >&2
  if [ "$ENGINE" = postgres ]; then psql "$database_url" -qc "VACUUM ANALYZE" >&2; fi
  touch "$marker"
fi

# An anonymous budget the bench cannot spend (the default, 500 points at 20/s, would
# throttle a timed loop).
DATABASE_URL="$database_url" CASEGRAPH_LOG=warn "$binary" serve --bind "127.0.0.1:$PORT" --no-samples \
  --anonymous-budget 1e12 --anonymous-refill 1e12 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.2; done

# Every field of CaseStatistics: the shared dashboard query (examples/queries/dashboard.graphql).
selection='caseCount organisationCount countryCount byCategory { category { slug name } count share } byOrganisationType { type label count share } byCountry(first: 15) { country { code name } count share } byCollection { collection { slug year } count share } byMonth(field: PUBLISHED_AT) { month count } byTag(first: 10) { tag count } followUpActions { total byKind { kind label count } byStatus { status count } }'

request='{"query":"{ statistics { '"$selection"' } }"}'
filtered() { # filtered FILTER: the dashboard request for a CaseFilter literal
  printf '{"query":"{ statistics(filter: %s) { %s } }"}' "$1" "$selection"
}

time_requests() { # time_requests NAME COUNT HEADER_FUNCTION [BODY]
  local name=$1 count=$2 header=$3 body=${4:-$request} out
  out=$(mktemp)
  for i in $(seq "$count"); do
    curl -s "$url/graphql" -H 'Content-Type: application/json' -H "$($header "$i")" \
      -d "$body" -o "$out" -w '%{time_total}\n'
    if grep -q '"errors"' "$out"; then echo "$name: error body: $(head -c 500 "$out")" >&2; exit 1; fi
  done | sort -n | awk -v name="$name" '
    { t[NR] = $1 * 1000 }
    END {
      p50 = t[int(NR * 0.50) > 0 ? int(NR * 0.50) : 1]; p90 = t[int(NR * 0.90)]; p99 = t[int(NR * 0.99) > 0 ? int(NR * 0.99) : NR]
      printf "| %s | %d | %.2f | %.2f | %.2f |\n", name, NR, p50, p90, p99
    }'
  rm -f "$out"
}
# Both send the same unfiltered dashboard request. The cache key includes the request's
# locale, so a cold request names a locale no earlier request used (labels then fall back
# to English): every field runs its SQL, exactly as on a cache miss.
cold_header() { printf 'Accept-Language: en-x-bench%d' "$1"; }
cached_header() { printf 'Accept-Language: zh'; }

# Warm the process (connections, page cache) with locales the timed requests do not use,
# then fill the one cached entry.
for i in $(seq 3); do curl -s "$url/graphql" -H 'Content-Type: application/json' -H "$(cold_header $((90000 + i)))" -d "$request" -o /dev/null; done
curl -s "$url/graphql" -H 'Content-Type: application/json' -H "$(cached_header)" -d "$request" -o /dev/null

echo "Casegraph statistics latency, $N synthetic cases, $ENGINE, $(date -u +%Y-%m-%d), $(nproc) cores"
echo
echo "| scenario | requests | p50 ms | p90 ms | p99 ms |"
echo "|---|---|---|---|---|"
time_requests "full statistics, cold (cache bypassed)" "$COLD" cold_header
time_requests "full statistics, cached" "$CACHED" cached_header
time_requests "one category, cold (rollups)" "$COLD" cold_header \
  "$(filtered '{ categories: [\"logistics-integration\"] }')"
time_requests "one category, cold (computed from the cases)" "$COLD" cold_header \
  "$(filtered '{ categories: [\"logistics-integration\"], isSample: true }')"
time_requests "one country, cold (rollups)" "$COLD" cold_header "$(filtered '{ countries: [\"AU\"] }')"
time_requests "one country, cold (computed from the cases)" "$COLD" cold_header \
  "$(filtered '{ countries: [\"AU\"], isSample: true }')"
