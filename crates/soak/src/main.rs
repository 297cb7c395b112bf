//! `praatplaat-soak proxy ...` and `praatplaat-soak native ...`; see `--help`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use praatplaat_soak::native::{self, Database, SelfTest};
use praatplaat_soak::proxy::{self, Fault, ProxyState};

#[derive(Debug, Parser)]
#[command(
    name = "praatplaat-soak",
    about = "Soak test of Praatplaat's sync under faults"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Db {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Test {
    DeleteRow,
    FlipTick,
    StolenNumbers,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// A fault-injecting HTTP/1.1 reverse proxy on loopback. Faults hit only push and pull
    /// (`/api/v1/push`, `/api/v1/pull`, `/api/v1/sync/...`) while they are on:
    /// `POST /__faults/on`, `POST /__faults/off`, `GET /__faults/stats`.
    Proxy {
        /// Where to listen (loopback only).
        #[arg(long)]
        listen: SocketAddr,
        /// The server to forward to (loopback only). Given more than once (server processes over
        /// one database), the requests take them in turn, and one that refuses the connection
        /// is passed over for the next.
        #[arg(long, required = true)]
        upstream: Vec<SocketAddr>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Share of sync requests that get a fault while faults are on.
        #[arg(long, default_value_t = 30)]
        fault_percent: u64,
        /// Start with faults on (default: off until `POST /__faults/on`).
        #[arg(long)]
        faults_on: bool,
    },
    /// Runs the server binary behind the proxy and plays many multi-device runs against it.
    Native {
        /// The server binary (`cargo build --profile server -p praatplaat-server`).
        #[arg(long, default_value = "target/server/praatplaat-server")]
        server_bin: PathBuf,
        #[arg(long, default_value_t = 100)]
        runs: u64,
        /// Run i plays seed + i; replay one with `--runs 1 --seed <its seed>`.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// postgres takes DATABASE_URL (or PRAATPLAAT_TEST_POSTGRES from
        /// scripts/with-postgres.sh) and makes a fresh database there when psql is at hand.
        #[arg(long, value_enum, default_value = "sqlite")]
        database: Db,
        /// Devices per run at most (each run takes 2..=N).
        #[arg(long, default_value_t = 3)]
        devices: usize,
        /// Damages the stored data before the check; exits 0 only if every run noticed.
        #[arg(long, value_enum)]
        self_test: Option<Test>,
        /// Writes the summary and the failing runs as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Share of the devices' sync requests that get a fault.
        #[arg(long, default_value_t = 30)]
        fault_percent: u64,
        /// Only these fault kinds, comma-separated (drop_after_apply, status_502, status_503,
        /// delay, double_delivery, truncate_request, truncate_response); `none` for no faults.
        #[arg(long, value_delimiter = ',')]
        faults: Vec<String>,
        /// Share of steps that SIGKILL the server 0-30 ms into a push (at most 17).
        #[arg(long, default_value_t = 4)]
        kill_percent: u64,
        /// Runs played at the same time (they share the server; their records do not meet).
        #[arg(long, default_value_t = 8)]
        parallel: usize,
        /// Server processes over the one database, behind the proxy, which alternates the
        /// requests between them (2 needs --database postgres). Kills take them in turn.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=4))]
        servers: u64,
        /// Share of steps before which a hardening action is played: an intruder pushing under
        /// a run device's id, a forged or a genuine export file imported (0: none).
        #[arg(long, default_value_t = 8)]
        hardening_percent: u64,
        /// Prints every step, request and verdict of each run (use with --runs 1).
        #[arg(long)]
        trace: bool,
        /// Keeps the temporary folder (SQLite database, server log) and prints its path.
        #[arg(long)]
        keep: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("praatplaat-soak: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Cmd::Proxy {
            listen,
            upstream,
            seed,
            fault_percent,
            faults_on,
        } => {
            if !listen.ip().is_loopback() || upstream.iter().any(|u| !u.ip().is_loopback()) {
                eprintln!("praatplaat-soak: proxy: only loopback addresses");
                return ExitCode::from(2);
            }
            let state = ProxyState::alternating(upstream, seed, fault_percent, faults_on);
            let result: std::io::Result<()> = runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(listen).await?;
                println!("listening on {}", listener.local_addr()?);
                std::io::stdout().flush()?;
                proxy::serve(listener, state).await
            });
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("praatplaat-soak: proxy: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Cmd::Native {
            server_bin,
            runs,
            seed,
            database,
            devices,
            self_test,
            json,
            fault_percent,
            faults,
            kill_percent,
            parallel,
            servers,
            hardening_percent,
            trace,
            keep,
        } => {
            let mut fault_kinds = Vec::new();
            for name in &faults {
                match Fault::parse(name) {
                    Ok(Some(fault)) => fault_kinds.push(fault),
                    Ok(None) => {}
                    Err(e) => {
                        eprintln!("praatplaat-soak: --faults: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            if faults.is_empty() {
                fault_kinds = Fault::ALL.to_vec();
            }
            let args = native::Args {
                server_bin,
                runs,
                seed,
                database: match database {
                    Db::Sqlite => Database::Sqlite,
                    Db::Postgres => Database::Postgres,
                },
                devices: devices.max(2),
                self_test: self_test.map(|t| match t {
                    Test::DeleteRow => SelfTest::DeleteRow,
                    Test::FlipTick => SelfTest::FlipTick,
                    Test::StolenNumbers => SelfTest::StolenNumbers,
                }),
                json,
                fault_percent: fault_percent.min(100),
                fault_kinds,
                kill_percent,
                parallel: parallel.max(1),
                servers: servers as usize,
                hardening_percent: hardening_percent.min(100),
                trace,
                keep,
            };
            let local = tokio::task::LocalSet::new();
            match local.block_on(&runtime, native::run(args)) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("praatplaat-soak: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
