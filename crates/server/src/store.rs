//! The server's storage behind one narrow interface. SQLite is the default; other backends join as
//! variants with their own migrations, behind the same methods.

mod sqlite;

use praatplaat_domain::initiative::seed_catalogue;
use praatplaat_domain::protocol::{Change, ChangeStatus, PullResponse, PushRequest, PushResponse};
use praatplaat_domain::Record;
use uuid::Uuid;

use crate::error::AppError;

/// The "device" that writes the seed catalogue.
const SEED_DEVICE: Uuid = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001);

#[derive(Clone)]
pub enum Store {
    Sqlite(sqlite::SqliteStore),
}

impl Store {
    /// Opens (and creates, and migrates) the database named by `url`, and seeds the initiative
    /// catalogue.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = if url.starts_with("sqlite:") {
            Store::Sqlite(sqlite::SqliteStore::open(url).await?)
        } else {
            return Err(StoreError::UnsupportedUrl(
                url.split(':').next().unwrap_or_default().to_owned(),
            ));
        };
        store.seed().await?;
        Ok(store)
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
            .push(&request)
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
        match self {
            Store::Sqlite(s) => s.ping().await,
        }
    }

    /// Applies a batch of changes in one transaction (see `praatplaat_domain::protocol`).
    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, AppError> {
        match self {
            Store::Sqlite(s) => s.push(request).await,
        }
    }

    pub async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, AppError> {
        match self {
            Store::Sqlite(s) => s.pull(since, limit).await,
        }
    }

    /// Stores a photo under its hash; returns false when it was there already.
    pub async fn put_photo(&self, hash: &str, bytes: &[u8]) -> Result<bool, AppError> {
        match self {
            Store::Sqlite(s) => s.put_photo(hash, bytes).await,
        }
    }

    pub async fn get_photo(&self, hash: &str) -> Result<Option<Vec<u8>>, AppError> {
        match self {
            Store::Sqlite(s) => s.get_photo(hash).await,
        }
    }

    /// Closes every connection (tests restart the server on the same file).
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme {0:?}: use sqlite:<path>")]
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
