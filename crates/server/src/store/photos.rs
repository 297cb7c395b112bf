//! Photos, content-addressed (the key is the SHA-256 of the bytes), and their resumable uploads:
//! chunks are kept as they arrive, so a tablet whose connection dropped continues where the
//! server's count ends instead of sending the photo again.
//!
//! Who may read a photo: a coordinator or admin any; an interviewer one that a record they may
//! see refers to (`photo_refs`, written with each record; the pull's visibility rule), or one
//! whose bytes they sent themselves (`photo_owners`: a photo travels after its record, and before
//! that record is pushed the sender may still read it back). Knowing a hash is not enough. An
//! upload belongs to the account that sends it, within a quota of unfinished uploads.

use std::collections::BTreeSet;

use praatplaat_domain::photo::{content_hash, jpeg_size, PhotoError};
use praatplaat_domain::Record;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};
use uuid::Uuid;

use super::records::VISIBLE_TO_USER;
use super::{now_ms, to_i64, to_u64, Actor, Store};
use crate::error::AppError;

/// An upload with no chunk for this long is abandoned (the photo was deleted on the tablet, or the
/// tablet was wiped): [`Store::sweep_abandoned_uploads`] drops it. A tablet that still comes back
/// with it later asks where to go on, hears 0 and sends the photo again.
pub const ABANDONED_UPLOAD_MS: i64 = 24 * 60 * 60 * 1000;

/// Most unfinished uploads one account may hold. The app sends one photo at a time, and an
/// interrupted one is continued, not started anew; a few tablets per account fit easily.
pub const MAX_OPEN_UPLOADS: i64 = 8;
/// Most bytes (the sizes announced) one account's unfinished uploads may add up to: four photos
/// at the 2 MiB limit, about thirty of the app's.
pub const MAX_OPEN_UPLOAD_BYTES: i64 = 8 * 1024 * 1024;

/// How far an upload has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadState {
    pub received: u64,
    /// The photo is stored (checked against its hash) and the asker may read it.
    pub complete: bool,
}

/// The photos `record` refers to.
pub(crate) fn photos_of(record: &Record) -> BTreeSet<&str> {
    match record {
        Record::Interview(interview) => interview.photos().map(|p| p.hash.as_str()).collect(),
        _ => BTreeSet::new(),
    }
}

