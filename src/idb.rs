//! The device's storage: IndexedDB through `indexed_db_futures`, behind a few functions.
//!
//! Invariant: every public function is one IndexedDB transaction, and no transaction is held
//! across an await of anything but its own requests (IndexedDB commits a transaction by itself
//! once the code waits for something else). Records are stored as JSON, many to a row
//! ([`Buckets`]), so a newer app version that adds fields still reads older records.

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
/// Schema changes other than a new kind: 1, the receipt shards; 2, records in buckets (the
/// stores stay, their rows are moved at open: [`bucket_old_rows`]).
const OTHER_STEPS: u32 = 2;
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
/// Rows per record store (since schema 6): each row is a JSON object of record id → record, for
/// the records whose id starts with its bits ([`bucket_of`]). IndexedDB's cost is per request,
/// not per byte: in Chromium 400 puts of 500 bytes take 30 to 40 ms, one put of 200 KB 1 ms. A
/// sync round that rewrites 400 records so writes at most this many rows per kind, and a start
/// reads this many per kind; an edit rewrites its record's row (a few KB with 200 records).
const BUCKETS: u32 = 32;
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
    /// What the sync engine's steps did to the outbox and the receipts since [`take_settled`]
    /// last ran (each once committed): the screen's summary takes just this after a round
    /// ([`OutboxSummary::note_settled`]) instead of reading the outbox and every receipt again.
    static SETTLED: RefCell<Settled> = RefCell::new(Settled::default());
}

/// Outbox entries and receipts the sync engine changed (see `SETTLED`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settled {
    /// What became of waiting changes, the last word per record: reached the server (`None`: no
    /// longer waiting) or refused for good (out of the queue, kept and shown). An edit saved
    /// since takes its record out again: its new change waits ([`save`]).
    pub entries: BTreeMap<(RecordKind, Uuid), Option<Reason>>,
    /// Receipts as kept now (the newer one where two came).
    pub receipts: Vec<Receipt>,
}

