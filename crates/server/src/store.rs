//! The server's storage behind one narrow interface. SQLite is the default; other backends join as
//! variants with their own migrations, behind the same methods.

mod sqlite;

use praatplaat_domain::protocol::{PullResponse, PushRequest, PushResponse};

use crate::error::AppError;

#[derive(Clone)]
pub enum Store {
    Sqlite(sqlite::SqliteStore),
}

impl Store {
    /// Opens (and creates, and migrates) the database named by `url`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(sqlite::SqliteStore::open(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl(
                url.split(':').next().unwrap_or_default().to_owned(),
            ))
        }
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
}
