#!/usr/bin/env bash
# Read-API latency at scale: seeds N synthetic cases (default 100,000) into a SQLite file
# (kept between runs under $BENCH_DIR), serves it from a release build, and times sequential
# requests (one connection, no concurrency) for a 20-case nested page, a case-filter search
# and a root search. Prints p50/p90/p99 in milliseconds as a Markdown table. Every response
# body is checked: one with "errors" aborts the run.
#
#   bench/read-latency.sh                # N=100000, 300 requests per scenario
#   N=20000 REQUESTS=100 bench/read-latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
REQUESTS=${REQUESTS:-300}
PORT=${PORT:-18090}
BENCH_DIR=${BENCH_DIR:-/var/tmp/casegraph-bench}
mkdir -p "$BENCH_DIR"
db="$BENCH_DIR/read-$N.db"
url="http://127.0.0.1:$PORT"

cargo build --release --quiet
binary=./target/release/casegraph
if [ ! -f "$db.seeded" ] || [ "$binary" -nt "$db.seeded" ]; then
  rm -f "$db" "$db-wal" "$db-shm" "$db.seeded"
  echo "seeding $N synthetic cases into $db" >&2
  DATABASE_URL="sqlite://$db?mode=rwc" "$binary" seed --synthetic "$N" --seed 7 >&2
  touch "$db.seeded"
fi

# Requests carry a partner key with a budget the bench cannot spend (the anonymous budget,
# 500 points refilled at 20/s, would throttle it within a second).
key=$(DATABASE_URL="sqlite://$db?mode=rwc" CASEGRAPH_LOG=warn "$binary" keys create --name "bench $(date +%s)" \
  --scopes read --budget 1000000000000 --refill 1000000000000 2>/dev/null)
DATABASE_URL="sqlite://$db?mode=rwc" CASEGRAPH_LOG=warn "$binary" serve --bind "127.0.0.1:$PORT" --no-samples &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.2; done

page='{"query":"{ cases(first: 20, orderBy: {field: PUBLISHED_AT, direction: DESC}) { nodes { slug title summary publishedAt category { name } collection { title } organisations { role organisation { name country { name } } } countries { name } } } }"}'
case_search='{"query":"{ cases(first: 20, filter: {search: \"digital customs\"}) { totalCount edges { score highlights { field snippet } node { slug title category { name } } } } }"}'
root_search='{"query":"{ search(query: \"跨境 物流\", first: 10) { totalCount edges { score highlights { field snippet } node { __typename ... on Case { slug title } ... on Organisation { slug name } ... on FollowUpAction { title } } } } }"}'

measure() { # measure NAME BODY
  local name=$1 body=$2 out
  out=$(mktemp)
  curl -s "$url/graphql" -H 'Content-Type: application/json' -H "Authorization: Bearer $key" -d "$body" -o "$out"
  if grep -q '"errors"' "$out"; then
    echo "$name: error body: $(head -c 500 "$out")" >&2
    exit 1
  fi
  for _ in $(seq 20); do
    curl -s "$url/graphql" -H 'Content-Type: application/json' -H "Authorization: Bearer $key" -d "$body" -o /dev/null
  done
  for _ in $(seq "$REQUESTS"); do
    curl -s "$url/graphql" -H 'Content-Type: application/json' -H "Authorization: Bearer $key" \
      -H 'Accept-Language: zh' -d "$body" \
      -o "$out" -w '%{time_total}\n'
  done | sort -n | awk -v name="$name" '
    { t[NR] = $1 * 1000 }
    END {
      p50 = t[int(NR * 0.50)]; p90 = t[int(NR * 0.90)]; p99 = t[int(NR * 0.99)]
      printf "| %s | %d | %.2f | %.2f | %.2f |\n", name, NR, p50, p90, p99
    }'
  if grep -q '"errors"' "$out"; then echo "$name: error body" >&2; exit 1; fi
  rm -f "$out"
}

echo "Casegraph read latency, $N synthetic cases, SQLite, $(date -u +%Y-%m-%d), $(nproc) cores"
echo
echo "| scenario | requests | p50 ms | p90 ms | p99 ms |"
echo "|---|---|---|---|---|"
measure "20-case nested page" "$page"
measure "case search (filter.search)" "$case_search"
measure "root search (Chinese)" "$root_search"
