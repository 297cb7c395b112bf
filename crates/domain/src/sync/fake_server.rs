//! A server in memory that decides with the real server's rule ([`crate::push`]), for testing the
//! engine and every [`super::LocalStore`] end to end without a network; only the storage differs
//! from the real one.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use uuid::Uuid;

use super::Transport;
use crate::merge::BaseRef;
use crate::merge::Touched;
use crate::model::{Record, RecordKind};
use crate::protocol::{PullResponse, PushRequest, PushResponse};
use crate::push::{
    base_for, decide_change, history_of, history_range, seq_limit, Facts, Lineage, Refused,
};

type Key = (RecordKind, Uuid);
/// A stored revision and what its change asserted.
type Revision = (Record, Touched);

/// The fake server. Its fields are open so tests can look at what it holds and inject faults.
#[derive(Default)]
pub struct FakeServer {
    pub records: RefCell<BTreeMap<Key, (u64, Record)>>,
    /// The device each stored revision came from as sent (`Decision::sender_holds_stored`): a
    /// pull of that device through [`AsDevice`] leaves it out, as the server's `skip_own` does.
    pub written_by: RefCell<BTreeMap<Key, Uuid>>,
    /// Every revision ever stored, with what its change asserted: the bases of merges.
    pub revisions: RefCell<BTreeMap<(RecordKind, Uuid, u64), Revision>>,
    pub lineage: RefCell<BTreeMap<(Uuid, Key), Lineage>>,
    pub refused: RefCell<BTreeMap<(Uuid, Key), Refused>>,
    pub last_seq: RefCell<BTreeMap<Uuid, u64>>,
    pub next_server_seq: RefCell<u64>,
    pub pushes: RefCell<usize>,
    /// Answers to drop: the push is applied, the device hears nothing (a lost answer).
    pub lose_answers: RefCell<usize>,
    /// Answer pulls as servers did before pulls carried the records' hashes.
    pub pulls_without_hashes: RefCell<bool>,
    pub page_size: u32,
}

#[derive(Debug)]
pub struct Lost;
impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the answer was lost")
    }
}
impl std::error::Error for Lost {}

impl Transport for FakeServer {
    type Error = Lost;

    async fn push(&self, request: &PushRequest) -> Result<PushResponse, Lost> {
        *self.pushes.borrow_mut() += 1;
        let device = request.device_id;
        let mut last = self.last_seq.borrow().get(&device).copied().unwrap_or(0);
        let mut results = Vec::new();
        for change in &request.changes {
            let key = (change.record.kind(), change.record.id());
            let stored = self.records.borrow().get(&key).map(|(_, r)| r.clone());
            let lineage = self.lineage.borrow().get(&(device, key)).cloned();
            let refused = self.refused.borrow().get(&(device, key)).cloned();
            let base_ref = base_for(stored.as_ref(), lineage.as_ref(), change);
            let base = match base_ref {
                Some(BaseRef::Lineage) => lineage.as_ref().map(|l| l.record.clone()),
                Some(BaseRef::Revision(rev)) => {
                    let revisions = self.revisions.borrow();
                    revisions.get(&(key.0, key.1, rev)).map(|(r, _)| r.clone())
                }
                None => None,
            };
            let history = history_range(base_ref, lineage.as_ref(), stored.as_ref())
                .filter(|_| base.is_some())
                .map(|range| {
                    let revisions = self.revisions.borrow();
                    let held = range
                        .clone()
                        .filter_map(|rev| revisions.get(&(key.0, key.1, rev)).cloned())
                        .collect();
                    history_of(range, held)
                })
                .unwrap_or_default();
            let decision = decide_change(
                Facts {
                    last_seq: last,
                    seq_limit: seq_limit(last, last),
                    stored: stored.as_ref(),
                    base: base.as_ref(),
                    history: &history,
                    refused_before: refused.as_ref(),
                    refusal: None,
                },
                change,
            )
            .expect("records of one key merge");
            last = decision.last_seq;
            let held = decision.sender_holds_stored();
            if let Some(record) = decision.store {
                self.store(record, decision.asserted);
                let mut written_by = self.written_by.borrow_mut();
                if held {
                    written_by.insert(key, device);
                } else {
                    written_by.remove(&key);
                }
            }
            if let Some(lineage) = decision.lineage {
                self.lineage.borrow_mut().insert((device, key), lineage);
            }
            if let Some(refused) = decision.refused {
                self.refused.borrow_mut().insert((device, key), refused);
            }
            results.push(decision.result);
        }
        self.last_seq.borrow_mut().insert(device, last);
        let mut lose = self.lose_answers.borrow_mut();
        if *lose > 0 {
            *lose -= 1;
            return Err(Lost);
        }
        Ok(PushResponse {
            last_seq: last,
            results,
        })
    }

    async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, Lost> {
        self.pull_for(None, since, limit)
    }
}

/// The fake server as one device reaches it, pulling with `skip_own` as the app does: the
/// records whose stored revision is this device's change as sent are left out of its pages.
pub struct AsDevice<'a>(pub &'a FakeServer, pub Uuid);

impl Transport for AsDevice<'_> {
    type Error = Lost;

    async fn push(&self, request: &PushRequest) -> Result<PushResponse, Lost> {
        self.0.push(request).await
    }

    async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, Lost> {
        self.0.pull_for(Some(self.1), since, limit)
    }
}

impl FakeServer {
    /// A page after `since`; with `skip_own`, without the rows that device holds as stored (they
    /// still move the cursor, as on the server).
    fn pull_for(
        &self,
        skip_own: Option<Uuid>,
        since: u64,
        limit: u32,
    ) -> Result<PullResponse, Lost> {
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
        let written_by = self.written_by.borrow();
        let sent = rows
            .into_iter()
            .map(|(_, r)| r)
            .filter(|r| {
                skip_own.is_none() || written_by.get(&(r.kind(), r.id())).copied() != skip_own
            })
            .collect();
        let mut page = PullResponse::new(sent, cursor, more);
        if *self.pulls_without_hashes.borrow() {
            page.hashes.clear();
        }
        Ok(page)
    }
}

impl FakeServer {
    /// A page size of 0 is taken as 1.
    pub fn new(page_size: u32) -> Self {
        FakeServer {
            page_size,
            ..FakeServer::default()
        }
    }

    fn store(&self, record: Record, asserted: Touched) {
        let key = (record.kind(), record.id());
        *self.next_server_seq.borrow_mut() += 1;
        let server_seq = *self.next_server_seq.borrow();
        self.revisions.borrow_mut().insert(
            (key.0, key.1, record.meta().rev),
            (record.clone(), asserted),
        );
        self.records.borrow_mut().insert(key, (server_seq, record));
    }
}
