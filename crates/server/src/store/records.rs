//! Push and pull of records (the protocol is described in `praatplaat_domain::protocol` and in
//! ARCHITECTURE.md), with the visibility rule of the interviewer role.
//!
//! **A push is read and written in batches.** Its changes are decided one after the other, each
//! by `push::decide_change` on what the server holds when its turn comes, as if each were read
//! and written alone; but the reads are one query per kind of fact for the whole batch (the
//! stored rows, the device's lineage, the revisions the merges need, the rights facts), and the
//! writes multi-row statements (records, revisions, photo references, lineage), about ten round
//! trips to the database per push instead of four or more per change. Two things keep it exact:
//! a batch is cut into *segments* in which no record appears twice (a later change of the same
//! record starts a new segment, read after the earlier segment's writes), and the rights check
//! reads its facts about companies once per segment and follows the segment's own writes in
//! memory ([`Rights`]), so a company created earlier in the batch counts for the changes after it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use praatplaat_domain::merge::BaseRef;
use praatplaat_domain::merge::{History, Touched};
use praatplaat_domain::protocol::{Change, ChangeResult, PullResponse, PushRequest, PushResponse};
use praatplaat_domain::push::{
    base_for, decide_change, history_of, history_range, is_new, seq_limit, Facts, Lineage, Refused,
};
use praatplaat_domain::refusal::{Reason, Refusal};
use praatplaat_domain::{Record, RecordKind};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
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

/// A record as the database names it.
type Key = (RecordKind, Uuid);

/// Most rows a multi-row statement writes or a `VALUES` list of keys holds (binds stay far below
/// SQLite's 32,766 and PostgreSQL's 65,535).
const ROWS_PER_STATEMENT: usize = 200;

/// `$from, $from + 1, …`: `count` placeholders.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(VALUES ($f, $f+1, …), (…), …) AS k`: `rows` rows of `per` placeholders each, the first
/// `$from`; its columns are `k.column1`, `k.column2`, … (in SQLite and PostgreSQL alike).
///
/// The batched reads join such a list of keys with the table rather than ask for `kind = $1
/// AND id IN (…)` or an `OR` of keys: PostgreSQL, its statistics behind a table that grew fast,
/// folded those into one condition on the kind and read every company row to find fifty (25 ms a
/// push at 14,000 records); a join of a list of known length picks index lookups. They are
/// planned afresh each time ([`fresh`]), so no plan made while a table was small stays.
fn values(rows: usize, per: usize, from: usize) -> String {
    let rows: Vec<String> = (0..rows)
        .map(|n| format!("({})", placeholders(from + per * n, per)))
        .collect();
    format!("(VALUES {}) AS k", rows.join(", "))
}

/// A query planned for its values each time it runs (not kept as a prepared statement).
fn fresh(sql: &str) -> Query<'_, Any, AnyArguments<'_>> {
    sqlx::query(sql).persistent(false)
}

/// The requested key a row's `kind` and `id` columns name.
fn key_of(row: &sqlx::any::AnyRow, keys: &HashMap<(String, String), Key>) -> Result<Key, AppError> {
    let kind: String = row.try_get("kind")?;
    let id: String = row.try_get("id")?;
    keys.get(&(kind, id))
        .copied()
        .ok_or_else(|| AppError::Corrupt("a row that was not asked for".into()))
}

fn key_lookup(keys: &[Key]) -> HashMap<(String, String), Key> {
    keys.iter()
        .map(|&(kind, id)| ((kind.as_str().to_owned(), id.to_string()), (kind, id)))
        .collect()
}

/// The stored rows of `keys`.
async fn stored_rows(
    tx: &mut Transaction<'_, Any>,
    keys: &[Key],
) -> Result<HashMap<Key, Stored>, AppError> {
    let lookup = key_lookup(keys);
    let mut stored = HashMap::with_capacity(keys.len());
    for part in keys.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT r.kind, r.id, r.data, r.created_by, r.company_id FROM {}
             JOIN records r ON r.kind = k.column1 AND r.id = k.column2",
            values(part.len(), 2, 1)
        );
        let mut query = fresh(&sql);
        for (kind, id) in part {
            query = query.bind(kind.as_str()).bind(id.to_string());
        }
        for row in query.fetch_all(&mut **tx).await? {
            stored.insert(
                key_of(&row, &lookup)?,
                Stored {
                    record: parse_record(&row.try_get::<String, _>("data")?)?,
                    created_by: row.try_get("created_by")?,
                    company_id: row.try_get("company_id")?,
                },
            );
        }
    }
    Ok(stored)
}

