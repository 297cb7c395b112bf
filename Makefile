# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CARGO_TERM_COLOR := never

SERVER := target/server/praatplaat-server
PORT ?= 8080

.PHONY: run test setup setup-test app server lint test-rust test-e2e screenshots taps bench clean

## Build everything and run app + server on http://127.0.0.1:$(PORT) (SQLite in ./data/).
run: setup app server
	$(SERVER) --bind 127.0.0.1:$(PORT) --static-dir dist

## Install what the tests need and run every test.
test: setup-test lint test-rust app server test-e2e

setup:
	scripts/setup.sh build

setup-test:
	scripts/setup.sh test

## The app: Trunk release build into dist/ (wasm-opt -Oz, service worker precache list).
app:
	trunk build --release

server:
	cargo build --profile server -p praatplaat-server

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

## Unit tests, and the server's API tests on SQLite and on a throwaway PostgreSQL (127.0.0.1).
test-rust:
	scripts/with-postgres.sh cargo test --workspace

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
