#!/usr/bin/env bash
# Soak test: one Casegraph server under a steady mixed load for SOAK_SECONDS, its resources
# sampled every 10 s; RSS and open descriptors must stay flat once it is warm.
#
#   scripts/soak.sh
#
# Creates a throwaway PostgreSQL database casegraph_soak_<ts>_<pid> (dropped on exit) with
# `psql -h $PG_HOST -p $PG_PORT -U $PG_USER` (defaults 127.0.0.1, 5432, postgres), seeds
# $SOAK_CASES synthetic cases into it (`seed --seed 7`) and creates a key (read,read:drafts,
# write; a budget the load cannot spend). Then starts, all on loopback:
#   - a webhook receiver (scripts/soak/receiver.py, python3 stdlib: 200 to every POST, counts
#     messages), registered with `webhooks create --include-drafts --allow-private-targets`;
#   - the server $CASEGRAPH_BIN (default: a `cargo build`, see scripts/lib/server.sh) with
#     `serve --no-samples --redis-url $SOAK_REDIS_URL --webhook-allow-private-targets
#     --log-level warn` on 127.0.0.1:$PORT (default: a free port);
#   - subscribers (scripts/soak/subscribers.mjs, the `graphql-ws` client of
#     scripts/subscriptions/node_modules, installed with `npm ci` when missing): $SOAK_SUBSCRIBERS
#     connected the whole time, counting events, plus one connection opened and closed every
#     $SOAK_CHURN_MS ms (cleanly, abruptly, without `complete`, without `connection_init`).
# The load, for SOAK_SECONDS (+5 s, so the last sample is taken under load):
#   - reads: wrk (Debian package `wrk`) with scripts/soak/reads.lua, $SOAK_READ_CONNECTIONS
#     connections pausing $SOAK_READ_DELAY_MS ms between requests: pages of `cases` following
#     cursors under varying filters, `search` with varying words, the full `statistics`
#     dashboard with varying filters and locales (some cold), `case(slug:)`; SOAK_READ_MIX
#     (e.g. `page,search,slug`) keeps only some kinds, to find which one a growth comes from;
#   - writes: scripts/soak/mutations.py, $SOAK_MUTATIONS_PER_SECOND mutations a second
#     (createCase, updateCase, publishCase, updateCase of a published case): change events for
#     the webhook and the subscribers.
# Every $SOAK_SAMPLE_SECONDS: the server's VmRSS and thread count (/proc/PID/status), open
# descriptors (/proc/PID/fd), CPU, `db_pool_connections` in_use/idle, the requests so far
# (http_requests_total) and the WebSocket connections, into samples.csv. After the load, up to
# 60 s for the events to drain, then the verdict (scripts/soak/report.py, which lists the checks):
# warm-up is the first 20 % of the run (at least 30 s); RSS at the end (median of the last 3
# samples) at most $SOAK_RSS_TOLERANCE_PCT % above RSS at the end of the warm-up (median of 3),
# descriptors at most $SOAK_FD_SLACK above; no HTTP 5xx, no GraphQL errors (userErrors are only
# reported), every change event delivered to the webhook and the keyed subscribers, no
# subscriber dropped, no churn connection failed, the pool idle once the load stopped, the
# server alive; the slope of RSS after the warm-up is reported in MB/min.
#
# The summary is printed; the block between `<!-- soak.sh: begin -->` and
# `<!-- soak.sh: end -->` of RELIABILITY.md is rewritten with it when SOAK_WRITE=1 or
# SOAK_SECONDS >= 600 (a full run; SOAK_WRITE=0 never). The run's files (samples.csv, the
# summary, the logs) are kept in $SOAK_DIR (default: a new folder under ${TMPDIR:-/tmp}),
# printed at the end; the logs are printed when a check fails.
#
# Environment (defaults): SOAK_SECONDS (600, at least 60; CI uses about 60), SOAK_CASES (2000),
# SOAK_READ_CONNECTIONS (4), SOAK_READ_DELAY_MS (100), SOAK_READ_MIX
# (page,search,statistics,slug), SOAK_MUTATIONS_PER_SECOND (3), SOAK_SUBSCRIBERS (3),
# SOAK_CHURN_MS (1000), SOAK_SAMPLE_SECONDS (10), SOAK_RSS_TOLERANCE_PCT (10), SOAK_FD_SLACK (5),
# SOAK_REDIS_URL (redis://127.0.0.1:6379), SOAK_WRITE, SOAK_DIR, PORT, PG_HOST, PG_PORT, PG_USER,
# CASEGRAPH_BIN. Exit code: 0 passed, 1 a check failed, 2 setup failed (a tool, npm, the
# binary, PostgreSQL, Redis, the server, the receiver or the subscribers not starting).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
check_dir=scripts/soak