/// A stored revision, parsed only when a change needs it.
struct RevisionRow {
    data: String,
    asserted: Option<String>,
}

impl RevisionRow {
    fn record(&self) -> Result<Record, AppError> {
        parse_record(&self.data)
    }

    /// What its change asserted ([`Touched::asserted`]); nothing for revisions from before.
    fn asserted(&self) -> Result<Touched, AppError> {
        match &self.asserted {
            None => Ok(Touched::default()),
            Some(json) => {
                let pointers: Vec<String> =
                    serde_json::from_str(json).map_err(|e| AppError::Corrupt(e.to_string()))?;
                Touched::from_pointers(pointers.iter().map(String::as_str))
                    .map_err(|e| AppError::Corrupt(e.to_string()))
            }
        }
    }
}

/// The stored revisions of each record in its range: the base a stale change is merged against,
/// and the history of the merge ([`history_of`]).
async fn revision_rows(
    tx: &mut Transaction<'_, Any>,
    wanted: &[(Key, u64, u64)],
) -> Result<HashMap<Key, BTreeMap<u64, RevisionRow>>, AppError> {
    let mut revisions: HashMap<Key, BTreeMap<u64, RevisionRow>> = HashMap::new();
    for part in wanted.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT v.kind, v.id, v.rev, v.data, v.asserted FROM {}
             JOIN revisions v ON v.kind = k.column1 AND v.id = k.column2
                AND v.rev >= k.column3 AND v.rev <= k.column4",
            values(part.len(), 4, 1)
        );
        let mut query = fresh(&sql);
        for ((kind, id), from, to) in part {
            query = query
                .bind(kind.as_str())
                .bind(id.to_string())
                .bind(to_i64(*from))
                .bind(to_i64(*to));
        }
        let keys: Vec<Key> = part.iter().map(|(key, _, _)| *key).collect();
        let lookup = key_lookup(&keys);
        for row in query.fetch_all(&mut **tx).await? {
            let key = key_of(&row, &lookup)?;
            revisions.entry(key).or_default().insert(
                to_u64(row.try_get("rev")?),
                RevisionRow {
                    data: row.try_get("data")?,
                    asserted: row.try_get("asserted")?,
                },
            );
        }
    }
    Ok(revisions)
}

/// What `records.written_by` holds for a revision a device holds as it sent it: `device@rev`, so
/// a pull skips the row only while it still is that revision.
fn written_mark(device: &str, rev: u64) -> String {
    format!("{device}@{rev}")
}

