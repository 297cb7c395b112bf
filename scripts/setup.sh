#!/usr/bin/env bash
# Installs what building (`setup.sh build`) or testing (`setup.sh test`) needs, idempotently.
# Facts behind each step: ../shared/TOOLCHAIN.md (what works on these machines, and what does not).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-build}"
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

TRUNK_VERSION=0.21.14
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  step "trunk $TRUNK_VERSION (cargo install, several minutes once)"
  # Without LTO and with 16 codegen units the install takes ~11 min instead of ~17 on 2 cores.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock. `--locked` fails here
# (its lockfile pins a crate version this registry lacks), so it is installed without.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  step "wasm-bindgen-cli $WB_VERSION"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi
if ! grep -q "wasm_bindgen = \"$WB_VERSION\"" Trunk.toml; then
  echo "Trunk.toml [tools] wasm_bindgen must be \"$WB_VERSION\" (the Cargo.lock version)" >&2
  exit 1
fi

# wasm-opt from npm's binaryen (Debian's binaryen produces a broken .wasm); for the tests and
# benchmarks playwright-core, axe-core and lighthouse, and PouchDB (pouchdb, express-pouchdb,
# pouchdb-adapter-memory) as the sync benchmark's yardstick.
if [ ! -x node_modules/.bin/wasm-opt ] || [ package.json -nt node_modules/.package-lock.json ]; then
  step "npm packages (binaryen, playwright-core, axe-core, lighthouse, pouchdb)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

if [ "$what" = test ]; then
  missing=()
  for pkg in chromium chromium-driver brotli poppler-utils; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  # The server's tests run against PostgreSQL too (scripts/with-postgres.sh starts a throwaway one).
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # The API fuzz run (scripts/fuzz-api.sh): curl, and a python3 that makes virtualenvs.
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
  if [ ${#missing[@]} -gt 0 ]; then
    step "Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y "${missing[@]}"
  fi
  # Schemathesis into .tools/ (PyPI; the version is pinned in the script), once.
  scripts/fuzz-api.sh --install
fi
