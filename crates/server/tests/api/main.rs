//! The API over real HTTP on loopback, against a real database: every test runs twice, on a
//! SQLite file and on a PostgreSQL database (`scripts/with-postgres.sh` starts the server for it;
//! `make test-rust` does that).

#[macro_use]
mod harness;
mod abuse;
mod access;
mod accounts;
mod batches;
mod conflicts;
mod demo;
mod faults;
mod fuzz_regressions;
mod hardening;
mod import;
mod photos;
mod processes;
mod retention;
mod sync;