/// The company a record belongs to, which decides who sees it (each kind says, beside its type).
fn company_of(record: &Record) -> Option<Uuid> {
    record.company_id()
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

/// What decides whether an account holds a company, as the database has it.
#[derive(Debug, Clone, Default)]
struct CompanyFacts {
    /// The company's own record: `Some(created_by)` once it is stored.
    row: Option<Option<String>>,
    /// Records under the company that the account did not push first (or from before accounts).
    others: i64,
    assigned: bool,
}

/// The rights check's facts about the companies of one segment, for one account, kept up to date
/// with the segment's writes.
struct Rights {
    user: String,
    companies: HashMap<String, CompanyFacts>,
}

impl Rights {
    /// Reads the facts about `companies` for `user`.
    async fn read(
        tx: &mut Transaction<'_, Any>,
        user: String,
        companies: BTreeSet<String>,
    ) -> Result<Rights, AppError> {
        let mut facts: HashMap<String, CompanyFacts> = companies
            .iter()
            .map(|c| (c.clone(), CompanyFacts::default()))
            .collect();
        let ids: Vec<&String> = companies.iter().collect();
        for part in ids.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT r.id, r.created_by FROM {}
                 JOIN records r ON r.kind = 'company' AND r.id = k.column1",
                values(part.len(), 1, 1)
            );
            let mut query = fresh(&sql);
            for id in part {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&mut **tx).await? {
                let id: String = row.try_get("id")?;
                if let Some(f) = facts.get_mut(&id) {
                    f.row = Some(row.try_get("created_by")?);
                }
            }
            let sql = format!(
                "SELECT r.company_id, COUNT(*) AS n FROM {}
                 JOIN records r ON r.company_id = k.column1
                 WHERE r.created_by IS NULL OR r.created_by <> $1
                 GROUP BY r.company_id",
                values(part.len(), 1, 2)
            );
            let mut query = fresh(&sql).bind(user.as_str());
            for id in part {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&mut **tx).await? {
                let id: String = row.try_get("company_id")?;
                if let Some(f) = facts.get_mut(&id) {
                    f.others = row.try_get("n")?;
                }
            }
            let sql = format!(
                "SELECT a.company_id FROM {}
                 JOIN assignments a ON a.company_id = k.column1 AND a.user_id = $1",
                values(part.len(), 1, 2)
            );
            let mut query = fresh(&sql).bind(user.as_str());
            for id in part {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&mut **tx).await? {
                let id: String = row.try_get("company_id")?;
                if let Some(f) = facts.get_mut(&id) {
                    f.assigned = true;
                }
            }
        }
        Ok(Rights {
            user,
            companies: facts,
        })
    }

    /// Whether the account holds the company `company_id` (created it or is assigned to it).
    ///
    /// A company id belongs to whoever used it first. A company the server has not seen yet
    /// counts as theirs (they are creating it: a tablet may push an interview before its
    /// company, which then comes in a later batch) unless someone else already pushed a record
    /// under that id: then it is that person's company in the making, and nobody else may create
    /// it or put records under it (else the first one's interview would end up under a company
    /// somebody else creates later under that id).
    fn holds(&self, company_id: &str) -> Result<bool, AppError> {
        let facts = self.companies.get(company_id).ok_or_else(|| {
            AppError::Corrupt(format!(
                "company {company_id} was not read for the rights check"
            ))
        })?;
        Ok(match &facts.row {
            Some(created_by) if created_by.as_deref() == Some(self.user.as_str()) => true,
            // Records from before accounts have no creator: claimed by nobody one may join.
            None if facts.others == 0 => true,
            _ => facts.assigned,
        })
    }

    fn is_other(&self, created_by: Option<&str>) -> bool {
        created_by != Some(self.user.as_str())
    }

    /// `record` was stored by `created_by` over `before`: the facts as the next change sees them.
    fn stored(&mut self, before: Option<&Stored>, record: &Record, created_by: Option<&str>) {
        if let Some(before) = before {
            let other = self.is_other(before.created_by.as_deref());
            if let Some(f) = before
                .company_id
                .as_ref()
                .and_then(|c| self.companies.get_mut(c))
            {
                f.others -= i64::from(other);
            }
        }
        let other = self.is_other(created_by);
        if let Some(f) = company_of(record).and_then(|c| self.companies.get_mut(&c.to_string())) {
            f.others += i64::from(other);
        }
        if record.kind() == RecordKind::Company {
            if let Some(f) = self.companies.get_mut(&record.id().to_string()) {
                f.row = Some(created_by.map(str::to_owned));
            }
        }
    }
}

/// Why `actor` may not make this change, if they may not: `praatplaat_domain::access::may_change`
/// with the facts read from the database (tests/api/access.rs checks the two agree). `rights` is
/// there for every actor who is checked (not the office, not the server itself).
fn refusal(
    actor: Actor,
    rights: Option<&Rights>,
    record: &Record,
    stored: Option<&Stored>,
) -> Result<Option<Refusal>, AppError> {
    if actor.role.sees_all_records() {
        return Ok(None);
    }
    let (Some(user), Some(rights)) = (actor.user.map(|u| u.to_string()), rights) else {
        return Ok(Some(Refusal::NoUser));
    };
    if record.kind() == RecordKind::Initiative {
        return Ok(Some(Refusal::CatalogueReadOnly));
    }
    if let Some(stored) = stored {
        let own = stored.created_by.as_deref() == Some(user.as_str());
        let held = match &stored.company_id {
            Some(company) => rights.holds(company)?,
            None => false,
        };
        if !own && !held {
            return Ok(Some(Refusal::RecordNotAssigned));
        }
    }
    if let Some(company) = company_of(record) {
        if !rights.holds(&company.to_string())? {
            return Ok(Some(Refusal::CompanyNotAssigned));
        }
    }
    Ok(None)
}

