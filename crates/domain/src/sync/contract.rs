//! The contract every [`LocalStore`] keeps, as a suite any implementation runs: natively against
//! [`super::memory::MemoryStore`], in Chromium (wasm-bindgen-test) against the app's IndexedDB
//! store. The engine is only as safe as the store under it, so the two must behave alike.
//!
//! [`check_all`] takes a factory of fresh, empty stores and returns the failed cases by name
//! (empty: the store keeps the contract). Cases with a second tablet use a `MemoryStore` for it
//! and [`super::fake_server::FakeServer`] as the server, which runs the real push decision.

use std::fmt::Display;
use std::future::Future;

use uuid::Uuid;

use super::fake_server::FakeServer;
use super::memory::MemoryStore;
use super::{sync_once, LocalStore, Pulled, Transport};
use crate::model::{Company, Interview, Record, RecordKind, RecordMeta};
use crate::protocol::{
    receipt_matches, record_hash, ChangeResult, ChangeStatus, PushRequest, Receipt,
};

/// What the suite needs beyond sync: a local edit and a read, as the app makes them.
#[allow(async_fn_in_trait)] // single-threaded wasm: the futures need not be Send
pub trait EditableStore: LocalStore {
    /// A local edit: stores the record (its `updated_at` stamped with `now_ms`, never going
    /// backwards) and queues it for sync, in one step.
    async fn save(&self, record: Record, now_ms: i64) -> Result<(), Self::Error>;
    /// The local copy of a record.
    async fn get(&self, kind: RecordKind, id: Uuid) -> Result<Option<Record>, Self::Error>;
}

type Outcome = Result<(), String>;

fn err(e: impl Display) -> String {
    e.to_string()
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

fn company(n: u128, name: &str) -> Record {
    Record::Company(Company {
        id: Uuid::from_u128(n),
        name: name.into(),
        municipality: "Nieuwkoop".into(),
        ..Company::default()
    })
}

fn interview(notes: &str) -> Record {
    Record::Interview(Interview {
        id: Uuid::from_u128(90),
        company_id: Uuid::from_u128(1),
        notes: notes.into(),
        ..Interview::default()
    })
}

/// A pulled record with the receipt a server gives for it.
fn pulled(record: Record) -> Pulled {
    Pulled {
        receipt: Receipt::for_record(&record),
        record,
    }
}

fn edited(record: Option<Record>, f: impl FnOnce(&mut Interview)) -> Result<Record, String> {
    match record {
        Some(Record::Interview(mut i)) => {
            f(&mut i);
            Ok(Record::Interview(i))
        }
        other => Err(format!("expected the interview, found {other:?}")),
    }
}

async fn sync<S: LocalStore, T: Transport>(store: &S, server: &T) -> Result<(), String>
where
    S::Error: Display,
    T::Error: Display,
{
    sync_once(store, server).await.map(|_| ()).map_err(err)
}

/// Whether the store's copy of a record is vouched for by its receipt and nothing waits for it.
async fn safe<S: EditableStore>(store: &S, kind: RecordKind, id: Uuid) -> Result<bool, String>
where
    S::Error: Display,
{
    let local = store.get(kind, id).await.map_err(err)?;
    let receipt = store.receipt(kind, id).await.map_err(err)?;
    let waiting = store
        .pending(usize::MAX)
        .await
        .map_err(err)?
        .iter()
        .any(|c| c.record.kind() == kind && c.record.id() == id);
    Ok(local.is_some_and(|l| super::is_safe(waiting, receipt.as_ref(), &l)))
}

async fn device_id_is_stable<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let first = s.device_id().await.map_err(err)?;
    ensure!(!first.is_nil(), "the device id is nil");
    ensure!(
        s.device_id().await.map_err(err)? == first,
        "the device id changed"
    );
    Ok(())
}

async fn edits_wait_in_order_one_per_record<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    s.save(company(1, "Een"), 1_000).await.map_err(err)?;
    s.save(company(2, "Twee"), 1_000).await.map_err(err)?;
    s.save(company(1, "Een bv"), 2_000).await.map_err(err)?;
    let pending = s.pending(10).await.map_err(err)?;
    let ids: Vec<u128> = pending.iter().map(|c| c.record.id().as_u128()).collect();
    ensure!(ids == [2, 1], "waiting records {ids:?}, expected [2, 1]");
    ensure!(
        pending[0].seq < pending[1].seq,
        "seqs not increasing: {} {}",
        pending[0].seq,
        pending[1].seq
    );
    ensure!(
        matches!(&pending[1].record, Record::Company(c) if c.name == "Een bv"),
        "the waiting change is not the latest edit: {:?}",
        pending[1].record
    );
    ensure!(
        s.pending(1).await.map_err(err)?.len() == 1,
        "the limit is not kept"
    );
    Ok(())
}

