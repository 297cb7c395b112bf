//! The sync engine: push the outbox, then pull what changed, over two narrow interfaces.
//!
//! [`LocalStore`] is the device's storage (IndexedDB in the app, [`memory::MemoryStore`] in tests);
//! [`Transport`] is the way to the server (HTTP in the app, a fake in tests). The engine holds no
//! state of its own: everything it needs to resume after a crash lives in the store.
//!
//! Receipts: every verdict of a push and every pulled record tells what the server now stores
//! (revision and [`crate::protocol::record_hash`], as the server computed it: a pull carries the
//! hashes, so the device does not hash what the server already hashed). The store keeps these
//! [`Receipt`]s in the same atomic step that records progress (acknowledging, moving the cursor),
//! so a crash repeats the step and its receipts together rather than losing either. A record is
//! safe on the server when no change of it waits and its receipt matches the local copy
//! ([`is_safe`]).

use std::fmt;

use uuid::Uuid;

use crate::model::{Record, RecordKind, SyncedRecord};
use crate::protocol::{
    receipt_matches, receipt_matches_hash, Change, ChangeResult, ChangeStatus, PullResponse,
    PushRequest, PushResponse, Receipt, MAX_PULL_LIMIT, MAX_PUSH_CHANGES,
};
use crate::refusal::Reason;

/// Keeps `receipt` in `held` unless the one held has a higher `rev` (a late answer must not undo
/// a newer one); whether `held` changed. Every store keeps receipts by this rule.
pub fn keep_receipt(held: &mut Option<Receipt>, receipt: Receipt) -> bool {
    match held {
        Some(h) if h.rev > receipt.rev || *h == receipt => false,
        _ => {
            *held = Some(receipt);
            true
        }
    }
}

/// The device side of sync. Each method is one atomic step (one IndexedDB transaction).
#[allow(async_fn_in_trait)] // single-threaded wasm: the futures need not be Send
pub trait LocalStore {
    type Error: std::error::Error;

    /// The id of this device's outbox, made once when the store is created.
    async fn device_id(&self) -> Result<Uuid, Self::Error>;
    /// Up to `limit` waiting changes in `seq` order, not counting those set aside.
    async fn pending(&self, limit: usize) -> Result<Vec<Change>, Self::Error>;
    /// Takes the server's verdicts, each as [`on_verdict`] says, and keeps the receipt each
    /// carries (as [`LocalStore::save_receipts`] does), in one atomic step. `sent` is what
    /// [`LocalStore::pending`] gave for the push they answer (or nothing): where a change still
    /// waits under the `seq` it was sent with, nothing changed the record since, so a store may
    /// take the sent copy as its local one instead of reading it again.
    async fn acknowledge(
        &self,
        sent: &[Change],
        results: &[ChangeResult],
    ) -> Result<(), Self::Error>;
    /// Keeps receipts, one per record; a receipt with a lower `rev` than the one held is ignored
    /// (a late answer must not undo a newer one).
    async fn save_receipts(&self, receipts: Vec<Receipt>) -> Result<(), Self::Error>;
    /// The receipt held for a record, if any.
    async fn receipt(&self, kind: RecordKind, id: Uuid) -> Result<Option<Receipt>, Self::Error>;
    /// The pull cursor: everything up to it has been applied locally.
    async fn cursor(&self) -> Result<u64, Self::Error>;
    /// Keeps the pulled records' receipts (as [`LocalStore::save_receipts`] does), applies the
    /// records (by [`crate::merge::accept_remote`], which needs only the local copy's meta) and
    /// moves the cursor, in one atomic step. Returns how many records changed locally.
    ///
    /// A pulled record the device already holds as it is (nothing waits, the local revision is
    /// the pulled one, the receipt held is the pulled one: what a device's own push brings back)
    /// changes nothing, so a store may skip it without writing.
    async fn apply_pulled(&self, pulled: Vec<Pulled>, cursor: u64) -> Result<usize, Self::Error>;
}

/// A pulled record with the server's receipt for it ([`PullResponse::receipts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Pulled {
    pub record: Record,
    pub receipt: Receipt,
}

