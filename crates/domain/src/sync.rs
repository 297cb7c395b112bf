//! The sync engine: push the outbox, then pull what changed, over two narrow interfaces.
//!
//! [`LocalStore`] is the device's storage (IndexedDB in the app, [`memory::MemoryStore`] in tests);
//! [`Transport`] is the way to the server (HTTP in the app, a fake in tests). The engine holds no
//! state of its own: everything it needs to resume after a crash lives in the store.
//!
//! Receipts: every verdict of a push and every pulled record tells what the server now stores
//! (revision and [`crate::protocol::record_hash`]). The engine saves these [`Receipt`]s *before*
//! the step that records progress (acknowledging, moving the cursor), so a crash in between
//! repeats the step and its receipts rather than losing them. A record is safe on the server when
//! no change of it waits and its receipt matches the local copy ([`is_safe`]).

use std::fmt;

use uuid::Uuid;

use crate::model::{Record, RecordKind};
use crate::protocol::{
    receipt_matches, Change, ChangeResult, ChangeStatus, PullResponse, PushRequest, PushResponse,
    Receipt, MAX_PULL_LIMIT, MAX_PUSH_CHANGES,
};

/// The device side of sync. Each method is one atomic step (one IndexedDB transaction).
#[allow(async_fn_in_trait)] // single-threaded wasm: the futures need not be Send
pub trait LocalStore {
    type Error: std::error::Error;

    /// The id of this device's outbox, made once when the store is created.
    async fn device_id(&self) -> Result<Uuid, Self::Error>;
    /// Up to `limit` waiting changes in `seq` order, not counting those set aside.
    async fn pending(&self, limit: usize) -> Result<Vec<Change>, Self::Error>;
    /// Takes the server's verdicts: drops changes that reached the server (unless the record was
    /// edited again meanwhile, which gave it a higher `seq`), sets rejected ones aside with reason.
    /// Only `Applied` raises the local `rev` (to the result's): after `Merged` or `Superseded` the
    /// server holds something else, which the pull then brings because its `rev` is higher.
    async fn acknowledge(&self, results: &[ChangeResult]) -> Result<(), Self::Error>;
    /// Keeps receipts, one per record; a receipt with a lower `rev` than the one held is ignored
    /// (a late answer must not undo a newer one).
    async fn save_receipts(&self, receipts: Vec<Receipt>) -> Result<(), Self::Error>;
    /// The receipt held for a record, if any.
    async fn receipt(&self, kind: RecordKind, id: Uuid) -> Result<Option<Receipt>, Self::Error>;
    /// The pull cursor: everything up to it has been applied locally.
    async fn cursor(&self) -> Result<u64, Self::Error>;
    /// Applies pulled records (by [`crate::merge::accept_remote`]) and moves the cursor, atomically.
    /// Returns how many records changed locally.
    async fn apply_pulled(&self, records: Vec<Record>, cursor: u64) -> Result<usize, Self::Error>;
}

/// The way to the server.
#[allow(async_fn_in_trait)]
pub trait Transport {
    type Error: std::error::Error;

    async fn push(&self, request: &PushRequest) -> Result<PushResponse, Self::Error>;
    async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, Self::Error>;
}

/// Why a sync round stopped.
#[derive(Debug)]
pub enum SyncError<S, T> {
    Store(S),
    Transport(T),
    /// The server answered a push without a verdict for a change: sending it again would loop.
    NoProgress,
}

impl<S: fmt::Display, T: fmt::Display> fmt::Display for SyncError<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Store(e) => write!(f, "local storage: {e}"),
            SyncError::Transport(e) => write!(f, "server: {e}"),
            SyncError::NoProgress => f.write_str("server did not acknowledge the pushed changes"),
        }
    }
}

impl<S: fmt::Debug + fmt::Display, T: fmt::Debug + fmt::Display> std::error::Error
    for SyncError<S, T>
{
}

/// Whether a record is safe on the server: no change of it waits and the server's receipt vouches
/// for exactly this local copy.
pub fn is_safe(has_waiting_change: bool, receipt: Option<&Receipt>, local: &Record) -> bool {
    !has_waiting_change && receipt.is_some_and(|r| receipt_matches(r, local))
}

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: usize,
    pub rejected: usize,
    /// Changes the server merged with a concurrent edit (the merged record came with the pull).
    pub merged: usize,
    pub pulled: usize,
    pub cursor: u64,
}