/// What the engine settled since the last call (see `SETTLED`), cleared.
pub fn take_settled() -> Settled {
    SETTLED.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

fn settled(update: impl FnOnce(&mut Settled)) {
    SETTLED.with(|s| update(&mut s.borrow_mut()));
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

/// The place of `kind` in [`RecordKind::ALL`] (and in [`RECORD_STORES`]).
fn kind_index(kind: RecordKind) -> usize {
    RecordKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default()
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
    give_way_to_newer(&db);
    DB.with(|slot| *slot.borrow_mut() = Some(db.clone()));
    DEVICE.set(None);
    TOUCHED.with(|t| t.borrow_mut().clear());
    drop(take_settled());
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
    bucket_old_rows(&db).await?;
    shard_old_receipts(&db).await
}

thread_local! {
    /// Called when another tab opened the database at a newer version and this tab let go of it.
    static ON_REPLACED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// What to do when a newer version of the app, in another tab or window, upgrades the database:
/// this tab has closed its connection then (the upgrade would wait for it forever otherwise), and
/// every later write fails until the page is reloaded.
pub fn on_replaced(f: impl Fn() + 'static) {
    ON_REPLACED.with(|slot| *slot.borrow_mut() = Some(Box::new(f)));
}

/// Lets a newer version's upgrade through: on `versionchange` the connection closes (after the
/// transactions under way, which IndexedDB lets finish) and the page is told ([`on_replaced`]).
fn give_way_to_newer(db: &Database) {
    use indexed_db_futures::internals::SystemRepr;
    let sys: &web_sys::IdbDatabase = db.as_sys().unchecked_ref();
    let closing = sys.clone();
    let on_change = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        closing.close();
        DB.with(|slot| *slot.borrow_mut() = None);
        ON_REPLACED.with(|f| {
            if let Some(f) = f.borrow().as_ref() {
                f();
            }
        });
    });
    sys.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
    // Lives as long as the connection, which lives as long as the page.
    on_change.forget();
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

/// The bucket row of a record: `b` and two hex digits, the id's first five bits (never a UUID, so
/// a row left from before the buckets is told apart).
fn bucket_of(id: Uuid) -> &'static str {
    BUCKET_NAMES[(id.as_u128() >> 123) as usize % BUCKET_NAMES.len()]
}

/// The names of the [`BUCKETS`] rows (looked up, not formatted, for every record a round touches).
const BUCKET_NAMES: [&str; BUCKETS as usize] = [
    "b00", "b01", "b02", "b03", "b04", "b05", "b06", "b07", "b08", "b09", "b0a", "b0b", "b0c",
    "b0d", "b0e", "b0f", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19",
    "b1a", "b1b", "b1c", "b1d", "b1e", "b1f",
];

fn is_bucket_key(key: &str) -> bool {
    key.len() == 3 && key.starts_with('b')
}

type Bucket<K> = BTreeMap<K, Box<serde_json::value::RawValue>>;

/// What a bucketed store is keyed by: the record id that picks the bucket ([`bucket_of`]).
trait BucketKey: Ord + Clone + Serialize + serde::de::DeserializeOwned {
    fn record_id(&self) -> Uuid;
}

/// A record store's entries: the record's id.
impl BucketKey for Uuid {
    fn record_id(&self) -> Uuid {
        *self
    }
}

/// The outbox's entries: `kind:id` ([`outbox_key`]).
impl BucketKey for String {
    fn record_id(&self) -> Uuid {
        self.rsplit(':')
            .next()
            .and_then(|id| Uuid::parse_str(id).ok())
            .unwrap_or_default()
    }
}

fn parse_bucket<K: BucketKey>(json: Option<&str>) -> Result<Bucket<K>, IdbError> {
    Ok(match json {
        Some(json) => serde_json::from_str(json)?,
        None => Bucket::new(),
    })
}

/// Some bucket rows of one store (a record store, the outbox), read in the caller's
/// transaction, changed entry by entry and written back where they changed. An entry's JSON is
/// kept as text (its fields are parsed only when it is).
struct Buckets<K: BucketKey> {
    rows: BTreeMap<String, Bucket<K>>,
    changed: BTreeSet<String>,
    /// Every row of the store was read, and each was a bucket: a store left empty is cleared in
    /// one request (the outbox after a push) instead of a delete per row.
    whole: bool,
}

impl<K: BucketKey> Default for Buckets<K> {
    fn default() -> Self {
        Buckets {
            rows: BTreeMap::new(),
            changed: BTreeSet::new(),
            whole: false,
        }
    }
}

impl<K: BucketKey> Buckets<K> {
    /// The rows holding `keys` (the whole store, at most [`BUCKETS`] rows in one round trip, when
    /// they are more than a few).
    async fn read(
        store: &indexed_db_futures::object_store::ObjectStore<'_>,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<Buckets<K>, IdbError> {
        let rows: BTreeSet<&str> = keys.into_iter().map(|k| bucket_of(k.record_id())).collect();
        if rows.len() > 2 {
            return Buckets::read_all(store).await;
        }
        let values = get_many(store, rows.iter().map(|r| r.to_string())).await?;
        let mut buckets = Buckets::default();
        for (row, json) in rows.into_iter().zip(values) {
            buckets
                .rows
                .insert(row.to_owned(), parse_bucket(json.as_deref())?);
        }
        Ok(buckets)
    }

    /// Every bucket row of the store (rows of other keys, left from before, are not entries).
    async fn read_all(
        store: &indexed_db_futures::object_store::ObjectStore<'_>,
    ) -> Result<Buckets<K>, IdbError> {
        let (keys, rows) = whole_store(store).await?;
        let mut buckets = Buckets {
            whole: keys.iter().all(|k| is_bucket_key(k)),
            ..Buckets::default()
        };
        for (key, json) in keys.into_iter().zip(rows) {
            if is_bucket_key(&key) {
                buckets.rows.insert(key, parse_bucket(Some(&json))?);
            }
        }
        Ok(buckets)
    }

    /// The JSON of an entry (its bucket must have been read).
    fn get(&self, key: &K) -> Option<&str> {
        Some(self.rows.get(bucket_of(key.record_id()))?.get(key)?.get())
    }

    fn put(&mut self, key: K, json: String) -> Result<(), IdbError> {
        let row = bucket_of(key.record_id());
        let raw = serde_json::value::RawValue::from_string(json)?;
        match self.rows.get_mut(row) {
            Some(bucket) => drop(bucket.insert(key, raw)),
            None => drop(self.rows.insert(row.to_owned(), Bucket::from([(key, raw)]))),
        }
        if !self.changed.contains(row) {
            self.changed.insert(row.to_owned());
        }
        Ok(())
    }

    fn remove(&mut self, key: &K) {
        let row = bucket_of(key.record_id());
        if let Some(bucket) = self.rows.get_mut(row) {
            if bucket.remove(key).is_some() {
                self.changed.insert(row.to_owned());
            }
        }
    }

    /// Every entry's JSON, in key order within each row.
    fn all(&self) -> impl Iterator<Item = &str> {
        self.rows.values().flat_map(|b| b.values().map(|r| r.get()))
    }

    /// Puts the changed rows, and deletes those left empty (without awaiting: the commit reports
    /// a failure).
    fn write(
        self,
        store: &indexed_db_futures::object_store::ObjectStore<'_>,
    ) -> Result<(), IdbError> {
        if self.whole && !self.changed.is_empty() && self.rows.values().all(|b| b.is_empty()) {
            drop(store.clear()?);
            return Ok(());
        }
        let mut writes = Vec::with_capacity(self.changed.len());
        for row in self.changed {
            match self.rows.get(&row) {
                Some(bucket) if !bucket.is_empty() => {
                    writes.push((row, serde_json::to_string(bucket)?));
                }
                _ => drop(store.delete(row).primitive()?),
            }
        }
        put_many(store, writes)
    }
}

/// Every key and value of a store, in two requests issued together (one round trip).
async fn whole_store(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<(Vec<String>, Vec<String>), IdbError> {
    let keys = store.get_all_keys::<String>().primitive()?;
    let values = store.get_all::<String>().primitive()?;
    let (keys, values) = futures::join!(keys, values);
    let keys = keys?.collect::<Result<Vec<String>, _>>()?;
    let values = values?.collect::<Result<Vec<String>, _>>()?;
    Ok((keys, values))
}

/// The buckets of `records` in each record store (`stores` in [`RecordKind::ALL`] order), read
/// together; a store none of them is in is not read.
async fn read_buckets(
    stores: &[indexed_db_futures::object_store::ObjectStore<'_>],
    records: impl Iterator<Item = (RecordKind, Uuid)>,
) -> Result<Vec<Buckets<Uuid>>, IdbError> {
    let mut ids: Vec<Vec<Uuid>> = vec![Vec::new(); stores.len()];
    for (kind, id) in records {
        ids[kind_index(kind)].push(id);
    }
    futures::future::join_all(stores.iter().zip(ids).map(|(store, ids)| async move {
        if ids.is_empty() {
            Ok(Buckets::default())
        } else {
            Buckets::read(store, ids).await
        }
    }))
    .await
    .into_iter()
    .collect()
}

/// Moves records and outbox entries kept one per row (schemas 1 to 5) into their buckets, once:
/// a row whose key is a record id (`kind:id` in the outbox). One that is not JSON stays where it
/// is (and is not read), rather than keeping the app from opening.
async fn bucket_old_rows(db: &Database) -> Result<(), IdbError> {
    let tx = db
        .transaction([&RECORD_STORES[..], &[OUTBOX]].concat())
        .with_mode(TransactionMode::Readwrite)
        .build()?;
    for name in RECORD_STORES {
        move_rows::<Uuid>(&tx.object_store(name)?, |key| Uuid::parse_str(key).ok()).await?;
    }
    move_rows::<String>(&tx.object_store(OUTBOX)?, |key| {
        let key = key.to_owned();
        (!key.record_id().is_nil()).then_some(key)
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// [`bucket_old_rows`] for one store; `key_of` reads an old row's key as an entry key.
async fn move_rows<K: BucketKey>(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key_of: impl Fn(&str) -> Option<K>,
) -> Result<(), IdbError> {
    let keys = store.get_all_keys::<String>().primitive()?.await?;
    let keys = keys.collect::<Result<Vec<String>, _>>()?;
    if keys.iter().all(|k| is_bucket_key(k)) {
        return Ok(());
    }
    let (keys, rows) = whole_store(store).await?;
    let mut buckets = Buckets::<K>::default();
    for (key, json) in keys.iter().zip(&rows) {
        if is_bucket_key(key) {
            buckets.rows.insert(key.clone(), parse_bucket(Some(json))?);
        }
    }
    let mut moved = BTreeSet::new();
    for (key, json) in keys.iter().zip(rows) {
        if is_bucket_key(key) {
            continue;
        }
        match key_of(key).map(|entry| buckets.put(entry, json)) {
            Some(Ok(())) => {
                moved.insert(key.clone());
            }
            _ => leptos::logging::warn!("row {key} is no entry; left as it is"),
        }
    }
    buckets.write(store)?;
    delete_keys(store, &moved, None)
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

    /// What a sync round's steps settled ([`take_settled`]), as a fresh read would show it: the
    /// changes that reached the server no longer wait, the refused ones are set aside, the
    /// receipts are the ones kept (by [`keep_receipt`]).
    pub fn note_settled(&mut self, settled: Settled) {
        let leave = |key: (RecordKind, Uuid), summary: &mut OutboxSummary| {
            let waiting = summary.unsynced.contains(&key)
                && !summary.set_aside.iter().any(|e| (e.kind, e.id) == key);
            if waiting {
                summary.waiting = summary.waiting.saturating_sub(1);
                if let Some(n) = summary.by_kind.get_mut(&key.0) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        summary.by_kind.remove(&key.0);
                    }
                }
                if let Some(owner) = summary.held_by.remove(&key) {
                    if let Some((_, n)) = summary.by_owner.get_mut(&owner.id) {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            summary.by_owner.remove(&owner.id);
                        }
                    }
                }
            }
            waiting
        };
        for (key, refused) in settled.entries {
            leave(key, self);
            self.set_aside.retain(|e| (e.kind, e.id) != key);
            match refused {
                None => {
                    self.unsynced.remove(&key);
                }
                Some(reason) => {
                    self.unsynced.insert(key);
                    self.set_aside.push(SetAside {
                        kind: key.0,
                        id: key.1,
                        reason,
                    });
                }
            }
        }
        self.set_aside.sort_by_key(|e| (e.kind, e.id));
        for receipt in settled.receipts {
            let key = (receipt.kind, receipt.id);
            let mut held = self.receipts.remove(&key);
            keep_receipt(&mut held, receipt);
            if let Some(held) = held {
                self.receipts.insert(key, held);
            }
        }
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
    // In record order, as the summary kept in memory has them too (`note_settled`).
    summary.set_aside.sort_by_key(|e| (e.kind, e.id));
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

/// The rows of `keys`, from a read of the whole store (two requests, one round trip), with the
/// store's keys in order: for stores that are small by nature (the outbox, the receipt shards).
async fn whole_rows(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    keys: &[String],
) -> Result<(Vec<Option<String>>, Option<Vec<String>>), IdbError> {
    let (all_keys, all_values) = whole_store(store).await?;
    let by_key: BTreeMap<&str, String> = all_keys
        .iter()
        .map(String::as_str)
        .zip(all_values)
        .collect();
    let rows = keys
        .iter()
        .map(|k| by_key.get(k.as_str()).cloned())
        .collect();
    drop(by_key);
    Ok((rows, Some(all_keys)))
}

/// Deletes `doomed` from a store without awaiting: given the store's keys in order (`all`, from
/// [`whole_rows`]), one request per run of doomed keys between kept ones (the whole outbox after a
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
    Buckets::<String>::read_all(store)
        .await?
        .all()
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
        let buckets = Buckets::<Uuid>::read_all(&tx.object_store(store_name(kind))?).await?;
        for json in buckets.all() {
            records.push(parse_record(kind, json)?);
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
    let buckets = Buckets::<Uuid>::read(&tx.object_store(store_name(kind))?, [id]).await?;
    tx.commit().await?;
    buckets.get(&id).map(|j| parse_record(kind, j)).transpose()
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
    // The reads (the sequence, the waiting entry, the record's bucket) are under way before any
    // is awaited, and the writes are not awaited (the commit reports a failed one): a keystroke
    // costs one round trip and the commit.
    let records = tx.object_store(store)?;
    let (seq, waiting, buckets) = futures::join!(
        get_meta_u64(&meta, META_NEXT_SEQ),
        Buckets::<String>::read(&outbox, [key.clone()]),
        Buckets::<Uuid>::read(&records, [id])
    );
    let seq = seq?.max(1);
    let (mut waiting, mut buckets) = (waiting?, buckets?);
    let holder = waiting
        .get(&key)
        .and_then(|j| serde_json::from_str::<OutboxEntry>(j).ok())
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
    buckets.put(id, json)?;
    buckets.write(&records)?;
    waiting.put(key, serde_json::to_string(&entry)?)?;
    waiting.write(&outbox)?;
    tx.commit().await?;
    // A verdict on the record's earlier change, noted for the summary, is no longer its last word:
    // this change waits now.
    settled(|s| drop(s.entries.remove(&(record.kind(), id))));
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
        let mut entries: Vec<OutboxEntry> = read_outbox(&tx.object_store(OUTBOX)?)
            .await?
            .into_iter()
            .filter(|e| e.rejected.is_none() && self.sends(e))
            .collect();
        entries.sort_by_key(|e| e.seq);
        entries.truncate(limit);
        let buckets = read_buckets(&stores, entries.iter().map(|e| (e.kind, e.id))).await?;
        tx.commit().await?;
        let mut changes = Vec::with_capacity(entries.len());
        for entry in &entries {
            let json = buckets[kind_index(entry.kind)]
                .get(&entry.id)
                .ok_or_else(|| IdbError::Data(format!("queued record {} is missing", entry.id)))?;
            changes.push(Change {
                seq: entry.seq,
                record: parse_record(entry.kind, json)?,
            });
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
        let (waiting, shards) = futures::join!(
            Buckets::<String>::read(&outbox, keys.iter().cloned()),
            Shards::read(&receipts, results.iter().map(|r| r.id)),
        );
        let mut waiting = waiting?;
        let mut shards = shards?;
        let entries = keys
            .iter()
            .map(|key| {
                waiting
                    .get(key)
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
        // Every row a verdict may rewrite is read, whether or not its record is the copy sent.
        let mut buckets = read_buckets(&stores, results.iter().map(|r| (r.kind, r.id))).await?;
        drop(reading);
        let deciding = span("idb.acknowledge.decide");
        let mut note = Settled {
            receipts: results.iter().filter_map(ChangeResult::receipt).collect(),
            ..Settled::default()
        };
        for receipt in &note.receipts {
            shards.keep(receipt.clone());
        }
        let mut done = BTreeSet::new();
        let mut outbox_writes = Vec::new();
        let mut written = Vec::new();
        for ((result, entry), as_sent) in results.iter().zip(entries).zip(as_sent) {
            let k = kind_index(result.kind);
            let key = outbox_key(result.kind, result.id);
            let local = match as_sent {
                Some(record) => Some(record.clone()),
                None => buckets[k]
                    .get(&result.id)
                    .map(|j| parse_record(result.kind, j))
                    .transpose()?,
            };
            let step = on_verdict(entry.as_ref().map(|e| e.seq), local.as_ref(), result);
            let row_rev = step.write.as_ref().or(local.as_ref()).map(|r| r.meta().rev);
            shards.row(result.kind, result.id, row_rev);
            if let (Some(reason), Some(mut entry)) = (step.set_aside, entry) {
                entry.rejected = Some(reason.to_stored());
                outbox_writes.push((key.clone(), serde_json::to_string(&entry)?));
                note.entries.insert((result.kind, result.id), Some(reason));
            }
            if step.done {
                done.insert(key);
                note.entries.insert((result.kind, result.id), None);
            }
            if let Some(record) = step.write {
                buckets[k].put(result.id, record_json(&record)?)?;
                written.push(record);
            }
        }
        drop(deciding);
        let _writing = span("idb.acknowledge.write");
        for (store, buckets) in stores.iter().zip(buckets) {
            buckets.write(store)?;
        }
        for key in &done {
            waiting.remove(key);
        }
        for (key, entry) in outbox_writes {
            waiting.put(key, entry)?;
        }
        waiting.write(&outbox)?;
        shards.write(&receipts)?;
        tx.commit().await?;
        touched(written);
        settled(|s| {
            s.entries.append(&mut note.entries);
            s.receipts.append(&mut note.receipts);
        });
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
        let (outbox_rows, shards) = futures::join!(
            Buckets::<String>::read(&outbox, keys.iter().cloned()),
            Shards::read(&receipts, pulled.iter().map(|p| p.record.id())),
        );
        let outbox_rows = outbox_rows?;
        let waiting: Vec<bool> = keys.iter().map(|k| outbox_rows.get(k).is_some()).collect();
        let mut shards = shards?;
        // A record the device holds as pulled (its receipt kept, its row at that revision,
        // nothing waiting: a push's own records coming back) changes nothing: its row is not read.
        let (held, news): (Vec<_>, Vec<_>) = pulled
            .into_iter()
            .zip(waiting)
            .partition(|(p, waiting)| !waiting && shards.holds(&p.receipt));
        drop(held);
        let mut buckets = read_buckets(
            &stores,
            news.iter().map(|(p, _)| (p.record.kind(), p.record.id())),
        )
        .await?;
        drop(reading);
        let deciding = span("idb.apply_pulled.decide");
        let mut written = Vec::new();
        let mut kept_receipts = Vec::new();
        for (p, waiting) in news {
            let (kind, id) = (p.record.kind(), p.record.id());
            let k = kind_index(kind);
            // `accept_remote` needs only the meta: the rest of the local copy is not parsed.
            let local = buckets[k]
                .get(&id)
                .map(serde_json::from_str::<RecordMeta>)
                .transpose()?;
            // Kept whatever becomes of the record: the server's word on what it stores.
            kept_receipts.push(p.receipt.clone());
            shards.keep(p.receipt);
            if accept_remote(local.as_ref(), waiting, p.record.meta()) {
                buckets[k].put(id, record_json(&p.record)?)?;
                shards.row(kind, id, Some(p.record.meta().rev));
                written.push(p.record);
            } else {
                shards.row(kind, id, local.map(|l| l.rev));
            }
        }
        drop(deciding);
        let _writing = span("idb.apply_pulled.write");
        for (store, buckets) in stores.iter().zip(buckets) {
            buckets.write(store)?;
        }
        shards.write(&receipts)?;
        put_many(
            &tx.object_store(META)?,
            [(META_CURSOR.to_owned(), cursor.to_string())],
        )?;
        tx.commit().await?;
        let changed = written.len();
        touched(written);
        settled(|s| s.receipts.append(&mut kept_receipts));
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
