//! Push and pull of records (the protocol is described in `praatplaat_domain::protocol` and in
//! ARCHITECTURE.md), with the visibility rule of the interviewer role.

use praatplaat_domain::merge::BaseRef;
use praatplaat_domain::merge::{History, Touched};
use praatplaat_domain::protocol::{PullResponse, PushRequest, PushResponse};
use praatplaat_domain::push::{
    base_for, decide_change, history_of, history_range, needs_rights_check, seq_limit, Facts,
    Lineage, Refused,
};
use praatplaat_domain::refusal::{Reason, Refusal};
use praatplaat_domain::{Record, RecordKind};
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use super::{to_i64, to_u64, Actor, Store};
use crate::error::AppError;

/// What the server holds of one record, read at the start of its change.
struct Stored {
    record: Record,
    created_by: Option<String>,
    company_id: Option<String>,
}

fn parse_record(data: &str) -> Result<Record, AppError> {
    serde_json::from_str(data).map_err(|e| AppError::Corrupt(e.to_string()))
}

/// The stored revision `rev` of a record: the base a stale change is merged against.
async fn revision(
    tx: &mut Transaction<'_, Any>,
    kind: RecordKind,
    id: Uuid,
    rev: u64,
) -> Result<Option<Record>, AppError> {
    let data: Option<String> =
        sqlx::query_scalar("SELECT data FROM revisions WHERE kind = $1 AND id = $2 AND rev = $3")
            .bind(kind.as_str())
            .bind(id.to_string())
            .bind(to_i64(rev))
            .fetch_optional(&mut **tx)
            .await?;
    data.as_deref().map(parse_record).transpose()
}

/// The history a stale change is merged with: the stored revisions of a record in `revs`, each
/// with what its change asserted ([`history_of`]).
async fn history_in(
    tx: &mut Transaction<'_, Any>,
    kind: RecordKind,
    id: Uuid,
    revs: std::ops::RangeInclusive<u64>,
) -> Result<History, AppError> {
    let rows = sqlx::query(
        "SELECT data, asserted FROM revisions WHERE kind = $1 AND id = $2 AND rev >= $3
         AND rev <= $4",
    )
    .bind(kind.as_str())
    .bind(id.to_string())
    .bind(to_i64(*revs.start()))
    .bind(to_i64(*revs.end()))
    .fetch_all(&mut **tx)
    .await?;
    let mut revisions = Vec::with_capacity(rows.len());
    for row in rows {
        let record = parse_record(&row.try_get::<String, _>("data")?)?;
        let asserted = match row.try_get::<Option<String>, _>("asserted")? {
            None => Touched::default(),
            Some(json) => {
                let pointers: Vec<String> =
                    serde_json::from_str(&json).map_err(|e| AppError::Corrupt(e.to_string()))?;
                Touched::from_pointers(pointers.iter().map(String::as_str))
                    .map_err(|e| AppError::Corrupt(e.to_string()))?
            }
        };
        revisions.push((record, asserted));
    }
    Ok(history_of(revs, revisions))
}

/// The company a record belongs to, which decides who sees it.
fn company_of(record: &Record) -> Option<Uuid> {
    match record {
        Record::Company(c) => Some(c.id),
        Record::Interview(i) => Some(i.company_id),
        Record::Link(l) => Some(l.company_id),
        Record::Initiative(_) => None,
    }
}

/// The condition a record row `r` must meet for the user `$user` (an interviewer): the initiative
/// catalogue, what they pushed first, and everything of a company they created or are assigned to.
/// Photos follow it too (`store::photos`). It is `praatplaat_domain::access::may_see` in SQL;
/// tests/api/access.rs checks the two agree.
pub(super) const VISIBLE_TO_USER: &str = "(r.kind = 'initiative' OR r.created_by = $user
    OR r.company_id IN (SELECT c.id FROM records c WHERE c.kind = 'company' AND c.created_by = $user)
    OR r.company_id IN (SELECT a.company_id FROM assignments a WHERE a.user_id = $user))";