/// Pushes every waiting change in batches, then pulls every page after the cursor.
pub async fn sync_once<S: LocalStore, T: Transport>(
    store: &S,
    transport: &T,
) -> Result<SyncReport, SyncError<S::Error, T::Error>> {
    let mut report = SyncReport::default();
    let device_id = store.device_id().await.map_err(SyncError::Store)?;
    loop {
        let changes = store
            .pending(MAX_PUSH_CHANGES)
            .await
            .map_err(SyncError::Store)?;
        if changes.is_empty() {
            break;
        }
        let sent = changes.len();
        let request = PushRequest { device_id, changes };
        let response = transport
            .push(&request)
            .await
            .map_err(SyncError::Transport)?;
        let answered = request
            .changes
            .iter()
            .all(|c| response.results.iter().any(|r| r.seq == c.seq));
        if !answered {
            return Err(SyncError::NoProgress);
        }
        let count = |status| {
            response
                .results
                .iter()
                .filter(|r| r.status == status)
                .count()
        };
        report.rejected += count(ChangeStatus::Rejected);
        report.merged += count(ChangeStatus::Merged);
        report.pushed += sent;
        let receipts: Vec<Receipt> = response
            .results
            .iter()
            .filter_map(ChangeResult::receipt)
            .collect();
        store
            .save_receipts(receipts)
            .await
            .map_err(SyncError::Store)?;
        store
            .acknowledge(&response.results)
            .await
            .map_err(SyncError::Store)?;
    }
    let mut cursor = store.cursor().await.map_err(SyncError::Store)?;
    loop {
        let page = transport
            .pull(cursor, MAX_PULL_LIMIT)
            .await
            .map_err(SyncError::Transport)?;
        let more = page.more && page.cursor > cursor;
        cursor = page.cursor.max(cursor);
        let receipts = page.records.iter().map(Receipt::for_record).collect();
        store
            .save_receipts(receipts)
            .await
            .map_err(SyncError::Store)?;
        report.pulled += store
            .apply_pulled(page.records, cursor)
            .await
            .map_err(SyncError::Store)?;
        if !more {
            break;
        }
    }
    report.cursor = cursor;
    Ok(report)
}

pub mod memory {
    //! An in-memory [`LocalStore`] with the same contract as the IndexedDB one: the reference the
    //! engine is tested against.

    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::convert::Infallible;

    use uuid::Uuid;

    use super::LocalStore;
    use crate::merge::{accept_remote, touch};
    use crate::model::{Record, RecordKind};
    use crate::protocol::{Change, ChangeResult, ChangeStatus, Receipt};

    #[derive(Debug, Default)]
    struct Inner {
        records: BTreeMap<(RecordKind, Uuid), Record>,
        /// One waiting change per record: `seq` and, once refused, the reason.
        outbox: BTreeMap<(RecordKind, Uuid), (u64, Option<String>)>,
        next_seq: u64,
        cursor: u64,
        receipts: BTreeMap<(RecordKind, Uuid), Receipt>,
    }

    #[derive(Debug)]
    pub struct MemoryStore {
        device_id: Uuid,
        inner: RefCell<Inner>,
    }

    impl MemoryStore {
        pub fn new(device_id: Uuid) -> Self {
            MemoryStore {
                device_id,
                inner: RefCell::new(Inner {
                    next_seq: 1,
                    ..Inner::default()
                }),
            }
        }

        /// A local edit: stores the record and queues it, as one step.
        pub fn save(&self, mut record: Record, now_ms: i64) {
            let mut inner = self.inner.borrow_mut();
            let key = (record.kind(), record.id());
            if let Some(old) = inner.records.get(&key) {
                record.meta_mut().updated_at = old.meta().updated_at;
            }
            touch(record.meta_mut(), now_ms);
            let seq = inner.next_seq;
            inner.next_seq += 1;
            inner.records.insert(key, record);
            inner.outbox.insert(key, (seq, None));
        }

        pub fn get(&self, kind: RecordKind, id: Uuid) -> Option<Record> {
            self.inner.borrow().records.get(&(kind, id)).cloned()
        }