async fn updated_at_never_goes_backwards<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    s.save(company(1, "Een"), 5_000).await.map_err(err)?;
    s.save(company(1, "Een bv"), 1_000).await.map_err(err)?; // the clock was set back
    let at = s
        .get(RecordKind::Company, Uuid::from_u128(1))
        .await
        .map_err(err)?
        .map(|r| r.meta().updated_at);
    ensure!(at > Some(5_000), "updated_at went back to {at:?}");
    Ok(())
}

async fn an_applied_change_leaves_the_outbox_with_its_rev<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let server = FakeServer::new(100);
    s.save(company(1, "Een"), 1_000).await.map_err(err)?;
    sync(&s, &server).await?;
    ensure!(
        s.pending(10).await.map_err(err)?.is_empty(),
        "still waiting"
    );
    let rev = s
        .get(RecordKind::Company, Uuid::from_u128(1))
        .await
        .map_err(err)?
        .map(|r| r.meta().rev);
    ensure!(rev == Some(1), "local rev {rev:?}, expected 1");
    ensure!(
        safe(&s, RecordKind::Company, Uuid::from_u128(1)).await?,
        "not safe after an applied push"
    );
    Ok(())
}

async fn an_edit_during_the_push_keeps_waiting_on_the_new_rev<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let server = FakeServer::new(100);
    s.save(interview("a"), 1_000).await.map_err(err)?;
    let request = PushRequest {
        device_id: s.device_id().await.map_err(err)?,
        changes: s.pending(10).await.map_err(err)?,
    };
    let response = server.push(&request).await.map_err(err)?;
    // The interviewer types on while the answer is under way.
    let local = s
        .get(RecordKind::Interview, Uuid::from_u128(90))
        .await
        .map_err(err)?;
    s.save(edited(local, |i| i.notes = "ab".into())?, 2_000)
        .await
        .map_err(err)?;
    s.acknowledge(&request.changes, &response.results)
        .await
        .map_err(err)?;
    let pending = s.pending(10).await.map_err(err)?;
    ensure!(
        pending.len() == 1,
        "{} waiting, expected the new edit",
        pending.len()
    );
    let waiting = &pending[0].record;
    ensure!(
        matches!(waiting, Record::Interview(i) if i.notes == "ab" && i.meta.rev == 1),
        "the waiting edit should keep its text and name rev 1: {waiting:?}"
    );
    sync(&s, &server).await?;
    let on_server = server.records.borrow()[&(RecordKind::Interview, Uuid::from_u128(90))]
        .1
        .clone();
    ensure!(
        matches!(&on_server, Record::Interview(i) if i.notes == "ab" && i.conflicts.is_empty()),
        "the server holds {on_server:?}"
    );
    Ok(())
}

async fn a_refused_change_is_set_aside_and_kept<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let server = FakeServer::new(100);
    s.save(company(1, "   "), 1_000).await.map_err(err)?; // no name: refused
    s.save(company(2, "Twee"), 1_000).await.map_err(err)?;
    sync(&s, &server).await?;
    ensure!(
        s.pending(10).await.map_err(err)?.is_empty(),
        "the refused change is still in the queue"
    );
    ensure!(
        s.get(RecordKind::Company, Uuid::from_u128(1))
            .await
            .map_err(err)?
            .is_some(),
        "the refused record is gone from the device"
    );
    ensure!(
        safe(&s, RecordKind::Company, Uuid::from_u128(2)).await?,
        "the good change behind it did not go through"
    );
    ensure!(
        !safe(&s, RecordKind::Company, Uuid::from_u128(1)).await?,
        "a refused record counts as safe"
    );
    Ok(())
}

