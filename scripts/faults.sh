#!/usr/bin/env bash
# Fault suite: what a partner's requests meet when a part of a production setting fails
# (RELIABILITY.md, "Promises"). Starts services of its own, on free loopback ports, so the
# machine's own are never touched: a PostgreSQL cluster (initdb into a temporary folder, run
# as the `postgres` user, trust authentication), a Redis, a database of synthetic cases
# (`casegraph seed`), two replicas A and B of $CASEGRAPH_BIN on them, and HAProxy in front
# (scripts/faults/haproxy.cfg: active /readyz checks every 500 ms, `fall 1 rise 2`, retries
# with redispatch on a failed connection, an empty answer or a 503). Then, one phase after
# the other, each under load through the proxy (wrk reads, scripts/faults/reads.lua; writes,
# scripts/faults/writer.py, each acknowledged slug recorded; a probe every 100 ms,
# scripts/faults/probe.py):
#   1. postgres: `pg_ctl stop -m fast`, down a few seconds, started again;
#   2. redis:    `SHUTDOWN NOSAVE`, down a few seconds, started again;
#   3. deploy:   SIGTERM to replica A, wait for its exit, start it again; then the same for B;
#   4. import:   `casegraph import` of an export whose every case title changed, killed with
#                SIGKILL while its transaction runs; the database must be as before;
#   5. kill:     SIGKILL to replica B while the writes run (once the proxy has a request in
#                flight on it), then started again.
# `casegraph verify` runs after each phase and at the end; every acknowledged write must
# exist at the end. scripts/faults/report.py judges the run and prints a Markdown table;
# the full form also writes it into RELIABILITY.md (between `<!-- faults.sh: begin -->` and
# `<!-- faults.sh: end -->`).
#
#   CASEGRAPH_BIN=/path/to/casegraph bash scripts/faults.sh
#   FAULTS_SHORT=1 bash scripts/faults.sh        # the CI form: short phases, a smaller seed
#
# The binary is $CASEGRAPH_BIN when set, else a `cargo build` (scripts/lib/server.sh).
# Needs, as root: PostgreSQL's server binaries (/usr/lib/postgresql/*/bin), redis-server,
# redis-cli, haproxy and wrk (both installed with apt-get when missing), python3, curl, ss.
#
# Environment: FAULTS_SHORT=1 the short form (seed 300, 2 s of load around each fault; it
# does not rewrite RELIABILITY.md unless FAULTS_WRITE=1); FAULTS_WRITE=0 keeps the full form
# from rewriting it; FAULTS_SEED_CASES (2000; 300 short); FAULTS_READ_CONNECTIONS (4) and
# FAULTS_READ_DELAY_MS (25, each connection's pause between requests); FAULTS_WRITERS (2)
# and FAULTS_WRITE_PAUSE_S (0.05); FAULTS_KEEP=1 keeps the temporary folders (the logs).
# The services' logs are printed when a check fails. Exit code: 0 passed; 1 a check failed:
# a status 500, an acknowledged write missing, a recovery over 10 s, `casegraph verify`
# failing, the killed import changing the database, or another promise of RELIABILITY.md
# broken (during the PostgreSQL outage an answer other than 503 UNAVAILABLE with
# `Retry-After: 2`, or a write found committed after an error answer; while Redis is down
# any failed request, the probe's p99 rising by more than 250 ms, a replica not reporting
# its fallback; in the rolling deploy any failed request or an exit code other than 0);
# 2 setup failed (a tool, the binary, a service that does not start).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
check_dir=scripts/faults

say() { printf 'faults.sh: %s\n' "$*" >&2; }
now() { date +%s.%N; }

short="${FAULTS_SHORT:-0}"
if [[ "$short" == 1 ]]; then
  seed_cases="${FAULTS_SEED_CASES:-300}" baseline=2 settle=2 pg_down=2 redis_down=3
  import_kill_after=0.3 # seconds into the import's transaction
  write_md="${FAULTS_WRITE:-0}"
else
  seed_cases="${FAULTS_SEED_CASES:-2000}" baseline=5 settle=5 pg_down=3 redis_down=5
  import_kill_after=0.8
  write_md="${FAULTS_WRITE:-1}"
fi
read_connections="${FAULTS_READ_CONNECTIONS:-4}"
read_delay_ms="${FAULTS_READ_DELAY_MS:-25}"
writers="${FAULTS_WRITERS:-2}"
write_pause="${FAULTS_WRITE_PAUSE_S:-0.05}"

