//! The device's storage: IndexedDB through `indexed_db_futures`, behind a few functions.
//!
//! Invariant: every public function is one IndexedDB transaction, and no transaction is held
//! across an await of anything but its own requests (IndexedDB commits a transaction by itself
//! once the code waits for something else). Records are stored as JSON text under their id, so a
//! newer app version that adds fields still reads older records.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use praatplaat_domain::merge::accept_remote;
use praatplaat_domain::merge::touch;
use praatplaat_domain::model::{Record, RecordKind, RecordMeta};
use praatplaat_domain::protocol::{Change, ChangeResult, Receipt};
use praatplaat_domain::refusal::Reason;
use praatplaat_domain::sync::contract::EditableStore;
use praatplaat_domain::sync::{keep_receipt, on_verdict, LocalStore, Pulled};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;
use wasm_bindgen::JsCast;

const DB_NAME: &str = "praatplaat";
/// Schema version; each step of [`upgrade`] brings an older database one version further. It
/// grows by one with each synced kind (the last step creates the stores a kind list names), so a
/// new kind needs nothing here; another change of the schema adds a step and one to
/// `OTHER_STEPS`.
const DB_VERSION: u32 = OTHER_STEPS + RecordKind::ALL.len() as u32;
/// Schema changes other than a new kind: 1, the receipt shards.
const OTHER_STEPS: u32 = 1;
const OUTBOX: &str = "outbox";
const META: &str = "meta";
/// Photo blobs by content hash (since schema 2).
const PHOTOS: &str = "photos";
/// Hashes of photos not yet on the server (since schema 2).
const PHOTO_OUTBOX: &str = "photo_outbox";
/// The server's receipts (revision and content hash it stores) by `kind:id` (schema 4). Emptied
/// into [`RECEIPT_SHARDS`] at open since schema 5.
const RECEIPTS: &str = "receipts";
/// The server's receipts, in [`SHARDS`] rows of many receipts each, by the first hex digit of the
/// record's id (since schema 5). A sync round writes one row per shard it touches instead of one
/// per record: IndexedDB's cost is per request (each one an event on the main thread, about
/// 0.2 ms on a slow tablet), not per byte, and a round of 400 records wrote 400 receipt rows.
const RECEIPT_SHARDS: &str = "receipt_shards";
const SHARDS: u32 = 16;
/// From this many keys on, a read of one store first counts it: when the keys are half of it or
/// more, the whole store comes in two requests (keys and values) instead of one per key.
const BULK_FROM: usize = 16;
/// Every store holding synced records.
/// One object store per synced kind, named by `RecordKind::collection` (the domain's kind list).
const RECORD_STORES: [&str; RecordKind::ALL.len()] = {
    let mut names = [""; RecordKind::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = RecordKind::ALL[i].collection();
        i += 1;
    }
    names
};

const META_DEVICE_ID: &str = "device_id";
const META_NEXT_SEQ: &str = "next_seq";
const META_CURSOR: &str = "cursor";

thread_local! {
    static DB: RefCell<Option<Database>> = const { RefCell::new(None) };
    /// The device id once read: it never changes while the database is open.
    static DEVICE: std::cell::Cell<Option<Uuid>> = const { std::cell::Cell::new(None) };
    /// Records the sync engine rewrote (a verdict's revision or copy, a pulled record) since
    /// [`take_touched`] last ran, as written (each once committed): the screen takes just these
    /// after a round, without reading them back.
    static TOUCHED: RefCell<BTreeMap<(RecordKind, Uuid), Record>> = const { RefCell::new(BTreeMap::new()) };
}

/// Marks a step of a sync round on the page's performance timeline (a user-timing measure named
/// `name`, from its creation to its drop): `make bench` reads them to say where a round's time
/// goes, and the browser's performance panel shows them.
pub struct Span {
    name: &'static str,
    start: f64,
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    #[wasm_bindgen(js_namespace = performance, js_name = measure, catch)]
    fn performance_measure(
        name: &str,
        options: &wasm_bindgen::JsValue,
    ) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

pub fn span(name: &'static str) -> Span {
    Span {
        name,
        start: performance_now(),
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        let options = js_sys::Object::new();
        let set = |key: &str, value: f64| {
            js_sys::Reflect::set(&options, &key.into(), &value.into()).is_ok()
        };
        if set("start", self.start) && set("end", performance_now()) {
            // A timeline that refuses the entry costs the round nothing.
            let _ = performance_measure(self.name, &options);
        }
    }
}

/// The records the sync engine rewrote since the last call (see `TOUCHED`), cleared.
pub fn take_touched() -> Vec<Record> {
    TOUCHED
        .with(|t| std::mem::take(&mut *t.borrow_mut()))
        .into_values()
        .collect()
}

/// Notes records a committed transaction wrote (see `TOUCHED`).
fn touched(records: Vec<Record>) {
    TOUCHED.with(|t| {
        let mut t = t.borrow_mut();
        for record in records {
            t.insert((record.kind(), record.id()), record);
        }
    });
}

#[derive(Debug, Clone, Error)]
pub enum IdbError {
    #[error("IndexedDB: {0}")]
    Idb(String),
    #[error("stored data is unreadable: {0}")]
    Data(String),
    #[error("the local database is not open")]
    NotOpen,
    #[error("the device's storage for this app is full")]
    Quota,
    /// The record has a waiting change of this other account ([`save`]).
    #[error("a change by {0} to this record waits to be sent")]
    HeldByOther(String),
}

impl From<indexed_db_futures::error::Error> for IdbError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        // A full quota is a DOMException named QuotaExceededError; a transaction it aborted may
        // surface only through its message.
        if let indexed_db_futures::error::Error::DomException(d) = &e {
            let exception: &wasm_bindgen::JsValue = d.as_ref();
            let exception: &web_sys::DomException = exception.unchecked_ref();
            if exception.name() == "QuotaExceededError" {
                return IdbError::Quota;
            }
        }
        let text = e.to_string();
        if text.to_lowercase().contains("quota") {
            IdbError::Quota
        } else {
            IdbError::Idb(text)
        }
    }
}

impl From<indexed_db_futures::error::OpenDbError> for IdbError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        IdbError::Idb(e.to_string())
    }
}

impl From<serde_json::Error> for IdbError {
    fn from(e: serde_json::Error) -> Self {
        IdbError::Data(e.to_string())
    }
}