async fn a_receipt_never_goes_back<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let receipt = |rev: u64, hash: &str| Receipt {
        kind: RecordKind::Company,
        id: Uuid::from_u128(1),
        rev,
        hash: hash.into(),
    };
    s.save_receipts(vec![receipt(2, "twee")])
        .await
        .map_err(err)?;
    s.save_receipts(vec![receipt(1, "een")])
        .await
        .map_err(err)?;
    let held = s
        .receipt(RecordKind::Company, Uuid::from_u128(1))
        .await
        .map_err(err)?;
    ensure!(held == Some(receipt(2, "twee")), "held {held:?}");
    s.save_receipts(vec![receipt(3, "drie")])
        .await
        .map_err(err)?;
    let held = s
        .receipt(RecordKind::Company, Uuid::from_u128(1))
        .await
        .map_err(err)?;
    ensure!(held == Some(receipt(3, "drie")), "held {held:?}");
    ensure!(
        s.receipt(RecordKind::Company, Uuid::from_u128(2))
            .await
            .map_err(err)?
            .is_none(),
        "a receipt for a record never seen"
    );
    Ok(())
}

async fn a_pull_keeps_waiting_edits_and_moves_the_cursor<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let with_rev = |record: Record, rev: u64| {
        let mut record = record;
        *record.meta_mut() = RecordMeta {
            rev,
            updated_at: 9_000,
            deleted: false,
        };
        record
    };
    s.save(company(1, "lokaal"), 1_000).await.map_err(err)?;
    let changed = s
        .apply_pulled(
            vec![
                pulled(with_rev(company(1, "van de server"), 5)),
                pulled(with_rev(company(2, "nieuw"), 1)),
            ],
            42,
        )
        .await
        .map_err(err)?;
    ensure!(changed == 1, "{changed} records changed, expected 1");
    ensure!(
        s.cursor().await.map_err(err)? == 42,
        "the cursor did not move"
    );
    let one = s
        .get(RecordKind::Company, Uuid::from_u128(1))
        .await
        .map_err(err)?;
    ensure!(
        matches!(&one, Some(Record::Company(c)) if c.name == "lokaal"),
        "a waiting edit was overwritten by a pull: {one:?}"
    );
    // An older or equal revision changes nothing.
    let changed = s
        .apply_pulled(vec![pulled(with_rev(company(2, "ouder"), 1))], 43)
        .await
        .map_err(err)?;
    let two = s
        .get(RecordKind::Company, Uuid::from_u128(2))
        .await
        .map_err(err)?;
    ensure!(
        changed == 0 && matches!(&two, Some(Record::Company(c)) if c.name == "nieuw"),
        "an equal revision replaced the local copy: {two:?}"
    );
    Ok(())
}

/// The receipt held for a record may be ahead of the local copy: an older server answered a merge
/// without the merged record. A store that skips pulled records by their receipt alone would
/// never take the merged copy; the pull must bring it in, and only then is the record safe.
async fn a_pulled_copy_is_taken_though_its_receipt_is_held<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let id = Uuid::from_u128(1);
    s.save(company(1, "lokaal"), 1_000).await.map_err(err)?;
    let seq = s.pending(10).await.map_err(err)?[0].seq;
    let mut merged = company(1, "samengevoegd");
    *merged.meta_mut() = RecordMeta {
        rev: 3,
        updated_at: 2_000,
        deleted: false,
    };
    let verdict = ChangeResult {
        seq,
        kind: RecordKind::Company,
        id,
        status: ChangeStatus::Merged,
        rev: 3,
        reason: None,
        refusal: None,
        hash: Some(record_hash(&merged)),
        record: None,
    };
    s.acknowledge(&[], &[verdict]).await.map_err(err)?;
    let held = s.receipt(RecordKind::Company, id).await.map_err(err)?;
    ensure!(
        held == Some(Receipt::for_record(&merged)),
        "acknowledge did not keep the verdict's receipt: {held:?}"
    );
    ensure!(
        !safe(&s, RecordKind::Company, id).await?,
        "safe while the device holds another copy than the server"
    );
    let changed = s
        .apply_pulled(vec![pulled(merged.clone())], 7)
        .await
        .map_err(err)?;
    let local = s.get(RecordKind::Company, id).await.map_err(err)?;
    ensure!(
        changed == 1 && local.as_ref() == Some(&merged),
        "the pulled copy was not taken ({changed} changed): {local:?}"
    );
    ensure!(
        safe(&s, RecordKind::Company, id).await?,
        "not safe after the pull"
    );
    // The same page again (a cursor reset) changes nothing and keeps it safe.
    let changed = s
        .apply_pulled(vec![pulled(merged.clone())], 8)
        .await
        .map_err(err)?;
    ensure!(changed == 0, "{changed} changed by the same page again");
    ensure!(
        s.cursor().await.map_err(err)? == 8,
        "the cursor did not move"
    );
    ensure!(
        safe(&s, RecordKind::Company, id).await?,
        "not safe after the same page again"
    );
    Ok(())
}