        pub fn waiting(&self) -> usize {
            self.inner
                .borrow()
                .outbox
                .values()
                .filter(|(_, r)| r.is_none())
                .count()
        }

        /// See [`super::is_safe`].
        pub fn is_safe(&self, kind: RecordKind, id: Uuid) -> bool {
            let inner = self.inner.borrow();
            let key = (kind, id);
            inner.records.get(&key).is_some_and(|record| {
                super::is_safe(
                    inner.outbox.contains_key(&key),
                    inner.receipts.get(&key),
                    record,
                )
            })
        }

        pub fn set_aside(&self) -> Vec<String> {
            self.inner
                .borrow()
                .outbox
                .values()
                .filter_map(|(_, r)| r.clone())
                .collect()
        }
    }

    impl LocalStore for MemoryStore {
        type Error = Infallible;

        async fn device_id(&self) -> Result<Uuid, Infallible> {
            Ok(self.device_id)
        }

        async fn pending(&self, limit: usize) -> Result<Vec<Change>, Infallible> {
            let inner = self.inner.borrow();
            let mut changes: Vec<Change> = inner
                .outbox
                .iter()
                .filter(|(_, (_, rejected))| rejected.is_none())
                .map(|(key, (seq, _))| Change {
                    seq: *seq,
                    record: inner.records[key].clone(),
                })
                .collect();
            changes.sort_by_key(|c| c.seq);
            changes.truncate(limit);
            Ok(changes)
        }

        async fn acknowledge(&self, results: &[ChangeResult]) -> Result<(), Infallible> {
            let mut inner = self.inner.borrow_mut();
            for result in results {
                let key = (result.kind, result.id);
                let Some((seq, _)) = inner.outbox.get(&key).cloned() else {
                    continue;
                };
                if seq != result.seq {
                    continue; // edited again since; the newer change still has to go
                }
                if result.status == ChangeStatus::Rejected {
                    let reason = result.reason.clone().unwrap_or_else(|| "rejected".into());
                    inner.outbox.insert(key, (seq, Some(reason)));
                } else {
                    inner.outbox.remove(&key);
                    // Merged / Superseded: the local rev stays, so the pull's higher one wins.
                    if result.status == ChangeStatus::Applied {
                        if let Some(record) = inner.records.get_mut(&key) {
                            record.meta_mut().rev = result.rev;
                        }
                    }
                }
            }
            Ok(())
        }

        async fn save_receipts(&self, receipts: Vec<Receipt>) -> Result<(), Infallible> {
            let mut inner = self.inner.borrow_mut();
            for receipt in receipts {
                let key = (receipt.kind, receipt.id);
                if inner
                    .receipts
                    .get(&key)
                    .is_none_or(|held| held.rev <= receipt.rev)
                {
                    inner.receipts.insert(key, receipt);
                }
            }
            Ok(())
        }

        async fn receipt(&self, kind: RecordKind, id: Uuid) -> Result<Option<Receipt>, Infallible> {
            Ok(self.inner.borrow().receipts.get(&(kind, id)).cloned())
        }

        async fn cursor(&self) -> Result<u64, Infallible> {
            Ok(self.inner.borrow().cursor)
        }