/// One waiting change: the record it concerns and its number in this device's sequence. The
/// record itself is read from its store when pushing, so many edits of one record travel once.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OutboxEntry {
    seq: u64,
    kind: RecordKind,
    id: Uuid,
    /// Set when the server refused the change for good: kept, visible, out of the queue. The
    /// reason as [`Reason::to_stored`] keeps it: JSON with the server's code, or (older versions,
    /// older servers) the server's sentence alone.
    #[serde(default)]
    rejected: Option<String>,
    /// Who was signed in when the change was made; `None`: nobody (it goes with whoever signs
    /// in next). A change is only ever sent under its owner's account.
    #[serde(default)]
    owner: Option<Owner>,
}

/// The account a waiting change belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub id: Uuid,
    pub username: String,
}

fn store_name(kind: RecordKind) -> &'static str {
    kind.collection()
}

fn outbox_key(kind: RecordKind, id: Uuid) -> String {
    format!("{}:{id}", kind.as_str())
}

fn record_json(record: &Record) -> Result<String, IdbError> {
    Ok(record.body_json()?)
}

fn parse_record(kind: RecordKind, json: &str) -> Result<Record, IdbError> {
    Ok(Record::from_body_json(kind, json)?)
}

fn db() -> Result<Database, IdbError> {
    DB.with(|db| db.borrow().clone()).ok_or(IdbError::NotOpen)
}

fn upgrade(old_version: u32, db: &Database) -> indexed_db_futures::Result<()> {
    if old_version < 1 {
        for name in [OUTBOX, META] {
            db.create_object_store(name).build()?;
        }
    }
    if old_version < 2 {
        for name in [PHOTOS, PHOTO_OUTBOX] {
            db.create_object_store(name).build()?;
        }
    }
    if old_version < 4 {
        db.create_object_store(RECEIPTS).build()?;
    }
    // Version 1 had companies and interviews, 3 added initiatives and links, 5 the receipt shards;
    // any kind added since gets its store here, whatever version the database comes from.
    let existing: Vec<String> = db.object_store_names().collect();
    for name in RECORD_STORES.into_iter().chain([RECEIPT_SHARDS]) {
        if !existing.iter().any(|n| n == name) {
            db.create_object_store(name).build()?;
        }
    }
    Ok(())
}

/// Opens (creating or upgrading) the database and makes sure this device has an id.
pub async fn open() -> Result<(), IdbError> {
    open_as(DB_NAME).await
}

/// [`open`] on the database `name`: the browser tests give each case a fresh one.
pub async fn open_as(name: &str) -> Result<(), IdbError> {
    let db = Database::open(name)
        .with_version(DB_VERSION)
        .with_on_upgrade_needed(|event, db| upgrade(event.old_version() as u32, &db))
        .await?;
    DB.with(|slot| *slot.borrow_mut() = Some(db.clone()));
    DEVICE.set(None);
    TOUCHED.with(|t| t.borrow_mut().clear());
    let tx = db
        .transaction(META)
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let meta = tx.object_store(META)?;
    let existing: Option<String> = meta.get(META_DEVICE_ID.to_owned()).primitive()?.await?;
    if existing.is_none() {
        let id = crate::clock::new_id().to_string();
        meta.put(id)
            .with_key(META_DEVICE_ID.to_owned())
            .primitive()?
            .await?;
    }
    tx.commit().await?;
    shard_old_receipts(&db).await
}

/// Moves receipts kept one per row (schema 4) into their shards, once.
async fn shard_old_receipts(db: &Database) -> Result<(), IdbError> {
    let tx = db
        .transaction([RECEIPTS, RECEIPT_SHARDS])
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let old = tx.object_store(RECEIPTS)?;
    if old.count().primitive()?.await? > 0 {
        // A receipt that does not parse is left behind rather than keeping the app from opening:
        // without it the record only loses its "safe on the server" mark until the next sync.
        let receipts: Vec<Receipt> = read_all_json(&old)
            .await?
            .iter()
            .filter_map(|json| serde_json::from_str::<Receipt>(json).ok())
            .collect();
        let store = tx.object_store(RECEIPT_SHARDS)?;
        let mut shards = Shards::read(&store, receipts.iter().map(|r| r.id)).await?;
        for receipt in receipts {
            shards.keep(receipt);
        }
        shards.write(&store)?;
        drop(old.clear()?);
    }
    tx.commit().await?;
    Ok(())
}

/// The receipt shard of a record.
fn shard_of(id: Uuid) -> String {
    format!("{:x}", (id.as_u128() >> 124) as u32 % SHARDS)
}

/// A receipt as a shard keeps it, with whether the record's row holds that very revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Kept {
    kind: RecordKind,
    id: Uuid,
    rev: u64,
    hash: String,
    /// The record's row held revision `rev` when this receipt was last kept or checked, by the
    /// transaction that wrote the row (acknowledge, apply_pulled). Any later change of the row
    /// is a local edit, which waits in the outbox until a verdict checks this again. So a
    /// pulled record whose receipt is this one, with nothing waiting, is already held as it is:
    /// `apply_pulled` skips it without reading the row (a push's own records coming back).
    #[serde(default)]
    at: bool,
}

impl Kept {
    fn receipt(&self) -> Receipt {
        Receipt {
            kind: self.kind,
            id: self.id,
            rev: self.rev,
            hash: self.hash.clone(),
        }
    }

    fn is(&self, receipt: &Receipt) -> bool {
        (self.kind, self.id, self.rev, self.hash.as_str())
            == (receipt.kind, receipt.id, receipt.rev, receipt.hash.as_str())
    }
}

/// Some receipt shards, read in the caller's transaction, changed by the receipt rule
/// ([`keep_receipt`]) and written back where they changed.
struct Shards {
    rows: BTreeMap<String, BTreeMap<(RecordKind, Uuid), Kept>>,
    changed: BTreeSet<String>,
}

