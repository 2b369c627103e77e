#!/usr/bin/env bash
# Audits a Casegraph server against the GraphQL over HTTP spec with the `graphql-http` audit
# suite (scripts/graphql-http-audit/). Fails when any MUST audit fails; SHOULD/MAY are warnings.
#
#   scripts/graphql-http-audit.sh [URL]
#
# With a URL (e.g. http://127.0.0.1:8080/graphql), audits that server. Without one, starts a
# server with the production defaults on a throwaway SQLite database (scripts/lib/server.sh:
# $CASEGRAPH_BIN, or a `cargo build`), bound to 127.0.0.1:$PORT (default 18099).
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

source scripts/lib/server.sh
start_server "${PORT:-18099}"
status=0
node "$audit_dir/audit.mjs" "$SERVER_URL/graphql" || status=$?
exit "$status"