impl Pulled {
    /// The records of a page, each with its receipt.
    pub fn page(page: PullResponse) -> Vec<Pulled> {
        let receipts = page.receipts();
        page.records
            .into_iter()
            .zip(receipts)
            .map(|(record, receipt)| Pulled { record, receipt })
            .collect()
    }
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

/// [`is_safe`] with the local copy's hash already known (`protocol::hash_of`), for a device
/// that keeps hashes per record change instead of hashing at every look.
pub fn is_safe_hashed<T: SyncedRecord>(
    has_waiting_change: bool,
    receipt: Option<&Receipt>,
    local: &T,
    hash: &str,
) -> bool {
    !has_waiting_change && receipt.is_some_and(|r| receipt_matches_hash(r, local, hash))
}

/// What a device does with one verdict (`result`) for a record it holds as `local`, whose
/// waiting change has `waiting_seq` (`None`: nothing waits).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VerdictStep {
    /// Drop the waiting change: it reached the server.
    pub done: bool,
    /// Keep the waiting change but set it aside with this reason (the server's code, when it
    /// sent one, and its sentence).
    pub set_aside: Option<Reason>,
    /// Write this as the local record.
    pub write: Option<Record>,
}

/// The device's rule for a verdict. The local `rev` is the base the device's next change names,
/// so it must describe what the device's copy was built on:
///
/// - `Applied`: the server stores exactly what was sent, so that revision is the base, even when
///   the record was edited again while the push was in flight (the new edit builds on the sent
///   copy);
/// - `Merged`, `Superseded`, `Duplicate` carry the server's copy: a device with no newer edit
///   takes it (as a pull would); one that edited meanwhile keeps its copy and older `rev`, and
///   the server merges its next change against what it sent ([`crate::push::Lineage`]);
/// - `Rejected` sets the waiting change aside (only if it is the one refused).
pub fn on_verdict(
    waiting_seq: Option<u64>,
    local: Option<&Record>,
    result: &ChangeResult,
) -> VerdictStep {
    let this_one = waiting_seq == Some(result.seq);
    let mut step = VerdictStep::default();
    if result.status == ChangeStatus::Rejected {
        if this_one {
            step.set_aside = result.rejection();
        }
        return step;
    }
    step.done = this_one;
    let Some(local) = local else {
        return step;
    };
    let local_rev = local.meta().rev;
    if result.status == ChangeStatus::Applied {
        if result.rev > local_rev {
            let mut record = local.clone();
            record.meta_mut().rev = result.rev;
            step.write = Some(record);
        }
    } else if waiting_seq.is_none() || this_one {
        step.write = result
            .record
            .as_ref()
            .filter(|r| r.kind() == local.kind() && r.id() == local.id())
            .filter(|r| r.meta().rev > local_rev || (this_one && r.meta().rev >= local_rev))
            .filter(|r| r != &local)
            .cloned();
    }
    step
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

/// Pushes every waiting change in batches, then pulls every page after the cursor. The first page
/// is asked for while what is likely the last batch's verdicts are taken (the request needs
/// nothing of them; the page is applied after them). That page is used only when it is still the
/// one the round would ask for: no later batch went up (a merge answered without its record could
/// else be overtaken by an older copy of the page) and the cursor did not move meanwhile (a
/// sign-in resets it to pull what the new account may see).
pub async fn sync_once<S: LocalStore, T: Transport>(
    store: &S,
    transport: &T,
) -> Result<SyncReport, SyncError<S::Error, T::Error>> {
    let mut report = SyncReport::default();
    let device_id = store.device_id().await.map_err(SyncError::Store)?;
    let mut cursor = store.cursor().await.map_err(SyncError::Store)?;
    let mut first_page = None;
    loop {
        let changes = store
            .pending(MAX_PUSH_CHANGES)
            .await
            .map_err(SyncError::Store)?;
        if changes.is_empty() {
            break;
        }
        // Another batch after the early page: that page may predate this batch's verdicts.
        first_page = None;
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
        let acknowledged = if sent < MAX_PUSH_CHANGES {
            // Likely the last batch: ask for the first page meanwhile.
            let (acknowledged, page) = both(
                store.acknowledge(&request.changes, &response.results),
                transport.pull(cursor, MAX_PULL_LIMIT),
            )
            .await;
            first_page = Some(page);
            acknowledged
        } else {
            store.acknowledge(&request.changes, &response.results).await
        };
        acknowledged.map_err(SyncError::Store)?;
    }
    let now = store.cursor().await.map_err(SyncError::Store)?;
    if now != cursor {
        first_page = None;
        cursor = now;
    }
    loop {
        let page = match first_page.take() {
            Some(page) => page,
            None => transport.pull(cursor, MAX_PULL_LIMIT).await,
        }
        .map_err(SyncError::Transport)?;
        let more = page.more && page.cursor > cursor;
        cursor = page.cursor.max(cursor);
        report.pulled += store
            .apply_pulled(Pulled::page(page), cursor)
            .await
            .map_err(SyncError::Store)?;
        if !more {
            break;
        }
    }
    report.cursor = cursor;
    Ok(report)
}

/// Runs two futures at once, `a` first; both outputs (the domain has no async runtime or
/// `futures` crate).
async fn both<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    use std::task::Poll;
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(out) = a.as_mut().poll(cx) {
                ra = Some(out);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(out) = b.as_mut().poll(cx) {
                rb = Some(out);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    match (ra, rb) {
        (Some(a), Some(b)) => (a, b),
        _ => unreachable!("both futures are ready"),
    }
}

pub mod contract;
pub mod fake_server;

pub mod memory {
    //! An in-memory [`LocalStore`] with the same contract as the IndexedDB one: the reference the
    //! engine is tested against.

    use std::cell::RefCell;
    use std::collections::BTreeMap;
    use std::convert::Infallible;

    use uuid::Uuid;

    use super::{keep_receipt, LocalStore, Pulled};
    use crate::merge::{accept_remote, touch};
    use crate::model::{Record, RecordKind};
    use crate::protocol::{Change, ChangeResult, Receipt};
    use crate::refusal::Reason;

    #[derive(Debug, Default)]
    struct Inner {
        records: BTreeMap<(RecordKind, Uuid), Record>,
        /// One waiting change per record: `seq` and, once refused, the reason.
        outbox: BTreeMap<(RecordKind, Uuid), (u64, Option<Reason>)>,
        next_seq: u64,
        cursor: u64,
        receipts: BTreeMap<(RecordKind, Uuid), Receipt>,
    }

    impl Inner {
        fn keep(&mut self, receipts: impl IntoIterator<Item = Receipt>) {
            for receipt in receipts {
                let key = (receipt.kind, receipt.id);
                let mut held = self.receipts.remove(&key);
                keep_receipt(&mut held, receipt);
                if let Some(held) = held {
                    self.receipts.insert(key, held);
                }
            }
        }
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

        /// The sentences of the changes set aside.
        pub fn set_aside(&self) -> Vec<String> {
            self.set_aside_reasons()
                .into_iter()
                .map(|r| r.text)
                .collect()
        }

        /// The reasons of the changes set aside, codes included.
        pub fn set_aside_reasons(&self) -> Vec<Reason> {
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

        async fn acknowledge(
            &self,
            _sent: &[Change],
            results: &[ChangeResult],
        ) -> Result<(), Infallible> {
            let mut inner = self.inner.borrow_mut();
            inner.keep(results.iter().filter_map(ChangeResult::receipt));
            for result in results {
                let key = (result.kind, result.id);
                let waiting = inner.outbox.get(&key).map(|(seq, _)| *seq);
                let step = super::on_verdict(waiting, inner.records.get(&key), result);
                if let Some(reason) = step.set_aside {
                    if let Some(entry) = inner.outbox.get_mut(&key) {
                        entry.1 = Some(reason);
                    }
                }
                if step.done {
                    inner.outbox.remove(&key);
                }
                if let Some(record) = step.write {
                    inner.records.insert(key, record);
                }
            }
            Ok(())
        }

        async fn save_receipts(&self, receipts: Vec<Receipt>) -> Result<(), Infallible> {
            self.inner.borrow_mut().keep(receipts);
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
            pulled: Vec<Pulled>,
            cursor: u64,
        ) -> Result<usize, Infallible> {
            let mut inner = self.inner.borrow_mut();
            let (records, receipts): (Vec<Record>, Vec<Receipt>) =
                pulled.into_iter().map(|p| (p.record, p.receipt)).unzip();
            inner.keep(receipts);
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

    use super::fake_server::{AsDevice, FakeServer, Lost};
    use super::memory::MemoryStore;
    use super::*;
    use crate::model::{Company, Interview, PracticeAnswer, RecordKind};
    use crate::protocol::ChangeStatus;

    fn server(page_size: u32) -> FakeServer {
        FakeServer::new(page_size)
    }

    fn company(n: u128, name: &str) -> Record {
        Record::Company(Company {
            id: Uuid::from_u128(n),
            name: name.into(),
            municipality: "Nieuwkoop".into(),
            ..Company::default()
        })
    }

    /// One round, pulling with `skip_own` as the app does.
    fn sync(store: &MemoryStore, server: &FakeServer) -> SyncReport {
        let device = pollster::block_on(store.device_id()).unwrap();
        pollster::block_on(sync_once(store, &AsDevice(server, device))).unwrap()
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
    fn what_a_device_pushed_is_not_sent_back_yet_it_holds_the_stored_copy_and_cursor() {
        let server = server(2);
        let tablet = MemoryStore::new(Uuid::from_u128(100));
        for n in 1..=5 {
            tablet.save(company(n, &format!("Bedrijf {n}")), 1_000);
        }
        let report = sync(&tablet, &server);
        assert_eq!((report.pushed, report.pulled), (5, 0));
        // The skipped rows still move the cursor: the next round asks for nothing old.
        assert_eq!(report.cursor, 5);
        for n in 1..=5 {
            let key = (RecordKind::Company, Uuid::from_u128(n));
            let stored = server.records.borrow()[&key].1.clone();
            assert_eq!(tablet.get(key.0, key.1), Some(stored));
            assert!(tablet.is_safe(key.0, key.1));
        }
        // Another device's edit of one of them comes back to the tablet.
        let office = MemoryStore::new(Uuid::from_u128(200));
        sync(&office, &server);
        office.save(company(3, "Bedrijf drie"), 2_000);
        sync(&office, &server);
        let report = sync(&tablet, &server);
        assert_eq!(report.pulled, 1);
        let Some(Record::Company(c)) = tablet.get(RecordKind::Company, Uuid::from_u128(3)) else {
            panic!("company 3 missing");
        };
        assert_eq!((c.name.as_str(), c.meta.rev), ("Bedrijf drie", 2));
        // The office's copy was built on no revision, so the server merged it: a merge goes back
        // to its sender too (it holds only its own side).
        let key = (RecordKind::Company, Uuid::from_u128(3));
        assert_eq!(server.written_by.borrow().get(&key), None);
        assert_eq!(server.written_by.borrow().len(), 4);
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
        server(100)
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

    /// ABA: A ticks and unticks GR-06 (two revisions); B, which never saw the tick, ticks it.
    /// Before the history-aware merge B's tick replaced A's untick silently.
    #[test]
    fn a_tick_taken_back_on_one_tablet_and_set_on_the_other_is_a_conflict_on_both() {
        let server = merging_server();
        let (a, b) = two_tablets(&server);
        edit_interview(&a, 2_000, |i| tick_now(i, "GR-06", true));
        sync(&a, &server);
        edit_interview(&a, 3_000, |i| tick_now(i, "GR-06", false));
        sync(&a, &server);
        edit_interview(&b, 4_000, |i| tick_now(i, "GR-06", true));
        let report = sync(&b, &server);
        assert_eq!(report.merged, 1);
        sync(&a, &server);
        assert_same_and_safe(&a, &b, &server);
        for device in [&a, &b] {
            let i = get_interview(device);
            assert_eq!(i.conflicts.len(), 1, "{:?}", i.conflicts);
            let c = &i.conflicts[0];
            assert_eq!(c.path, "/answers/GR-06/now");
            assert_eq!(
                (c.kept.as_bool(), c.other.as_bool()),
                (Some(true), Some(false))
            );
        }
    }

    #[test]
    fn a_server_without_hashes_in_its_pulls_still_leaves_records_safe() {
        let server = server(100);
        *server.pulls_without_hashes.borrow_mut() = true;
        let tablet = MemoryStore::new(Uuid::from_u128(100));
        tablet.save(company(1, "Een"), 1_000);
        sync(&tablet, &server);
        let office = MemoryStore::new(Uuid::from_u128(200));
        assert_eq!(sync(&office, &server).pulled, 1);
        assert!(office.is_safe(RecordKind::Company, Uuid::from_u128(1)));
        assert!(tablet.is_safe(RecordKind::Company, Uuid::from_u128(1)));
    }

    #[test]
    fn receipts_are_kept_by_revision() {
        let receipt = |rev: u64, hash: &str| Receipt {
            kind: RecordKind::Company,
            id: Uuid::from_u128(1),
            rev,
            hash: hash.into(),
        };
        let mut held = None;
        assert!(keep_receipt(&mut held, receipt(2, "b")));
        assert!(!keep_receipt(&mut held, receipt(2, "b")), "the same again");
        assert!(!keep_receipt(&mut held, receipt(1, "a")), "an older one");
        assert!(
            keep_receipt(&mut held, receipt(2, "c")),
            "the same rev, told again"
        );
        assert!(keep_receipt(&mut held, receipt(3, "d")));
        assert_eq!(held, Some(receipt(3, "d")));
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
        // The device keeps the code, to word it in its language.
        assert_eq!(
            tablet.set_aside_reasons(),
            [Reason::of(crate::refusal::Refusal::Empty {
                field: crate::model::Field::Name
            })]
        );
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

    // ---- Regressions of "nothing lost under faults" (each failed before the lineage rule). ----

    fn tick_now(i: &mut Interview, practice: &str, now: bool) {
        let mut answer = i.answer(practice);
        answer.now = now;
        i.set_answer(practice, answer);
    }

    fn push_one(server: &FakeServer, device: u128, seq: u64, record: Record) -> ChangeResult {
        let request = PushRequest {
            device_id: Uuid::from_u128(device),
            changes: vec![Change { seq, record }],
        };
        let mut response = pollster::block_on(server.push(&request)).unwrap();
        response.results.remove(0)
    }

    fn stored_interview(server: &FakeServer) -> Interview {
        match &server.records.borrow()[&(RecordKind::Interview, Uuid::from_u128(INTERVIEW))].1 {
            Record::Interview(i) => i.clone(),
            other => panic!("not an interview: {other:?}"),
        }
    }

    fn new_interview(at: i64) -> Interview {
        Interview {
            id: Uuid::from_u128(INTERVIEW),
            company_id: Uuid::from_u128(1),
            meta: crate::model::RecordMeta {
                updated_at: at,
                ..Default::default()
            },
            ..Interview::default()
        }
    }

    /// D1: tablet A never learnt the revision of its own create and pushes two ticks with base 0
    /// after tablet B edited from rev 1. Before: `superseded`, A's ticks on no revision.
    #[test]
    fn d1_a_base_of_zero_merges_against_the_devices_own_create() {
        let server = server(100);
        let created = new_interview(1_000);
        assert_eq!(
            push_one(&server, 1, 1, Record::Interview(created.clone())).rev,
            1
        );
        let mut from_b = created.clone();
        from_b.meta.rev = 1;
        from_b.meta.updated_at = 3_000;
        from_b.notes = "van B".into();
        assert_eq!(
            push_one(&server, 2, 1, Record::Interview(from_b)).status,
            ChangeStatus::Applied
        );
        let mut from_a = created; // still rev 0
        from_a.meta.updated_at = 2_000;
        tick_now(&mut from_a, "GR-01", true);
        tick_now(&mut from_a, "GR-06", true);
        let result = push_one(&server, 1, 2, Record::Interview(from_a));
        assert_eq!(result.status, ChangeStatus::Merged);
        let stored = stored_interview(&server);
        assert!(stored.answer("GR-01").now && stored.answer("GR-06").now);
        assert_eq!(stored.notes, "van B");
        assert!(stored.conflicts.is_empty(), "{:?}", stored.conflicts);
        assert_eq!(result.record, Some(Record::Interview(stored)));
    }

    /// D2: one tablet; its third change names base 1 though its second was applied as rev 2.
    /// Before: `merged`, GR-06 ticked again and a conflict "ab" / "a" with nobody else editing.
    #[test]
    fn d2_a_stale_base_never_takes_the_devices_own_push_for_another_edit() {
        let server = server(100);
        let mut i = new_interview(1_000);
        assert_eq!(push_one(&server, 1, 1, Record::Interview(i.clone())).rev, 1);
        i.meta.rev = 1;
        i.meta.updated_at = 2_000;
        tick_now(&mut i, "GR-06", true);
        i.notes = "a".into();
        assert_eq!(push_one(&server, 1, 2, Record::Interview(i.clone())).rev, 2);
        i.meta.updated_at = 3_000; // still names rev 1
        tick_now(&mut i, "GR-06", false);
        i.notes = "ab".into();
        let result = push_one(&server, 1, 3, Record::Interview(i));
        assert_eq!((result.status, result.rev), (ChangeStatus::Applied, 3));
        let stored = stored_interview(&server);
        assert!(!stored.answer("GR-06").now);
        assert_eq!(stored.notes, "ab");
        assert!(stored.conflicts.is_empty());
    }

    /// Two devices created the same id (no common history): merged against the empty record,
    /// every clash kept as a conflict, nothing dropped.
    #[test]
    fn no_common_base_merges_against_the_empty_record() {
        let server = server(100);
        let mut a = new_interview(1_000);
        a.notes = "van A".into();
        tick_now(&mut a, "GR-01", true);
        push_one(&server, 1, 1, Record::Interview(a));
        let mut b = new_interview(2_000);
        b.notes = "van B".into();
        tick_now(&mut b, "GR-02", true);
        let result = push_one(&server, 2, 1, Record::Interview(b));
        assert_eq!(result.status, ChangeStatus::Merged);
        let stored = stored_interview(&server);
        assert!(stored.answer("GR-01").now && stored.answer("GR-02").now);
        assert_eq!(stored.notes, "van B");
        assert_eq!(stored.conflicts.len(), 1);
        assert_eq!(stored.conflicts[0].other, serde_json::json!("van A"));
    }

    /// A device and the server after a round: equal, nothing waiting, safe.
    fn assert_settled(device: &MemoryStore, server: &FakeServer) {
        let key = (RecordKind::Interview, Uuid::from_u128(INTERVIEW));
        assert_eq!(device.waiting(), 0);
        assert_eq!(
            device.get(key.0, key.1),
            Some(server.records.borrow()[&key].1.clone())
        );
        assert!(device.is_safe(key.0, key.1));
    }

    #[test]
    fn a_lost_answer_then_a_retry_keeps_every_edit() {
        let server = merging_server();
        let (a, b) = two_tablets(&server);
        edit_interview(&b, 1_500, |i| i.ambition = "van B".into());
        sync(&b, &server);
        edit_interview(&a, 2_000, |i| tick_now(i, "GR-06", true));
        *server.lose_answers.borrow_mut() = 1;
        assert!(pollster::block_on(sync_once(&a, &server)).is_err());
        // The untick is made before the device hears anything: its rev is still the old base.
        edit_interview(&a, 3_000, |i| {
            tick_now(i, "GR-06", false);
            i.notes = "na de storing".into();
        });
        sync(&a, &server);
        sync(&b, &server);
        let stored = stored_interview(&server);
        assert!(!stored.answer("GR-06").now, "the untick came back");
        assert_eq!(stored.notes, "na de storing");
        assert_eq!(stored.ambition, "van B");
        assert!(stored.conflicts.is_empty(), "{:?}", stored.conflicts);
        assert_settled(&a, &server);
        assert_settled(&b, &server);
    }

    #[test]
    fn a_request_delivered_twice_is_applied_once_and_the_device_ends_on_the_servers_copy() {
        let server = merging_server();
        let (a, b) = two_tablets(&server);
        edit_interview(&a, 2_000, |i| i.notes = "een keer".into());
        let request = PushRequest {
            device_id: Uuid::from_u128(1),
            changes: pollster::block_on(a.pending(10)).unwrap(),
        };
        pollster::block_on(server.push(&request)).unwrap();
        let seq_before = *server.next_server_seq.borrow();
        sync(&a, &server); // the same change again: duplicate, with the server's copy
        assert_eq!(*server.next_server_seq.borrow(), seq_before);
        sync(&b, &server);
        assert_eq!(stored_interview(&server).notes, "een keer");
        assert_settled(&a, &server);
        assert_settled(&b, &server);
    }

    /// Calls `during` after the server answered a push and before the engine acknowledges it:
    /// an edit made while the push was in flight.
    struct InFlight<'a> {
        server: &'a FakeServer,
        during: RefCell<Option<Box<dyn FnOnce() + 'a>>>,
    }

    impl Transport for InFlight<'_> {
        type Error = Lost;
        async fn push(&self, request: &PushRequest) -> Result<PushResponse, Lost> {
            let response = self.server.push(request).await;
            if let Some(during) = self.during.borrow_mut().take() {
                during();
            }
            response
        }
        async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, Lost> {
            self.server.pull(since, limit).await
        }
    }

    #[test]
    fn an_edit_during_an_in_flight_push_builds_on_what_was_sent() {
        for merged in [false, true] {
            let server = merging_server();
            let (a, b) = two_tablets(&server);
            if merged {
                // B's edit makes A's push a merge, so A gets a copy it cannot take (edited since).
                edit_interview(&b, 1_500, |i| i.ambition = "van B".into());
                sync(&b, &server);
            }
            edit_interview(&a, 2_000, |i| {
                tick_now(i, "GR-06", true);
                i.notes = "a".into();
            });
            let in_flight = InFlight {
                server: &server,
                during: RefCell::new(Some(Box::new(|| {
                    edit_interview(&a, 3_000, |i| {
                        tick_now(i, "GR-06", false);
                        i.notes = "ab".into();
                    })
                }))),
            };
            // The same round pushes the edit made meanwhile too.
            pollster::block_on(sync_once(&a, &in_flight)).unwrap();
            sync(&a, &server);
            sync(&b, &server);
            let stored = stored_interview(&server);
            assert!(
                !stored.answer("GR-06").now,
                "merged={merged}: the untick came back"
            );
            assert_eq!(stored.notes, "ab");
            assert_eq!(stored.ambition, if merged { "van B" } else { "" });
            assert!(
                stored.conflicts.is_empty(),
                "merged={merged}: {:?}",
                stored.conflicts
            );
            assert_settled(&a, &server);
            assert_settled(&b, &server);
        }
    }

    /// The server commits and dies before answering; after a restart the device retries.
    #[test]
    fn a_server_killed_after_commit_loses_nothing() {
        let server = merging_server();
        let (a, b) = two_tablets(&server);
        edit_interview(&a, 2_000, |i| i.notes = "voor de crash".into());
        edit_interview(&b, 2_500, |i| tick_now(i, "GR-02", true));
        *server.lose_answers.borrow_mut() = 1;
        assert!(pollster::block_on(sync_once(&a, &server)).is_err());
        sync(&b, &server);
        edit_interview(&a, 3_000, |i| i.notes.push_str(", erna"));
        sync(&a, &server);
        sync(&b, &server);
        let stored = stored_interview(&server);
        assert_eq!(stored.notes, "voor de crash, erna");
        assert!(stored.answer("GR-02").now);
        assert!(stored.conflicts.is_empty(), "{:?}", stored.conflicts);
        assert_settled(&a, &server);
        assert_settled(&b, &server);
    }

    /// A refused change whose answer was lost is refused again on the retry, not dropped.
    #[test]
    fn a_retried_refusal_is_refused_again() {
        let server = merging_server();
        let tablet = MemoryStore::new(Uuid::from_u128(100));
        tablet.save(company(1, " "), 1_000);
        *server.lose_answers.borrow_mut() = 1;
        assert!(pollster::block_on(sync_once(&tablet, &server)).is_err());
        sync(&tablet, &server);
        assert_eq!(
            tablet.set_aside(),
            vec!["name must not be empty".to_string()]
        );
    }
}