/// Writes which photos each of `records` (kind, id, the photos' hashes, whether it was stored
/// before) refers to now, in the push's transaction beside the records: their earlier references
/// go (a record stored for the first time has none), these come.
pub(crate) async fn save_photo_refs(
    tx: &mut Transaction<'_, Any>,
    records: &[(&str, &str, &[String], bool)],
) -> Result<(), AppError> {
    /// Rows per statement (three binds each).
    const ROWS: usize = 300;
    let before: Vec<(&str, &str)> = records
        .iter()
        .filter(|(_, _, _, existed)| *existed)
        .map(|(kind, id, _, _)| (*kind, *id))
        .collect();
    for part in before.chunks(ROWS) {
        // A list of keys joined, planned afresh each time (see `records::values`).
        let rows: Vec<String> = (0..part.len())
            .map(|n| format!("(${}, ${})", 2 * n + 1, 2 * n + 2))
            .collect();
        let sql = format!(
            "DELETE FROM photo_refs WHERE (kind, id) IN
                (SELECT column1, column2 FROM (VALUES {}) AS k)",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for (kind, id) in part {
            query = query.bind(*kind).bind(*id);
        }
        query.execute(&mut **tx).await?;
    }
    let refs: Vec<(&str, &str, &str)> = records
        .iter()
        .flat_map(|(kind, id, hashes, _)| hashes.iter().map(move |h| (h.as_str(), *kind, *id)))
        .collect();
    for part in refs.chunks(ROWS) {
        let rows: Vec<String> = (0..part.len())
            .map(|n| format!("(${}, ${}, ${})", 3 * n + 1, 3 * n + 2, 3 * n + 3))
            .collect();
        let sql = format!(
            "INSERT INTO photo_refs (hash, kind, id) VALUES {} ON CONFLICT DO NOTHING",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (hash, kind, id) in part {
            query = query.bind(*hash).bind(*kind).bind(*id);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Who may read photos, as far as the query goes.
enum Readers {
    All,
    /// This user's own and those their records refer to.
    User(String),
    Nobody,
}

fn readers(actor: Actor) -> Readers {
    match actor.user {
        _ if actor.role.sees_all_records() => Readers::All,
        Some(user) if actor.role.syncs_records() => Readers::User(user.to_string()),
        _ => Readers::Nobody,
    }
}

/// `SELECT {column} FROM photos ph WHERE ph.hash = $1` and what `actor` may read; `None` when
/// they may read no photo at all.
async fn readable(
    conn: &mut AnyConnection,
    actor: Actor,
    column: &str,
    hash: &str,
) -> Result<Option<AnyRow>, AppError> {
    let sql = match readers(actor) {
        Readers::Nobody => return Ok(None),
        Readers::All => format!("SELECT ph.{column} FROM photos ph WHERE ph.hash = $1"),
        Readers::User(_) => format!(
            "SELECT ph.{column} FROM photos ph WHERE ph.hash = $1 AND (
                EXISTS (SELECT 1 FROM photo_owners o WHERE o.hash = ph.hash AND o.user_id = $2)
                OR EXISTS (SELECT 1 FROM photo_refs pr
                           JOIN records r ON r.kind = pr.kind AND r.id = pr.id
                           WHERE pr.hash = ph.hash AND {}))",
            VISIBLE_TO_USER.replace("$user", "$2")
        ),
    };
    let query = sqlx::query(&sql).bind(hash);
    let query = match readers(actor) {
        Readers::User(user) => query.bind(user),
        _ => query,
    };
    Ok(query.fetch_optional(&mut *conn).await?)
}

/// The size of the photo if it is stored and `actor` may read it.
async fn readable_size(
    conn: &mut AnyConnection,
    actor: Actor,
    hash: &str,
) -> Result<Option<u64>, AppError> {
    Ok(readable(conn, actor, "size", hash)
        .await?
        .map(|row| row.try_get::<i64, _>("size"))
        .transpose()?
        .map(to_u64))
}

fn user_param(actor: Actor) -> String {
    actor.user.map(|u| u.to_string()).unwrap_or_default()
}

async fn add_owner(conn: &mut AnyConnection, hash: &str, user: Uuid) -> Result<(), AppError> {
    sqlx::query("INSERT INTO photo_owners (hash, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(hash)
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn insert_photo(
    conn: &mut AnyConnection,
    hash: &str,
    bytes: &[u8],
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO photos (hash, bytes, size) VALUES ($1, $2, $3)
         ON CONFLICT (hash) DO NOTHING",
    )
    .bind(hash)
    .bind(bytes)
    .bind(to_i64(bytes.len() as u64))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Store {
    /// Stores a photo under its hash, without an owner (an import: its records refer to it);
    /// returns false when it was there already.
    pub async fn put_photo(&self, hash: &str, bytes: &[u8]) -> Result<bool, AppError> {
        let mut conn = self.writer.acquire().await?;
        insert_photo(&mut conn, hash, bytes).await
    }

    /// Stores a photo sent by `user`, who may read it from now on; returns false when it was
    /// there already. The caller checked the bytes against the hash.
    pub async fn put_photo_by(
        &self,
        user: Uuid,
        hash: &str,
        bytes: &[u8],
    ) -> Result<bool, AppError> {
        let mut tx = self.writer.begin().await?;
        let new = insert_photo(&mut tx, hash, bytes).await?;
        add_owner(&mut tx, hash, user).await?;
        tx.commit().await?;
        Ok(new)
    }

    /// The photo's bytes, if it is stored and `actor` may read it.
    pub async fn get_photo(&self, actor: Actor, hash: &str) -> Result<Option<Vec<u8>>, AppError> {
        let mut conn = self.reader.acquire().await?;
        readable(&mut conn, actor, "bytes", hash)
            .await?
            .map(|row| row.try_get("bytes"))
            .transpose()
            .map_err(AppError::from)
    }

    /// How far `actor`'s upload of `hash` has come; `complete` only for a photo they may read
    /// (for any other, stored or not, it reads like one never seen: they send it, and proving
    /// they hold the bytes makes it theirs to read).
    pub async fn upload_state(&self, actor: Actor, hash: &str) -> Result<UploadState, AppError> {
        let mut conn = self.writer.acquire().await?;
        if let Some(size) = readable_size(&mut conn, actor, hash).await? {
            return Ok(UploadState {
                received: size,
                complete: true,
            });
        }
        let received: Option<i64> = sqlx::query_scalar(
            "SELECT received FROM photo_uploads WHERE user_id = $1 AND hash = $2",
        )
        .bind(user_param(actor))
        .bind(hash)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(UploadState {
            received: received.map_or(0, to_u64),
            complete: false,
        })
    }

    /// Drops the partial uploads whose last chunk came in more than [`ABANDONED_UPLOAD_MS`]
    /// before `now` (Unix ms), with their chunks; returns how many. Run when the store opens and
    /// whenever a new upload starts, so the space an abandoned upload holds (and its place in its
    /// account's quota) comes back without a timer of its own.
    pub async fn sweep_abandoned_uploads(&self, now: i64) -> Result<u64, AppError> {
        let mut tx = self.writer.begin().await?;
        let swept = sweep_abandoned(&mut tx, now).await?;
        tx.commit().await?;
        Ok(swept)
    }

    /// Adds `chunk` at `offset` of `actor`'s upload of the photo `hash` of `size` bytes. The
    /// offset must equal what the server has (`Err(OffsetMismatch)` says how much that is); a new
    /// upload starts at 0 with the bytes of a JPEG and within the account's quota; the chunk that
    /// completes the photo joins the chunks, checks the hash and the JPEG and stores the photo.
    pub async fn append_upload(
        &self,
        actor: Actor,
        hash: &str,
        size: u64,
        offset: u64,
        chunk: &[u8],
    ) -> Result<Result<UploadState, UploadRefusal>, AppError> {
        let Some(user) = actor.user.filter(|_| actor.role.syncs_records()) else {
            return Err(AppError::Forbidden);
        };
        let user_id = user.to_string();
        let mut tx = self.writer.begin().await?;
        // One account's chunks are taken one at a time, by whichever server process or
        // connection: the quota is counted, and an offset checked against what is held, with the
        // account's row held to the end of the transaction (PostgreSQL's row lock; SQLite has one
        // writer anyway). Without it two first chunks at once could both fit a quota that only
        // one fits, and two copies of one chunk would both find the same offset free.
        sqlx::query("UPDATE users SET created_at = created_at WHERE id = $1")
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        if let Some(stored) = readable_size(&mut tx, actor, hash).await? {
            return Ok(Ok(UploadState {
                received: stored,
                complete: true,
            }));
        }
        let upload = sqlx::query(
            "SELECT size, received FROM photo_uploads WHERE user_id = $1 AND hash = $2",
        )
        .bind(&user_id)
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
            // Nothing held: only a start is taken, and only what can be a photo.
            None if offset != 0 => return Ok(Err(UploadRefusal::OffsetMismatch { received: 0 })),
            None => {
                if !chunk.starts_with(&[0xFF, 0xD8, 0xFF]) {
                    return Ok(Err(UploadRefusal::NotPhoto(PhotoError::NotJpeg)));
                }
                sweep_abandoned(&mut tx, now_ms()).await?;
                let open = sqlx::query(
                    "SELECT COUNT(*) AS uploads, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes
                     FROM photo_uploads WHERE user_id = $1",
                )
                .bind(&user_id)
                .fetch_one(&mut *tx)
                .await?;
                let uploads: i64 = open.try_get("uploads")?;
                let bytes: i64 = open.try_get("bytes")?;
                if uploads >= MAX_OPEN_UPLOADS
                    || bytes.saturating_add(to_i64(size)) > MAX_OPEN_UPLOAD_BYTES
                {
                    tx.commit().await?;
                    return Ok(Err(UploadRefusal::Quota { uploads, bytes }));
                }
                sqlx::query(
                    "INSERT INTO photo_uploads (user_id, hash, size, received, updated_at)
                     VALUES ($1, $2, $3, 0, $4)",
                )
                .bind(&user_id)
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
            // Rolled back: a new upload is not kept for a chunk that does not fit.
            return Ok(Err(UploadRefusal::TooLong { size }));
        }
        sqlx::query(
            "INSERT INTO photo_chunks (user_id, hash, offset_bytes, bytes) VALUES ($1, $2, $3, $4)",
        )
        .bind(&user_id)
        .bind(hash)
        .bind(to_i64(offset))
        .bind(chunk)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE photo_uploads SET received = $1, updated_at = $2
             WHERE user_id = $3 AND hash = $4",
        )
        .bind(to_i64(after))
        .bind(now_ms())
        .bind(&user_id)
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
            "SELECT bytes FROM photo_chunks WHERE user_id = $1 AND hash = $2 ORDER BY offset_bytes",
        )
        .bind(&user_id)
        .bind(hash)
        .fetch_all(&mut *tx)
        .await?;
        let bytes = chunks.concat();
        // Whatever happens next, the partial upload is done with: a damaged one starts over.
        drop_upload(&mut tx, &user_id, hash).await?;
        if content_hash(&bytes) != hash {
            tx.commit().await?;
            return Ok(Err(UploadRefusal::HashMismatch));
        }
        if let Err(e) = jpeg_size(&bytes) {
            tx.commit().await?;
            return Ok(Err(UploadRefusal::NotPhoto(e)));
        }
        insert_photo(&mut tx, hash, &bytes).await?;
        add_owner(&mut tx, hash, user).await?;
        tx.commit().await?;
        Ok(Ok(UploadState {
            received: size,
            complete: true,
        }))
    }
}

async fn drop_upload(conn: &mut AnyConnection, user_id: &str, hash: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM photo_chunks WHERE user_id = $1 AND hash = $2")
        .bind(user_id)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM photo_uploads WHERE user_id = $1 AND hash = $2")
        .bind(user_id)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// [`Store::sweep_abandoned_uploads`] inside a transaction of the caller's.
async fn sweep_abandoned(conn: &mut AnyConnection, now: i64) -> Result<u64, AppError> {
    let before = now.saturating_sub(ABANDONED_UPLOAD_MS);
    sqlx::query(
        "DELETE FROM photo_chunks WHERE EXISTS (SELECT 1 FROM photo_uploads u
            WHERE u.user_id = photo_chunks.user_id AND u.hash = photo_chunks.hash
              AND u.updated_at < $1)",
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
    /// Not a JPEG of a photo's size (checked at the first chunk and on the whole); a partial
    /// upload was dropped.
    NotPhoto(PhotoError),
    /// The account holds as many unfinished uploads (`uploads`, announcing `bytes` together) as
    /// it may; one must finish or expire first.
    Quota {
        uploads: i64,
        bytes: i64,
    },
}
