//! How many revisions of a record the server keeps (issue 13, point 5).
//!
//! A stored revision is what a stale change from a tablet is merged against (the base it names)
//! and what tells the merge that a value changed and changed back since (the revisions between
//! that base and the stored one). Keeping every revision lets storage grow without bound: a
//! record pushed over and over (a bug, or an account pushing the same large record on purpose)
//! adds a full copy each time. So each record keeps the revisions `current - keep + 1 ..=
//! current`; every stored change takes the next number, so these are its newest `keep`, and the
//! current one always stays.
//!
//! What a trimmed revision costs is conflicts, not data: a tablet further behind names a base
//! that is gone, and its change is merged without a known base (every value the two sides hold
//! differently is kept as a conflict, nothing counts as unchanged); a device whose own last push
//! is older than the window merges against it with part of the history missing, so everything
//! counts as touched in between (`praatplaat_domain::merge::apply_change`).
//!
//! Old revisions go in the push's own transaction, for the records it names ([`trim_revisions`]),
//! so after every push no record holds more than `keep`; and over all records when the store
//! opens ([`Store::sweep_revisions`]), for what was stored before or under a larger `keep`.
//! Nothing else adds revisions, so no timer is needed.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use praatplaat_domain::RecordKind;
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use super::{to_i64, Store};
use crate::error::AppError;

/// Revisions kept of each record unless `--keep-revisions` says otherwise: a tablet may fall
/// this many changes of one record behind and still be merged against the base it names.
pub const DEFAULT_KEEP_REVISIONS: u64 = 20;

/// The fewest revisions kept: the current one and the one before it.
pub const MIN_KEEP_REVISIONS: u64 = 2;

/// Most records one statement trims (as `store::records` writes: far below the bind limits).
const KEYS_PER_STATEMENT: usize = 200;

/// The process's setting: one server process has one store, and a setting per process is what
/// `--keep-revisions` is (several processes over one database should be given the same).
static KEEP_REVISIONS: AtomicU64 = AtomicU64::new(DEFAULT_KEEP_REVISIONS);

/// Sets how many revisions of each record this process keeps, at least [`MIN_KEEP_REVISIONS`].
/// Set before [`Store::open`], which trims to it.
pub fn set_keep_revisions(keep: u64) {
    KEEP_REVISIONS.store(keep.max(MIN_KEEP_REVISIONS), Ordering::Relaxed);
}

impl Store {
    /// How many revisions of each record are kept ([`set_keep_revisions`]).
    pub fn keep_revisions(&self) -> u64 {
        KEEP_REVISIONS.load(Ordering::Relaxed)
    }

    /// Deletes every record's revisions but its newest `keep` (at least [`MIN_KEEP_REVISIONS`]);
    /// returns how many went. A page of records per transaction, each taking the change
    /// counter's row first as a push does, so the sweep and the pushes of any process take
    /// their turns instead of deleting the same rows at once.
    pub async fn sweep_revisions(&self, keep: u64) -> Result<u64, AppError> {
        let mut after = (String::new(), String::new());
        let mut deleted = 0;
        loop {
            let mut tx = self.writer.begin().await?;
            sqlx::query("UPDATE counters SET value = value WHERE name = 'server_seq'")
                .execute(&mut *tx)
                .await?;
            let rows = sqlx::query(
                "SELECT kind, id FROM records WHERE (kind, id) > ($1, $2)
                 ORDER BY kind, id LIMIT $3",
            )
            .bind(after.0.as_str())
            .bind(after.1.as_str())
            .bind(KEYS_PER_STATEMENT as i64)
            .fetch_all(&mut *tx)
            .await?;
            let keys = rows
                .iter()
                .map(|row| Ok((row.try_get("kind")?, row.try_get("id")?)))
                .collect::<Result<Vec<(String, String)>, sqlx::Error>>()?;
            deleted += trim_keys(&mut tx, &keys, keep).await?;
            tx.commit().await?;
            match keys.last() {
                Some(last) if keys.len() == KEYS_PER_STATEMENT => after = last.clone(),
                _ => break,
            }
        }
        if deleted > 0 {
            tracing::info!(deleted, keep, "deleted old revisions");
        }
        Ok(deleted)
    }
}

/// Deletes the revisions of the records `keys` but their newest `keep` (at least
/// [`MIN_KEEP_REVISIONS`]), in the caller's transaction; returns how many went. For the push:
/// the records it wrote (a key named twice, or a record not stored, costs nothing), one
/// statement per [`KEYS_PER_STATEMENT`] records.
pub(crate) async fn trim_revisions(
    tx: &mut Transaction<'_, Any>,
    keys: &[(RecordKind, Uuid)],
    keep: u64,
) -> Result<u64, AppError> {
    let mut seen = HashSet::with_capacity(keys.len());
    let keys: Vec<(String, String)> = keys
        .iter()
        .filter(|key| seen.insert(**key))
        .map(|(kind, id)| (kind.as_str().to_owned(), id.to_string()))
        .collect();
    trim_keys(tx, &keys, keep).await
}

/// [`trim_revisions`] for keys as the database spells them.
async fn trim_keys(
    tx: &mut Transaction<'_, Any>,
    keys: &[(String, String)],
    keep: u64,
) -> Result<u64, AppError> {
    let keep = to_i64(keep.max(MIN_KEEP_REVISIONS));
    let mut deleted = 0;
    for part in keys.chunks(KEYS_PER_STATEMENT) {
        // The keys as a list joined with the tables, as the push reads them (`store::records`):
        // each an index lookup of the record and a range of its revisions, whatever the
        // planner's statistics say about the tables' sizes; the rows found are deleted by their
        // primary key. Planned afresh each time (the list's length varies).
        let list: Vec<String> = (0..part.len())
            .map(|n| format!("(${}, ${})", 2 + 2 * n, 3 + 2 * n))
            .collect();
        let sql = format!(
            "DELETE FROM revisions WHERE (kind, id, rev) IN (
                SELECT v.kind, v.id, v.rev FROM (VALUES {}) AS k
                JOIN records r ON r.kind = k.column1 AND r.id = k.column2
                JOIN revisions v ON v.kind = r.kind AND v.id = r.id AND v.rev <= r.rev - $1)",
            list.join(", ")
        );
        let mut query = sqlx::query(&sql).persistent(false).bind(keep);
        for (kind, id) in part {
            query = query.bind(kind.as_str()).bind(id.as_str());
        }
        deleted += query.execute(&mut **tx).await?.rows_affected();
    }
    Ok(deleted)
}