/// Takes the change counter's row for the rest of the transaction (see migration 0003).
async fn lock_counter(tx: &mut Transaction<'_, Any>) -> Result<u64, AppError> {
    let value: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value WHERE name = 'server_seq' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(to_u64(value))
}

async fn save_counter(tx: &mut Transaction<'_, Any>, value: u64) -> Result<(), AppError> {
    sqlx::query("UPDATE counters SET value = $1 WHERE name = 'server_seq'")
        .bind(to_i64(value))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether `user` may see the company `company_id` (created it or is assigned to it).
///
/// A company id belongs to whoever used it first. A company the server has not seen yet counts
/// as theirs (they are creating it: a tablet may push an interview before its company, which
/// then comes in a later batch) unless someone else already pushed a record under that id: then
/// it is that person's company in the making, and nobody else may create it or put records
/// under it (else the first one's interview would end up under a company somebody else creates
/// later under that id).
async fn holds_company(
    tx: &mut Transaction<'_, Any>,
    user: &str,
    company_id: &str,
) -> Result<bool, AppError> {
    let row = sqlx::query("SELECT created_by FROM records WHERE kind = 'company' AND id = $1")
        .bind(company_id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        Some(row) => {
            let created_by: Option<String> = row.try_get("created_by")?;
            if created_by.as_deref() == Some(user) {
                return Ok(true);
            }
        }
        None => {
            // Records from before accounts have no creator: claimed by nobody one may join.
            let others: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM records WHERE company_id = $1
                 AND (created_by IS NULL OR created_by <> $2) LIMIT 1",
            )
            .bind(company_id)
            .bind(user)
            .fetch_optional(&mut **tx)
            .await?;
            if others.is_none() {
                return Ok(true);
            }
        }
    }
    let assigned: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM assignments WHERE company_id = $1 AND user_id = $2")
            .bind(company_id)
            .bind(user)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(assigned.is_some())
}

/// Why `actor` may not make this change, if they may not: `praatplaat_domain::access::may_change`
/// with the facts read from the database (tests/api/access.rs checks the two agree).
async fn refusal(
    tx: &mut Transaction<'_, Any>,
    actor: Actor,
    record: &Record,
    stored: Option<&Stored>,
) -> Result<Option<Refusal>, AppError> {
    if actor.role.sees_all_records() {
        return Ok(None);
    }
    let Some(user) = actor.user.map(|u| u.to_string()) else {
        return Ok(Some(Refusal::NoUser));
    };
    if record.kind() == RecordKind::Initiative {
        return Ok(Some(Refusal::CatalogueReadOnly));
    }
    if let Some(stored) = stored {
        let own = stored.created_by.as_deref() == Some(user.as_str());
        let held = match &stored.company_id {
            Some(company) => holds_company(tx, &user, company).await?,
            None => false,
        };
        if !own && !held {
            return Ok(Some(Refusal::RecordNotAssigned));
        }
    }
    if let Some(company) = company_of(record) {
        if !holds_company(tx, &user, &company.to_string()).await? {
            return Ok(Some(Refusal::CompanyNotAssigned));
        }
    }
    Ok(None)
}

