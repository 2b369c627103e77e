#!/usr/bin/env bash
# Opens /dashboard in headless Chromium (Debian's `chromium`, driven by playwright-core) as
# an anonymous visitor, in en, zh and ar, then reloads it 30 times in a minute: every load
# must draw every chart without the error banner, and the server must throttle nothing.
#
#   scripts/dashboard-browser.sh [BASE_URL]
#
# With a base URL (e.g. http://127.0.0.1:8080, a server you started with `cargo run
# --release`), checks that server. Without one, starts a server with exactly the production
# defaults on a throwaway SQLite database (scripts/lib/server.sh; port $PORT, default 18098).
# SCREENSHOTS=DIR keeps a full-page screenshot per language there.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
browser_dir=scripts/dashboard-browser

if ! command -v chromium >/dev/null; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
if [[ ! -d "$browser_dir/node_modules" ]]; then
  (cd "$browser_dir" && npm ci --silent --no-audit --no-fund)
fi

if [[ $# -ge 1 && -n "$1" ]]; then
  base="$1"
else
  source scripts/lib/server.sh
  start_server "${PORT:-18098}"
  base="$SERVER_URL"
fi
node "$browser_dir/reloads.mjs" "$base" "${SCREENSHOTS:-}"
