//! The server's storage behind one narrow interface, on SQLite (the default: one file, nothing to
//! install) or PostgreSQL (a `postgres://` URL). Both run the same queries through sqlx's `Any`
//! driver: `$n` placeholders, BIGINT numbers and 0/1 flags mean the same on both, so there is one
//! implementation of every behaviour and one test suite for both. Only the schema is written per
//! database (`migrations/sqlite`, `migrations/postgres`).

mod accounts;
mod photos;
mod records;
pub mod retention;
mod sign_in;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use praatplaat_domain::initiative::seed_catalogue;
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::{Change, ChangeStatus, PushRequest};
use praatplaat_domain::Record;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use uuid::Uuid;

pub use accounts::{AccountError, SessionUser};
pub use photos::{
    UploadRefusal, UploadState, ABANDONED_UPLOAD_MS, MAX_OPEN_UPLOADS, MAX_OPEN_UPLOAD_BYTES,
};

use crate::error::AppError;

/// The "device" that writes the seed catalogue. Nobody signs in, pushes or imports as it: its
/// numbers are the seeds' fixed `seq`s.
pub const SEED_DEVICE: Uuid = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001);

/// Who asks: decides what a pull returns and what a push may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// None for the server itself (seeding, imports from the command line).
    pub user: Option<Uuid>,
    pub role: Role,
}

impl Actor {
    pub const SYSTEM: Actor = Actor {
        user: None,
        role: Role::Admin,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    /// Every write goes here. On SQLite one connection: SQLite serialises writers anyway, and one
    /// writer never meets a busy database.
    writer: AnyPool,
    /// Reads; on PostgreSQL the same pool as the writer.
    reader: AnyPool,
    backend: Backend,
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Unix milliseconds now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) fn parse_uuid(row: &AnyRow, column: &str) -> Result<Uuid, AppError> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(|e| AppError::Corrupt(format!("{column}: {e}")))
}

impl Store {
    /// Opens (and creates, and migrates) the database named by `url`, seeds the initiative
    /// catalogue, drops abandoned photo uploads and revisions beyond those kept.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let store = if let Some(path) = url.strip_prefix("sqlite:") {
            Store::open_sqlite(url, path).await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                // Pushes queue on the counter row's lock and then read what the one before
                // committed: that needs READ COMMITTED (PostgreSQL's default, which a database may
                // have changed; under REPEATABLE READ every push behind another would fail).
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::query(
                            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
                        )
                        .execute(conn)
                        .await
                        .map(|_| ())
                    })
                })
                .connect(url)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Store {
                writer: pool.clone(),
                reader: pool,
                backend: Backend::Postgres,
            }
        } else {
            return Err(StoreError::UnsupportedUrl(
                url.split(':').next().unwrap_or_default().to_owned(),
            ));
        };
        store.seed().await?;
        // Uploads abandoned while the server was down (or before the last restart); new uploads
        // sweep too. Housekeeping only: a failure here must not keep the server from starting.
        if let Err(e) = store.sweep_abandoned_uploads(now_ms()).await {
            tracing::warn!(error = %e, "could not sweep abandoned photo uploads");
        }
        // Revisions beyond what is kept: stored before, or under a larger --keep-revisions
        // (every push trims the records it writes). Housekeeping too.
        if let Err(e) = store.sweep_revisions(store.keep_revisions()).await {
            tracing::warn!(error = %e, "could not delete old revisions");
        }
        Ok(store)
    }

    async fn open_sqlite(url: &str, path: &str) -> Result<Store, StoreError> {
        let file = path.trim_start_matches("//");
        let file = file.split('?').next().unwrap_or(file);
        if let Some(dir) = std::path::Path::new(file).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        let with_mode = |mode: &str| {
            let joiner = if url.contains('?') { '&' } else { '?' };
            format!("{url}{joiner}mode={mode}")
        };
        // Per-connection settings: WAL lets readers work beside the writer; NORMAL sync is
        // durable in WAL mode except for the last commits before a power cut.
        fn pragmas(
            conn: &mut sqlx::AnyConnection,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + '_>>
        {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = NORMAL;",
                )
                .await
                .map(|_| ())
            })
        }
        let writer = AnyPoolOptions::new()
            .max_connections(1)
            .after_connect(|conn, _| pragmas(conn))
            .connect(&with_mode("rwc"))
            .await?;
        writer.execute("PRAGMA journal_mode = WAL").await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _| pragmas(conn))
            .connect(&with_mode("ro"))
            .await?;
        Ok(Store {
            writer,
            reader,
            backend: Backend::Sqlite,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Puts the seed catalogue of initiatives in through the ordinary push path, as a device of
    /// its own: each seed has a fixed `seq`, so a restart applies nothing twice, a release that
    /// appends initiatives adds just those, and edits by the coordinator (later `updated_at`) win.
    async fn seed(&self) -> Result<(), StoreError> {
        let catalogue = seed_catalogue().map_err(|e| StoreError::Seed(e.to_string()))?;
        let request = PushRequest {
            device_id: SEED_DEVICE,
            changes: catalogue
                .into_iter()
                .zip(1..)
                .map(|(initiative, seq)| Change {
                    seq,
                    record: Record::Initiative(initiative),
                })
                .collect(),
        };
        let response = self
            .push(Actor::SYSTEM, &request)
            .await
            .map_err(|e| StoreError::Seed(e.to_string()))?;
        if let Some(refused) = response
            .results
            .iter()
            .find(|r| r.status == ChangeStatus::Rejected)
        {
            return Err(StoreError::Seed(format!(
                "initiative {} refused: {}",
                refused.id,
                refused.reason.clone().unwrap_or_default()
            )));
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// Closes every connection (tests restart the server on the same file).
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme {0:?}: use sqlite:<path> or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Open(#[from] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot seed the initiative catalogue: {0}")]
    Seed(String),
}