/// Writes `record` as its current state and as revision `record.meta().rev`.
async fn store_record(
    tx: &mut Transaction<'_, Any>,
    record: &Record,
    asserted: &Touched,
    server_seq: u64,
    created_by: Option<String>,
) -> Result<(), AppError> {
    let kind = record.kind();
    let id = record.id().to_string();
    let rev = record.meta().rev;
    let data = serde_json::to_string(record).map_err(|e| AppError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO records
            (kind, id, rev, server_seq, updated_at, deleted, data, company_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev,
            server_seq = excluded.server_seq, updated_at = excluded.updated_at,
            deleted = excluded.deleted, data = excluded.data,
            company_id = excluded.company_id, created_by = excluded.created_by",
    )
    .bind(kind.as_str())
    .bind(&id)
    .bind(to_i64(rev))
    .bind(to_i64(server_seq))
    .bind(record.meta().updated_at)
    .bind(i64::from(record.meta().deleted))
    .bind(&data)
    .bind(company_of(record).map(|c| c.to_string()))
    .bind(created_by)
    .execute(&mut **tx)
    .await?;
    let asserted = (!asserted.is_empty())
        .then(|| serde_json::to_string(&asserted.pointers()))
        .transpose()
        .map_err(|e| AppError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO revisions (kind, id, rev, data, asserted) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(kind.as_str())
    .bind(&id)
    .bind(to_i64(rev))
    .bind(&data)
    .bind(asserted)
    .execute(&mut **tx)
    .await?;
    // Which photos the record refers to: who may see it may see them (`store::photos`).
    super::photos::save_photo_refs(tx, record).await?;
    Ok(())
}

/// Whose numbering on a device a push continues (migration sqlite/0007): an account's own, or
/// the device's unowned one (`''`) from before accounts numbered apart, which an account new on
/// the device continues from.
struct Numbering<'a> {
    device: &'a str,
    account: &'a str,
}

/// The device's lineage of a record under this account and the refusal it last got for it; the
/// unowned one when the account has none yet (what the device sent before it numbered apart).
async fn lineage_of(
    tx: &mut Transaction<'_, Any>,
    numbering: &Numbering<'_>,
    kind: RecordKind,
    id: Uuid,
) -> Result<(Option<Lineage>, Option<Refused>), AppError> {
    // '' sorts before any account id: the account's own row first.
    let row = sqlx::query(
        "SELECT rev, data, refused_seq, refused_reason FROM lineage
         WHERE device_id = $1 AND kind = $2 AND id = $3 AND (user_id = $4 OR user_id = '')
         ORDER BY user_id DESC LIMIT 1",
    )
    .bind(numbering.device)
    .bind(kind.as_str())
    .bind(id.to_string())
    .bind(numbering.account)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok((None, None));
    };
    let data: Option<String> = row.try_get("data")?;
    let lineage = match data {
        Some(data) => Some(Lineage {
            rev: to_u64(row.try_get("rev")?),
            record: parse_record(&data)?,
        }),
        None => None,
    };
    let refused_seq: Option<i64> = row.try_get("refused_seq")?;
    let refused_reason: Option<String> = row.try_get("refused_reason")?;
    let refused = match (refused_seq, refused_reason) {
        (Some(seq), Some(reason)) => Some(Refused {
            seq: to_u64(seq),
            // JSON with the code; what older versions kept, the bare sentence, still reads.
            reason: Reason::from_stored(&reason),
        }),
        _ => None,
    };
    Ok((lineage, refused))
}

