#!/usr/bin/env bash
# The server's sync benchmark (crates/server/examples/bench_sync.rs) on one database:
#   scripts/bench-server.sh sqlite              a fresh SQLite file
#   scripts/with-postgres.sh scripts/bench-server.sh postgres
#                                               a fresh database in that throwaway PostgreSQL
# Starts the release server on a free 127.0.0.1 port with a benchmark account, runs the benchmark
# (figures as `key = value` lines) and stops the server. Build first: make server, and
# cargo build --profile server -p praatplaat-server --example bench_sync. Other binaries (copies
# of an earlier build, to compare): PRAATPLAAT_SERVER_BIN, PRAATPLAAT_BENCH_BIN. Arguments after
# the database go to bench_sync (e.g. --seconds 20).
set -euo pipefail
cd "$(dirname "$0")/.."
server=${PRAATPLAAT_SERVER_BIN:-target/server/praatplaat-server}
bench_sync=${PRAATPLAAT_BENCH_BIN:-target/server/examples/bench_sync}
work=$(mktemp -d)
pid=
cleanup() {
  [ -z "$pid" ] || { kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

case "${1:-}" in
  sqlite) db="sqlite:$work/bench.db" ;;
  postgres)
    : "${PRAATPLAAT_TEST_POSTGRES:?run through scripts/with-postgres.sh}"
    name="bench_$$"
    psql "$PRAATPLAAT_TEST_POSTGRES" -qc "CREATE DATABASE $name"
    db="${PRAATPLAAT_TEST_POSTGRES%/*}/$name"
    ;;
  *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac

export PRAATPLAAT_BENCH_PASSWORD="bench-$(date +%s)-$RANDOM"
echo "$PRAATPLAAT_BENCH_PASSWORD" |
  "$server" --database-url "$db" user add --username bench --role coordinator --password-stdin >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn "$server" --bind "127.0.0.1:$port" --database-url "$db" --static-dir dist \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "sync.database = $1"
# The machine is shared: the load before and after, and the server process's own CPU time.
echo "bench.loadavg_before = $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_ms() { awk -v tck="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / tck)}' "/proc/$pid/stat"; }
cpu_start=$(cpu_ms)
"$bench_sync" --url "http://127.0.0.1:$port" --username bench "${@:2}"
echo "bench.server_cpu_ms = $(($(cpu_ms) - cpu_start))"
echo "bench.loadavg_after = $(cut -d' ' -f1-3 /proc/loadavg)"
