# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CARGO_TERM_COLOR := never

SERVER := target/server/praatplaat-server
SOAK := target/server/praatplaat-soak
PORT ?= 8080

.PHONY: run demo test setup setup-test app server lint test-rust test-wasm test-soak fuzz test-e2e screenshots taps bench soak clean

## Build everything and run app + server on http://127.0.0.1:$(PORT) (SQLite in ./data/).
run: setup app server
	$(SERVER) --bind 127.0.0.1:$(PORT) --static-dir dist

## Load the demo programme into ./data/ (accounts demo-coordinator, demo-jan, demo-partner,
## demo-beheer, password praatplaat-demo); then `make run`. Loading it twice changes nothing.
demo: setup server
	$(SERVER) demo

## Install what the tests need and run every test.
test: setup-test lint test-rust test-wasm app server test-soak fuzz test-e2e

setup:
	scripts/setup.sh build

setup-test:
	scripts/setup.sh test

## The app: Trunk release build into dist/ (wasm-opt -Oz, service worker precache list).
app:
	trunk build --release

## The server binary and the soak's (fault proxy and native driver, crates/soak).
server:
	cargo build --profile server -p praatplaat-server -p praatplaat-soak --bin praatplaat-server --bin praatplaat-soak

lint:
	node scripts/check-cycles.mjs src crates/domain/src crates/server/src crates/vault/src
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

## Unit tests, and the server's API tests on SQLite and on a throwaway PostgreSQL (127.0.0.1).
test-rust:
	scripts/with-postgres.sh cargo test --workspace

## The app's IndexedDB store against the sync engine's LocalStore contract, in headless Chromium
## (wasm-bindgen-test-runner comes with wasm-bindgen-cli; webdriver.json holds Chromium's flags).
test-wasm:
	CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		cargo test --target wasm32-unknown-unknown --test idb_contract --test i18n_codes

## The fault soak, short: a few seeds of the native soak (crates/soak; run i plays seed + i), on
## SQLite, on PostgreSQL, and on two server processes over one PostgreSQL behind the soak's
## alternating proxy, and its self-tests, which exit 0 only when every run reported the damage
## (the browser soak's seeds run with the browser tests). The long one is `make soak`.
test-soak:
	$(SOAK) native --runs 20 --seed 11
	scripts/with-postgres.sh $(SOAK) native --runs 10 --seed 41 --database postgres
	scripts/with-postgres.sh $(SOAK) native --runs 8 --seed 51 --database postgres --servers 2
	$(SOAK) native --runs 2 --seed 61 --self-test delete-row
	$(SOAK) native --runs 2 --seed 71 --self-test flip-tick
	$(SOAK) native --runs 2 --seed 81 --self-test stolen-numbers

## The long fault-injection soak (native and browser; figures into docs/reliability.md).
soak: setup-test app server
	scripts/soak.sh

## The API against its OpenAPI document: schemathesis (PyPI, into .tools/) sends generated
## requests to the server binary, on SQLite and on PostgreSQL; any 5xx or answer the document
## does not declare fails it (about a minute each).
fuzz: server
	scripts/fuzz-api.sh
	FUZZ_DATABASE=postgres FUZZ_EXAMPLES=10 scripts/with-postgres.sh scripts/fuzz-api.sh

## Browser end-to-end tests: real Chromium, real built app, real server.
test-e2e:
	node --test --test-concurrency=1 tests/e2e/

## Screenshots at tablet sizes into docs/screenshots/.
screenshots: app server
	node tests/e2e/screenshots.mjs

## Benchmarks of the performance budget (figures in docs/performance.md).
bench: setup-test app server
	scripts/bench.sh

## Taps of a typical interview, counted by playing it in the browser.
taps: app server
	node tests/e2e/tap_count.mjs

clean:
	cargo clean
	rm -rf dist