say() { printf 'soak.sh: %s\n' "$*" >&2; }

soak_seconds="${SOAK_SECONDS:-600}"
cases="${SOAK_CASES:-2000}"
read_connections="${SOAK_READ_CONNECTIONS:-4}"
read_delay_ms="${SOAK_READ_DELAY_MS:-100}"
mutation_rate="${SOAK_MUTATIONS_PER_SECOND:-3}"
subscriber_count="${SOAK_SUBSCRIBERS:-3}"
churn_ms="${SOAK_CHURN_MS:-1000}"
sample_seconds="${SOAK_SAMPLE_SECONDS:-10}"
rss_tolerance="${SOAK_RSS_TOLERANCE_PCT:-10}"
fd_slack="${SOAK_FD_SLACK:-5}"
redis_url="${SOAK_REDIS_URL:-redis://127.0.0.1:6379}"
read_mix="${SOAK_READ_MIX:-page,search,statistics,slug}"

for setting in soak_seconds cases read_connections read_delay_ms subscriber_count churn_ms \
  sample_seconds fd_slack; do
  if ! [[ "${!setting}" =~ ^[0-9]+$ ]] || [[ "${!setting}" -eq 0 && $setting != read_delay_ms && $setting != fd_slack ]]; then
    say "$setting must be a positive whole number, not '${!setting}'"
    exit 2
  fi
done
for setting in mutation_rate rss_tolerance; do
  if ! [[ "${!setting}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ $setting == mutation_rate && "${!setting}" =~ ^0*(\.0*)?$ ]]; then
    say "$setting must be a positive number, not '${!setting}'"
    exit 2
  fi
done
if ! [[ "$read_mix" =~ ^(page|search|statistics|slug)(,(page|search|statistics|slug))*$ ]]; then
  say "SOAK_READ_MIX must list kinds among page,search,statistics,slug (comma-separated), not '$read_mix'"
  exit 2
fi
if [[ $soak_seconds -lt 60 ]]; then
  say "SOAK_SECONDS must be at least 60 (a warm-up of 30 s and samples after it)"
  exit 2
fi
# Warm-up: 20 % of the run, at least 30 s.
warmup=$(( soak_seconds / 5 > 30 ? soak_seconds / 5 : 30 ))

write_report=0
if [[ "${SOAK_WRITE:-}" == 1 ]] || { [[ "${SOAK_WRITE:-}" != 0 ]] && [[ $soak_seconds -ge 600 ]]; }; then
  write_report=1
fi

for tool in wrk psql node python3 curl; do
  if ! command -v "$tool" >/dev/null; then
    say "$tool is missing (wrk: Debian package \`wrk\`; psql: \`postgresql-client\`)"
    exit 2
  fi
done
if [[ ! -d scripts/subscriptions/node_modules ]]; then
  if ! (cd scripts/subscriptions && npm ci --silent --no-audit --no-fund); then
    say "npm ci failed in scripts/subscriptions"
    exit 2
  fi
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
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
database="casegraph_soak_$(date +%s)_$$"
run_dir="${SOAK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/casegraph-soak-$stamp-XXXX")}"
mkdir -p "$run_dir"
database_created=0
server_pid=""
receiver_pid=""
subscribers_pid=""
load_pids=()

