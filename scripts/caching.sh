#!/usr/bin/env bash
# Checks Casegraph's automatic persisted queries (Apollo protocol, hash-only GETs) and its HTTP
# caching (ETag, 304, Cache-Control, Vary, compression) with real clients and a real caching
# proxy (scripts/caching/caching.mjs):
#   1. Apollo Client 4 with PersistedQueryLink (useGETForHashedQueries): the first query sends
#      the hash, gets PersistedQueryNotFound and retries with the query; the same query again
#      is one GET with only the hash; after updateCase, that GET answers the new title;
#   2. the same with urql and @urql/exchange-persisted (preferGetForPersistedQueries);
#   3. the server's headers, asked directly: a strong ETag, If-None-Match → 304 without a body,
#      `public, max-age=N, stale-while-revalidate=…` anonymously, `private, no-store` with
#      Authorization, `no-store` on errors, Vary: Accept-Language, Authorization,
#      Accept-Encoding, gzip and br when asked;
#   4. nginx (Debian package `nginx`, installed when missing) as a caching reverse proxy in
#      front of the server (scripts/caching/nginx.conf.template): an anonymous GET twice → HIT;
#      after a change and max-age, the new title; unchanged after max-age → REVALIDATED (the
#      server's 304); another Accept-Language is not a HIT; with Authorization never a HIT;
#   5. persisted queries through nginx: PersistedQueryNotFound is never cached, the hash-only
#      GET of a registered query is.
# Every check runs whatever the others gave; one the server cannot pass for lack of a feature
# says "server feature missing: …".
#
#   scripts/caching.sh [BASE_URL]
#
# With a base URL (e.g. http://127.0.0.1:8080, a server started with --cache-max-age
# $CACHING_MAX_AGE on a database with published cases), checks that server, with the key in
# CASEGRAPH_KEY (scopes read,read:drafts,write,admin: titles are changed). Without one, creates
# the key on a throwaway SQLite database (scripts/lib/server.sh) and starts $CASEGRAPH_BIN
# (default: a `cargo build`) with `serve --cache-max-age $CACHING_MAX_AGE`, which loads the
# sample set, on 127.0.0.1:$PORT. nginx runs from a temporary folder (config, cache, logs) on
# 127.0.0.1:$PROXY_PORT, in the foreground of a background job, stopped on exit. PORT and
# PROXY_PORT default to free ports. The server's and nginx's logs are printed when a check
# fails.
#
# Environment: also CACHING_MAX_AGE (default 2, seconds) and CACHING_TIMEOUT_MS, the whole node
# check (default 120000; `timeout` ends it 15 s later should its own watchdog fail). Exit code:
# 0 passed, 1 a check failed, 2 setup failed (npm, nginx, the binary, a server that does not
# start).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
check_dir=scripts/caching
max_age="${CACHING_MAX_AGE:-2}"
timeout_ms="${CACHING_TIMEOUT_MS:-120000}"

say() { printf 'caching.sh: %s\n' "$*" >&2; }

if [[ ! "$max_age" =~ ^[1-9][0-9]*$ ]]; then
  say "CACHING_MAX_AGE must be a whole number of seconds ≥ 1, not '$max_age'"
  exit 2
fi

if [[ ! -d "$check_dir/node_modules" ]]; then
  if ! (cd "$check_dir" && npm ci --silent --no-audit --no-fund); then
    say "npm ci failed in $check_dir"
    exit 2
  fi
fi

# nginx from Debian, as .ci/run installs chromium; root's PATH has /usr/sbin, others' may not.
find_nginx() { command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true; }
nginx_bin="$(find_nginx)"
if [[ -z "$nginx_bin" ]]; then
  say "installing nginx (Debian package nginx)"
  if ! { apt-get update -qq && apt-get install -y -qq nginx; } >&2; then
    say "could not install the Debian package nginx"
    exit 2
  fi
  nginx_bin="$(find_nginx)"
  if [[ -z "$nginx_bin" ]]; then
    say "the nginx package is installed but no nginx binary is on PATH or at /usr/sbin/nginx"
    exit 2
  fi
fi
nginx_version="$("$nginx_bin" -v 2>&1 | sed -n 's|^nginx version: ||p')"

tmpdir="$(mktemp -d)"
nginx_dir="$tmpdir/nginx"
nginx_pid=""

stop_nginx() {
  [[ -n "$nginx_pid" ]] || return 0
  kill -TERM "$nginx_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$nginx_pid" 2>/dev/null; then
    say "nginx (pid $nginx_pid) did not stop on SIGTERM; killing it"
    kill -KILL "$nginx_pid" 2>/dev/null || true
  fi
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=""
}