        async fn apply_pulled(
            &self,
            records: Vec<Record>,
            cursor: u64,
        ) -> Result<usize, Infallible> {
            let mut inner = self.inner.borrow_mut();
            let mut changed = 0;
            for record in records {
                let key = (record.kind(), record.id());
                let pending = inner.outbox.contains_key(&key);
                if accept_remote(
                    inner.records.get(&key).map(Record::meta),
                    pending,
                    record.meta(),
                ) {
                    inner.records.insert(key, record);
                    changed += 1;
                }
            }
            inner.cursor = cursor;
            Ok(changed)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::convert::Infallible;

    use super::memory::MemoryStore;
    use super::*;
    use crate::merge::{apply_change, base_rev_needed, decide, Decision};
    use crate::model::{Company, Interview, PracticeAnswer, RecordKind};
    use crate::protocol::{record_hash, ChangeStatus};

    /// A server in memory with the same rules as the real one, to test the engine end to end.
    /// `merging` switches from last-writer-wins per record to the three-way merge.
    #[derive(Default)]
    struct FakeServer {
        merging: bool,
        records: RefCell<BTreeMap<(RecordKind, Uuid), (u64, Record)>>,
        /// Every revision ever stored: the bases of merges.
        revisions: RefCell<BTreeMap<(RecordKind, Uuid, u64), Record>>,
        last_seq: RefCell<BTreeMap<Uuid, u64>>,
        next_server_seq: RefCell<u64>,
        pushes: RefCell<usize>,
        page_size: u32,
    }

    impl Transport for FakeServer {
        type Error = Infallible;

        async fn push(&self, request: &PushRequest) -> Result<PushResponse, Infallible> {
            *self.pushes.borrow_mut() += 1;
            let mut last = self
                .last_seq
                .borrow()
                .get(&request.device_id)
                .copied()
                .unwrap_or(0);
            let mut results = Vec::new();
            for change in &request.changes {
                let key = (change.record.kind(), change.record.id());
                let (status, rev, reason) = if change.seq <= last {
                    let rev = self
                        .records
                        .borrow()
                        .get(&key)
                        .map_or(0, |(_, r)| r.meta().rev);
                    (ChangeStatus::Duplicate, rev, None)
                } else if let Err(e) = change.record.validate() {
                    (ChangeStatus::Rejected, 0, Some(e.to_string()))
                } else if self.merging {
                    let stored = self.records.borrow().get(&key).map(|(_, r)| r.clone());
                    let base =
                        base_rev_needed(stored.as_ref().map(Record::meta), change.record.meta())
                            .and_then(|rev| {
                                self.revisions.borrow().get(&(key.0, key.1, rev)).cloned()
                            });
                    let outcome = apply_change(stored.as_ref(), base.as_ref(), &change.record)
                        .expect("records of one key merge");
                    if let Some(record) = outcome.record {
                        self.store(record);
                    }
                    (outcome.status, outcome.rev, None)
                } else {
                    let existing = self.records.borrow().get(&key).map(|(_, r)| *r.meta());
                    match decide(existing.as_ref(), change.record.meta()) {
                        Decision::Insert | Decision::Replace { .. } => {
                            let rev = existing.map_or(1, |m| m.rev + 1);
                            let mut record = change.record.clone();
                            record.meta_mut().rev = rev;
                            self.store(record);
                            (ChangeStatus::Applied, rev, None)
                        }
                        Decision::Superseded { rev } => (ChangeStatus::Superseded, rev, None),
                    }
                };
                last = last.max(change.seq);
                let hash = match status {
                    ChangeStatus::Rejected => None,
                    _ => self.records.borrow().get(&key).map(|(_, r)| record_hash(r)),
                };
                results.push(ChangeResult {
                    seq: change.seq,
                    kind: key.0,
                    id: key.1,
                    status,
                    rev,
                    reason,
                    hash,
                });
            }
            self.last_seq.borrow_mut().insert(request.device_id, last);
            Ok(PushResponse {
                last_seq: last,
                results,
            })
        }

        async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, Infallible> {
            let limit = limit.min(self.page_size.max(1)) as usize;
            let mut rows: Vec<(u64, Record)> = self
                .records
                .borrow()
                .values()
                .filter(|(seq, _)| *seq > since)
                .cloned()
                .collect();
            rows.sort_by_key(|(seq, _)| *seq);
            let more = rows.len() > limit;
            rows.truncate(limit);
            let cursor = rows.last().map_or(since, |(seq, _)| *seq);
            Ok(PullResponse {
                records: rows.into_iter().map(|(_, r)| r).collect(),
                cursor,
                more,
            })
        }
    }

    impl FakeServer {
        fn store(&self, record: Record) {
            let key = (record.kind(), record.id());
            *self.next_server_seq.borrow_mut() += 1;
            let server_seq = *self.next_server_seq.borrow();
            self.revisions
                .borrow_mut()
                .insert((key.0, key.1, record.meta().rev), record.clone());
            self.records.borrow_mut().insert(key, (server_seq, record));
        }
    }

    fn server(page_size: u32) -> FakeServer {
        FakeServer {
            page_size,
            ..FakeServer::default()
        }
    }

    fn company(n: u128, name: &str) -> Record {
        Record::Company(Company {
            id: Uuid::from_u128(n),
            name: name.into(),
            municipality: "Nieuwkoop".into(),
            ..Company::default()
        })
    }

    fn sync(store: &MemoryStore, server: &FakeServer) -> SyncReport {
        pollster::block_on(sync_once(store, server)).unwrap()
    }

    #[test]
    fn edits_reach_the_server_and_another_device() {
        let server = server(2);
        let tablet = MemoryStore::new(Uuid::from_u128(100));
        for n in 1..=5 {
            tablet.save(company(n, &format!("Bedrijf {n}")), 1_000);
        }
        let report = sync(&tablet, &server);
        assert_eq!(report.pushed, 5);
        assert_eq!(tablet.waiting(), 0);
        assert_eq!(server.records.borrow().len(), 5);

        // A second device pulls all five in pages of two.
        let office = MemoryStore::new(Uuid::from_u128(200));
        let report = sync(&office, &server);
        assert_eq!(report.pulled, 5);
        assert_eq!(report.cursor, 5);
        let Some(Record::Company(c)) = office.get(RecordKind::Company, Uuid::from_u128(3)) else {
            panic!("company 3 missing on the second device");
        };
        assert_eq!(c.name, "Bedrijf 3");
        assert_eq!(c.meta.rev, 1);
    }

    #[test]
    fn many_edits_of_one_record_travel_as_one_change() {
        let server = server(100);
        let tablet = MemoryStore::new(Uuid::from_u128(100));
        for i in 0..50 {
            tablet.save(company(1, &format!("Naam {i}")), 1_000 + i);
        }
        let report = sync(&tablet, &server);
        assert_eq!(report.pushed, 1);
        let (_, stored) = &server.records.borrow()[&(RecordKind::Company, Uuid::from_u128(1))];
        assert!(matches!(stored, Record::Company(c) if c.name == "Naam 49"));
    }

    #[test]
    fn retried_push_is_applied_once() {
        let server = server(100);
        let device = Uuid::from_u128(100);
        let tablet = MemoryStore::new(device);
        tablet.save(company(1, "Eerste"), 1_000);
        let changes = pollster::block_on(tablet.pending(10)).unwrap();
        let request = PushRequest {
            device_id: device,
            changes,
        };
        let first = pollster::block_on(server.push(&request)).unwrap();
        let again = pollster::block_on(server.push(&request)).unwrap();
        assert_eq!(first.results[0].status, ChangeStatus::Applied);
        assert_eq!(again.results[0].status, ChangeStatus::Duplicate);
        assert_eq!(*server.next_server_seq.borrow(), 1);
    }

    #[test]
    fn rejected_change_is_set_aside_and_does_not_block_the_queue() {
        let server = server(100);
        let tablet = MemoryStore::new(Uuid::from_u128(100));
        tablet.save(company(1, "   "), 1_000); // empty name: refused by the server
        tablet.save(company(2, "Goed Bedrijf"), 1_000);
        let report = sync(&tablet, &server);
        assert_eq!(report.rejected, 1);
        assert_eq!(tablet.waiting(), 0);
        assert_eq!(
            tablet.set_aside(),
            vec!["name must not be empty".to_string()]
        );
        assert!(server
            .records
            .borrow()
            .contains_key(&(RecordKind::Company, Uuid::from_u128(2))));
        // The refused record is still on the device.
        assert!(tablet
            .get(RecordKind::Company, Uuid::from_u128(1))
            .is_some());
        // A second round does not resend it.
        let pushes = *server.pushes.borrow();
        sync(&tablet, &server);
        assert_eq!(*server.pushes.borrow(), pushes);
    }

    #[test]
    fn local_edit_waiting_is_not_overwritten_by_pull() {
        let server = server(100);
        let a = MemoryStore::new(Uuid::from_u128(1));
        let b = MemoryStore::new(Uuid::from_u128(2));
        let interview = Record::Interview(Interview {
            id: Uuid::from_u128(9),
            company_id: Uuid::from_u128(1),
            notes: "van A".into(),
            ..Interview::default()
        });
        a.save(interview.clone(), 1_000);
        sync(&a, &server);
        sync(&b, &server);
        // B edits later but has not synced; A edits earlier and syncs first.
        let mut from_b = b.get(RecordKind::Interview, Uuid::from_u128(9)).unwrap();
        if let Record::Interview(i) = &mut from_b {
            i.notes = "van B".into();
        }
        b.save(from_b, 3_000);
        let mut from_a = a.get(RecordKind::Interview, Uuid::from_u128(9)).unwrap();
        if let Record::Interview(i) = &mut from_a {
            i.notes = "nieuw van A".into();
        }
        a.save(from_a, 2_000);
        sync(&a, &server);
        // B's pull must not drop its waiting edit; its push then wins as the later edit.
        sync(&b, &server);
        sync(&a, &server);
        for device in [&a, &b] {
            let Some(Record::Interview(i)) = device.get(RecordKind::Interview, Uuid::from_u128(9))
            else {
                panic!("interview missing");
            };
            assert_eq!(i.notes, "van B");
        }
    }

    fn merging_server() -> FakeServer {
        FakeServer {
            merging: true,
            page_size: 100,
            ..FakeServer::default()
        }
    }

    const INTERVIEW: u128 = 9;

    fn get_interview(device: &MemoryStore) -> Interview {
        match device.get(RecordKind::Interview, Uuid::from_u128(INTERVIEW)) {
            Some(Record::Interview(i)) => i,
            other => panic!("interview missing: {other:?}"),
        }
    }

    fn edit_interview(device: &MemoryStore, now: i64, f: impl FnOnce(&mut Interview)) {
        let mut i = get_interview(device);
        f(&mut i);
        device.save(Record::Interview(i), now);
    }

    /// Two tablets holding the same synced interview.
    fn two_tablets(server: &FakeServer) -> (MemoryStore, MemoryStore) {
        let a = MemoryStore::new(Uuid::from_u128(1));
        let b = MemoryStore::new(Uuid::from_u128(2));
        a.save(
            Record::Interview(Interview {
                id: Uuid::from_u128(INTERVIEW),
                company_id: Uuid::from_u128(1),
                notes: "begin".into(),
                ..Interview::default()
            }),
            1_000,
        );
        sync(&a, server);
        sync(&b, server);
        for device in [&a, &b] {
            assert!(device.is_safe(RecordKind::Interview, Uuid::from_u128(INTERVIEW)));
        }
        (a, b)
    }

    fn assert_same_and_safe(a: &MemoryStore, b: &MemoryStore, server: &FakeServer) {
        let key = (RecordKind::Interview, Uuid::from_u128(INTERVIEW));
        let on_server = server.records.borrow()[&key].1.clone();
        for device in [a, b] {
            assert_eq!(device.get(key.0, key.1).as_ref(), Some(&on_server));
            assert!(device.is_safe(key.0, key.1));
            let receipt = pollster::block_on(device.receipt(key.0, key.1))
                .unwrap()
                .unwrap();
            assert!(receipt_matches(&receipt, &on_server));
        }
    }

    #[test]
    fn different_fields_on_two_tablets_end_merged_on_both() {
        let server = merging_server();
        let (a, b) = two_tablets(&server);
        edit_interview(&a, 2_000, |i| i.notes = "notities van A".into());
        edit_interview(&b, 3_000, |i| {
            i.ambition = "ambitie van B".into();
            i.set_answer(
                "GR-01",
                PracticeAnswer {
                    now: true,
                    ..PracticeAnswer::default()
                },
            );
        });
        assert!(!a.is_safe(RecordKind::Interview, Uuid::from_u128(INTERVIEW)));
        let report = sync(&a, &server);
        assert_eq!(report.merged, 0);
        assert!(a.is_safe(RecordKind::Interview, Uuid::from_u128(INTERVIEW)));
        let report = sync(&b, &server);
        assert_eq!(report.merged, 1);
        // The same round's pull brought the merged record.
        assert_eq!(b.waiting(), 0);
        let merged = get_interview(&b);
        assert_eq!(merged.notes, "notities van A");
        assert_eq!(merged.ambition, "ambitie van B");
        assert!(merged.answer("GR-01").now);
        assert!(merged.conflicts.is_empty());
        assert_eq!(merged.meta.rev, 3);
        sync(&a, &server);
        assert_same_and_safe(&a, &b, &server);
    }

    #[test]
    fn same_field_on_two_tablets_ends_as_one_conflict_on_both() {
        let server = merging_server();
        let (a, b) = two_tablets(&server);
        edit_interview(&a, 2_000, |i| i.notes = "A".into());
        edit_interview(&b, 3_000, |i| i.notes = "B".into());
        sync(&a, &server);
        let report = sync(&b, &server);
        assert_eq!(report.merged, 1);
        sync(&a, &server);
        assert_same_and_safe(&a, &b, &server);
        for device in [&a, &b] {
            let i = get_interview(device);
            assert_eq!(i.notes, "B");
            assert_eq!(i.conflicts.len(), 1);
            let c = &i.conflicts[0];
            assert_eq!(c.path, "/notes");
            assert_eq!((c.kept.as_str(), c.other.as_str()), (Some("B"), Some("A")));
        }

        // A resolves it; the resolution reaches B as an ordinary edit.
        let mut chosen = Record::Interview(get_interview(&a));
        let id = chosen.conflicts()[0].id.clone();
        crate::merge::resolve_conflict(&mut chosen, &id, crate::merge::Choice::Other).unwrap();
        a.save(chosen, 4_000);
        sync(&a, &server);
        sync(&b, &server);
        assert_same_and_safe(&a, &b, &server);
        assert_eq!(get_interview(&b).notes, "A");
        assert!(get_interview(&b).conflicts.is_empty());
    }

    #[test]
    fn a_duplicate_push_still_gives_a_receipt() {
        let server = merging_server();
        let tablet = MemoryStore::new(Uuid::from_u128(1));
        tablet.save(company(1, "Eerste"), 1_000);
        let request = PushRequest {
            device_id: Uuid::from_u128(1),
            changes: pollster::block_on(tablet.pending(10)).unwrap(),
        };
        // The first answer is lost on the way back.
        pollster::block_on(server.push(&request)).unwrap();
        sync(&tablet, &server);
        assert!(tablet.is_safe(RecordKind::Company, Uuid::from_u128(1)));
        let again = pollster::block_on(server.push(&request)).unwrap();
        assert_eq!(again.results[0].status, ChangeStatus::Duplicate);
        assert!(again.results[0].hash.is_some());
    }

    #[test]
    fn rejected_change_is_set_aside_with_the_merging_server_too() {
        let server = merging_server();
        let tablet = MemoryStore::new(Uuid::from_u128(100));
        tablet.save(company(1, " "), 1_000);
        tablet.save(company(2, "Goed"), 1_000);
        let report = sync(&tablet, &server);
        assert_eq!(report.rejected, 1);
        assert_eq!(tablet.waiting(), 0);
        assert!(tablet.is_safe(RecordKind::Company, Uuid::from_u128(2)));
        assert!(!tablet.is_safe(RecordKind::Company, Uuid::from_u128(1)));
    }

    #[test]
    fn an_export_imported_twice_or_after_a_partial_sync_applies_nothing_twice() {
        let server = merging_server();
        let tablet = MemoryStore::new(Uuid::from_u128(100));
        tablet.save(company(1, "Een"), 1_000);
        tablet.save(company(2, "Twee"), 1_000);
        let bundle = crate::export::ExportBundle::new(
            Uuid::from_u128(100),
            5_000,
            pollster::block_on(tablet.pending(usize::MAX)).unwrap(),
            &[],
        );
        // The tablet gets through with the first change only, then the file is imported twice
        // (on another device's connection: the pushes carry the original device id).
        let first = PushRequest {
            device_id: Uuid::from_u128(100),
            changes: bundle.changes[..1].to_vec(),
        };
        pollster::block_on(server.push(&first)).unwrap();
        let statuses = |bundle: &crate::export::ExportBundle| -> Vec<ChangeStatus> {
            bundle
                .push_requests()
                .iter()
                .flat_map(|p| pollster::block_on(server.push(p)).unwrap().results)
                .map(|r| r.status)
                .collect()
        };
        assert_eq!(
            statuses(&bundle),
            [ChangeStatus::Duplicate, ChangeStatus::Applied]
        );
        assert_eq!(
            statuses(&bundle),
            [ChangeStatus::Duplicate, ChangeStatus::Duplicate]
        );
        assert_eq!(*server.next_server_seq.borrow(), 2);
        // The tablet itself syncs later: nothing applied again, and it ends safe.
        sync(&tablet, &server);
        assert_eq!(*server.next_server_seq.borrow(), 2);
        assert!(tablet.is_safe(RecordKind::Company, Uuid::from_u128(2)));
    }
}