# --- tools -----------------------------------------------------------------------------

need_package() { # need_package COMMAND PACKAGE
  command -v "$1" >/dev/null && return 0
  say "$1 is missing: apt-get install $2"
  { apt-get update -qq && apt-get install -y -qq "$2"; } >&2 || { say "could not install $2"; exit 2; }
}
need_package haproxy haproxy
need_package wrk wrk
for tool in redis-server redis-cli python3 curl ss runuser; do
  command -v "$tool" >/dev/null || { say "$tool is missing"; exit 2; }
done
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" ]]; then
  say "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  say "run as root: the PostgreSQL cluster runs as the postgres user"
  exit 2
fi

# Only for casegraph_binary (a `cargo build` when CASEGRAPH_BIN is unset).
source scripts/lib/server.sh
bin="$(casegraph_binary)"
if [[ ! -x "$bin" ]]; then
  say "no executable casegraph binary at $bin"
  exit 2
fi

# --- state and cleanup -----------------------------------------------------------------

work="$(mktemp -d /tmp/casegraph-faults.XXXXXX)"
pgdir="$(mktemp -d /tmp/casegraph-faults-pg.XXXXXX)" # the postgres user's, for the cluster
chown postgres: "$pgdir"
chmod 700 "$pgdir"
mkdir -p "$work/phases"
declare -A replica_pid=()
redis_pid="" haproxy_pid="" wrk_pid="" writer_pid="" probe_pid="" import_pid=""