cleanup() {
  stop_nginx
  if declare -F stop_server >/dev/null; then
    stop_server
  fi
  rm -rf "$tmpdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

print_logs() {
  local log printed=0
  for log in "${SERVER_LOG:-}" "$tmpdir"/*.log "$nginx_dir"/logs/*.log; do
    [[ -n "$log" && -s "$log" ]] || continue
    printf '\n--- %s (last 200 lines) ---\n' "${log#"$tmpdir"/}" >&2
    tail -n 200 "$log" >&2
    printed=1
  done
  if [[ $printed -eq 0 ]]; then
    say "(the logs are empty)"
  fi
}

# Two free loopback ports at once (both held while choosing, so they differ).
free_ports() {
  node -e 'const net = require("node:net");
const servers = [net.createServer(), net.createServer()];
Promise.all(servers.map((s) => new Promise((resolve, reject) => { s.once("error", reject); s.listen(0, "127.0.0.1", resolve); })))
  .then(() => { console.log(servers.map((s) => s.address().port).join(" ")); servers.forEach((s) => s.close()); });'
}
if [[ -z "${PORT:-}" || -z "${PROXY_PORT:-}" ]]; then
  read -r free_a free_b < <(free_ports || echo 18120 18121)
fi
server_port="${PORT:-$free_a}"
proxy_port="${PROXY_PORT:-$free_b}"

# The server: the one given, or a new one on a throwaway SQLite database.
if [[ $# -ge 1 && -n "$1" ]]; then
  server_url="${1%/}"
  key="${CASEGRAPH_KEY:-}"
  if [[ -z "$key" ]]; then
    say "CASEGRAPH_KEY must hold a key with the scopes read,read:drafts,write,admin"
    exit 2
  fi
  server_host_port="${server_url#http://}"
  if [[ "$server_host_port" == "$server_url" || "$server_host_port" == */* ]]; then
    say "the base URL must be http://HOST:PORT (nginx proxies to it), not $server_url"
    exit 2
  fi
else
  source scripts/lib/server.sh
  server_database # sets its own EXIT trap: ours calls stop_server
  trap cleanup EXIT
  if ! key="$("$SERVER_BIN" keys create --name caching --scopes read,read:drafts,write,admin 2>"$tmpdir/keys.log")" \
    || [[ -z "$key" ]]; then
    say "could not create an API key with $SERVER_BIN keys create"
    print_logs
    exit 2
  fi
  serve_flags=()
  if "$SERVER_BIN" serve --help 2>/dev/null | grep -q -- '--cache-max-age'; then
    serve_flags=(--cache-max-age "$max_age")
  else
    say "server feature missing: \`casegraph serve --cache-max-age\` (HTTP caching); starting the server without it: checks 3-5 will fail"
  fi
  start_server "$server_port" "${serve_flags[@]}"
  server_url="$SERVER_URL"
  server_host_port="127.0.0.1:$server_port"
  say "server on $server_url (serve ${serve_flags[*]:-with no caching option}), database in $SERVER_DIR"
fi

# nginx in front of it, everything in the temporary folder. As root its workers run as nobody:
# they must reach the folder and may use what nginx creates in it (cache, temporary files).
mkdir -p "$nginx_dir/logs" "$nginx_dir/tmp"
chmod 711 "$tmpdir"
chmod 755 "$nginx_dir" "$nginx_dir/tmp"
sed -e "s|@DIR@|$nginx_dir|g" -e "s|@LISTEN@|127.0.0.1:$proxy_port|g" -e "s|@UPSTREAM@|$server_host_port|g" \
  "$check_dir/nginx.conf.template" >"$nginx_dir/nginx.conf"
nginx_cmd=("$nginx_bin" -p "$nginx_dir/" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/logs/error.log")
if ! "${nginx_cmd[@]}" -t -q 2>"$tmpdir/nginx-test.log"; then
  say "nginx refuses the configuration $nginx_dir/nginx.conf:"
  cat "$tmpdir/nginx-test.log" >&2
  exit 2
fi
"${nginx_cmd[@]}" -g 'daemon off;' >"$nginx_dir/logs/stdout.log" 2>&1 &
nginx_pid=$!
proxy_url="http://127.0.0.1:$proxy_port"
for _ in $(seq 1 100); do
  if curl -sf "$proxy_url/readyz" >/dev/null; then
    break
  fi
  if ! kill -0 "$nginx_pid" 2>/dev/null; then
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
    say "nginx ended before it answered on $proxy_url"
    print_logs
    exit 2
  fi
  sleep 0.1
done
if ! curl -sf "$proxy_url/readyz" >/dev/null; then
  say "nginx did not pass $proxy_url/readyz to the server within 10 s"
  print_logs
  exit 2
fi
say "$nginx_version on $proxy_url, caching in front of $server_url"

status=0
CACHING_SERVER_URL="$server_url" CACHING_PROXY_URL="$proxy_url" CASEGRAPH_KEY="$key" CACHING_MAX_AGE="$max_age" \
  CACHING_TIMEOUT_MS="$timeout_ms" CACHING_NGINX_VERSION="$nginx_version" \
  timeout --kill-after=5 "$((timeout_ms / 1000 + 15))" node "$check_dir/caching.mjs" || status=$?
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
