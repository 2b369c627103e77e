#!/usr/bin/env bash
# Compression of a 100-case page (see BENCHMARKS.md, "Compression"): bytes on the wire and
# requests/s without compression and with gzip, Brotli and zstd, in one run on one machine.
#
#   bench/compression.sh                 # writes its table into BENCHMARKS.md
#   WRITE=0 DURATION=5s bench/compression.sh
#
# Builds the release binary, seeds N (1,000) synthetic cases into a throwaway SQLite
# database, serves it with budgets too large to throttle, pins the server to CPU 0 and wrk
# to CPU 1, and runs each encoding for DURATION with 32 connections after a warm-up. Fails
# unless gzip sends at most a fifth of the raw bytes (the issue's bound).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-32}
WRITE=${WRITE:-1}
PORT=${PORT:-18102}
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if ! command -v wrk >/dev/null; then
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
cargo build --release --quiet -p casegraph
binary=./target/release/casegraph
export DATABASE_URL="sqlite://$work/bench.db?mode=rwc"
"$binary" seed --synthetic "$N" --seed 7 >/dev/null 2>&1
taskset -c 0 "$binary" serve --bind "127.0.0.1:$PORT" --no-samples --log-level warn \
  --anonymous-budget 1000000000 --anonymous-refill 1000000000 --max-cost 1000000 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
query='query CasePage { cases(first: 100, orderBy: {field: PUBLISHED_AT, direction: DESC}) { nodes { slug title summary category { name } collection { title } organisations { role organisation { name } } countries { code } } } }'
python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$query" >"$work/bodies.jsonl"
wire() { # wire ENCODING: bytes on the wire for one page
  curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT/graphql" \
    -H 'Content-Type: application/json' ${1:+-H "Accept-Encoding: $1"} --data-binary @"$work/bodies.jsonl"
}
rps() { # rps ENCODING: requests per second
  ENCODING="$1" BODIES="$work/bodies.jsonl" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" \
    -s bench/wrk/graphql.lua "http://127.0.0.1:$PORT" >/dev/null
  ENCODING="$1" BODIES="$work/bodies.jsonl" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" \
    -s bench/wrk/graphql.lua "http://127.0.0.1:$PORT" | sed -n 's/^RESULT //p'
}
raw=$(wire "")
table="| encoding | bytes on the wire | share of raw | requests/s | p50 ms | p99 ms |
|---|---:|---:|---:|---:|---:|"
for encoding in "" gzip br zstd; do
  bytes=$(wire "$encoding")
  result=$(rps "$encoding")
  value() { printf '%s\n' "$result" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  if [ "$(value errors)" != "0" ]; then echo "errors under load: $result" >&2; exit 1; fi
  share=$(python3 -c "print(f'{$bytes / $raw:.1%}')")
  table+="
| ${encoding:-none} | $bytes | $share | $(value rps) | $(value p50_ms) | $(value p99_ms) |"
  if [ "$encoding" = gzip ] && [ $((bytes * 5)) -gt "$raw" ]; then
    echo "gzip sends $bytes of $raw bytes: more than a fifth" >&2
    exit 1
  fi
done
stamp="Run of $(date -u +'%Y-%m-%d %H:%M') UTC on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), SQLite, $N synthetic cases, $CONNECTIONS connections, $DURATION per encoding."
printf '%s\n\n%s\n' "$stamp" "$table"
if [ "$WRITE" = 1 ]; then
  python3 - "$stamp" "$table" <<'PYTHON'
import re, sys
stamp, table = sys.argv[1], sys.argv[2]
path = "BENCHMARKS.md"
text = open(path).read()
block = f"<!-- bench/compression.sh: begin -->\n{stamp}\n\n{table}\n<!-- bench/compression.sh: end -->"
pattern = re.compile(r"<!-- bench/compression.sh: begin -->.*?<!-- bench/compression.sh: end -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: block, text)
else:
    text = text.rstrip("\n") + "\n\n## Compression (`bench/compression.sh`)\n\nA page of 100 cases (slug, title, summary, category, collection, organisations, countries)\nwithout compression and with each coding the server offers. Compression costs server CPU\n(fewer requests/s on the 2-core machine, where wrk and the server share the cores) and\nsaves bytes on the wire: what a mobile client on a slow link or a CDN's egress pays.\n\n" + block + "\n"
open(path, "w").write(text)
PYTHON
fi