/// Whose numbering on a device a push continues (migration sqlite/0007): an account's own, or
/// the device's unowned one (`''`) from before accounts numbered apart, which an account new on
/// the device continues from.
struct Numbering<'a> {
    device: &'a str,
    account: &'a str,
}

/// The device's lineage of a record under this account and the refusal it last got for it.
type LineageOf = (Option<Lineage>, Option<Refused>);

/// The device's lineage of each of `keys` under this account and the refusal it last got for
/// it; the unowned one when the account has none yet (what the device sent before it numbered
/// apart).
async fn lineage_rows(
    tx: &mut Transaction<'_, Any>,
    numbering: &Numbering<'_>,
    keys: &[Key],
) -> Result<HashMap<Key, LineageOf>, AppError> {
    // The account's own row and the unowned one (the same when the numbering is the unowned
    // one), each a row of the list: every one a lookup in the primary key.
    let accounts: &[&str] = if numbering.account.is_empty() {
        &[""]
    } else {
        &[numbering.account, ""]
    };
    let mut rows = Vec::new();
    for part in keys.chunks(ROWS_PER_STATEMENT / 2) {
        let sql = format!(
            "SELECT l.kind, l.id, l.user_id, l.rev, l.data, l.refused_seq, l.refused_reason
             FROM {} JOIN lineage l ON l.device_id = k.column1 AND l.user_id = k.column2
                AND l.kind = k.column3 AND l.id = k.column4",
            values(part.len() * accounts.len(), 4, 1)
        );
        let mut query = fresh(&sql);
        for (kind, id) in part {
            for account in accounts {
                query = query
                    .bind(numbering.device)
                    .bind(*account)
                    .bind(kind.as_str())
                    .bind(id.to_string());
            }
        }
        rows.extend(query.fetch_all(&mut **tx).await?);
    }
    let lookup = key_lookup(keys);
    // '' sorts before any account id: the account's own row wins.
    let mut chosen: HashMap<Key, (String, sqlx::any::AnyRow)> = HashMap::new();
    for row in rows {
        let key = key_of(&row, &lookup)?;
        let user: String = row.try_get("user_id")?;
        if chosen.get(&key).is_none_or(|(held, _)| user > *held) {
            chosen.insert(key, (user, row));
        }
    }
    let mut lineages = HashMap::with_capacity(chosen.len());
    for (key, (_, row)) in chosen {
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
        lineages.insert(key, (lineage, refused));
    }
    Ok(lineages)
}

/// One stored record: its current state and its revision.
struct RecordWrite {
    kind: RecordKind,
    id: String,
    rev: i64,
    server_seq: i64,
    updated_at: i64,
    deleted: i64,
    data: String,
    company_id: Option<String>,
    created_by: Option<String>,
    /// The device that holds this very revision as it sent it (`Decision::sender_holds_stored`),
    /// with the revision: `device@rev` ([`written_mark`]).
    written_by: Option<String>,
    asserted: Option<String>,
    /// The photos it refers to, for an interview (`None` for kinds that hold none).
    photos: Option<Vec<String>>,
    /// It was stored before (and may have photo references to replace).
    existed: bool,
}

/// What a segment writes, grouped by table (records, revisions, photo references, lineage,
/// refusals): the same rows a change alone would have written, since no record appears twice in
/// a segment and nothing reads between the writes.
#[derive(Default)]
struct Writes {
    records: Vec<RecordWrite>,
    /// The device's lineage of a record: (kind, id, rev, the record as sent).
    lineage: Vec<(RecordKind, String, i64, String)>,
    /// A refusal remembered: (kind, id, seq, reason as stored).
    refusals: Vec<(RecordKind, String, i64, String)>,
}

impl Writes {
    /// `record` as its current state and as revision `record.meta().rev`.
    fn record(
        &mut self,
        record: &Record,
        existed: bool,
        asserted: &Touched,
        server_seq: u64,
        (created_by, written_by): (Option<String>, Option<String>),
    ) -> Result<(), AppError> {
        let data = serde_json::to_string(record).map_err(|e| AppError::Corrupt(e.to_string()))?;
        let asserted = (!asserted.is_empty())
            .then(|| serde_json::to_string(&asserted.pointers()))
            .transpose()
            .map_err(|e| AppError::Corrupt(e.to_string()))?;
        // Which photos the record refers to: who may see it may see them (`store::photos`).
        // Only interviews hold photos, and a record's kind never changes.
        let photos = matches!(record, Record::Interview(_)).then(|| {
            super::photos::photos_of(record)
                .into_iter()
                .map(str::to_owned)
                .collect()
        });
        self.records.push(RecordWrite {
            kind: record.kind(),
            id: record.id().to_string(),
            rev: to_i64(record.meta().rev),
            server_seq: to_i64(server_seq),
            updated_at: record.meta().updated_at,
            deleted: i64::from(record.meta().deleted),
            data,
            company_id: company_of(record).map(|c| c.to_string()),
            created_by,
            written_by,
            asserted,
            photos,
            existed,
        });
        Ok(())
    }