impl Shards {
    /// The shards holding the receipts of `ids`.
    async fn read(
        store: &indexed_db_futures::object_store::ObjectStore<'_>,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<Shards, IdbError> {
        let keys: BTreeSet<String> = ids.into_iter().map(shard_of).collect();
        // At most SHARDS rows: for more than a few, the whole store in one round trip.
        let rows = if keys.len() > 2 {
            let keys: Vec<String> = keys.iter().cloned().collect();
            whole_rows(store, &keys).await?.0
        } else {
            get_many(store, keys.iter().cloned()).await?
        };
        let mut shards = Shards {
            rows: BTreeMap::new(),
            changed: BTreeSet::new(),
        };
        for (key, json) in keys.into_iter().zip(rows) {
            shards.rows.insert(key, parse_shard(json.as_deref())?);
        }
        Ok(shards)
    }

    fn get(&self, kind: RecordKind, id: Uuid) -> Option<&Kept> {
        self.rows.get(&shard_of(id))?.get(&(kind, id))
    }

    /// Whether the record's row is known to hold `receipt`'s revision, and `receipt` is the one
    /// kept (see [`Kept::at`]).
    fn holds(&self, receipt: &Receipt) -> bool {
        self.get(receipt.kind, receipt.id)
            .is_some_and(|kept| kept.at && kept.is(receipt))
    }

    /// Keeps `receipt` unless the one held is newer (its shard must have been read). What is
    /// known of the row (`at`) stays with it while the receipt does.
    fn keep(&mut self, receipt: Receipt) {
        let key = shard_of(receipt.id);
        let shard = self.rows.entry(key.clone()).or_default();
        let at = (receipt.kind, receipt.id);
        let kept = shard.remove(&at);
        let mut held = kept.as_ref().map(Kept::receipt);
        if keep_receipt(&mut held, receipt) {
            self.changed.insert(key);
        }
        if let Some(held) = held {
            let same = kept.as_ref().is_some_and(|k| k.is(&held));
            shard.insert(
                at,
                Kept {
                    kind: held.kind,
                    id: held.id,
                    rev: held.rev,
                    hash: held.hash,
                    at: same && kept.as_ref().is_some_and(|k| k.at),
                },
            );
        }
    }

    fn kept_mut(&mut self, kind: RecordKind, id: Uuid) -> Option<&mut Kept> {
        self.rows.get_mut(&shard_of(id))?.get_mut(&(kind, id))
    }

    /// Notes what the row of a record holds now, in the transaction that read or wrote it: its
    /// revision (`None`: there is no row).
    fn row(&mut self, kind: RecordKind, id: Uuid, rev: Option<u64>) {
        let Some(kept) = self.kept_mut(kind, id) else {
            return;
        };
        let at = rev == Some(kept.rev);
        if kept.at != at {
            kept.at = at;
            self.changed.insert(shard_of(id));
        }
    }

    /// Puts the changed shards (without awaiting: the commit reports a failure).
    fn write(
        self,
        store: &indexed_db_futures::object_store::ObjectStore<'_>,
    ) -> Result<(), IdbError> {
        let mut writes = Vec::with_capacity(self.changed.len());
        for key in self.changed {
            let kept: Vec<&Kept> = self.rows[&key].values().collect();
            writes.push((key, serde_json::to_string(&kept)?));
        }
        put_many(store, writes)
    }
}

fn parse_shard(json: Option<&str>) -> Result<BTreeMap<(RecordKind, Uuid), Kept>, IdbError> {
    let kept: Vec<Kept> = match json {
        Some(json) => serde_json::from_str(json)?,
        None => Vec::new(),
    };
    Ok(kept.into_iter().map(|k| ((k.kind, k.id), k)).collect())
}

/// Everything the UI shows, read in one go at start.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every stored record, of every kind.
    pub records: Vec<Record>,
    pub outbox: OutboxSummary,
}

/// What is waiting to be synced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxSummary {
    pub waiting: usize,
    /// Waiting changes per kind of record (kinds with none left out).
    pub by_kind: BTreeMap<RecordKind, usize>,
    pub photos_waiting: usize,
    /// Bytes of the waiting photos (what the upload will cost on a weak connection).
    pub photo_bytes: f64,
    /// Changes the server refused for good, kept on the device and shown.
    pub set_aside: Vec<SetAside>,
    /// Photos the server refused for good (hash, reason): kept on the device, out of the queue.
    pub photos_set_aside: Vec<(String, Reason)>,
    /// Records with an outbox entry (waiting or set aside): not safe on the server.
    pub unsynced: BTreeSet<(RecordKind, Uuid)>,
    /// The server's receipts by record, to tell whether a record is safe on the server.
    pub receipts: BTreeMap<(RecordKind, Uuid), Receipt>,
    /// Waiting changes per account that made them (changes made signed out not counted): those
    /// of another account than the one signed in stay here until that account signs in again.
    pub by_owner: BTreeMap<Uuid, (String, usize)>,
    /// Hashes of the photos waiting for upload.
    pub queued_photos: BTreeSet<String>,
    /// Who made each waiting change (changes made signed out not listed).
    pub held_by: BTreeMap<(RecordKind, Uuid), Owner>,
}

impl OutboxSummary {
    /// What one saved edit does to the summary, as [`save`] changes the outbox: the record waits
    /// (once, however often it is edited); one set aside is queued again. Keeps typing from
    /// re-reading the outbox and the photos at every keystroke; a sync round reads it afresh.
    /// Whether the summary changed: the second keystroke in a field changes nothing.
    pub fn note_saved(&mut self, kind: RecordKind, id: Uuid, owner: Option<&Owner>) -> bool {
        let key = (kind, id);
        let was_set_aside = self.set_aside.iter().any(|e| (e.kind, e.id) == key);
        if self.unsynced.contains(&key) && !was_set_aside {
            return false;
        }
        self.set_aside.retain(|e| (e.kind, e.id) != key);
        self.unsynced.insert(key);
        if let Some(owner) = owner {
            self.held_by.insert(key, owner.clone());
        }
        self.waiting += 1;
        *self.by_kind.entry(kind).or_default() += 1;
        if let Some(owner) = owner {
            self.by_owner
                .entry(owner.id)
                .or_insert_with(|| (owner.username.clone(), 0))
                .1 += 1;
        }
        true
    }

    /// A photo kept and queued by [`save_photo`] (the same photo twice is one upload).
    pub fn note_photo(&mut self, hash: &str, bytes: u64) {
        if self.queued_photos.insert(hash.to_owned()) {
            self.photos_waiting += 1;
            self.photo_bytes += bytes as f64;
        }
    }

