#!/usr/bin/env bash
# vendor/async-graphql must be the crates.io release of async-graphql plus exactly the diff
# recorded in vendor/async-graphql/PATCHED.md (between <!-- patch:begin --> and
# <!-- patch:end -->), so nobody edits the fork by accident.
#
#   scripts/check-vendor.sh          check (exit 1 with the differences)
#   scripts/check-vendor.sh --diff   print the diff of the folder as it is now, to record
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
vendored="$root/vendor/async-graphql"
version=7.2.1
sha256=1057a9f7ccf2404d94571dec3451ade1cb524790df6f1ada0d19c2a49f6b0f40
cache="${CASEGRAPH_CACHE_DIR:-/var/tmp}/async-graphql-$version.crate"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! echo "$sha256  $cache" | sha256sum --check --status 2>/dev/null; then
    curl -sSfL --retry 3 -o "$cache.part" "https://static.crates.io/crates/async-graphql/async-graphql-$version.crate"
    mv "$cache.part" "$cache"
fi
echo "$sha256  $cache" | sha256sum --check --quiet

# The release as vendored: without what the folder does not hold.
tar xzf "$cache" -C "$work"
mv "$work/async-graphql-$version" "$work/a"
(cd "$work/a" && rm -rf .cargo_vcs_info.json .github .gitignore .gitmodules .rustfmt.toml \
    ARCHITECTURE.md CHANGELOG.md Cargo.lock Cargo.toml.orig SECURITY.md benches docs integrations tests)

if [ "${1:-}" = "--diff" ]; then
    cp -r "$vendored" "$work/b"
    rm "$work/b/PATCHED.md"
    # No timestamps: the diff is the same whenever it is made.
    (cd "$work" && diff -ruN a b | sed -E 's/^((---|\+\+\+) [^\t]+)\t.*$/\1/') || true
    exit 0
fi

sed -n '/^<!-- patch:begin -->$/,/^<!-- patch:end -->$/p' "$vendored/PATCHED.md" | sed '1,2d;$d' | sed '$d' >"$work/patch.diff"
if [ ! -s "$work/patch.diff" ]; then
    echo "check-vendor: no diff between <!-- patch:begin --> and <!-- patch:end --> in PATCHED.md" >&2
    exit 1
fi
(cd "$work/a" && patch -p1 --quiet --no-backup-if-mismatch --forward <"$work/patch.diff")
cp "$vendored/PATCHED.md" "$work/a/PATCHED.md"
if ! diff -r "$work/a" "$vendored" >"$work/differences"; then
    echo "check-vendor: vendor/async-graphql is not async-graphql $version plus the diff in PATCHED.md:" >&2
    head -50 "$work/differences" >&2
    exit 1
fi
echo "check-vendor: vendor/async-graphql = async-graphql $version (sha256 ${sha256:0:12}…) + PATCHED.md diff ($(grep -c '^diff ' "$work/patch.diff") files)"
