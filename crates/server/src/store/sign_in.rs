//! The sign-in limit's counts ([`crate::auth::limit`] has the rules), in the database so that
//! every server process over one PostgreSQL sees the same ones, and taken per attempt *before*
//! the password is checked.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sqlx::{Any, Row, Transaction};

use super::Store;
use crate::auth::limit::{self, Count, Kind};
use crate::auth::limit_keys;
use crate::error::AppError;

/// Sweeps run at most this often per process (each reservation could run one).
const SWEEP_EVERY_MS: i64 = 60_000;
static LAST_SWEEP: AtomicI64 = AtomicI64::new(0);

/// Takes the row of `key` for the rest of the transaction (an upsert that changes nothing: on
/// PostgreSQL it holds the row lock, so concurrent attempts for one key queue here; SQLite has one
/// writer anyway) and returns its counts.
async fn lock_key(tx: &mut Transaction<'_, Any>, key: &str, now: i64) -> Result<Count, AppError> {
    let row = sqlx::query(
        "INSERT INTO sign_in_limits (key, failures, since, blocked_until, last_at)
         VALUES ($1, 0, $2, 0, 0)
         ON CONFLICT (key) DO UPDATE SET last_at = sign_in_limits.last_at
         RETURNING failures, since, blocked_until, last_at",
    )
    .bind(key)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Count {
        failures: row.try_get("failures")?,
        since: row.try_get("since")?,
        blocked_until: row.try_get("blocked_until")?,
        last_at: row.try_get("last_at")?,
    })
}

async fn save_key(tx: &mut Transaction<'_, Any>, key: &str, count: Count) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE sign_in_limits SET failures = $1, since = $2, blocked_until = $3, last_at = $4
         WHERE key = $5",
    )
    .bind(count.failures)
    .bind(count.since)
    .bind(count.blocked_until)
    .bind(count.last_at)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Counts a sign-in attempt of `username` from `address` at `now` (Unix ms) as a failure
    /// before its password is checked, unless one of its keys is blocked: then nothing is counted
    /// and the answer is how long to wait. [`Store::sign_in_succeeded`] or
    /// [`Store::sign_in_unchecked`] take the reservation back.
    pub async fn reserve_sign_in(
        &self,
        username: &str,
        address: &str,
        now: i64,
    ) -> Result<Option<Duration>, AppError> {
        self.sweep_sign_in_limits_now_and_then(now).await;
        let keys = limit_keys(username, address);
        let mut tx = self.writer.begin().await?;
        let mut counts = Vec::with_capacity(keys.len());
        // Always in the same order (pair, then name): two attempts never wait for each other's
        // second row.
        for (key, kind) in &keys {
            counts.push(lock_key(&mut tx, key, now).await?.at(*kind, now));
        }
        if let Some(wait) = counts.iter().filter_map(|c| c.wait(now)).max() {
            tx.rollback().await?;
            return Ok(Some(wait));
        }
        for ((key, kind), count) in keys.iter().zip(counts) {
            save_key(&mut tx, key, count.failed(*kind, now)).await?;
        }
        tx.commit().await?;
        Ok(None)
    }

    /// The password was right: the pair starts over, and the name's count loses this attempt.
    pub async fn sign_in_succeeded(&self, username: &str, address: &str) -> Result<(), AppError> {
        let [(pair, _), (name, _)] = limit_keys(username, address);
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM sign_in_limits WHERE key = $1")
            .bind(&pair)
            .execute(&mut *tx)
            .await?;
        let count = lock_key(&mut tx, &name, super::now_ms()).await?;
        save_key(&mut tx, &name, count.refunded(Kind::Name)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The password was never checked (no check was free in time): both keys lose the attempt.
    pub async fn sign_in_unchecked(&self, username: &str, address: &str) -> Result<(), AppError> {
        let keys = limit_keys(username, address);
        let mut tx = self.writer.begin().await?;
        for (key, kind) in &keys {
            let count = lock_key(&mut tx, key, super::now_ms()).await?;
            save_key(&mut tx, key, count.refunded(*kind)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Drops the keys that no longer matter at `now` (no failure for
    /// [`limit::FORGET_AFTER_MS`] and not blocking), then, if more than [`limit::MAX_KEYS`]
    /// remain, those whose last failure is oldest. Returns how many rows went.
    pub async fn sweep_sign_in_limits(&self, now: i64) -> Result<u64, AppError> {
        let mut swept =
            sqlx::query("DELETE FROM sign_in_limits WHERE last_at < $1 AND blocked_until <= $2")
                .bind(now.saturating_sub(limit::FORGET_AFTER_MS))
                .bind(now)
                .execute(&self.writer)
                .await?
                .rows_affected();
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_limits")
            .fetch_one(&self.writer)
            .await?;
        if kept > limit::MAX_KEYS {
            swept += sqlx::query(
                "DELETE FROM sign_in_limits WHERE key IN
                    (SELECT key FROM sign_in_limits ORDER BY last_at LIMIT $1)",
            )
            .bind(kept - limit::MAX_KEYS)
            .execute(&self.writer)
            .await?
            .rows_affected();
        }
        Ok(swept)
    }

    /// [`Store::sweep_sign_in_limits`] at most once a minute per process; housekeeping, so a
    /// failure is logged and the sign-in goes on.
    async fn sweep_sign_in_limits_now_and_then(&self, now: i64) {
        let last = LAST_SWEEP.load(Ordering::Relaxed);
        if now.saturating_sub(last) < SWEEP_EVERY_MS
            || LAST_SWEEP
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if let Err(e) = self.sweep_sign_in_limits(now).await {
            tracing::warn!(error = %e, "could not sweep the sign-in limits");
        }
    }

    /// How many keys the sign-in limit holds (tests, monitoring).
    pub async fn sign_in_limit_keys(&self) -> Result<i64, AppError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_limits")
            .fetch_one(&self.writer)
            .await?)
    }
}