pg_ctl() { runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pgdir/data" "$@"; }

# Sends SIGNAL to PID (one this script started) and waits for it, SIGKILL after 20 s.
stop_pid() { # stop_pid PID [SIGNAL]
  local pid=$1 signal=${2:-TERM}
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$? name
  trap - EXIT
  stop_pid "$writer_pid"
  stop_pid "$wrk_pid" INT
  stop_pid "$probe_pid"
  stop_pid "$import_pid" KILL
  for name in "${!replica_pid[@]}"; do
    stop_pid "${replica_pid[$name]}"
  done
  stop_pid "$haproxy_pid"
  stop_pid "$redis_pid"
  if [[ -f "$pgdir/data/postmaster.pid" ]]; then
    pg_ctl stop -m immediate >/dev/null 2>&1 || true
  fi
  if [[ "${FAULTS_KEEP:-0}" == 1 ]]; then
    say "kept $work and $pgdir"
  else
    rm -rf "$work" "$pgdir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

print_logs() {
  local log
  for log in "$work"/*.log "$pgdir/postgres.log"; do
    [[ -s "$log" ]] || continue
    printf '\n--- %s (last 200 lines) ---\n' "$(basename "$log")" >&2
    tail -n 200 "$log" >&2
  done
}

setup_failed() {
  say "setup FAILED: $*"
  print_logs
  exit 2
}

# --- services --------------------------------------------------------------------------

read -r pg_port redis_port port_a port_b proxy_port stats_port < <(python3 -c 'import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
declare -A replica_port=([a]=$port_a [b]=$port_b)
proxy_url="http://127.0.0.1:$proxy_port/graphql"

start_postgres() {
  pg_ctl -l "$pgdir/postgres.log" \
    -o "-p $pg_port -k $pgdir -c listen_addresses=127.0.0.1" start >/dev/null
}
postgres_accepting() { "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d casegraph; }

say "PostgreSQL on 127.0.0.1:$pg_port ($pgdir)"
runuser -u postgres -- "$pg_bin/initdb" -D "$pgdir/data" -U postgres -A trust --no-sync \
  >"$work/initdb.log" 2>&1 || setup_failed "initdb"
start_postgres || setup_failed "pg_ctl start"
for _ in $(seq 1 100); do postgres_accepting && break; sleep 0.1; done
"$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "CREATE DATABASE casegraph" \
  >"$work/psql.log" 2>&1 || setup_failed "CREATE DATABASE"
export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/casegraph"

start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize no --dir "$work" >>"$work/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}
say "Redis on 127.0.0.1:$redis_port"
start_redis || setup_failed "redis-server did not answer"

say "seeding $seed_cases synthetic cases"
"$bin" seed --synthetic "$seed_cases" --seed 7 --log-level warn >"$work/seed.log" 2>&1 \
  || setup_failed "casegraph seed"
key="$("$bin" keys create --name load --scopes read,read:drafts,write --budget 10000000 \
  --refill 1000000 --log-level warn 2>>"$work/seed.log")" || setup_failed "casegraph keys create"

start_replica() { # start_replica a|b: returns 1 if it is not ready within 60 s
  local name=$1 port=${replica_port[$1]}
  "$bin" serve --bind "127.0.0.1:$port" --no-samples --redis-url "redis://127.0.0.1:$redis_port" \
    --drain-seconds 10 --log-level info >>"$work/replica-$name.log" 2>&1 &
  replica_pid[$name]=$!
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && return 0
    kill -0 "${replica_pid[$name]}" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# One after the other: B finds the database migrated.
start_replica a || setup_failed "replica A did not become ready"
start_replica b || setup_failed "replica B did not become ready"
say "replicas A on :$port_a, B on :$port_b"

proxy_state() { # proxy_state a|b: UP, DOWN, … as HAProxy sees the replica
  curl -s "http://127.0.0.1:$stats_port/stats;csv" \
    | awk -F, -v s="$1" '$1 == "replicas" && $2 == s { print $18 }'
}
wait_proxy_up() { # wait_proxy_up a|b SECONDS
  for _ in $(seq 1 $(($2 * 10))); do
    [[ "$(proxy_state "$1")" == UP ]] && return 0
    sleep 0.1
  done
  return 1
}
haproxy -v | sed -n 1p >"$work/haproxy.version"
FAULTS_HAPROXY_503="$PWD/$check_dir/haproxy-503.http" FAULTS_PROXY_PORT=$proxy_port \
  FAULTS_PORT_A=$port_a FAULTS_PORT_B=$port_b FAULTS_STATS_PORT=$stats_port \
  haproxy -db -f "$check_dir/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
wait_proxy_up a 20 && wait_proxy_up b 20 || setup_failed "HAProxy does not see both replicas up"
say "HAProxy on :$proxy_port (stats :$stats_port)"

metric() { # metric a|b NAME: the value of an unlabelled metric of the replica
  curl -s "http://127.0.0.1:${replica_port[$1]}/metrics" | awk -v n="$2" '$1 == n { print $2 }'
}

# --- phases ----------------------------------------------------------------------------

phase_no=0 phase_dir="" run_id="$(date +%s)"
event() { printf '%s\t%s\n' "$1" "$2" >>"$phase_dir/events.tsv"; }

start_load() {
  python3 "$check_dir/probe.py" "$proxy_url" "$key" "$phase_dir/probe.log" &
  probe_pid=$!
  FAULTS_KEY="$key" FAULTS_READ_DELAY_MS="$read_delay_ms" wrk -t2 -c"$read_connections" \
    -d3600s --timeout 10s -s "$check_dir/reads.lua" "http://127.0.0.1:$proxy_port" \
    >"$phase_dir/reads.out" 2>&1 &
  wrk_pid=$!
  python3 "$check_dir/writer.py" "$proxy_url" "$key" "fault-$run_id-$1" "$phase_dir/writes.json" \
    "$writers" "$write_pause" &
  writer_pid=$!
}

stop_load() {
  stop_pid "$writer_pid" TERM
  stop_pid "$wrk_pid" INT
  stop_pid "$probe_pid" TERM
  writer_pid="" wrk_pid="" probe_pid=""
}

run_verify() { # prints verify's exit status
  local rc=0
  "$bin" verify --log-level warn >>"$work/verify.log" 2>&1 || rc=$?
  echo "$rc"
}

phase_begin() { # phase_begin NAME
  phase_no=$((phase_no + 1))
  phase_dir="$work/phases/$phase_no-$1"
  mkdir -p "$phase_dir"
  say "phase $phase_no: $1"
  event begin "$(now)"
  start_load "$1"
  sleep "$baseline"
}

phase_end() {
  sleep "$settle"
  stop_load
  event end "$(now)"
  event verify "$(run_verify)"
}

# Waits until the last 5 probes answered well, all after SINCE (at most SECONDS).
wait_probe_ok() { # wait_probe_ok SINCE SECONDS
  for _ in $(seq 1 $(($2 * 10))); do
    if tail -n 5 "$phase_dir/probe.log" 2>/dev/null \
      | awk -v t="$1" '$2 >= t && $3 == 200 && $4 == "-" { n++ } END { exit n < 5 }'; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# 1. PostgreSQL restart.
phase_begin postgres
event fault "$(now)"
pg_ctl stop -m fast >>"$work/pg_ctl.log" 2>&1 || setup_failed "pg_ctl stop"
event pg_stopped "$(now)"
sleep "$pg_down"
start_postgres || setup_failed "pg_ctl start after the stop"
for _ in $(seq 1 600); do postgres_accepting && break; sleep 0.05; done
postgres_accepting || setup_failed "PostgreSQL does not accept connections after its restart"
event pg_accepting "$(now)"
wait_probe_ok "$(now)" 30 || say "the probe did not recover within 30 s"
phase_end

# 2. Redis down.
phase_begin redis
event fallbacks_a_before "$(metric a rate_limit_budget_fallbacks_total)"
event fallbacks_b_before "$(metric b rate_limit_budget_fallbacks_total)"
event fault "$(now)"
event redis_down "$(now)"
redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
wait "$redis_pid" 2>/dev/null || true
sleep "$redis_down"
event shared_a_during "$(metric a rate_limit_budgets_shared)"
event shared_b_during "$(metric b rate_limit_budgets_shared)"
start_redis || setup_failed "redis-server did not start again"
event redis_up "$(now)"
for _ in $(seq 1 300); do
  if [[ "$(metric a rate_limit_budgets_shared)" == 1 && "$(metric b rate_limit_budgets_shared)" == 1 ]]; then
    event redis_shared_again "$(now)"
    break
  fi
  sleep 0.1
done
event fallbacks_a_after "$(metric a rate_limit_budget_fallbacks_total)"
event fallbacks_b_after "$(metric b rate_limit_budget_fallbacks_total)"
event warn_a "$(grep -c "Redis does not answer" "$work/replica-a.log" || true)"
event warn_b "$(grep -c "Redis does not answer" "$work/replica-b.log" || true)"
phase_end

# 3. Rolling deploy: SIGTERM, exit, start again; A then B.
phase_begin deploy
event fault "$(now)"
for name in a b; do
  pid=${replica_pid[$name]}
  event "${name}_term" "$(now)"
  kill -TERM "$pid"
  rc=0
  wait "$pid" 2>/dev/null || rc=$?
  event "${name}_exit" "$(now)"
  event "${name}_exit_code" "$rc"
  event "${name}_restart" "$(now)"
  if start_replica "$name" && wait_proxy_up "$name" 30; then
    event "${name}_up" "$(now)"
  else
    say "replica ${name^^} did not come back after its restart"
  fi
  sleep "$settle"
done
phase_end

# 4. Killed import.
export_digest() { # export_digest FILE: {"cases", "titles_sha256", "content_sha256"}
  "$bin" export "$1" --log-level warn >>"$work/export.log" 2>&1 || return 1
  python3 "$check_dir/export_tool.py" digest "$1"
}
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# The import's own database session: (pid, seconds into its transaction, whether it wrote).
import_session() { # import_session IMPORT_PID
  local ports
  ports="$(ss -tnpH state established "( dport = :$pg_port )" 2>/dev/null \
    | awk -v p="pid=$1," 'index($0, p) { n = split($3, a, ":"); printf "%s,", a[n] }')"
  [[ -n "$ports" ]] || return 0
  "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d casegraph -At -F' ' -c \
    "SELECT pid, extract(epoch FROM now() - xact_start), backend_xid IS NOT NULL
       FROM pg_stat_activity
      WHERE client_port IN (${ports%,}) AND xact_start IS NOT NULL
      ORDER BY xact_start LIMIT 1" 2>/dev/null || true
}

phase_begin import
event fault "$(now)"
copies=0
killed=0
for attempt in 1 2 3 4; do
  before="$(export_digest "$work/before.json")" || setup_failed "casegraph export"
  cases="$(python3 "$check_dir/export_tool.py" edit "$work/before.json" "$work/import.json" \
    " (edited $attempt)" "$copies")"
  "$bin" import "$work/import.json" --log-level info >>"$work/import.log" 2>&1 &
  import_pid=$!
  session="" backend=""
  while kill -0 "$import_pid" 2>/dev/null; do
    session="$(import_session "$import_pid")"
    if [[ -n "$session" ]]; then
      read -r backend age wrote <<<"$session"
      if [[ "$wrote" == t ]] && python3 -c "import sys; sys.exit(float('$age') < $import_kill_after)"; then
        if kill -0 "$import_pid" 2>/dev/null; then
          kill -KILL "$import_pid"
          killed_at=$(now)
          event import_killed "$killed_at"
          event import_age "$(printf '%.1f' "$age")"
          killed=1
        fi
        break
      fi
    fi
    sleep 0.05
  done
  status=0
  wait "$import_pid" 2>/dev/null || status=$?
  import_pid=""
  if [[ $killed -eq 1 && $status -eq 137 ]]; then
    event import_status "$status"
    event import_cases "$cases"
    event import_attempts "$attempt"
    event import_killed_running 1
    break
  fi
  killed=0
  say "the import (${cases} cases) ended with status $status before it could be killed; a bigger file"
  copies=$((copies * 2 + 1))
done
if [[ $killed -eq 1 ]]; then
  # PostgreSQL ends the session once it finds the client gone: wait for that.
  gone=""
  for _ in $(seq 1 300); do
    if [[ -z "$backend" ]] || [[ "$("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d casegraph -Atc \
      "SELECT count(*) FROM pg_stat_activity WHERE pid = $backend")" == 0 ]]; then
      gone="$(now)"
      break
    fi
    sleep 0.1
  done
  if [[ -n "$gone" ]]; then
    event import_session_gone "$(python3 -c "print(f'{$gone - $killed_at:.1f}')")"
  fi
  after="$(export_digest "$work/after.json")" || setup_failed "casegraph export"
  event cases_before "$(json_field "$before" cases)"
  event cases_after "$(json_field "$after" cases)"
  event titles_before "$(json_field "$before" titles_sha256)"
  event titles_after "$(json_field "$after" titles_sha256)"
  event digest_before "$(json_field "$before" content_sha256)"
  event digest_after "$(json_field "$after" content_sha256)"
fi
rm -f "$work/before.json" "$work/after.json" "$work/import.json"
phase_end

# 5. Replica B killed while the writes run.
phase_begin kill
# Killed while the proxy has a request on it (its current sessions, `scur`), if within 5 s.
proxy_sessions() { # proxy_sessions a|b
  curl -s "http://127.0.0.1:$stats_port/stats;csv" \
    | awk -F, -v s="$1" '$1 == "replicas" && $2 == s { print $5 }'
}
for _ in $(seq 1 500); do
  sessions="$(proxy_sessions b)"
  [[ "${sessions:-0}" -gt 0 ]] && break
  sleep 0.01
done
event b_sessions "${sessions:-0}"
event fault "$(now)"
pid=${replica_pid[b]}
kill -KILL "$pid"
rc=0
wait "$pid" 2>/dev/null || rc=$?
event b_status "$rc"
sleep 1
event b_restart "$(now)"
if start_replica b && wait_proxy_up b 30; then
  event b_up "$(now)"
else
  say "replica B did not come back after its restart"
fi
phase_end

# --- the report ------------------------------------------------------------------------

meta() { printf '%s\t%s\n' "$1" "$2" >>"$work/meta.tsv"; }
meta final_verify "$(run_verify)"
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta host "$(uname -n)"
meta cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
meta cores "$(nproc)"
meta version "$("$bin" --version 2>/dev/null || echo casegraph)"
meta build "$(case "$bin" in *release*) echo release ;; *) echo debug ;; esac)"
meta commit "$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  meta tree " (with uncommitted changes)"
fi
command_line="bash scripts/faults.sh"
for var in FAULTS_WRITE FAULTS_SEED_CASES FAULTS_READ_CONNECTIONS FAULTS_READ_DELAY_MS \
  FAULTS_WRITERS FAULTS_WRITE_PAUSE_S FAULTS_SHORT; do
  [[ -n "${!var:-}" ]] && command_line="$var=${!var} $command_line"
done
command_line="CASEGRAPH_BIN=${CASEGRAPH_BIN:-target/debug/casegraph} $command_line"
meta command "$command_line"
meta form "$([[ "$short" == 1 ]] && echo "Short form" || echo "Full form"): a dedicated \
PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }') cluster with $seed_cases synthetic \
cases (seed 7), a dedicated Redis $(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p'), \
two replicas behind $(awk '{ print $1, $3 }' "$work/haproxy.version"); reads by wrk \
($read_connections connections, ${read_delay_ms} ms pause), writes by $writers threads, a probe \
every 100 ms; ${baseline} s of load before each fault and ${settle} s after its recovery."
meta pg_down "$pg_down"
meta redis_down "$redis_down"
meta import_kill_after "$import_kill_after"

markdown=""
[[ "$write_md" == 1 ]] && markdown="$PWD/RELIABILITY.md"
status=0
FAULTS_PROXY_URL="$proxy_url" FAULTS_KEY="$key" FAULTS_MARKDOWN="$markdown" \
  python3 "$check_dir/report.py" "$work" || status=$?
if [[ $status -ne 0 ]]; then
  say "FAILED; the logs:"
  print_logs
  exit 1
fi
say "passed"