    /// The account other than `user` whose change of the record waits here: `user` may not edit
    /// it, or the other's change would be sent under `user`'s name (see [`save`]). Signed out
    /// (`None`), an edit joins the waiting change and stays its owner's.
    pub fn held_by_other(&self, kind: RecordKind, id: Uuid, user: Option<Uuid>) -> Option<&Owner> {
        let user = user?;
        self.held_by.get(&(kind, id)).filter(|o| o.id != user)
    }

    /// The accounts other than `user` with changes waiting here, with their counts.
    pub fn held_for_others(&self, user: Option<Uuid>) -> Vec<(String, usize)> {
        self.by_owner
            .iter()
            .filter(|(id, _)| Some(**id) != user)
            .map(|(_, (name, n))| (name.clone(), *n))
            .collect()
    }
}

/// What the photo outbox holds per photo. Older versions stored the bare hash (still read).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PhotoEntry {
    hash: String,
    /// Set when the server refused the photo for good (its bytes do not match their hash).
    #[serde(default)]
    rejected: Option<String>,
}

impl PhotoEntry {
    fn parse(value: &str) -> PhotoEntry {
        serde_json::from_str(value).unwrap_or_else(|_| PhotoEntry {
            hash: value.to_owned(),
            rejected: None,
        })
    }
}

/// A change the server refused: which record, and the server's reason (with its code when the
/// server sent one; the app words it, [`crate::i18n::CodeTexts::reason`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub kind: RecordKind,
    pub id: Uuid,
    pub reason: Reason,
}

async fn read_all_json(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<Vec<String>, IdbError> {
    let rows = store.get_all::<String>().primitive()?.await?;
    rows.map(|r| r.map_err(IdbError::from)).collect()
}

fn summarise(
    entries: Vec<OutboxEntry>,
    photos: WaitingPhotos,
    receipts: BTreeMap<(RecordKind, Uuid), Receipt>,
) -> OutboxSummary {
    let mut summary = OutboxSummary {
        photos_waiting: photos.queued.len(),
        photo_bytes: photos.bytes,
        photos_set_aside: photos.set_aside,
        queued_photos: photos.queued,
        receipts,
        ..OutboxSummary::default()
    };
    for entry in entries {
        summary.unsynced.insert((entry.kind, entry.id));
        match entry.rejected {
            Some(reason) => summary.set_aside.push(SetAside {
                kind: entry.kind,
                id: entry.id,
                reason: Reason::from_stored(&reason),
            }),
            None => {
                summary.waiting += 1;
                *summary.by_kind.entry(entry.kind).or_default() += 1;
                if let Some(owner) = entry.owner {
                    summary
                        .held_by
                        .insert((entry.kind, entry.id), owner.clone());
                    summary
                        .by_owner
                        .entry(owner.id)
                        .or_insert_with(|| (owner.username, 0))
                        .1 += 1;
                }
            }
        }
    }
    summary
}

struct WaitingPhotos {
    queued: BTreeSet<String>,
    bytes: f64,
    set_aside: Vec<(String, Reason)>,
}

/// Count and total size of the photos waiting for upload, and the set-aside ones, read in the
/// caller's transaction (which must cover `photos` and `photo_outbox`).
async fn waiting_photos(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
) -> Result<WaitingPhotos, IdbError> {
    let entries = read_all_json(&tx.object_store(PHOTO_OUTBOX)?).await?;
    let photos = tx.object_store(PHOTOS)?;
    let mut waiting = WaitingPhotos {
        queued: BTreeSet::new(),
        bytes: 0.0,
        set_aside: Vec::new(),
    };
    for entry in entries.iter().map(|e| PhotoEntry::parse(e)) {
        if let Some(reason) = entry.rejected {
            waiting
                .set_aside
                .push((entry.hash, Reason::from_stored(&reason)));
            continue;
        }
        waiting.queued.insert(entry.hash);
    }
    // Every blob asked for before any is awaited.
    let sizes = waiting
        .queued
        .iter()
        .map(|hash| {
            photos
                .get::<wasm_bindgen::JsValue, _, _>(hash.clone())
                .primitive()
        })
        .collect::<Result<Vec<_>, _>>()?;
    for value in futures::future::join_all(sizes).await {
        let value: Option<wasm_bindgen::JsValue> = value?;
        if let Some(blob) = value.and_then(|v| v.dyn_into::<web_sys::Blob>().ok()) {
            waiting.bytes += blob.size();
        }
    }
    Ok(waiting)
}

/// Every receipt as kept, by record, read in the caller's transaction (which must cover the
/// shards).
async fn read_kept(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
) -> Result<BTreeMap<(RecordKind, Uuid), Kept>, IdbError> {
    let mut kept = BTreeMap::new();
    for json in read_all_json(&tx.object_store(RECEIPT_SHARDS)?).await? {
        kept.append(&mut parse_shard(Some(&json))?);
    }
    Ok(kept)
}

fn receipts_of(kept: &BTreeMap<(RecordKind, Uuid), Kept>) -> BTreeMap<(RecordKind, Uuid), Receipt> {
    kept.iter().map(|(key, k)| (*key, k.receipt())).collect()
}

/// Reads many keys of one store at once: every request is issued before the first is awaited, so
/// IndexedDB serves them in one go instead of one round trip each (what made a sync of 200
/// interviews spend seconds on the tablet).
async fn get_many(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    keys: impl IntoIterator<Item = String>,
) -> Result<Vec<Option<String>>, IdbError> {
    let requests = keys
        .into_iter()
        .map(|key| store.get(key).primitive())
        .collect::<Result<Vec<_>, _>>()?;
    futures::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.map_err(IdbError::from))
        .collect()
}

/// Puts many values into one store without awaiting each: the transaction's commit reports a
/// failed one (it aborts the whole transaction, so nothing is half written).
fn put_many(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    entries: impl IntoIterator<Item = (String, String)>,
) -> Result<(), IdbError> {
    for (key, value) in entries {
        drop(store.put(value).with_key(key).primitive()?);
    }
    Ok(())
}

/// The rows of `keys` in one store (`None`: missing), read in as few requests as suits: one per
/// key for a few keys or a large store, else the whole store in two ([`BULK_FROM`]). With the
/// store's keys in order when it was read whole (for [`delete_keys`]).
async fn rows_of(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    keys: &[String],
) -> Result<(Vec<Option<String>>, Option<Vec<String>>), IdbError> {
    rows_counted(store, keys, None).await
}

