//! SQLite backend: one file, WAL mode, one writer connection (SQLite serialises writers anyway;
//! a single writer avoids busy errors) and a small pool of readers.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use praatplaat_domain::merge::{decide, Decision};
use praatplaat_domain::protocol::{
    ChangeResult, ChangeStatus, PullResponse, PushRequest, PushResponse,
};
use praatplaat_domain::Record;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::StoreError;
use crate::error::AppError;

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        if let Some(dir) = Path::new(options.get_filename()).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore { writer, reader })
    }

    pub async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, AppError> {
        let device = request.device_id.to_string();
        let mut tx = self.writer.begin().await?;
        let mut last_seq: u64 =
            sqlx::query_scalar("SELECT last_seq FROM devices WHERE device_id = ?")
                .bind(&device)
                .fetch_optional(&mut *tx)
                .await?
                .map(to_u64)
                .unwrap_or(0);
        let mut next_server_seq: u64 = to_u64(
            sqlx::query_scalar("SELECT COALESCE(MAX(server_seq), 0) FROM records")
                .fetch_one(&mut *tx)
                .await?,
        );
        let mut results = Vec::with_capacity(request.changes.len());
        for change in &request.changes {
            let kind = change.record.kind();
            let id = change.record.id();
            let existing = sqlx::query(
                "SELECT rev, updated_at, deleted FROM records WHERE kind = ? AND id = ?",
            )
            .bind(kind.as_str())
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| praatplaat_domain::RecordMeta {
                rev: to_u64(row.get("rev")),
                updated_at: row.get("updated_at"),
                deleted: row.get::<i64, _>("deleted") != 0,
            });
            let mut result = ChangeResult {
                seq: change.seq,
                kind,
                id,
                status: ChangeStatus::Duplicate,
                rev: existing.map_or(0, |m| m.rev),
                reason: None,
            };
            if change.seq <= last_seq {
                results.push(result);
                continue;
            }
            last_seq = change.seq;
            if let Err(e) = change.record.validate() {
                result.status = ChangeStatus::Rejected;
                result.rev = 0;
                result.reason = Some(e.to_string());
                results.push(result);
                continue;
            }
            let rev = match decide(existing.as_ref(), change.record.meta()) {
                Decision::Insert => 1,
                Decision::Replace { rev } => rev,
                Decision::Superseded { rev } => {
                    result.status = ChangeStatus::Superseded;
                    result.rev = rev;
                    results.push(result);
                    continue;
                }
            };
            let mut record = change.record.clone();
            record.meta_mut().rev = rev;
            next_server_seq += 1;
            let data =
                serde_json::to_string(&record).map_err(|e| AppError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO records (kind, id, rev, server_seq, updated_at, deleted, data)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev,
                    server_seq = excluded.server_seq, updated_at = excluded.updated_at,
                    deleted = excluded.deleted, data = excluded.data",
            )
            .bind(kind.as_str())
            .bind(id.to_string())
            .bind(to_i64(rev))
            .bind(to_i64(next_server_seq))
            .bind(record.meta().updated_at)
            .bind(record.meta().deleted)
            .bind(data)
            .execute(&mut *tx)
            .await?;
            result.status = ChangeStatus::Applied;
            result.rev = rev;
            results.push(result);
        }
        sqlx::query(
            "INSERT INTO devices (device_id, last_seq) VALUES (?, ?)
             ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq,
                last_push = CURRENT_TIMESTAMP",
        )
        .bind(&device)
        .bind(to_i64(last_seq))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PushResponse { last_seq, results })
    }

    pub async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, AppError> {
        let rows = sqlx::query(
            "SELECT server_seq, data FROM records WHERE server_seq > ? ORDER BY server_seq LIMIT ?",
        )
        .bind(to_i64(since))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.reader)
        .await?;
        let more = rows.len() > limit as usize;
        let mut cursor = since;
        let mut records = Vec::with_capacity(rows.len().min(limit as usize));
        for row in rows.into_iter().take(limit as usize) {
            cursor = to_u64(row.get("server_seq"));
            let data: String = row.get("data");
            let record: Record =
                serde_json::from_str(&data).map_err(|e| AppError::Corrupt(e.to_string()))?;
            records.push(record);
        }
        Ok(PullResponse {
            records,
            cursor,
            more,
        })
    }

    pub async fn put_photo(&self, hash: &str, bytes: &[u8]) -> Result<bool, AppError> {
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let done = sqlx::query(
            "INSERT INTO photos (hash, bytes, size) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING",
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
            sqlx::query_scalar("SELECT bytes FROM photos WHERE hash = ?")
                .bind(hash)
                .fetch_optional(&self.reader)
                .await?,
        )
    }

    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}
