//! The device's records in signals: one [`RecordMap`] per synced kind, declared from the domain's
//! kind list (`praatplaat_domain::for_each_record_kind!`), so a new kind gets its map, its
//! dispatch from a [`Record`] and its [`Held`] impl without a line here. Changing records goes
//! through `AppState` (`state.rs`): one `edit`, one `save`, one persist for every kind.

use std::collections::BTreeMap;

use leptos::prelude::*;
use praatplaat_domain::merge::overlay_unwritten;
use praatplaat_domain::model::{Record, RecordKind, SyncedRecord};
use praatplaat_domain::protocol::{hash_of, Receipt};
use praatplaat_domain::sync::is_safe_hashed;
use uuid::Uuid;

/// The records of one kind on this device, by id, as the screens show them.
pub struct RecordMap<T: 'static> {
    all: RwSignal<BTreeMap<Uuid, T>>,
    /// Content hashes of shown records, computed when first asked after a change (every change
    /// goes through `insert` or `arrive`, which forget the changed ones).
    hashes: StoredValue<BTreeMap<Uuid, String>>,
}

impl<T> Clone for RecordMap<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for RecordMap<T> {}

impl<T> std::fmt::Debug for RecordMap<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordMap")
    }
}

/// How records read from IndexedDB join what the screen holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// A fresh read of everything: the read replaces the map, except edits whose write had not
    /// landed yet ([`overlay_unwritten`]).
    Everything,
    /// Some records re-read after a sync round: each replaces its shown version unless that one
    /// holds a later edit (made while the round ran).
    Some,
}

impl<T: SyncedRecord> RecordMap<T> {
    fn new() -> Self {
        RecordMap {
            all: RwSignal::new(BTreeMap::new()),
            hashes: StoredValue::new(BTreeMap::new()),
        }
    }

    /// The record `id` (tracked). Prefer [`RecordMap::select`] for a part of it in a view.
    pub fn get(&self, id: Uuid) -> Option<T> {
        self.all.with(|m| m.get(&id).cloned())
    }

    pub fn get_untracked(&self, id: Uuid) -> Option<T> {
        self.all.with_untracked(|m| m.get(&id).cloned())
    }

    /// A part of one record (`None` while it is not there) that notifies only when that part
    /// changed: an edit of the notes re-renders what shows the notes, not every field. The part
    /// is computed from a borrow, so the record is not cloned.
    pub fn select<R>(
        &self,
        id: Uuid,
        part: impl Fn(&T) -> R + Send + Sync + 'static,
    ) -> Memo<Option<R>>
    where
        R: PartialEq + Clone + Send + Sync + 'static,
    {
        let all = self.all;
        Memo::new(move |_| all.with(|m| m.get(&id).map(&part)))
    }

    /// The whole map, borrowed (tracked).
    pub fn read(&self) -> impl std::ops::Deref<Target = BTreeMap<Uuid, T>> {
        self.all.read()
    }

    pub fn read_untracked(&self) -> impl std::ops::Deref<Target = BTreeMap<Uuid, T>> {
        self.all.read_untracked()
    }

    /// Reads the whole map (tracked).
    pub fn with<R>(&self, f: impl FnOnce(&BTreeMap<Uuid, T>) -> R) -> R {
        self.all.with(f)
    }

    pub fn with_untracked<R>(&self, f: impl FnOnce(&BTreeMap<Uuid, T>) -> R) -> R {
        self.all.with_untracked(f)
    }

    /// Whether the record `id` is on the server as shown (tracked on the record): nothing of it
    /// waits (`waiting`) and `receipt` vouches for this content. Hashes once per change.
    pub fn is_safe(&self, id: Uuid, waiting: bool, receipt: Option<&Receipt>) -> bool {
        self.all.with(|m| {
            m.get(&id).is_some_and(|record| {
                let known = self.hashes.with_value(|h| h.get(&id).cloned());
                let hash = known.unwrap_or_else(|| {
                    let hash = hash_of(record);
                    self.hashes.update_value(|h| {
                        h.insert(id, hash.clone());
                    });
                    hash
                });
                is_safe_hashed(waiting, receipt, record, &hash)
            })
        })
    }

    /// Shows `record` as it is now (an edit, or a record taken over).
    pub(crate) fn insert(&self, record: T) {
        self.hashes.update_value(|h| {
            h.remove(&record.id());
        });
        self.all.update(|m| {
            m.insert(record.id(), record);
        });
    }

    fn arrive(&self, read: Vec<T>, how: Arrival) {
        match how {
            Arrival::Everything => self.hashes.update_value(BTreeMap::clear),
            Arrival::Some => self.hashes.update_value(|h| {
                for record in &read {
                    h.remove(&record.id());
                }
            }),
        }
        match how {
            Arrival::Everything => self.all.update(|shown| {
                *shown = overlay_unwritten(shown, read, |r| (r.id(), r.meta().updated_at));
            }),
            // A round that brought nothing of this kind leaves its views alone.
            Arrival::Some if read.is_empty() => {}
            Arrival::Some => self.all.update(|shown| {
                for record in read {
                    let later_on_screen = shown
                        .get(&record.id())
                        .is_some_and(|s| s.meta().updated_at > record.meta().updated_at);
                    if !later_on_screen {
                        shown.insert(record.id(), record);
                    }
                }
            }),
        }
    }
}

/// A kind the app holds in a [`RecordMap`] (implemented for every synced kind below).
pub trait Held: SyncedRecord {
    fn map(records: &Records) -> RecordMap<Self>;
}

macro_rules! declare_records {
    ($($variant:ident($ty:ty) $collection:ident,)+) => {
        /// Every kind's [`RecordMap`], one field per kind named as its IndexedDB store.
        #[derive(Debug, Clone, Copy)]
        pub struct Records {
            $(pub $collection: RecordMap<$ty>,)+
        }

        impl Records {
            pub fn new() -> Self {
                Records { $($collection: RecordMap::new(),)+ }
            }

            /// The record `kind`/`id` (tracked), whatever its kind.
            pub fn get(&self, kind: RecordKind, id: Uuid) -> Option<Record> {
                match kind {
                    $(RecordKind::$variant => self.$collection.get(id).map(Record::$variant),)+
                }
            }

            pub fn get_untracked(&self, kind: RecordKind, id: Uuid) -> Option<Record> {
                match kind {
                    $(RecordKind::$variant => {
                        self.$collection.get_untracked(id).map(Record::$variant)
                    })+
                }
            }

            /// Shows `record` in its kind's map.
            pub fn insert(&self, record: Record) {
                match record {
                    $(Record::$variant(r) => self.$collection.insert(r),)+
                }
            }

            /// Puts records read from IndexedDB into their maps, each map notified once.
            pub fn arrive(&self, records: Vec<Record>, how: Arrival) {
                $(let mut $collection = Vec::new();)+
                for record in records {
                    match record {
                        $(Record::$variant(r) => $collection.push(r),)+
                    }
                }
                $(self.$collection.arrive($collection, how);)+
            }
        }

        $(
            impl Held for $ty {
                fn map(records: &Records) -> RecordMap<Self> {
                    records.$collection
                }
            }
        )+
    };
}

praatplaat_domain::for_each_record_kind!(declare_records);

impl Default for Records {
    fn default() -> Self {
        Records::new()
    }
}