/// Records the device's new lineage of a record, or the refusal it got (keeping the other part).
async fn save_lineage(
    tx: &mut Transaction<'_, Any>,
    numbering: &Numbering<'_>,
    kind: RecordKind,
    id: Uuid,
    lineage: Option<&Lineage>,
    refused: Option<&Refused>,
) -> Result<(), AppError> {
    let data = lineage
        .map(|l| serde_json::to_string(&l.record))
        .transpose()
        .map_err(|e| AppError::Corrupt(e.to_string()))?;
    let sql = match (lineage, refused) {
        (Some(_), _) => {
            "INSERT INTO lineage (device_id, user_id, kind, id, rev, data)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (device_id, user_id, kind, id) DO UPDATE SET rev = excluded.rev,
                data = excluded.data"
        }
        (None, _) => {
            "INSERT INTO lineage (device_id, user_id, kind, id, refused_seq, refused_reason)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (device_id, user_id, kind, id) DO UPDATE
                SET refused_seq = excluded.refused_seq, refused_reason = excluded.refused_reason"
        }
    };
    let query = sqlx::query(sql)
        .bind(numbering.device)
        .bind(numbering.account)
        .bind(kind.as_str())
        .bind(id.to_string());
    let query = match (lineage, refused) {
        (Some(l), _) => query.bind(to_i64(l.rev)).bind(data),
        (None, Some(r)) => query.bind(to_i64(r.seq)).bind(r.reason.to_stored()),
        (None, None) => return Ok(()),
    };
    query.execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    /// Applies a batch of changes in one transaction: a retried batch is applied once, a refused
    /// change is reported and the rest goes on. The changes continue the actor's own numbering on
    /// the device.
    pub async fn push(
        &self,
        actor: Actor,
        request: &PushRequest,
    ) -> Result<PushResponse, AppError> {
        self.push_numbered(actor, actor.user, request).await
    }

    /// [`Store::push`] with the rights of `actor`, continuing the numbering of `account` on the
    /// device (`None`: the device's unowned numbering; an import of a device no account used).
    pub(crate) async fn push_numbered(
        &self,
        actor: Actor,
        account: Option<Uuid>,
        request: &PushRequest,
    ) -> Result<PushResponse, AppError> {
        let device = request.device_id.to_string();
        let account = account.map(|a| a.to_string()).unwrap_or_default();
        let numbering = Numbering {
            device: &device,
            account: &account,
        };
        let mut tx = self.writer.begin().await?;
        let mut next_server_seq = lock_counter(&mut tx).await?;
        // Every account's numbering on this device: the account's own last number (or the
        // unowned one it continues), and the device's highest, which bounds the next number.
        let rows = sqlx::query("SELECT user_id, last_seq FROM devices WHERE device_id = $1")
            .bind(&device)
            .fetch_all(&mut *tx)
            .await?;
        let (mut own, mut unowned, mut device_high) = (None, None, 0);
        for row in rows {
            let user: String = row.try_get("user_id")?;
            let seq = to_u64(row.try_get("last_seq")?);
            device_high = device_high.max(seq);
            if user == account {
                own = Some(seq);
            } else if user.is_empty() {
                unowned = Some(seq);
            }
        }
        let mut last_seq = own.or(unowned).unwrap_or(0);
        let mut results = Vec::with_capacity(request.changes.len());
        for change in &request.changes {
            let kind = change.record.kind();
            let id = change.record.id();
            let stored = sqlx::query(
                "SELECT data, created_by, company_id FROM records WHERE kind = $1 AND id = $2",
            )
            .bind(kind.as_str())
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| -> Result<Stored, AppError> {
                Ok(Stored {
                    record: parse_record(&row.try_get::<String, _>("data")?)?,
                    created_by: row.try_get("created_by")?,
                    company_id: row.try_get("company_id")?,
                })
            })
            .transpose()?;
            let (lineage, refused_before) = lineage_of(&mut tx, &numbering, kind, id).await?;
            let stored_record = stored.as_ref().map(|s| &s.record);
            let base_ref = base_for(stored_record, lineage.as_ref(), change);
            let base = match base_ref {
                Some(BaseRef::Lineage) => lineage.as_ref().map(|l| l.record.clone()),
                Some(BaseRef::Revision(rev)) => revision(&mut tx, kind, id, rev).await?,
                None => None,
            };
            // Only a new, valid change is merged; a retried batch does not read the history.
            let history = match history_range(base_ref, lineage.as_ref(), stored_record) {
                Some(revs) if base.is_some() && needs_rights_check(last_seq, change) => {
                    history_in(&mut tx, kind, id, revs).await?
                }
                _ => History::default(),
            };
            let refusal = if needs_rights_check(last_seq, change) {
                refusal(&mut tx, actor, &change.record, stored.as_ref()).await?
            } else {
                None
            };
            let decision = decide_change(
                Facts {
                    last_seq,
                    seq_limit: seq_limit(device_high, last_seq),
                    stored: stored_record,
                    base: base.as_ref(),
                    history: &history,
                    refused_before: refused_before.as_ref(),
                    refusal: refusal.as_ref(),
                },
                change,
            )
            .map_err(|e| AppError::Corrupt(format!("merge of {kind:?} {id}: {e}")))?;
            last_seq = decision.last_seq;
            if let Some(record) = &decision.store {
                next_server_seq += 1;
                let created_by = stored
                    .as_ref()
                    .and_then(|s| s.created_by.clone())
                    .or_else(|| actor.user.map(|u| u.to_string()));
                store_record(
                    &mut tx,
                    record,
                    &decision.asserted,
                    next_server_seq,
                    created_by,
                )
                .await?;
            }
            if decision.lineage.is_some() || decision.refused.is_some() {
                save_lineage(
                    &mut tx,
                    &numbering,
                    kind,
                    id,
                    decision.lineage.as_ref(),
                    decision.refused.as_ref(),
                )
                .await?;
            }
            results.push(decision.result);
        }
        sqlx::query(
            "INSERT INTO devices (device_id, user_id, last_seq) VALUES ($1, $2, $3)
             ON CONFLICT (device_id, user_id) DO UPDATE SET last_seq = excluded.last_seq",
        )
        .bind(&device)
        .bind(&account)
        .bind(to_i64(last_seq))
        .execute(&mut *tx)
        .await?;
        save_counter(&mut tx, next_server_seq).await?;
        tx.commit().await?;
        Ok(PushResponse { last_seq, results })
    }

    /// One page of the records `actor` may see that changed after `since`.
    pub async fn pull(
        &self,
        actor: Actor,
        since: u64,
        limit: u32,
    ) -> Result<PullResponse, AppError> {
        let fetch = i64::from(limit) + 1;
        let rows = if actor.role.sees_all_records() {
            sqlx::query(
                "SELECT r.server_seq, r.data FROM records r WHERE r.server_seq > $1
                 ORDER BY r.server_seq LIMIT $2",
            )
            .bind(to_i64(since))
            .bind(fetch)
            .fetch_all(&self.reader)
            .await?
        } else if let (true, Some(user)) = (actor.role.syncs_records(), actor.user) {
            let sql = format!(
                "SELECT r.server_seq, r.data FROM records r WHERE r.server_seq > $1 AND {}
                 ORDER BY r.server_seq LIMIT $2",
                VISIBLE_TO_USER.replace("$user", "$3")
            );
            sqlx::query(&sql)
                .bind(to_i64(since))
                .bind(fetch)
                .bind(user.to_string())
                .fetch_all(&self.reader)
                .await?
        } else {
            Vec::new()
        };
        let more = rows.len() > limit as usize;
        let mut cursor = since;
        let mut records = Vec::with_capacity(rows.len().min(limit as usize));
        for row in rows.into_iter().take(limit as usize) {
            cursor = to_u64(row.try_get("server_seq")?);
            let data: String = row.try_get("data")?;
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

    /// Every stored record of `kind` (for figures over the whole programme).
    pub async fn records_of_kind(&self, kind: RecordKind) -> Result<Vec<Record>, AppError> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM records WHERE kind = $1 ORDER BY server_seq")
                .bind(kind.as_str())
                .fetch_all(&self.reader)
                .await?;
        rows.iter().map(|data| parse_record(data)).collect()
    }

    /// Sets who holds a company. Its records get new change numbers, so the newly assigned pull
    /// them even though their cursors are past the old numbers.
    pub async fn assign(&self, company_id: Uuid, users: &[Uuid]) -> Result<(), AppError> {
        let company = company_id.to_string();
        let mut tx = self.writer.begin().await?;
        let mut next_server_seq = lock_counter(&mut tx).await?;
        sqlx::query("DELETE FROM assignments WHERE company_id = $1")
            .bind(&company)
            .execute(&mut *tx)
            .await?;
        for user in users {
            // A user named twice is assigned once (the handler dedupes too).
            sqlx::query(
                "INSERT INTO assignments (company_id, user_id) VALUES ($1, $2)
                 ON CONFLICT (company_id, user_id) DO NOTHING",
            )
            .bind(&company)
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        }
        let rows =
            sqlx::query("SELECT kind, id FROM records WHERE company_id = $1 ORDER BY server_seq")
                .bind(&company)
                .fetch_all(&mut *tx)
                .await?;
        for row in rows {
            next_server_seq += 1;
            sqlx::query("UPDATE records SET server_seq = $1 WHERE kind = $2 AND id = $3")
                .bind(to_i64(next_server_seq))
                .bind(row.try_get::<String, _>("kind")?)
                .bind(row.try_get::<String, _>("id")?)
                .execute(&mut *tx)
                .await?;
        }
        save_counter(&mut tx, next_server_seq).await?;
        tx.commit().await?;
        Ok(())
    }
}
