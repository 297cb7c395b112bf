#!/usr/bin/env bash
# Every benchmark of the performance budget (docs/performance.md), from one command: `make bench`.
# Prints `key = value` figures; speed is measured here, never asserted in tests.
# Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

server=target/server/praatplaat-server
cargo build --profile server -p praatplaat-server --example bench_sync

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start_server() { # name -> prints the base URL
  local port
  port=$(free_port)
  RUST_LOG=warn "$server" --bind "127.0.0.1:$port" --database-url "sqlite:$work/$1.db" \
    --static-dir dist >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "http://127.0.0.1:$port"
}

echo "# Praatplaat benchmarks at $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores, $(date -u +%FT%TZ)"

echo; echo "## Server: sync of 200 interviews, push throughput (SQLite)"
scripts/bench-server.sh sqlite

echo; echo "## Server: the same on PostgreSQL (throwaway cluster on 127.0.0.1, fsync on)"
PG_FSYNC=on scripts/with-postgres.sh scripts/bench-server.sh postgres

echo; echo "## Browser: shell size, start-up, autosave, frames, app sync, typing, PouchDB yardstick"
node tests/e2e/bench.mjs

echo; echo "## Lighthouse"
base=$(start_server lighthouse)
node scripts/lighthouse.mjs "$base/"