/// A pull's receipts follow the receipt rule: an older page (a cursor reset, a slow page) does not
/// undo a newer receipt, and the receipt kept is the server's (its hash as sent), even where the
/// device would hash its copy otherwise.
async fn a_pulled_receipt_never_undoes_a_newer_one<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let id = Uuid::from_u128(2);
    let mut newer = company(2, "nieuwer");
    newer.meta_mut().rev = 5;
    s.save_receipts(vec![Receipt::for_record(&newer)])
        .await
        .map_err(err)?;
    let mut older = company(2, "ouder");
    older.meta_mut().rev = 4;
    s.apply_pulled(vec![pulled(older.clone())], 3)
        .await
        .map_err(err)?;
    let held = s.receipt(RecordKind::Company, id).await.map_err(err)?;
    ensure!(
        held == Some(Receipt::for_record(&newer)),
        "an older page undid a newer receipt: {held:?}"
    );
    ensure!(
        !safe(&s, RecordKind::Company, id).await?,
        "safe on a receipt for another revision"
    );
    let mut third = company(3, "drie");
    third.meta_mut().rev = 1;
    let told = Receipt {
        hash: "zoals de server het bewaart".into(),
        ..Receipt::for_record(&third)
    };
    s.apply_pulled(
        vec![Pulled {
            record: third,
            receipt: told.clone(),
        }],
        4,
    )
    .await
    .map_err(err)?;
    let held = s
        .receipt(RecordKind::Company, Uuid::from_u128(3))
        .await
        .map_err(err)?;
    ensure!(
        held == Some(told),
        "the server's hash was not kept: {held:?}"
    );
    ensure!(
        !safe(&s, RecordKind::Company, Uuid::from_u128(3)).await?,
        "safe though the server's hash does not match the copy"
    );
    Ok(())
}

/// A round of many records (a store may read and delete them in bulk): another tablet's 30 pulled
/// into an empty store, then 40 of this tablet's pushed while one of them is edited again; the
/// edited one alone still waits, and after the next round every record is the server's and safe.
async fn many_records_in_one_round_end_equal_and_safe<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let server = FakeServer::new(500);
    let other = MemoryStore::new(Uuid::from_u128(0xB));
    for n in 101..=130 {
        other.save(company(n, &format!("Ander {n}")), 1_000);
    }
    sync(&other, &server).await?;
    sync(&s, &server).await?;
    for n in 1..=40 {
        s.save(company(n, &format!("Eigen {n}")), 2_000)
            .await
            .map_err(err)?;
    }
    let request = PushRequest {
        device_id: s.device_id().await.map_err(err)?,
        changes: s.pending(500).await.map_err(err)?,
    };
    ensure!(
        request.changes.len() == 40,
        "{} waiting",
        request.changes.len()
    );
    let response = server.push(&request).await.map_err(err)?;
    s.save(company(20, "Eigen 20, opnieuw"), 3_000)
        .await
        .map_err(err)?;
    s.acknowledge(&request.changes, &response.results)
        .await
        .map_err(err)?;
    let waiting: Vec<u128> = s
        .pending(500)
        .await
        .map_err(err)?
        .iter()
        .map(|c| c.record.id().as_u128())
        .collect();
    ensure!(waiting == [20], "waiting after the answer: {waiting:?}");
    sync(&s, &server).await?;
    ensure!(
        s.pending(500).await.map_err(err)?.is_empty(),
        "still waiting"
    );
    for n in (1..=40).chain(101..=130) {
        let local = s
            .get(RecordKind::Company, Uuid::from_u128(n))
            .await
            .map_err(err)?;
        let on_server = server.records.borrow()[&(RecordKind::Company, Uuid::from_u128(n))]
            .1
            .clone();
        ensure!(
            local.as_ref() == Some(&on_server),
            "company {n}: the tablet holds {local:?}, the server {on_server:?}"
        );
        ensure!(
            safe(&s, RecordKind::Company, Uuid::from_u128(n)).await?,
            "company {n} is not safe"
        );
    }
    Ok(())
}

