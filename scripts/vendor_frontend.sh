#!/usr/bin/env bash
# Vendor the pinned front-end packages from the npm registry into api/static/vendor.
# Run only when changing a version; the result is committed, so `make run` needs no npm
# and nothing is loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=api/static/vendor
# name@version -> file inside the package -> vendored file name
pins=(
  "htmx.org@2.0.11 dist/htmx.min.js htmx.min.js"
  "htmx-ext-sse@2.2.4 dist/sse.min.js htmx-ext-sse.min.js"
  "uplot@1.6.32 dist/uPlot.iife.min.js uPlot.iife.min.js"
  "uplot@1.6.32 dist/uPlot.min.css uPlot.min.css"
  "alpinejs@3.15.0 dist/cdn.min.js alpine.min.js"
  # accessibility checks in the browser tests only (tests/e2e/test_pages_accessibility.py);
  # no page loads it
  "axe-core@4.14.1 axe.min.js axe.min.js"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
: > "$dest/VERSIONS.txt"
for pin in "${pins[@]}"; do
  read -r spec inner name <<<"$pin"
  tarball=$(cd "$work" && npm pack --silent "$spec" | tail -n 1)
  mkdir -p "$work/${spec}"
  tar -xzf "$work/$tarball" -C "$work/${spec}"
  cp "$work/${spec}/package/$inner" "$dest/$name"
  echo "$name  $spec  $(sha256sum "$dest/$name" | cut -d' ' -f1)" >> "$dest/VERSIONS.txt"
done
cat "$dest/VERSIONS.txt"
