#!/usr/bin/env bash
# The API against its own OpenAPI document: schemathesis generates requests from
# /api/v1/openapi.json (valid and invalid ones, boundary values) and sends them to the release
# server binary on a throwaway SQLite (or PostgreSQL) database, signed in as an admin, then as an
# interviewer.
# It fails on any 5xx, on a status code, content type, header or body the document does not
# declare, on invalid data accepted, and on a protected route that answers without a token.
#
#   scripts/fuzz-api.sh            # what `make fuzz` (and so `make test`) runs
#   FUZZ_EXAMPLES=200 FUZZ_SEED=7 scripts/fuzz-api.sh    # longer, another seed
#   FUZZ_DATABASE=postgres scripts/with-postgres.sh scripts/fuzz-api.sh   # on PostgreSQL
#   FUZZ_ARGS="--report har --report-dir $PWD/target/fuzz" scripts/fuzz-api.sh   # every exchange
#   scripts/fuzz-api.sh --install   # only install schemathesis (`scripts/setup.sh test` does)
#
# Needs target/server/praatplaat-server (`make server`), python3 and curl. Schemathesis is
# installed once into .tools/schemathesis-<version>/ (a virtualenv; PyPI), so a second run
# starts at once. Settings: scripts/schemathesis.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
SERVER_BIN="${PRAATPLAAT_SERVER_BIN:-target/server/praatplaat-server}"
# Examples per operation and phase; with the seed fixed a run is the same run every time.
EXAMPLES="${FUZZ_EXAMPLES:-20}"
SEED="${FUZZ_SEED:-20240613}"

venv=".tools/schemathesis-$SCHEMATHESIS_VERSION"
if ! "$venv/bin/st" --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
  echo "== schemathesis $SCHEMATHESIS_VERSION into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
[ "${1:-}" = --install ] && exit 0

if [ ! -x "$SERVER_BIN" ]; then
  echo "$SERVER_BIN is missing: run \`make server\` first" >&2
  exit 2
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# SQLite in the work folder, or the PostgreSQL of scripts/with-postgres.sh (a throwaway cluster).
case "${FUZZ_DATABASE:-sqlite}" in
  sqlite) db="sqlite:$work/fuzz.db" ;;
  postgres) db="${PRAATPLAAT_TEST_POSTGRES:?run through scripts/with-postgres.sh}" ;;
  *) echo "FUZZ_DATABASE is sqlite or postgres" >&2; exit 2 ;;
esac
password="een lang fuzz-wachtwoord"
for account in admin:admin interviewer:interviewer spare:admin; do
  printf '%s\n' "$password" |
    "$SERVER_BIN" --database-url "$db" user add --username "fuzz-${account%%:*}" \
      --role "${account#*:}" --password-stdin >/dev/null
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/api/v1"
RUST_LOG="${RUST_LOG:-warn}" "$SERVER_BIN" --bind "127.0.0.1:$port" --database-url "$db" \
  --static-dir "$work/no-app" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS "$base/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 2; }
  sleep 0.1
done

sign_in() {
  curl -fsS "$base/auth/sign-in" -H 'content-type: application/json' \
    -d "{\"username\": \"fuzz-$1\", \"password\": \"$password\", \"device_id\": \"$2\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
# The admin and the interviewer share a tablet, whose id every generated body carries (below):
# pushes then get past the device check to the store, and sign-ins make sessions.
device=5d0c3a53-6a1e-4b52-9b0e-0a0000000001
admin_token=$(sign_in admin "$device")
interviewer_token=$(sign_in interviewer "$device")
sessions_token=$(sign_in spare 5d0c3a53-6a1e-4b52-9b0e-0a0000000002)

# A photo both of them sent, so GET /photos/{hash} also answers 200 (image/jpeg): a JPEG's
# headers (640 x 480) and noise, as the API tests make one.
hash=$(python3 - "$work/photo.jpg" <<'PY'
import hashlib, random, sys
scan = bytes(random.Random(7).randrange(255) for _ in range(4000))
jpeg = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"\xff\xc0\x00\x11\x08\x01\xe0\x02\x80\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
        b"\xff\xda\x00\x02" + scan + b"\xff\xd9")
open(sys.argv[1], "wb").write(jpeg)
print(hashlib.sha256(jpeg).hexdigest())
PY
)
for token in "$admin_token" "$interviewer_token"; do
  curl -fsS -X PUT "$base/photos/$hash" -H "Authorization: Bearer $token" \
    -H 'content-type: image/jpeg' --data-binary "@$work/photo.jpg" >/dev/null
done

config="$work/schemathesis.toml"
{
  cat scripts/schemathesis.toml
  printf '\n[parameters]\n"body.device_id" = "%s"\n' "$device"
  printf '"path.hash" = { dictionary = "photos", probability = 0.5 }\n'
  printf '\n[dictionaries.photos]\nvalues = ["%s"]\n' "$hash"
} >"$config"

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,missing_required_header,unsupported_method,ignored_auth
root=$PWD
run() {
  local name=$1 token=$2
  shift 2
  echo "== schemathesis: $name"
  # From the work folder: schemathesis keeps files where it runs.
  (cd "$work" && "$root/$venv/bin/st" --no-color --config-file "$config" \
    run "$base/openapi.json" --url "$base" -H "Authorization: Bearer $token" \
    --checks "$checks" --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
    --request-timeout 10 "$@" ${FUZZ_ARGS:-})
}

status=0
start=$SECONDS
# Each run with a session of its own: signing out and revoking sessions (which the stateful phase
# does with the ids GET /sessions lists) end the sessions they name, so they go last.
run admin "$admin_token" --exclude-operation-id sign_out --exclude-operation-id revoke_session \
  || status=1
run interviewer "$interviewer_token" --include-path-regex '^/(push|pull|photos)' || status=1
run sessions "$sessions_token" --include-operation-id list_sessions \
  --include-operation-id revoke_session || status=1
# Signed in after the sessions run, which revokes every session it lists.
run sign-out "$(sign_in spare 5d0c3a53-6a1e-4b52-9b0e-0a0000000003)" \
  --include-operation-id sign_out || status=1
echo "== schemathesis took $((SECONDS - start)) s"

# A 5xx the checks missed (one inside a response schemathesis could not read) is logged too.
if grep -q 'request failed' "$work/server.log"; then
  echo "the server logged failed requests:" >&2
  grep 'request failed' "$work/server.log" | head -20 >&2
  status=1
fi
exit $status
