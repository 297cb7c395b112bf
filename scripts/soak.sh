#!/usr/bin/env bash
# The long fault-injection soak (`make soak`): native runs of the domain's sync engine against the
# real server binary through the fault proxy (crates/soak, `praatplaat-soak native`: SQLite, then
# PostgreSQL, then two server processes over one PostgreSQL behind the proxy alternating between
# them; run i plays seed SEED + i), then browser runs with two real tablets through the same
# proxy (`praatplaat-soak proxy`); figures into docs/reliability.md.
#   NATIVE_RUNS=1000 PG_RUNS=200 PG2_RUNS=200 BROWSER_RUNS=50 SEED=1 scripts/soak.sh
# Everything listens on 127.0.0.1 only. Exits non-zero if any run lost, duplicated or invented
# anything (the figures are written either way).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

NATIVE_RUNS=${NATIVE_RUNS:-1000}
PG_RUNS=${PG_RUNS:-200}
PG2_RUNS=${PG2_RUNS:-200}
BROWSER_RUNS=${BROWSER_RUNS:-50}
SEED=${SEED:-1}
# Binaries to soak (copies let a build go on meanwhile); the browser soak reads the same variables.
soak=${PRAATPLAAT_SOAK_BIN:-target/server/praatplaat-soak}
server=${PRAATPLAAT_SERVER_BIN:-target/server/praatplaat-server}
export PRAATPLAAT_SOAK_BIN=$soak PRAATPLAAT_SERVER_BIN=$server
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

status=0
start=$(date +%s)
echo "== native soak on SQLite: $NATIVE_RUNS runs, seed $SEED"
"$soak" native --server-bin "$server" --runs "$NATIVE_RUNS" --seed "$SEED" \
  --json "$out/native-sqlite.json" || status=1
# PostgreSQL plays the seeds after SQLite's: other runs, not the same ones again.
echo "== native soak on PostgreSQL: $PG_RUNS runs, seed $((SEED + NATIVE_RUNS))"
scripts/with-postgres.sh "$soak" native --server-bin "$server" --runs "$PG_RUNS" --seed "$((SEED + NATIVE_RUNS))" --database postgres \
  --json "$out/native-postgres.json" || status=1
# Two server processes play the seeds after those.
echo "== native soak on two server processes over one PostgreSQL: $PG2_RUNS runs, seed $((SEED + NATIVE_RUNS + PG_RUNS))"
scripts/with-postgres.sh "$soak" native --server-bin "$server" --runs "$PG2_RUNS" \
  --seed "$((SEED + NATIVE_RUNS + PG_RUNS))" --database postgres --servers 2 \
  --json "$out/native-postgres-2.json" || status=1
echo "== self-tests: a deleted row and a flipped tick must be reported as lost, stolen numbers as unearned duplicates"
"$soak" native --server-bin "$server" --runs 3 --seed "$SEED" --self-test delete-row \
  --json "$out/self-delete.json" || status=1
"$soak" native --server-bin "$server" --runs 3 --seed "$SEED" --self-test flip-tick \
  --json "$out/self-flip.json" || status=1
"$soak" native --server-bin "$server" --runs 3 --seed "$SEED" --self-test stolen-numbers \
  --json "$out/self-stolen.json" || status=1
echo "== browser soak: $BROWSER_RUNS runs, seed $SEED"
node tests/e2e/soak.mjs --runs "$BROWSER_RUNS" --seed "$SEED" --proxy rust \
  --json "$out/browser.json" || status=1
node tests/e2e/soak.mjs --runs 1 --seed "$SEED" --proxy rust --self-test flip-tick \
  --json "$out/browser-self-flip.json" || status=1
end=$(date +%s)

node scripts/reliability-report.mjs "$out" "$((end - start))" "$status" > docs/reliability.md
echo "== figures written to docs/reliability.md (exit $status)"
exit "$status"
