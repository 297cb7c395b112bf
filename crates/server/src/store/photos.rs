//! Photos, content-addressed (the key is the SHA-256 of the bytes), and their resumable uploads:
//! chunks are kept as they arrive, so a tablet whose connection dropped continues where the
//! server's count ends instead of sending the photo again.

use praatplaat_domain::photo::content_hash;
use sqlx::{AnyConnection, Row};

use super::{now_ms, to_i64, to_u64, Store};
use crate::error::AppError;

/// An upload with no chunk for this long is abandoned (the photo was deleted on the tablet, or the
/// tablet was wiped): [`Store::sweep_abandoned_uploads`] drops it. A tablet that still comes back
/// with it later asks where to go on, hears 0 and sends the photo again.
pub const ABANDONED_UPLOAD_MS: i64 = 24 * 60 * 60 * 1000;

/// How far an upload has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadState {
    pub received: u64,
    /// The photo is stored (checked against its hash).
    pub complete: bool,
}

impl Store {
    /// Stores a photo under its hash; returns false when it was there already.
    pub async fn put_photo(&self, hash: &str, bytes: &[u8]) -> Result<bool, AppError> {
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let done = sqlx::query(
            "INSERT INTO photos (hash, bytes, size) VALUES ($1, $2, $3)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(bytes)
        .bind(size)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn get_photo(&self, hash: &str) -> Result<Option<Vec<u8>>, AppError> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM photos WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.reader)
                .await?,
        )
    }

    pub async fn upload_state(&self, hash: &str) -> Result<UploadState, AppError> {
        let stored: Option<i64> = sqlx::query_scalar("SELECT size FROM photos WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.writer)
            .await?;
        if let Some(size) = stored {
            return Ok(UploadState {
                received: to_u64(size),
                complete: true,
            });
        }
        let received: Option<i64> =
            sqlx::query_scalar("SELECT received FROM photo_uploads WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.writer)
                .await?;
        Ok(UploadState {
            received: received.map_or(0, to_u64),
            complete: false,
        })
    }

    /// Drops the partial uploads whose last chunk came in more than [`ABANDONED_UPLOAD_MS`]
    /// before `now` (Unix ms), with their chunks; returns how many. Run when the store opens and
    /// whenever a new upload starts, so the space an abandoned upload holds comes back without a
    /// timer of its own.
    pub async fn sweep_abandoned_uploads(&self, now: i64) -> Result<u64, AppError> {
        let mut tx = self.writer.begin().await?;
        let swept = sweep_abandoned(&mut tx, now).await?;
        tx.commit().await?;
        Ok(swept)
    }

    /// Adds `chunk` at `offset` of the photo `hash` of `size` bytes. The offset must equal what the
    /// server has (`Err(OffsetMismatch)` says how much that is); the chunk that completes the photo
    /// joins the chunks, checks the hash and stores the photo.
    pub async fn append_upload(
        &self,
        hash: &str,
        size: u64,
        offset: u64,
        chunk: &[u8],
    ) -> Result<Result<UploadState, UploadRefusal>, AppError> {
        let mut tx = self.writer.begin().await?;
        let stored: Option<i64> = sqlx::query_scalar("SELECT size FROM photos WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(stored) = stored {
            return Ok(Ok(UploadState {
                received: to_u64(stored),
                complete: true,
            }));
        }
        let upload = sqlx::query("SELECT size, received FROM photo_uploads WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&mut *tx)
            .await?;
        let received = match upload {
            Some(row) => {
                let known = to_u64(row.try_get("size")?);
                if known != size {
                    return Ok(Err(UploadRefusal::SizeChanged { known }));
                }
                to_u64(row.try_get("received")?)
            }
            None => {
                sweep_abandoned(&mut tx, now_ms()).await?;
                sqlx::query(
                    "INSERT INTO photo_uploads (hash, size, received, updated_at)
                     VALUES ($1, $2, 0, $3)",
                )
                .bind(hash)
                .bind(to_i64(size))
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
                0
            }
        };
        if offset != received {
            tx.commit().await?;
            return Ok(Err(UploadRefusal::OffsetMismatch { received }));
        }
        let after = received + chunk.len() as u64;
        if after > size {
            return Ok(Err(UploadRefusal::TooLong { size }));
        }
        sqlx::query("INSERT INTO photo_chunks (hash, offset_bytes, bytes) VALUES ($1, $2, $3)")
            .bind(hash)
            .bind(to_i64(offset))
            .bind(chunk)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE photo_uploads SET received = $1, updated_at = $2 WHERE hash = $3")
            .bind(to_i64(after))
            .bind(now_ms())
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        if after < size {
            tx.commit().await?;
            return Ok(Ok(UploadState {
                received: after,
                complete: false,
            }));
        }
        let chunks: Vec<Vec<u8>> = sqlx::query_scalar(
            "SELECT bytes FROM photo_chunks WHERE hash = $1 ORDER BY offset_bytes",
        )
        .bind(hash)
        .fetch_all(&mut *tx)
        .await?;
        let bytes = chunks.concat();
        // Whatever happens next, the partial upload is done with: a damaged one starts over.
        sqlx::query("DELETE FROM photo_chunks WHERE hash = $1")
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM photo_uploads WHERE hash = $1")
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        if content_hash(&bytes) != hash {
            tx.commit().await?;
            return Ok(Err(UploadRefusal::HashMismatch));
        }
        sqlx::query(
            "INSERT INTO photos (hash, bytes, size) VALUES ($1, $2, $3)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(&bytes)
        .bind(to_i64(size))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(UploadState {
            received: size,
            complete: true,
        }))
    }
}

/// [`Store::sweep_abandoned_uploads`] inside a transaction of the caller's.
async fn sweep_abandoned(conn: &mut AnyConnection, now: i64) -> Result<u64, AppError> {
    let before = now.saturating_sub(ABANDONED_UPLOAD_MS);
    sqlx::query(
        "DELETE FROM photo_chunks
         WHERE hash IN (SELECT hash FROM photo_uploads WHERE updated_at < $1)",
    )
    .bind(before)
    .execute(&mut *conn)
    .await?;
    let swept = sqlx::query("DELETE FROM photo_uploads WHERE updated_at < $1")
        .bind(before)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if swept > 0 {
        tracing::info!(swept, "dropped abandoned photo uploads");
    }
    Ok(swept)
}

/// Why a chunk was not taken; nothing was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadRefusal {
    OffsetMismatch {
        received: u64,
    },
    SizeChanged {
        known: u64,
    },
    TooLong {
        size: u64,
    },
    /// The joined bytes are not the photo named; the partial upload was dropped.
    HashMismatch,
}