/// [`rows_of`] with the store's count already asked for (`count`, issued beside other requests so
/// it costs no round trip of its own).
async fn rows_counted(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    keys: &[String],
    count: Option<indexed_db_futures::future::BasicRequest<u32>>,
) -> Result<(Vec<Option<String>>, Option<Vec<String>>), IdbError> {
    if keys.len() >= BULK_FROM {
        let count = match count {
            Some(count) => count.await?,
            None => store.count().primitive()?.await?,
        } as usize;
        if count == 0 {
            return Ok((vec![None; keys.len()], Some(Vec::new())));
        }
        if keys.len() * 2 >= count {
            return whole_rows(store, keys).await;
        }
    }
    Ok((get_many(store, keys.iter().cloned()).await?, None))
}

/// The rows of `keys`, from a read of the whole store (two requests, one round trip), with the
/// store's keys in order: for stores that are small by nature (the outbox, the receipt shards).
async fn whole_rows(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    keys: &[String],
) -> Result<(Vec<Option<String>>, Option<Vec<String>>), IdbError> {
    let all_keys = store.get_all_keys::<String>().primitive()?;
    let all_values = store.get_all::<String>().primitive()?;
    let (all_keys, all_values) = futures::join!(all_keys, all_values);
    let all_keys = all_keys?.collect::<Result<Vec<String>, _>>()?;
    let mut by_key: BTreeMap<&str, String> = BTreeMap::new();
    for (key, value) in all_keys.iter().zip(all_values?) {
        by_key.insert(key, value?);
    }
    let rows = keys
        .iter()
        .map(|k| by_key.get(k.as_str()).cloned())
        .collect();
    drop(by_key);
    Ok((rows, Some(all_keys)))
}

/// Deletes `doomed` from a store without awaiting: given the store's keys in order (`all`, from
/// [`rows_of`]), one request per run of doomed keys between kept ones (the whole outbox after a
/// push is one); without them, one per key.
fn delete_keys(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    doomed: &BTreeSet<String>,
    all: Option<&[String]>,
) -> Result<(), IdbError> {
    let Some(all) = all else {
        for key in doomed {
            drop(store.delete(key.clone()).primitive()?);
        }
        return Ok(());
    };
    let mut run: Option<(&String, &String)> = None;
    let flush = |run: Option<(&String, &String)>| -> Result<(), IdbError> {
        match run {
            Some((first, last)) if first == last => drop(store.delete(first.clone()).primitive()?),
            Some((first, last)) => drop(
                store
                    .delete::<String, _>(indexed_db_futures::KeyRange::Bound(
                        first.clone(),
                        false,
                        last.clone(),
                        false,
                    ))
                    .primitive()?,
            ),
            None => {}
        }
        Ok(())
    };
    for key in all {
        if doomed.contains(key) {
            run = Some((run.map_or(key, |(first, _)| first), key));
        } else {
            flush(run.take())?;
        }
    }
    flush(run)
}