    /// The device's new lineage of a record, or the refusal it got (the other part is kept).
    /// `sent` is the change as sent and its JSON (written before the counter was taken): the
    /// lineage's record is that change.
    fn lineage(
        &mut self,
        (kind, id): Key,
        lineage: Option<&Lineage>,
        refused: Option<&Refused>,
        (sent, sent_json): (&Record, &str),
    ) -> Result<(), AppError> {
        match (lineage, refused) {
            (Some(l), _) => {
                let data = if &l.record == sent {
                    sent_json.to_owned()
                } else {
                    serde_json::to_string(&l.record)
                        .map_err(|e| AppError::Corrupt(e.to_string()))?
                };
                self.lineage
                    .push((kind, id.to_string(), to_i64(l.rev), data));
            }
            (None, Some(r)) => {
                self.refusals
                    .push((kind, id.to_string(), to_i64(r.seq), r.reason.to_stored()));
            }
            (None, None) => {}
        }
        Ok(())
    }

    async fn flush(
        self,
        tx: &mut Transaction<'_, Any>,
        numbering: &Numbering<'_>,
    ) -> Result<(), AppError> {
        for part in self.records.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<String> = (0..part.len())
                .map(|n| format!("({})", placeholders(1 + 10 * n, 10)))
                .collect();
            let sql = format!(
                "INSERT INTO records (kind, id, rev, server_seq, updated_at, deleted, data,
                    company_id, created_by, written_by)
                 VALUES {}
                 ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev,
                    server_seq = excluded.server_seq, updated_at = excluded.updated_at,
                    deleted = excluded.deleted, data = excluded.data,
                    company_id = excluded.company_id, created_by = excluded.created_by,
                    written_by = excluded.written_by",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for w in part {
                query = query
                    .bind(w.kind.as_str())
                    .bind(w.id.as_str())
                    .bind(w.rev)
                    .bind(w.server_seq)
                    .bind(w.updated_at)
                    .bind(w.deleted)
                    .bind(w.data.as_str())
                    .bind(w.company_id.as_deref())
                    .bind(w.created_by.as_deref())
                    .bind(w.written_by.as_deref());
            }
            query.execute(&mut **tx).await?;
            let rows: Vec<String> = (0..part.len())
                .map(|n| format!("({})", placeholders(1 + 5 * n, 5)))
                .collect();
            let sql = format!(
                "INSERT INTO revisions (kind, id, rev, data, asserted) VALUES {}",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for w in part {
                query = query
                    .bind(w.kind.as_str())
                    .bind(w.id.as_str())
                    .bind(w.rev)
                    .bind(w.data.as_str())
                    .bind(w.asserted.as_deref());
            }
            query.execute(&mut **tx).await?;
        }
        let with_photos: Vec<&RecordWrite> =
            self.records.iter().filter(|w| w.photos.is_some()).collect();
        super::photos::save_photo_refs(
            tx,
            &with_photos
                .iter()
                .map(|w| {
                    (
                        w.kind.as_str(),
                        w.id.as_str(),
                        w.photos.as_deref().unwrap_or_default(),
                        w.existed,
                    )
                })
                .collect::<Vec<_>>(),
        )
        .await?;
        for part in self.lineage.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<String> = (0..part.len())
                .map(|n| format!("($1, $2, {})", placeholders(3 + 4 * n, 4)))
                .collect();
            let sql = format!(
                "INSERT INTO lineage (device_id, user_id, kind, id, rev, data) VALUES {}
                 ON CONFLICT (device_id, user_id, kind, id) DO UPDATE SET rev = excluded.rev,
                    data = excluded.data",
                rows.join(", ")
            );
            let query = sqlx::query(&sql)
                .bind(numbering.device)
                .bind(numbering.account);
            bind_lineage_rows(query, part).execute(&mut **tx).await?;
        }
        for part in self.refusals.chunks(ROWS_PER_STATEMENT) {
            let rows: Vec<String> = (0..part.len())
                .map(|n| format!("($1, $2, {})", placeholders(3 + 4 * n, 4)))
                .collect();
            let sql = format!(
                "INSERT INTO lineage (device_id, user_id, kind, id, refused_seq, refused_reason)
                 VALUES {}
                 ON CONFLICT (device_id, user_id, kind, id) DO UPDATE
                    SET refused_seq = excluded.refused_seq,
                        refused_reason = excluded.refused_reason",
                rows.join(", ")
            );
            let query = sqlx::query(&sql)
                .bind(numbering.device)
                .bind(numbering.account);
            bind_lineage_rows(query, part).execute(&mut **tx).await?;
        }
        Ok(())
    }
}

