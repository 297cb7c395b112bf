#!/usr/bin/env bash
# Renders the app icons (PNG) from their SVG sources with headless Chromium. Run by hand after
# changing an icon; the PNGs are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
render() { # source.svg size out.png
  local html; html=$(mktemp --suffix=.html)
  printf '<html><body style="margin:0"><img src="file://%s" width="%s" height="%s"></body></html>' "$PWD/$1" "$2" "$2" >"$html"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --default-background-color=00000000 --hide-scrollbars \
    --window-size="$2,$2" --screenshot="$PWD/$3" "file://$html" 2>/dev/null
}
render public/icons/icon.svg 192 public/icons/icon-192.png
render public/icons/icon.svg 512 public/icons/icon-512.png
render scripts/icons/maskable.svg 512 public/icons/icon-maskable-512.png