async fn read_outbox(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<Vec<OutboxEntry>, IdbError> {
    read_all_json(store)
        .await?
        .iter()
        .map(|json| serde_json::from_str(json).map_err(IdbError::from))
        .collect()
}

pub async fn load_all() -> Result<Snapshot, IdbError> {
    let db = db()?;
    let tx = db
        .transaction(
            [
                &RECORD_STORES[..],
                &[OUTBOX, PHOTOS, PHOTO_OUTBOX, RECEIPT_SHARDS],
            ]
            .concat(),
        )
        .build()?;
    let kept = read_kept(&tx).await?;
    let mut records = Vec::new();
    for kind in RecordKind::ALL {
        for json in read_all_json(&tx.object_store(store_name(kind))?).await? {
            records.push(parse_record(kind, &json)?);
        }
    }
    let outbox = read_outbox(&tx.object_store(OUTBOX)?).await?;
    let photos = waiting_photos(&tx).await?;
    tx.commit().await?;
    Ok(Snapshot {
        records,
        outbox: summarise(outbox, photos, receipts_of(&kept)),
    })
}

pub async fn outbox_summary() -> Result<OutboxSummary, IdbError> {
    let _span = span("idb.outbox_summary");
    let db = db()?;
    let tx = db
        .transaction([OUTBOX, PHOTOS, PHOTO_OUTBOX, RECEIPT_SHARDS])
        .build()?;
    let outbox = tx.object_store(OUTBOX)?;
    let (entries, photos, kept) =
        futures::join!(read_outbox(&outbox), waiting_photos(&tx), read_kept(&tx));
    let (entries, photos, kept) = (entries?, photos?, kept?);
    tx.commit().await?;
    Ok(summarise(entries, photos, receipts_of(&kept)))
}

async fn get_meta_u64(
    meta: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
) -> Result<u64, IdbError> {
    let value: Option<String> = meta.get(key.to_owned()).primitive()?.await?;
    match value {
        None => Ok(0),
        Some(v) => v
            .parse()
            .map_err(|_| IdbError::Data(format!("{key} is not a number: {v:?}"))),
    }
}

/// The local copy of one record.
pub async fn get(kind: RecordKind, id: Uuid) -> Result<Option<Record>, IdbError> {
    let db = db()?;
    let tx = db.transaction(store_name(kind)).build()?;
    let json: Option<String> = tx
        .object_store(store_name(kind))?
        .get(id.to_string())
        .primitive()?
        .await?;
    tx.commit().await?;
    json.map(|j| parse_record(kind, &j)).transpose()
}

/// A local edit: stores the record and queues it for sync, atomically. `owner` is who is signed
/// in; a change waiting under an account stays that account's when edited signed out.
pub async fn save(record: &Record, owner: Option<&Owner>) -> Result<(), IdbError> {
    let json = record_json(record)?;
    let db = db()?;
    let store = store_name(record.kind());
    let tx = db
        .transaction([store, OUTBOX, META])
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let meta = tx.object_store(META)?;
    let outbox = tx.object_store(OUTBOX)?;
    let id = record.id();
    let key = outbox_key(record.kind(), id);
    // Both reads are under way before either is awaited, and the writes are not awaited (the
    // commit reports a failed one): a keystroke costs one round trip and the commit.
    let held = outbox.get(key.clone()).primitive()?;
    let (seq, held): (_, Result<Option<String>, _>) =
        futures::join!(get_meta_u64(&meta, META_NEXT_SEQ), held);
    let seq = seq?.max(1);
    let holder = held?
        .and_then(|j| serde_json::from_str::<OutboxEntry>(&j).ok())
        .filter(|e| e.rejected.is_none())
        .and_then(|e| e.owner);
    let owner = match (owner, holder) {
        // Another account's change waits: taking it over would send it under this account's name.
        // The transaction is dropped uncommitted (aborted), so nothing of the edit is kept.
        (Some(me), Some(other)) if me.id != other.id => {
            return Err(IdbError::HeldByOther(other.username));
        }
        (Some(me), _) => Some(me.clone()),
        (None, holder) => holder,
    };
    let entry = OutboxEntry {
        seq,
        kind: record.kind(),
        id,
        rejected: None,
        owner,
    };
    put_many(&meta, [(META_NEXT_SEQ.to_owned(), (seq + 1).to_string())])?;
    put_many(&tx.object_store(store)?, [(id.to_string(), json)])?;
    put_many(&outbox, [(key, serde_json::to_string(&entry)?)])?;
    tx.commit().await?;
    Ok(())
}

/// Keeps a photo (already downscaled) under its content hash and queues it for upload, atomically.
pub async fn save_photo(hash: &str, blob: &web_sys::Blob) -> Result<(), IdbError> {
    let db = db()?;
    let tx = db
        .transaction([PHOTOS, PHOTO_OUTBOX])
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let value: &wasm_bindgen::JsValue = blob.as_ref();
    tx.object_store(PHOTOS)?
        .put(value.clone())
        .with_key(hash.to_owned())
        .primitive()?
        .await?;
    tx.object_store(PHOTO_OUTBOX)?
        .put(hash.to_owned())
        .with_key(hash.to_owned())
        .primitive()?
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn load_photo(hash: &str) -> Result<Option<web_sys::Blob>, IdbError> {
    use wasm_bindgen::JsCast;
    let db = db()?;
    let tx = db.transaction(PHOTOS).build()?;
    let value: Option<wasm_bindgen::JsValue> = tx
        .object_store(PHOTOS)?
        .get(hash.to_owned())
        .primitive()?
        .await?;
    tx.commit().await?;
    match value {
        None => Ok(None),
        Some(v) if v.is_undefined() || v.is_null() => Ok(None),
        Some(v) => v
            .dyn_into::<web_sys::Blob>()
            .map(Some)
            .map_err(|_| IdbError::Data(format!("photo {hash} is not a blob"))),
    }
}

/// Hashes of the photos still to upload (set-aside ones left out).
pub async fn pending_photos() -> Result<Vec<String>, IdbError> {
    Ok(unsent_photos()
        .await?
        .into_iter()
        .filter(|e| e.rejected.is_none())
        .map(|e| e.hash)
        .collect())
}

/// Hashes of every photo not on the server, set-aside ones included (what an export carries).
pub async fn unsent_photo_hashes() -> Result<Vec<String>, IdbError> {
    Ok(unsent_photos().await?.into_iter().map(|e| e.hash).collect())
}

async fn unsent_photos() -> Result<Vec<PhotoEntry>, IdbError> {
    let _span = span("idb.unsent_photos");
    let db = db()?;
    let tx = db.transaction(PHOTO_OUTBOX).build()?;
    let entries = read_all_json(&tx.object_store(PHOTO_OUTBOX)?).await?;
    tx.commit().await?;
    Ok(entries.iter().map(|e| PhotoEntry::parse(e)).collect())
}

/// The server refused the photo for good: it stays on the device and in the photo outbox (an
/// export still carries it), marked with `reason` and out of the upload queue.
pub async fn set_photo_aside(hash: &str, reason: &Reason) -> Result<(), IdbError> {
    let db = db()?;
    let tx = db
        .transaction(PHOTO_OUTBOX)
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    let entry = PhotoEntry {
        hash: hash.to_owned(),
        rejected: Some(reason.to_stored()),
    };
    tx.object_store(PHOTO_OUTBOX)?
        .put(serde_json::to_string(&entry)?)
        .with_key(hash.to_owned())
        .primitive()?
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The changes waiting to be pushed, in `seq` order with their original numbers (what an export
/// carries: every account's), and this device's id.
pub async fn waiting_changes() -> Result<(Uuid, Vec<Change>), IdbError> {
    let device = IdbStore::ALL.device_id().await?;
    let changes = IdbStore::ALL.pending(usize::MAX).await?;
    Ok((device, changes))
}

/// The server has the photo: it leaves the upload queue (the blob stays on the device).
pub async fn photo_uploaded(hash: &str) -> Result<(), IdbError> {
    let db = db()?;
    let tx = db
        .transaction(PHOTO_OUTBOX)
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    tx.object_store(PHOTO_OUTBOX)?
        .delete(hash.to_owned())
        .primitive()?
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets the pull cursor, so the next pull starts from the beginning. Called on sign-in: what
/// the server lets a device pull depends on who is signed in, so a cursor moved under another
/// account (or under none) could skip records the new account may see. Pulled records that are
/// already here change nothing (`accept_remote`).
pub async fn reset_cursor() -> Result<(), IdbError> {
    let db = db()?;
    let tx = db
        .transaction(META)
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    tx.object_store(META)?
        .delete(META_CURSOR.to_owned())
        .primitive()?
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The [`LocalStore`] of the sync engine over this database, for one sender: its `pending`
/// holds the changes of that account and those made signed out, never another account's (a
/// tablet handed to a colleague must not send the first one's changes under the second's name).
#[derive(Debug, Clone, Copy, Default)]
pub struct IdbStore {
    /// `None`: every waiting change (an export, the contract tests).
    sender: Option<Uuid>,
}

impl IdbStore {
    /// Every waiting change, whoever made it.
    pub const ALL: IdbStore = IdbStore { sender: None };

    /// The changes `user` may send: theirs and those made signed out.
    pub fn sending_as(user: Uuid) -> IdbStore {
        IdbStore { sender: Some(user) }
    }

    fn sends(&self, entry: &OutboxEntry) -> bool {
        match (self.sender, &entry.owner) {
            (None, _) | (_, None) => true,
            (Some(user), Some(owner)) => owner.id == user,
        }
    }
}

impl LocalStore for IdbStore {
    type Error = IdbError;

    async fn device_id(&self) -> Result<Uuid, IdbError> {
        if let Some(id) = DEVICE.get() {
            return Ok(id);
        }
        let db = db()?;
        let tx = db.transaction(META).build()?;
        let id: Option<String> = tx
            .object_store(META)?
            .get(META_DEVICE_ID.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        let id = id.ok_or_else(|| IdbError::Data("no device id".into()))?;
        let id = Uuid::parse_str(&id).map_err(|e| IdbError::Data(e.to_string()))?;
        DEVICE.set(Some(id));
        Ok(id)
    }

    async fn pending(&self, limit: usize) -> Result<Vec<Change>, IdbError> {
        let _span = span("idb.pending");
        let db = db()?;
        let tx = db
            .transaction([&RECORD_STORES[..], &[OUTBOX]].concat())
            .build()?;
        let stores = RecordKind::ALL
            .map(|kind| tx.object_store(store_name(kind)))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        // The stores' counts (which say whether to read them whole) are asked for beside the
        // outbox, not after it.
        let mut counts = stores
            .iter()
            .map(|store| store.count().primitive().map(Some))
            .collect::<Result<Vec<_>, _>>()?;
        let mut entries: Vec<OutboxEntry> = read_outbox(&tx.object_store(OUTBOX)?)
            .await?
            .into_iter()
            .filter(|e| e.rejected.is_none() && self.sends(e))
            .collect();
        entries.sort_by_key(|e| e.seq);
        entries.truncate(limit);
        let of_kind: Vec<Vec<&OutboxEntry>> = RecordKind::ALL
            .map(|kind| entries.iter().filter(|e| e.kind == kind).collect())
            .into_iter()
            .collect();
        let ids: Vec<Vec<String>> = of_kind
            .iter()
            .map(|entries| entries.iter().map(|e| e.id.to_string()).collect())
            .collect();
        let rows = futures::future::join_all(
            stores
                .iter()
                .zip(&ids)
                .zip(counts.iter_mut())
                .map(|((store, ids), count)| rows_counted(store, ids, count.take())),
        )
        .await;
        tx.commit().await?;
        let mut changes = Vec::with_capacity(entries.len());
        for (of_kind, rows) in of_kind.into_iter().zip(rows) {
            for (entry, json) in of_kind.into_iter().zip(rows?.0) {
                let json = json.ok_or_else(|| {
                    IdbError::Data(format!("queued record {} is missing", entry.id))
                })?;
                changes.push(Change {
                    seq: entry.seq,
                    record: parse_record(entry.kind, &json)?,
                });
            }
        }
        changes.sort_by_key(|c| c.seq);
        Ok(changes)
    }

    async fn save_receipts(&self, receipts: Vec<Receipt>) -> Result<(), IdbError> {
        let _span = span("idb.save_receipts");
        let db = db()?;
        let tx = db
            .transaction(RECEIPT_SHARDS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(RECEIPT_SHARDS)?;
        let mut shards = Shards::read(&store, receipts.iter().map(|r| r.id)).await?;
        for receipt in receipts {
            shards.keep(receipt);
        }
        shards.write(&store)?;
        tx.commit().await?;
        Ok(())
    }

    async fn receipt(&self, kind: RecordKind, id: Uuid) -> Result<Option<Receipt>, IdbError> {
        let db = db()?;
        let tx = db.transaction(RECEIPT_SHARDS).build()?;
        let shards = Shards::read(&tx.object_store(RECEIPT_SHARDS)?, [id]).await?;
        tx.commit().await?;
        Ok(shards.get(kind, id).map(Kept::receipt))
    }

    async fn acknowledge(&self, sent: &[Change], results: &[ChangeResult]) -> Result<(), IdbError> {
        let _span = span("idb.acknowledge");
        let db = db()?;
        let tx = db
            .transaction([&RECORD_STORES[..], &[OUTBOX, RECEIPT_SHARDS]].concat())
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let outbox = tx.object_store(OUTBOX)?;
        let receipts = tx.object_store(RECEIPT_SHARDS)?;
        let stores = RecordKind::ALL
            .map(|kind| tx.object_store(store_name(kind)))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        let reading = span("idb.acknowledge.read");
        let keys: Vec<String> = results.iter().map(|r| outbox_key(r.kind, r.id)).collect();
        let (entries, shards) = futures::join!(
            whole_rows(&outbox, &keys),
            Shards::read(&receipts, results.iter().map(|r| r.id)),
        );
        let (entries, outbox_keys) = entries?;
        let mut shards = shards?;
        let entries = entries
            .iter()
            .map(|e| {
                e.as_deref()
                    .map(serde_json::from_str::<OutboxEntry>)
                    .transpose()
            })
            .collect::<Result<Vec<_>, _>>()?;
        // The copy sent is the local one where its change still waits under the same `seq`
        // (every local edit takes a new one): those rows are not read again.
        let sent: BTreeMap<u64, &Record> = sent.iter().map(|c| (c.seq, &c.record)).collect();
        let as_sent: Vec<Option<&Record>> = results
            .iter()
            .zip(&entries)
            .map(|(result, entry)| {
                entry
                    .as_ref()
                    .filter(|e| e.seq == result.seq)
                    .and_then(|_| sent.get(&result.seq).copied())
                    .filter(|r| r.kind() == result.kind && r.id() == result.id)
            })
            .collect();
        let ids: Vec<Vec<String>> = RecordKind::ALL
            .map(|kind| {
                results
                    .iter()
                    .zip(&as_sent)
                    .filter(|(r, sent)| r.kind == kind && sent.is_none())
                    .map(|(r, _)| r.id.to_string())
                    .collect()
            })
            .into_iter()
            .collect();
        let locals = futures::future::join_all(
            stores
                .iter()
                .zip(&ids)
                .map(|(store, ids)| rows_of(store, ids)),
        )
        .await;
        let mut locals = locals
            .into_iter()
            .map(|rows| rows.map(|(rows, _)| rows.into_iter()))
            .collect::<Result<Vec<_>, _>>()?;
        drop(reading);
        let deciding = span("idb.acknowledge.decide");
        for receipt in results.iter().filter_map(ChangeResult::receipt) {
            shards.keep(receipt);
        }
        let mut done = BTreeSet::new();
        let mut outbox_writes = Vec::new();
        let mut record_writes: Vec<Vec<(String, String)>> = vec![Vec::new(); stores.len()];
        let mut written = Vec::new();
        for ((result, entry), as_sent) in results.iter().zip(entries).zip(as_sent) {
            let k = RecordKind::ALL
                .iter()
                .position(|k| *k == result.kind)
                .unwrap_or_default();
            let key = outbox_key(result.kind, result.id);
            let local = match as_sent {
                Some(record) => Some(record.clone()),
                None => locals[k]
                    .next()
                    .flatten()
                    .map(|j| parse_record(result.kind, &j))
                    .transpose()?,
            };
            let step = on_verdict(entry.as_ref().map(|e| e.seq), local.as_ref(), result);
            let row_rev = step.write.as_ref().or(local.as_ref()).map(|r| r.meta().rev);
            shards.row(result.kind, result.id, row_rev);
            if let (Some(reason), Some(mut entry)) = (step.set_aside, entry) {
                entry.rejected = Some(reason.to_stored());
                outbox_writes.push((key.clone(), serde_json::to_string(&entry)?));
            }
            if step.done {
                done.insert(key);
            }
            if let Some(record) = step.write {
                record_writes[k].push((result.id.to_string(), record_json(&record)?));
                written.push(record);
            }
        }
        drop(deciding);
        let _writing = span("idb.acknowledge.write");
        for (store, writes) in stores.iter().zip(record_writes) {
            put_many(store, writes)?;
        }
        delete_keys(&outbox, &done, outbox_keys.as_deref())?;
        put_many(&outbox, outbox_writes)?;
        shards.write(&receipts)?;
        tx.commit().await?;
        touched(written);
        Ok(())
    }

    async fn cursor(&self) -> Result<u64, IdbError> {
        let db = db()?;
        let tx = db.transaction(META).build()?;
        let cursor = get_meta_u64(&tx.object_store(META)?, META_CURSOR).await?;
        tx.commit().await?;
        Ok(cursor)
    }

    async fn apply_pulled(&self, pulled: Vec<Pulled>, cursor: u64) -> Result<usize, IdbError> {
        let _span = span("idb.apply_pulled");
        let db = db()?;
        let tx = db
            .transaction([&RECORD_STORES[..], &[OUTBOX, RECEIPT_SHARDS, META]].concat())
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let outbox = tx.object_store(OUTBOX)?;
        let receipts = tx.object_store(RECEIPT_SHARDS)?;
        let stores = RecordKind::ALL
            .map(|kind| tx.object_store(store_name(kind)))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        let reading = span("idb.apply_pulled.read");
        let keys: Vec<String> = pulled
            .iter()
            .map(|p| outbox_key(p.record.kind(), p.record.id()))
            .collect();
        let (waiting, shards) = futures::join!(
            whole_rows(&outbox, &keys),
            Shards::read(&receipts, pulled.iter().map(|p| p.record.id())),
        );
        let (waiting, _) = waiting?;
        let mut shards = shards?;
        // A record the device holds as pulled (its receipt kept, its row at that revision,
        // nothing waiting: a push's own records coming back) changes nothing: its row is not read.
        let (held, news): (Vec<_>, Vec<_>) = pulled
            .into_iter()
            .zip(waiting)
            .map(|(p, waiting)| (p, waiting.is_some()))
            .partition(|(p, waiting)| !waiting && shards.holds(&p.receipt));
        drop(held);
        let ids: Vec<Vec<String>> = RecordKind::ALL
            .map(|kind| {
                news.iter()
                    .filter(|(p, _)| p.record.kind() == kind)
                    .map(|(p, _)| p.record.id().to_string())
                    .collect()
            })
            .into_iter()
            .collect();
        let locals = futures::future::join_all(
            stores
                .iter()
                .zip(&ids)
                .map(|(store, ids)| rows_of(store, ids)),
        )
        .await;
        let mut locals = locals
            .into_iter()
            .map(|rows| rows.map(|(rows, _)| rows.into_iter()))
            .collect::<Result<Vec<_>, _>>()?;
        drop(reading);
        let deciding = span("idb.apply_pulled.decide");
        let mut writes: Vec<Vec<(String, String)>> = vec![Vec::new(); stores.len()];
        let mut written = Vec::new();
        for (p, waiting) in news {
            let (kind, id) = (p.record.kind(), p.record.id());
            let k = RecordKind::ALL
                .iter()
                .position(|k| *k == kind)
                .unwrap_or_default();
            // `accept_remote` needs only the meta: the rest of the local copy is not parsed.
            let local = locals[k]
                .next()
                .flatten()
                .map(|j| serde_json::from_str::<RecordMeta>(&j))
                .transpose()?;
            // Kept whatever becomes of the record: the server's word on what it stores.
            shards.keep(p.receipt);
            if accept_remote(local.as_ref(), waiting, p.record.meta()) {
                writes[k].push((id.to_string(), record_json(&p.record)?));
                shards.row(kind, id, Some(p.record.meta().rev));
                written.push(p.record);
            } else {
                shards.row(kind, id, local.map(|l| l.rev));
            }
        }
        drop(deciding);
        let _writing = span("idb.apply_pulled.write");
        for (store, writes) in stores.iter().zip(writes) {
            put_many(store, writes)?;
        }
        shards.write(&receipts)?;
        put_many(
            &tx.object_store(META)?,
            [(META_CURSOR.to_owned(), cursor.to_string())],
        )?;
        tx.commit().await?;
        let changed = written.len();
        touched(written);
        Ok(changed)
    }
}

/// The edit path the contract suite drives: as the app's `AppState` does it, the stamp comes from
/// the copy held (never backwards), then [`save`] writes record and outbox entry in one step.
impl EditableStore for IdbStore {
    async fn save(&self, mut record: Record, now_ms: i64) -> Result<(), IdbError> {
        if let Some(held) = get(record.kind(), record.id()).await? {
            record.meta_mut().updated_at = held.meta().updated_at;
        }
        touch(record.meta_mut(), now_ms);
        save(&record, None).await
    }

    async fn get(&self, kind: RecordKind, id: Uuid) -> Result<Option<Record>, IdbError> {
        get(kind, id).await
    }
}