fn bind_lineage_rows<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    rows: &'q [(RecordKind, String, i64, String)],
) -> Query<'q, Any, AnyArguments<'q>> {
    for (kind, id, number, text) in rows {
        query = query
            .bind(kind.as_str())
            .bind(id.as_str())
            .bind(*number)
            .bind(text.as_str());
    }
    query
}

/// Where a push stands between its segments.
struct Progress {
    last_seq: u64,
    /// The highest number applied from the device under any account, at the push's start.
    device_high: u64,
    next_server_seq: u64,
}

/// The changes of `changes` up to the first whose record an earlier one of them has: a segment.
fn segment_len(changes: &[Change]) -> usize {
    let mut seen = HashSet::with_capacity(changes.len());
    changes
        .iter()
        .position(|c| !seen.insert((c.record.kind(), c.record.id())))
        .unwrap_or(changes.len())
}

/// What a push works out about each change before it takes the change counter (pushes wait
/// for it in turn): the change's own JSON (its lineage, once stored) and whether it passes
/// `limits::check` (the second half of `push::needs_rights_check`; a pure function of the change).
struct Prepared {
    json: String,
    valid: bool,
}

/// Where a push's time goes while it holds the change counter (logged at debug level, target
/// `praatplaat_server::push`).
#[derive(Default)]
struct Timing {
    reads: std::time::Duration,
    decisions: std::time::Duration,
    writes: std::time::Duration,
}

