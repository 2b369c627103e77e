# Sourced by the scripts under scripts/: starts a Casegraph server on a throwaway SQLite
# database, bound to loopback, and stops it when the script exits.
#
#   source scripts/lib/server.sh
#   server_database                        # optional: SERVER_DIR and DATABASE_URL now, to
#                                          # prepare the database (keys) before serving
#   start_server PORT [serve options...]   # sets SERVER_URL (and SERVER_LOG unless set)
#
# The binary is $CASEGRAPH_BIN when set, else a `cargo build` of
# ${CARGO_TARGET_DIR:-target}/debug/casegraph. With no serve options the server runs with
# exactly the production defaults (sample set, budgets, limits); only the port and the
# database file are chosen here.

casegraph_binary() {
  if [[ -n "${CASEGRAPH_BIN:-}" ]]; then
    printf '%s\n' "$CASEGRAPH_BIN"
  else
    cargo build --quiet
    printf '%s\n' "${CARGO_TARGET_DIR:-target}/debug/casegraph"
  fi
}

# A temporary folder (SERVER_DIR, removed on exit) holding the server's SQLite database
# (DATABASE_URL, exported for the binary's other commands too) and its binary (SERVER_BIN).
server_database() {
  if [[ -n "${SERVER_DIR:-}" ]]; then
    return 0
  fi
  SERVER_BIN="$(casegraph_binary)"
  if [[ ! -x "$SERVER_BIN" ]]; then
    echo "no executable casegraph binary at $SERVER_BIN" >&2
    exit 2
  fi
  SERVER_DIR="$(mktemp -d)"
  trap stop_server EXIT
  export DATABASE_URL="sqlite://$SERVER_DIR/casegraph.db?mode=rwc"
}

start_server() {
  local port=$1
  shift
  server_database
  SERVER_LOG="${SERVER_LOG:-$SERVER_DIR/server.log}"
  SERVER_URL="http://127.0.0.1:$port"
  "$SERVER_BIN" serve --bind "127.0.0.1:$port" "$@" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -sf "$SERVER_URL/readyz" >/dev/null; then
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  echo "the server did not become ready on $SERVER_URL; its log:" >&2
  cat "$SERVER_LOG" >&2
  exit 2
}

stop_server() {
  if [[ -n "${SERVER_PID:-}" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "${SERVER_DIR:-}" ]]; then
    rm -rf "$SERVER_DIR"
  fi
}
