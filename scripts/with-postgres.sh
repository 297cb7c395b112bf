#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL (Debian's packages) on 127.0.0.1, with
# PRAATPLAAT_TEST_POSTGRES set to its URL; the cluster is removed afterwards. The server's tests
# create one database per test in it, so the same suite runs against SQLite and PostgreSQL.
#   scripts/with-postgres.sh cargo test -p praatplaat-server
# PG_FSYNC=on keeps fsync (benchmarks); tests turn it off, durability is not what they check.
set -euo pipefail
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL is not installed: run scripts/setup.sh test (apt-get install postgresql)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/praatplaat-pg.XXXXXX)
as=()
# PostgreSQL refuses to run as root; Debian's package brings the postgres user.
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  "${as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as[@]}" "$pg_bin/initdb" -D "$dir/data" -U praatplaat --auth=trust -E UTF8 --no-locale >/dev/null
"${as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=${PG_FSYNC:-off} -c max_connections=200" \
  start >/dev/null
"${as[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U praatplaat praatplaat
export PRAATPLAAT_TEST_POSTGRES="postgres://praatplaat@127.0.0.1:$port/praatplaat"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