/// Decides and writes one segment (no record twice): the batched reads, each change's decision
/// in order, the batched writes.
async fn push_segment(
    tx: &mut Transaction<'_, Any>,
    actor: Actor,
    numbering: &Numbering<'_>,
    (changes, prepared): (&[Change], &[Prepared]),
    progress: &mut Progress,
    (results, timing): (&mut Vec<ChangeResult>, &mut Timing),
) -> Result<(), AppError> {
    let started = std::time::Instant::now();
    let keys: Vec<Key> = changes
        .iter()
        .map(|c| (c.record.kind(), c.record.id()))
        .collect();
    let stored = stored_rows(tx, &keys).await?;
    let lineages = lineage_rows(tx, numbering, &keys).await?;
    let no_lineage: LineageOf = (None, None);
    // What the merges may read: each named base revision, and for a change that may be new
    // (only those read their history; the number only grows along the batch, so this is all of
    // them) the revisions from its base on.
    let mut wanted = Vec::new();
    for (change, key) in changes.iter().zip(&keys) {
        let stored_record = stored.get(key).map(|s| &s.record);
        let (lineage, _) = lineages.get(key).unwrap_or(&no_lineage);
        let base_ref = base_for(stored_record, lineage.as_ref(), change);
        let history = history_range(base_ref, lineage.as_ref(), stored_record)
            .filter(|_| is_new(progress.last_seq, change.seq));
        let named = match base_ref {
            Some(BaseRef::Revision(rev)) => Some(rev),
            _ => None,
        };
        let from = named
            .into_iter()
            .chain(history.clone().map(|r| *r.start()))
            .min();
        let to = named.into_iter().chain(history.map(|r| *r.end())).max();
        if let (Some(from), Some(to)) = (from, to) {
            wanted.push((*key, from, to));
        }
    }
    let revisions = if wanted.is_empty() {
        HashMap::new()
    } else {
        revision_rows(tx, &wanted).await?
    };
    let mut rights = match actor.user {
        Some(user) if !actor.role.sees_all_records() => {
            let companies: BTreeSet<String> = changes
                .iter()
                .zip(&keys)
                .flat_map(|(change, key)| {
                    let before = stored.get(key).and_then(|s| s.company_id.clone());
                    before
                        .into_iter()
                        .chain(company_of(&change.record).map(|c| c.to_string()))
                })
                .collect();
            Some(Rights::read(tx, user.to_string(), companies).await?)
        }
        _ => None,
    };
    let no_revisions = BTreeMap::new();
    let mut writes = Writes::default();
    let read = std::time::Instant::now();
    timing.reads += read - started;
    for ((change, key), prepared) in changes.iter().zip(&keys).zip(prepared) {
        let (kind, id) = *key;
        let stored = stored.get(key);
        let (lineage, refused_before) = lineages.get(key).unwrap_or(&no_lineage);
        let revisions = revisions.get(key).unwrap_or(&no_revisions);
        let stored_record = stored.map(|s| &s.record);
        let base_ref = base_for(stored_record, lineage.as_ref(), change);
        let base = match base_ref {
            Some(BaseRef::Lineage) => lineage.as_ref().map(|l| l.record.clone()),
            Some(BaseRef::Revision(rev)) => {
                revisions.get(&rev).map(RevisionRow::record).transpose()?
            }
            None => None,
        };
        let last_seq = progress.last_seq;
        // = needs_rights_check(last_seq, change), its limits check done before the counter.
        let checked = is_new(last_seq, change.seq) && prepared.valid;
        // Only a new, valid change is merged; a retried batch does not read the history.
        let history = match history_range(base_ref, lineage.as_ref(), stored_record) {
            Some(revs) if base.is_some() && checked => {
                let mut between = Vec::new();
                if revs.start() <= revs.end() {
                    for row in revisions.range(revs.clone()).map(|(_, row)| row) {
                        between.push((row.record()?, row.asserted()?));
                    }
                }
                history_of(revs, between)
            }
            _ => History::default(),
        };
        let refusal = if checked {
            refusal(actor, rights.as_ref(), &change.record, stored)?
        } else {
            None
        };
        let decision = decide_change(
            Facts {
                last_seq,
                seq_limit: seq_limit(progress.device_high, last_seq),
                stored: stored_record,
                base: base.as_ref(),
                history: &history,
                refused_before: refused_before.as_ref(),
                refusal: refusal.as_ref(),
            },
            change,
        )
        .map_err(|e| AppError::Corrupt(format!("merge of {kind:?} {id}: {e}")))?;
        progress.last_seq = decision.last_seq;
        if let Some(record) = &decision.store {
            progress.next_server_seq += 1;
            let created_by = stored
                .and_then(|s| s.created_by.clone())
                .or_else(|| actor.user.map(|u| u.to_string()));
            if let Some(rights) = rights.as_mut() {
                rights.stored(stored, record, created_by.as_deref());
            }
            let written_by = decision
                .sender_holds_stored()
                .then(|| written_mark(numbering.device, record.meta().rev));
            writes.record(
                record,
                stored.is_some(),
                &decision.asserted,
                progress.next_server_seq,
                (created_by, written_by),
            )?;
        }
        if decision.lineage.is_some() || decision.refused.is_some() {
            writes.lineage(
                *key,
                decision.lineage.as_ref(),
                decision.refused.as_ref(),
                (&change.record, &prepared.json),
            )?;
        }
        results.push(decision.result);
    }
    let decided = std::time::Instant::now();
    timing.decisions += decided - read;
    writes.flush(tx, numbering).await?;
    timing.writes += decided.elapsed();
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
        let prepared = request
            .changes
            .iter()
            .map(|c| {
                Ok(Prepared {
                    json: serde_json::to_string(&c.record)
                        .map_err(|e| AppError::Corrupt(e.to_string()))?,
                    valid: praatplaat_domain::limits::check(&c.record).is_ok(),
                })
            })
            .collect::<Result<Vec<Prepared>, AppError>>()?;
        let begun = std::time::Instant::now();
        let mut tx = self.writer.begin().await?;
        let next_server_seq = lock_counter(&mut tx).await?;
        let locked = std::time::Instant::now();
        let mut timing = Timing::default();
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
        let mut progress = Progress {
            last_seq: own.or(unowned).unwrap_or(0),
            device_high,
            next_server_seq,
        };
        let mut results = Vec::with_capacity(request.changes.len());
        let (mut rest, mut rest_prepared) = (request.changes.as_slice(), prepared.as_slice());
        while !rest.is_empty() {
            let len = segment_len(rest);
            let (segment, after) = rest.split_at(len);
            let (segment_prepared, after_prepared) = rest_prepared.split_at(len);
            push_segment(
                &mut tx,
                actor,
                &numbering,
                (segment, segment_prepared),
                &mut progress,
                (&mut results, &mut timing),
            )
            .await?;
            (rest, rest_prepared) = (after, after_prepared);
        }
        // Old revisions of what this push wrote go (the retention rule, `store::retention`).
        let written: Vec<Key> = request
            .changes
            .iter()
            .map(|c| (c.record.kind(), c.record.id()))
            .collect();
        super::retention::trim_revisions(&mut tx, &written, self.keep_revisions()).await?;
        let last_seq = progress.last_seq;
        sqlx::query(
            "INSERT INTO devices (device_id, user_id, last_seq) VALUES ($1, $2, $3)
             ON CONFLICT (device_id, user_id) DO UPDATE SET last_seq = excluded.last_seq",
        )
        .bind(&device)
        .bind(&account)
        .bind(to_i64(last_seq))
        .execute(&mut *tx)
        .await?;
        save_counter(&mut tx, progress.next_server_seq).await?;
        let finished = std::time::Instant::now();
        tx.commit().await?;
        let micros = |d: std::time::Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        tracing::debug!(
            target: "praatplaat_server::push",
            changes = request.changes.len(),
            wait_us = micros(locked - begun),
            reads_us = micros(timing.reads),
            decisions_us = micros(timing.decisions),
            writes_us = micros(timing.writes),
            held_us = micros(finished - locked),
            commit_us = micros(finished.elapsed()),
            "push"
        );
        Ok(PushResponse { last_seq, results })
    }

    /// One page of the records `actor` may see that changed after `since`.
    pub async fn pull(
        &self,
        actor: Actor,
        since: u64,
        limit: u32,
    ) -> Result<PullResponse, AppError> {
        self.pull_skipping(actor, since, limit, None).await
    }

    /// [`Store::pull`] for `device` when it asks to skip its own (`skip_own`): a row whose stored
    /// revision is that device's change as sent (`written_by`) is left out of the page but still
    /// moves the cursor, so a page may hold fewer records than `limit` and still say `more`.
    pub async fn pull_skipping(
        &self,
        actor: Actor,
        since: u64,
        limit: u32,
        skip_own: Option<Uuid>,
    ) -> Result<PullResponse, AppError> {
        let fetch = i64::from(limit) + 1;
        // The data of a skipped row is not even read out ('' never equals a device id: none).
        // The mark names the revision too, so a row some other writer changed since (a server
        // of an older version, say, which leaves the column as it was) is sent again.
        let skip = skip_own.map(|d| d.to_string()).unwrap_or_default();
        let columns = "r.server_seq, CASE WHEN r.written_by = $3 || '@' || CAST(r.rev AS TEXT)
            THEN NULL ELSE r.data END AS data";
        let rows = if actor.role.sees_all_records() {
            sqlx::query(&format!(
                "SELECT {columns} FROM records r WHERE r.server_seq > $1
                 ORDER BY r.server_seq LIMIT $2"
            ))
            .bind(to_i64(since))
            .bind(fetch)
            .bind(&skip)
            .fetch_all(&self.reader)
            .await?
        } else if let (true, Some(user)) = (actor.role.syncs_records(), actor.user) {
            let sql = format!(
                "SELECT {columns} FROM records r WHERE r.server_seq > $1 AND {}
                 ORDER BY r.server_seq LIMIT $2",
                VISIBLE_TO_USER.replace("$user", "$4")
            );
            sqlx::query(&sql)
                .bind(to_i64(since))
                .bind(fetch)
                .bind(&skip)
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
            let Some(data) = row.try_get::<Option<String>, _>("data")? else {
                continue;
            };
            let record: Record =
                serde_json::from_str(&data).map_err(|e| AppError::Corrupt(e.to_string()))?;
            records.push(record);
        }
        // With each record's hash as stored, so a device need not hash what the server did.
        Ok(PullResponse::new(records, cursor, more))
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
