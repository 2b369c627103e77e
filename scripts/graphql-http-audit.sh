#!/usr/bin/env bash
# Audits a Casegraph server against the GraphQL over HTTP spec with the `graphql-http` audit
# suite (scripts/graphql-http-audit/). Fails when any MUST audit fails; SHOULD/MAY are warnings.
#
#   scripts/graphql-http-audit.sh [URL]
#
# With a URL (e.g. http://127.0.0.1:8080/graphql), audits that server. Without one, starts a
# server on a throwaway SQLite database: the binary $CASEGRAPH_BIN if set, else a `cargo build`
# of ${CARGO_TARGET_DIR:-target}/debug/casegraph, bound to 127.0.0.1:$PORT (default 18099).
# AUDIT_REPORT=FILE also writes a Markdown report. Exit code: the audit's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
audit_dir=scripts/graphql-http-audit

if [[ ! -d "$audit_dir/node_modules" ]]; then
  (cd "$audit_dir" && npm ci --silent --no-audit --no-fund)
fi

if [[ $# -ge 1 && -n "$1" ]]; then
  exec node "$audit_dir/audit.mjs" "$1"
fi

PORT="${PORT:-18099}"
if [[ -n "${CASEGRAPH_BIN:-}" ]]; then
  bin="$CASEGRAPH_BIN"
else
  cargo build --quiet
  bin="${CARGO_TARGET_DIR:-target}/debug/casegraph"
fi
if [[ ! -x "$bin" ]]; then
  echo "graphql-http-audit: no executable casegraph binary at $bin" >&2
  exit 2
fi

tmpdir="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmpdir"
}
trap cleanup EXIT

DATABASE_URL="sqlite://$tmpdir/audit.db?mode=rwc" "$bin" serve --bind "127.0.0.1:$PORT" \
  >"$tmpdir/server.log" 2>&1 &
server_pid=$!

ready=""
for _ in $(seq 1 60); do
  if curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; then
    ready=1
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  echo "graphql-http-audit: server did not become ready on 127.0.0.1:$PORT; its log:" >&2
  cat "$tmpdir/server.log" >&2
  exit 2
fi

status=0
node "$audit_dir/audit.mjs" "http://127.0.0.1:$PORT/graphql" || status=$?
exit "$status"