stop_pid() { # stop_pid PID: SIGTERM, then SIGKILL after 10 s
  local pid=$1
  [[ -n "$pid" ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${load_pids[@]}"; do
    stop_pid "$pid"
  done
  stop_pid "$subscribers_pid"
  stop_pid "$server_pid"
  stop_pid "$receiver_pid"
  if [[ $database_created -eq 1 ]]; then
    "${psql_cmd[@]}" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 \
      || say "could not drop the database $database"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

print_logs() {
  local log printed=0
  for log in "$run_dir"/*.log; do
    [[ -s "$log" ]] || continue
    printf '\n--- %s (last 200 lines) ---\n' "$(basename "$log")" >&2
    tail -n 200 "$log" >&2
    printed=1
  done
  if [[ $printed -eq 0 ]]; then
    say "(the logs are empty)"
  fi
}

setup_failed() {
  say "setup FAILED: $*"
  print_logs
  exit 2
}

free_port() {
  python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the database, the key, the receiver, the webhook, the server -------------------------

if ! "${psql_cmd[@]}" -c "CREATE DATABASE $database" 2>"$run_dir/psql.log"; then
  say "could not create the PostgreSQL database $database on $pg_host:$pg_port as $pg_user"
  cat "$run_dir/psql.log" >&2
  exit 2
fi
database_created=1
export DATABASE_URL="postgres://$pg_user@$pg_host:$pg_port/$database"
export CASEGRAPH_LOG=warn

say "seeding $cases synthetic cases into $database"
"$bin" seed --synthetic "$cases" --seed 7 >"$run_dir/seed.log" 2>&1 || setup_failed "seed"
"${psql_cmd[@]}" -d "$database" -c "VACUUM ANALYZE" >/dev/null 2>>"$run_dir/psql.log" || true
key="$("$bin" keys create --name soak --scopes read,read:drafts,write --budget 10000000 \
  --refill 1000000 2>"$run_dir/keys.log")" || setup_failed "keys create"
[[ -n "$key" ]] || setup_failed "keys create printed no key"

python3 "$check_dir/receiver.py" "$run_dir/receiver.port" >"$run_dir/receiver.log" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 50); do
  [[ -s "$run_dir/receiver.port" ]] && break
  sleep 0.1
done
[[ -s "$run_dir/receiver.port" ]] || setup_failed "the webhook receiver did not start"
receiver_url="http://127.0.0.1:$(cat "$run_dir/receiver.port")"
"$bin" webhooks create --url "$receiver_url/hook" --allow-private-targets --include-drafts \
  --description "soak test receiver" >/dev/null 2>"$run_dir/webhooks.log" \
  || setup_failed "webhooks create"

port="${PORT:-$(free_port)}"
server_url="http://127.0.0.1:$port"
"$bin" serve --bind "127.0.0.1:$port" --no-samples --redis-url "$redis_url" \
  --webhook-allow-private-targets --log-level warn >"$run_dir/server.log" 2>&1 &
server_pid=$!
ready=0
for _ in $(seq 1 120); do
  if curl -sf "$server_url/readyz" >/dev/null; then
    ready=1
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
[[ $ready -eq 1 ]] || setup_failed "the server did not become ready on $server_url"
metric() { # metric NAME_WITH_LABELS FILE: its value, 0 when absent
  awk -v name="$1" '$1 == name { value = $2 } END { print (value == "" ? 0 : value) }' "$2"
}
curl -sf "$server_url/metrics" >"$run_dir/metrics-start.txt" || setup_failed "no /metrics on $server_url"
if [[ "$(metric rate_limit_budgets_shared "$run_dir/metrics-start.txt")" != 1 ]]; then
  setup_failed "the server does not share budgets through Redis at $redis_url (rate_limit_budgets_shared is not 1)"
fi
if ! grep -q '^db_pool_connections{state="in_use"}' "$run_dir/metrics-start.txt"; then
  setup_failed "the server's /metrics has no db_pool_connections gauge (an older binary?)"
fi
say "server $server_url (pid $server_pid), receiver $receiver_url, files in $run_dir"

CASEGRAPH_KEY="$key" SUBSCRIBERS="$subscriber_count" CHURN_MS="$churn_ms" \
  MAX_SECONDS="$(( soak_seconds + 900 ))" \
  node "$check_dir/subscribers.mjs" "$server_url" "$run_dir/subscribers.json" >"$run_dir/subscribers.log" 2>&1 &
subscribers_pid=$!
subscribers_ready() {
  python3 -c 'import json, sys
subs = json.load(open(sys.argv[1]))["subscribers"]
sys.exit(0 if subs and all(s["connected"] for s in subs) else 1)' "$run_dir/subscribers.json" 2>/dev/null
}
for _ in $(seq 1 60); do
  subscribers_ready && break
  kill -0 "$subscribers_pid" 2>/dev/null || break
  sleep 0.5
done
subscribers_ready || setup_failed "the subscribers were not connected within 30 s"
sleep 1 # graphql-transport-ws acknowledges the connection, not the subscribe message

# --- the load and the samples --------------------------------------------------------------

clock_ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat" 2>/dev/null || echo 0; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }
load_start="$(load_average)"
started_utc="$(date -u '+%Y-%m-%d %H:%M UTC')"

load_seconds=$(( soak_seconds + 5 ))
say "load for $soak_seconds s (warm-up $warmup s): wrk $read_connections connections ($read_mix)," \
  "$mutation_rate mutations/s, $subscriber_count subscribers, churn every $churn_ms ms"
KEY="$key" DELAY_MS="$read_delay_ms" MIX="$read_mix" wrk -t"$read_connections" -c"$read_connections" \
  -d"${load_seconds}s" --timeout 10s -s "$check_dir/reads.lua" "$server_url" \
  >"$run_dir/reads.out" 2>"$run_dir/wrk.log" &
load_pids+=($!)
wrk_pid=$!
KEY="$key" RATE="$mutation_rate" python3 "$check_dir/mutations.py" "$server_url" "$load_seconds" \
  "$run_dir/mutations.json" >"$run_dir/mutations.log" 2>&1 &
load_pids+=($!)
mutations_pid=$!

samples="$run_dir/samples.csv"
echo "t_s,rss_kb,fds,threads,cpu_pct,pool_in_use,pool_idle,requests,ws_connections,webhook_queue" >"$samples"
t0=$(date +%s.%N)
last_ticks="$(cpu_ticks)"
last_t=0
server_alive=1
take_sample() { # take_sample T
  local t=$1 rss threads fds ticks cpu
  if ! kill -0 "$server_pid" 2>/dev/null; then
    server_alive=0
    return 1
  fi
  rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")"
  threads="$(awk '/^Threads:/ { print $2 }' "/proc/$server_pid/status")"
  fds="$(ls "/proc/$server_pid/fd" | wc -l)"
  ticks="$(cpu_ticks)"
  cpu="$(awk -v d=$((ticks - last_ticks)) -v hz="$clock_ticks" -v s=$((t - last_t)) \
    'BEGIN { printf "%.1f", (s > 0 ? d / hz / s * 100 : 0) }')"
  last_ticks=$ticks
  last_t=$t
  if ! curl -sf --max-time 5 "$server_url/metrics" >"$run_dir/metrics-last.txt"; then
    : >"$run_dir/metrics-last.txt"
  fi
  local m="$run_dir/metrics-last.txt"
  local requests
  requests="$(awk '/^http_requests_total[{ ]/ { sum += $NF } END { printf "%d", sum }' "$m")"
  printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$t" "$rss" "$fds" "$threads" "$cpu" \
    "$(metric 'db_pool_connections{state="in_use"}' "$m")" "$(metric 'db_pool_connections{state="idle"}' "$m")" \
    "$requests" "$(metric graphql_ws_connections "$m")" "$(metric webhook_queue_depth "$m")" >>"$samples"
  printf 'soak.sh: t=%4ss rss=%6.1f MB fds=%3s threads=%3s cpu=%5s%% requests=%s\n' \
    "$t" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$fds" "$threads" "$cpu" "$requests" >&2
}

sample_times=()
for (( t = 0; t <= soak_seconds; t += sample_seconds )); do sample_times+=("$t"); done
if [[ ${sample_times[-1]} -ne $soak_seconds ]]; then sample_times+=("$soak_seconds"); fi
for t in "${sample_times[@]}"; do
  pause="$(awk -v t0="$t0" -v t="$t" -v now="$(date +%s.%N)" 'BEGIN { p = t0 + t - now; print (p > 0 ? p : 0) }')"
  sleep "$pause"
  take_sample "$t" || { say "the server is no longer running (t=$t s)"; break; }
done

# --- drain, then the verdict ---------------------------------------------------------------

# The load tools end by themselves 5 s after the last sample; wrk waits for its last responses.
for pid in "$wrk_pid" "$mutations_pid"; do
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  stop_pid "$pid"
done
load_pids=()

events_expected() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["events_expected"])' \
    "$run_dir/mutations.json" 2>/dev/null || echo 0
}
drained() { # every change event at the receiver and the keyed subscribers
  local expected=$1
  curl -sf --max-time 5 "$receiver_url/stats" >"$run_dir/receiver.json" || return 1
  python3 -c 'import json, sys
expected = int(sys.argv[3])
received = json.load(open(sys.argv[1]))["messages"]
subs = json.load(open(sys.argv[2]))["subscribers"]
sys.exit(0 if received >= expected and all(s["events"] >= expected for s in subs if s["keyed"]) else 1)' \
    "$run_dir/receiver.json" "$run_dir/subscribers.json" "$expected" 2>/dev/null
}
expected="$(events_expected)"
for _ in $(seq 1 60); do
  kill -0 "$server_pid" 2>/dev/null || break
  drained "$expected" && break
  sleep 1
done

# The pool with no load: the lowest in_use of three readings a second apart.
pool_in_use_idle=""
if kill -0 "$server_pid" 2>/dev/null; then
  for _ in 1 2 3; do
    sleep 1
    curl -sf --max-time 5 "$server_url/metrics" >"$run_dir/metrics-end.txt" || continue
    in_use="$(metric 'db_pool_connections{state="in_use"}' "$run_dir/metrics-end.txt")"
    if [[ -z "$pool_in_use_idle" ]] || awk -v a="$in_use" -v b="$pool_in_use_idle" 'BEGIN { exit !(a < b) }'; then
      pool_in_use_idle=$in_use
    fi
  done
else
  server_alive=0
fi
curl -sf --max-time 5 "$receiver_url/stats" >"$run_dir/receiver.json" || echo '{}' >"$run_dir/receiver.json"
stop_pid "$subscribers_pid" # writes its final stats
subscribers_pid=""
kill -0 "$server_pid" 2>/dev/null || server_alive=0

# The exact command: the settings given in the environment, then the script.
command_line=""
for name in CASEGRAPH_BIN SOAK_SECONDS SOAK_CASES SOAK_READ_CONNECTIONS SOAK_READ_DELAY_MS \
  SOAK_MUTATIONS_PER_SECOND SOAK_SUBSCRIBERS SOAK_CHURN_MS SOAK_SAMPLE_SECONDS \
  SOAK_RSS_TOLERANCE_PCT SOAK_FD_SLACK SOAK_REDIS_URL SOAK_READ_MIX SOAK_WRITE PORT; do
  if [[ -n "${!name:-}" ]]; then command_line+="$name=${!name} "; fi
done
command_line+="bash scripts/soak.sh"

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain --untracked-files=no -- src migration entity Cargo.toml Cargo.lock 2>/dev/null)" ]]; then
  commit+=" + uncommitted changes in src"
fi
export SOAK_META_COMMAND="$command_line" SOAK_META_BINARY="$bin" SOAK_META_COMMIT="$commit" \
  SOAK_META_VERSION="$("$bin" --version 2>/dev/null || echo unknown)" SOAK_META_HOST="$(uname -n)" \
  SOAK_META_BUILT="$(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC' 2>/dev/null || echo unknown)" \
  SOAK_META_CPU="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
  SOAK_META_CORES="$(nproc)" SOAK_META_LOAD_START="$load_start" SOAK_META_LOAD_END="$(load_average)" \
  SOAK_META_STARTED="$started_utc" SOAK_META_REDIS="$redis_url" SOAK_META_MIX="$read_mix"
python3 - "$run_dir/meta.json" "$soak_seconds" "$warmup" "$sample_seconds" "$cases" \
  "$read_connections" "$read_delay_ms" "$mutation_rate" "$churn_ms" "$rss_tolerance" "$fd_slack" \
  "${pool_in_use_idle:--1}" "$server_alive" <<'EOF'
import json, os, sys
a = sys.argv
e = os.environ
json.dump({
    "duration": float(a[2]), "warmup": float(a[3]), "sample_seconds": float(a[4]), "cases": int(a[5]),
    "read_connections": int(a[6]), "read_delay_ms": int(a[7]), "mutation_rate": float(a[8]),
    "churn_ms": int(a[9]), "rss_tolerance_pct": float(a[10]), "fd_slack": float(a[11]),
    "pool_in_use_idle": float(a[12]), "server_alive": a[13] == "1",
    "command": e["SOAK_META_COMMAND"], "binary": e["SOAK_META_BINARY"], "commit": e["SOAK_META_COMMIT"],
    "version": e["SOAK_META_VERSION"], "host": e["SOAK_META_HOST"], "cpu": e["SOAK_META_CPU"],
    "cores": int(e["SOAK_META_CORES"]), "load_start": e["SOAK_META_LOAD_START"],
    "load_end": e["SOAK_META_LOAD_END"], "started_utc": e["SOAK_META_STARTED"],
    "redis_url": e["SOAK_META_REDIS"], "read_mix": e["SOAK_META_MIX"], "built": e["SOAK_META_BUILT"],
}, open(a[1], "w"), indent=1)
EOF
stop_pid "$server_pid" # the log is complete for the report
server_pid=""

report_args=("$run_dir")
if [[ $write_report -eq 1 ]]; then report_args+=(RELIABILITY.md); fi
status=0
python3 "$check_dir/report.py" "${report_args[@]}" >"$run_dir/summary.md" || status=$?
cat "$run_dir/summary.md"
case $status in
  0) say "PASSED; the run's files: $run_dir" ;;
  1)
    say "FAILED; the logs:"
    print_logs
    say "the run's files: $run_dir"
    exit 1
    ;;
  *)
    say "the report could not be made (exit $status); the run's files: $run_dir"
    print_logs
    exit 2
    ;;
esac