async fn a_merge_with_another_tablet_ends_equal_and_safe<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let server = FakeServer::new(100);
    let other = MemoryStore::new(Uuid::from_u128(0xB));
    s.save(interview("begin"), 1_000).await.map_err(err)?;
    sync(&s, &server).await?;
    sync(&other, &server).await?;
    let theirs = edited(other.get(RecordKind::Interview, Uuid::from_u128(90)), |i| {
        i.notes = "van B".into()
    })?;
    other.save(theirs, 2_000);
    sync(&other, &server).await?;
    let local = s
        .get(RecordKind::Interview, Uuid::from_u128(90))
        .await
        .map_err(err)?;
    s.save(edited(local, |i| i.ambition = "van A".into())?, 3_000)
        .await
        .map_err(err)?;
    let report = sync_once(&s, &server).await.map_err(err)?;
    ensure!(report.merged == 1, "merged {}, expected 1", report.merged);
    let mine = s
        .get(RecordKind::Interview, Uuid::from_u128(90))
        .await
        .map_err(err)?;
    let on_server = server.records.borrow()[&(RecordKind::Interview, Uuid::from_u128(90))]
        .1
        .clone();
    ensure!(
        mine.as_ref() == Some(&on_server),
        "the tablet holds {mine:?}, the server {on_server:?}"
    );
    ensure!(
        matches!(&on_server, Record::Interview(i) if i.notes == "van B" && i.ambition == "van A"),
        "an edit was lost: {on_server:?}"
    );
    ensure!(
        safe(&s, RecordKind::Interview, Uuid::from_u128(90)).await?,
        "not safe after the merge"
    );
    Ok(())
}

async fn a_lost_answer_is_retried_once_and_ends_safe<S: EditableStore>(s: S) -> Outcome
where
    S::Error: Display,
{
    let server = FakeServer::new(100);
    s.save(company(1, "Een"), 1_000).await.map_err(err)?;
    *server.lose_answers.borrow_mut() = 1;
    ensure!(
        sync_once(&s, &server).await.is_err(),
        "a lost answer did not fail the round"
    );
    ensure!(
        s.pending(10).await.map_err(err)?.len() == 1,
        "the change left the outbox without an answer"
    );
    sync(&s, &server).await?;
    ensure!(
        *server.next_server_seq.borrow() == 1,
        "the retry was stored twice"
    );
    ensure!(
        safe(&s, RecordKind::Company, Uuid::from_u128(1)).await?,
        "not safe after the retry"
    );
    let stored = server.records.borrow()[&(RecordKind::Company, Uuid::from_u128(1))]
        .1
        .clone();
    let receipt = s
        .receipt(RecordKind::Company, Uuid::from_u128(1))
        .await
        .map_err(err)?;
    ensure!(
        receipt.is_some_and(|r| receipt_matches(&r, &stored)),
        "the receipt does not vouch for the stored record"
    );
    Ok(())
}

/// Runs every case, each on a fresh store from `fresh`; returns the failures as "case: why".
pub async fn check_all<S, F, Fut>(fresh: F) -> Vec<String>
where
    S: EditableStore,
    S::Error: Display,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    let mut failures = Vec::new();
    macro_rules! case {
        ($name:ident) => {
            if let Err(why) = $name(fresh().await).await {
                failures.push(format!("{}: {why}", stringify!($name)));
            }
        };
    }
    case!(device_id_is_stable);
    case!(edits_wait_in_order_one_per_record);
    case!(updated_at_never_goes_backwards);
    case!(an_applied_change_leaves_the_outbox_with_its_rev);
    case!(an_edit_during_the_push_keeps_waiting_on_the_new_rev);
    case!(a_refused_change_is_set_aside_and_kept);
    case!(a_receipt_never_goes_back);
    case!(a_pull_keeps_waiting_edits_and_moves_the_cursor);
    case!(a_pulled_copy_is_taken_though_its_receipt_is_held);
    case!(a_pulled_receipt_never_undoes_a_newer_one);
    case!(many_records_in_one_round_end_equal_and_safe);
    case!(a_merge_with_another_tablet_ends_equal_and_safe);
    case!(a_lost_answer_is_retried_once_and_ends_safe);
    failures
}

/// The number of cases [`check_all`] runs (so a runner can say how many passed).
pub const CASES: usize = 13;

impl EditableStore for MemoryStore {
    async fn save(&self, record: Record, now_ms: i64) -> Result<(), Self::Error> {
        MemoryStore::save(self, record, now_ms);
        Ok(())
    }

    async fn get(&self, kind: RecordKind, id: Uuid) -> Result<Option<Record>, Self::Error> {
        Ok(MemoryStore::get(self, kind, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_store_keeps_the_contract() {
        let failures = pollster::block_on(check_all(|| async {
            MemoryStore::new(Uuid::from_u128(0xA))
        }));
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
