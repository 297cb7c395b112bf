//! The API over real HTTP on loopback, against a real database: every test runs twice, on a
//! SQLite file and on a PostgreSQL database (`scripts/with-postgres.sh` starts the server for it;
//! `make test-rust` does that).

#[macro_use]
mod harness;
mod abuse;
mod access;
mod accounts;
mod conflicts;
mod demo;
mod faults;
mod hardening;
mod import;
mod photos;
mod sync;
