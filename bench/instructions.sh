#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: a figure that does not move
# with whatever else the (shared) machine is doing, unlike req/s. Use it to compare two
# builds; bench/run.sh gives the throughput. Kernel time (thread switches, sockets) is not
# counted, only user-space instructions of the server's threads.
#
#   bench/instructions.sh                          # server, by-slug and page, 200 requests each
#   BINARY=/tmp/old-casegraph bench/instructions.sh
#   WHO=baseline bench/instructions.sh             # the hand-written baseline
#   KEEP=/tmp/profiles bench/instructions.sh       # keep the callgrind files (callgrind_annotate)
#
# Uses the SQLite file bench/run.sh seeds ($BENCH_DIR/read-$N.db; run that first). Each
# scenario: start the server under callgrind, 30 warm-up requests, zero the counters,
# REQUESTS sequential requests on one keep-alive connection (bodies checked for errors),
# dump, divide.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
REQUESTS=${REQUESTS:-200}
WHO=${WHO:-server}
PORT=${PORT:-18110}
BENCH_DIR=${BENCH_DIR:-/var/tmp/casegraph-bench}
db="$BENCH_DIR/read-$N.db"
[ -f "$db.seeded" ] || { echo "no seeded $db: run bench/run.sh first" >&2; exit 1; }
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
if [ "$WHO" = server ]; then
  binary=${BINARY:-./target/release/casegraph}
else
  binary=${BINARY:-./target/release/casegraph-baseline}
fi
[ -n "${BINARY:-}" ] || cargo build --release --quiet -p casegraph -p casegraph-baseline
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
url="sqlite://$db?mode=rwc"
key=$(DATABASE_URL="$url" CASEGRAPH_LOG=warn ./target/release/casegraph keys create --name "instructions $(date +%s)" \
  --scopes read --budget 1000000000000 --refill 1000000000000 2>/dev/null)

by_slug='query CaseBySlug($slug: String!) { case(slug: $slug) { slug title category { name } collection { title } organisations { role organisation { name } } countries { code } } }'
page='query CasePage { cases(first: 20, orderBy: {field: PUBLISHED_AT, direction: DESC}) { nodes { slug title category { name } collection { title } organisations { role organisation { name } } countries { code } } } }'
sqlite3 "$db" "SELECT slug FROM cases WHERE status = 'PUBLISHED' AND id % 97 = 0 LIMIT 200" >"$work/slugs"

python3 - "$work" "$by_slug" "$page" <<'PYTHON'
import json, sys
work, by_slug, page = sys.argv[1:4]
with open(f"{work}/by-slug", "w") as out:
    for slug in open(f"{work}/slugs").read().split():
        out.write(json.dumps({"query": by_slug, "operationName": "CaseBySlug", "variables": {"slug": slug}}) + "\n")
with open(f"{work}/page", "w") as out:
    out.write(json.dumps({"query": page, "operationName": "CasePage"}) + "\n")
PYTHON

send() { # send BODIES COUNT
  python3 - "$1" "$2" "$PORT" "$key" <<'PYTHON'
import http.client, sys
bodies = [line for line in open(sys.argv[1]).read().splitlines() if line]
count, port, key = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
for n in range(count):
    connection.request("POST", "/graphql", bodies[n % len(bodies)],
                       {"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200 or b'"errors"' in body:
        sys.exit(f"error response: {response.status} {body[:300]!r}")
PYTHON
}

echo "| who | scenario | instructions / request |"
echo "|---|---|---|"
for scenario in by-slug page; do
  out="$work/callgrind-$scenario"
  if [ "$WHO" = server ]; then
    DATABASE_URL="$url" CASEGRAPH_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$out" \
      "$binary" serve --bind "127.0.0.1:$PORT" --no-samples --timeout 300 >"$work/log" 2>&1 &
  else
    valgrind --tool=callgrind --callgrind-out-file="$out" \
      "$binary" --database-url "$url" --bind "127.0.0.1:$PORT" >"$work/log" 2>&1 &
  fi
  server=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
  send "$work/$scenario" 30
  callgrind_control --zero "$server" >/dev/null 2>&1
  send "$work/$scenario" "$REQUESTS"
  callgrind_control --dump=measured "$server" >/dev/null 2>&1
  sleep 1
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  measured=$(grep -l "^trigger: dump measured\|measured" "$out"* | head -1)
  total=$(awk '/^(summary|totals):/ { print $2; exit }' "$measured")
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$measured" "$KEEP/callgrind-$WHO-$scenario"; fi
  printf '| %s | %s | %s |\n' "$WHO" "$scenario" "$(awk -v t="$total" -v n="$REQUESTS" 'BEGIN { printf "%.0f", t / n }')"
done
