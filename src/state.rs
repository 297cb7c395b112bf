//! The app's shared state: signals provided once through context, and the one way to change a
//! record of any kind ([`AppState::edit`], [`AppState::save`]): update its map at once, persist
//! in IndexedDB, then let the sync driver know.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use praatplaat_domain::initiative::seed_catalogue;
use praatplaat_domain::merge::touch;
use praatplaat_domain::model::{Company, Interview, Record, RecordKind, SyncedRecord};
use praatplaat_domain::plate::Definition;
use uuid::Uuid;

use crate::clock;
use crate::i18n;
use crate::idb::{self, IdbError, OutboxSummary};
use crate::records::{Arrival, Held, Records};
use crate::session::{Account, Session};
use crate::settings::Settings;
use crate::storage::{self, StorageInfo};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadState {
    Loading,
    Ready,
    Failed(String),
}

/// Why the last write to the device failed. The edit stays on screen and in
/// [`AppState::unsaved`] until a retry succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveProblem {
    /// The browser's storage quota for this app is used up.
    Full,
    Other(String),
}

impl From<IdbError> for SaveProblem {
    fn from(e: IdbError) -> Self {
        match e {
            IdbError::Quota => SaveProblem::Full,
            other => SaveProblem::Other(other.to_string()),
        }
    }
}

/// Why the last sync round did not finish, sorted by what the interviewer can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncProblem {
    /// No network, or the server did not answer: wait; everything is on the device.
    Unreachable,
    /// The account may not sync records (403): sign in with another account.
    Forbidden,
    /// The server answered with an error: its HTTP status and the API's error code (empty when
    /// the answer was not the API's JSON). Try later or tell the coordinator.
    Server { status: u16, code: String },
    /// The server's answer was unreadable, or it did not acknowledge the changes sent.
    Garbled,
    /// Reading or writing this device's storage failed.
    Device(DeviceFault),
}

/// What went wrong with the device's storage, as the interviewer is told (the details go to the
/// console: they are the browser's words, not ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceFault {
    Full,
    Unreadable,
    Other,
}

impl From<&IdbError> for DeviceFault {
    fn from(e: &IdbError) -> Self {
        leptos::logging::warn!("device storage: {e}");
        match e {
            IdbError::Quota => DeviceFault::Full,
            IdbError::Data(_) => DeviceFault::Unreadable,
            IdbError::Idb(_) | IdbError::NotOpen | IdbError::HeldByOther(_) => DeviceFault::Other,
        }
    }
}

/// What the sync badge and the sync screen show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncStatus {
    pub outbox: OutboxSummary,
    pub running: bool,
    pub online: bool,
    /// Time (ms) of the last sync that reached the server and finished.
    pub last_ok: Option<i64>,
    pub last_error: Option<SyncProblem>,
    /// Time (ms) of the last failed round, with `last_error`.
    pub last_error_at: Option<i64>,
    /// The photo being uploaded now: bytes the server holds and the photo's size.
    pub photo_upload: Option<(u64, u64)>,
}

#[derive(Debug, Clone, Copy)]
pub struct AppState {
    pub settings: RwSignal<Settings>,
    /// The account the device syncs with (see `session.rs`); signed out, nothing is synced.
    pub account: RwSignal<Account>,
    /// Every synced record on the device, a map per kind (`records.rs`). The initiative
    /// catalogue holds the seed built into the app, overlaid by what the server sent.
    pub records: Records,
    pub load: RwSignal<LoadState>,
    pub sync: RwSignal<SyncStatus>,
    /// Set when writing to IndexedDB failed; the edit is still in the signals (on screen).
    pub save_error: RwSignal<Option<SaveProblem>>,
    /// Records whose latest version could not be written, by id, kept to be written again.
    pub unsaved: RwSignal<BTreeMap<Uuid, Record>>,
    /// The device's storage as last measured (`None` where the browser does not tell).
    pub storage: RwSignal<Option<StorageInfo>>,
    /// IndexedDB writes in flight: a page closed now could lose them (see `app.rs`).
    pub saving: RwSignal<usize>,
    /// Set when an edit was refused because another account's change of that record waits on
    /// this tablet (the account's name); the banner shows it until dismissed.
    pub held_edit: RwSignal<Option<String>>,
    /// Notified when a refused edit's record is shown again as stored: a field that took the
    /// typing reads its value afresh even where the value it follows did not change (a memo of
    /// the stored value, which the refused typing never reached).
    pub restored: Trigger,
    /// Notified after each edit reached IndexedDB; the sync driver syncs soon after.
    pub edited: Trigger,
    /// Notified when a sync should start now (a new sign-in, "sync now").
    pub sync_asked: Trigger,
    /// A newer version of the app opened in another tab took over the database; this page must
    /// be reloaded to go on (`idb::on_replaced`).
    pub replaced: RwSignal<bool>,
}

/// Creates the state, provides it to every component below, and starts loading from IndexedDB.
pub fn provide_app_state() -> AppState {
    let state = AppState {
        settings: RwSignal::new(Settings::load()),
        account: RwSignal::new(Account::load()),
        records: Records::new(),
        load: RwSignal::new(LoadState::Loading),
        sync: RwSignal::new(SyncStatus::default()),
        save_error: RwSignal::new(None),
        unsaved: RwSignal::new(BTreeMap::new()),
        storage: RwSignal::new(None),
        saving: RwSignal::new(0),
        held_edit: RwSignal::new(None),
        restored: Trigger::new(),
        edited: Trigger::new(),
        sync_asked: Trigger::new(),
        replaced: RwSignal::new(false),
    };
    provide_context(state);
    idb::on_replaced(move || state.replaced.set(true));
    i18n::provide_language(Signal::derive(move || state.settings.with(|s| s.lang)));
    spawn_local(async move {
        let opened = async {
            idb::open().await?;
            state.reload().await
        };
        match opened.await {
            // The sync driver starts when it sees `Ready` (app.rs).
            Ok(()) => state.load.set(LoadState::Ready),
            Err(e) => state.load.set(LoadState::Failed(e.to_string())),
        }
        storage::request_persistence().await;
        state.refresh_storage().await;
    });
    state
}

pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}

impl AppState {
    /// Reads every record from IndexedDB into the signals, keeping edits whose write has not
    /// landed yet (a sync's reload can race a new interview; see `overlay_unwritten`).
    pub async fn reload(&self) -> Result<(), idb::IdbError> {
        let snapshot = idb::load_all().await?;
        // The seed is the same on every device and on the server (fixed ids), so the catalogue is
        // there before the first sync; stored versions replace their seed.
        let stored: BTreeSet<(RecordKind, Uuid)> = snapshot
            .records
            .iter()
            .map(|r| (r.kind(), r.id()))
            .collect();
        let mut records: Vec<Record> = seed_catalogue()
            .unwrap_or_default()
            .into_iter()
            .filter(|i| !stored.contains(&(RecordKind::Initiative, i.id)))
            .map(Record::Initiative)
            .collect();
        records.extend(snapshot.records);
        self.records.arrive(records, Arrival::Everything);
        self.sync.update(|s| s.outbox = snapshot.outbox);
        Ok(())
    }

    /// Shows the records the last sync round rewrote ([`idb::take_touched`], as written), keeping
    /// an edit made meanwhile (the later `updated_at` wins, as in [`reload`]). A round that
    /// changed nothing changes no signal; nothing is read back from IndexedDB.
    ///
    /// [`reload`]: AppState::reload
    pub fn reload_touched(&self) {
        let records = idb::take_touched();
        if !records.is_empty() {
            self.records.arrive(records, Arrival::Some);
        }
    }

    /// Starts an interview with a new company; returns the interview's id.
    pub fn create_interview(&self, name: String, municipality: String) -> Uuid {
        let company = Company {
            id: clock::new_id(),
            name,
            municipality,
            ..Company::default()
        };
        let interview = Interview {
            id: clock::new_id(),
            company_id: company.id,
            date: clock::today(),
            interviewer: self.settings.with_untracked(|s| s.interviewer.clone()),
            plate_version: Definition::current()
                .map(Definition::plate_key)
                .unwrap_or_default(),
            ..Interview::default()
        };
        let id = interview.id;
        self.save(company);
        self.save(interview);
        id
    }

    /// Changes the record `id` of kind `T` through `change` and saves it (a seed initiative
    /// becomes a stored version).
    pub fn edit<T: Held>(&self, id: Uuid, change: impl FnOnce(&mut T)) {
        if let Some(mut record) = T::map(&self.records).get_untracked(id) {
            change(&mut record);
            self.save(record);
        }
    }

    /// Saves a new or changed record of any kind.
    pub fn save<T: SyncedRecord>(&self, record: T) {
        self.save_record(record.into_record());
    }

    /// Takes a record from an export file over as an edit of this device (`transfer.rs`): it
    /// joins this device's outbox and syncs from here.
    pub fn take_over(&self, record: Record) {
        self.save_record(record);
    }

    /// Saves a record of any kind. The one way a record changes on the device: stamped, shown,
    /// persisted. A record with another account's change waiting here is not changed (its change
    /// would be sent under this account's name): the edit is refused and [`AppState::held_edit`]
    /// says whose change waits.
    pub fn save_record(&self, mut record: Record) {
        let user = self
            .account
            .with_untracked(|a| a.session.as_ref().map(|s| s.user.id));
        let holder = self.sync.with_untracked(|s| {
            s.outbox
                .held_by_other(record.kind(), record.id(), user)
                .map(|o| o.username.clone())
        });
        if let Some(name) = holder {
            self.held_edit.set(Some(name));
            // Shown again as stored, so a field that took the typing shows what is kept.
            if let Some(shown) = self.records.get_untracked(record.kind(), record.id()) {
                self.records.insert(shown);
            }
            self.restored.notify();
            return;
        }
        touch(record.meta_mut(), clock::now_ms());
        self.records.insert(record.clone());
        self.persist(record);
    }

    fn persist(&self, record: Record) {
        let state = *self;
        state.saving.update(|n| *n += 1);
        spawn_local(async move {
            let owner = state.account.with_untracked(|a| {
                a.session.as_ref().map(|s| idb::Owner {
                    id: s.user.id,
                    username: s.user.username.clone(),
                })
            });
            let result = idb::save(&record, owner.as_ref()).await;
            state.saving.update(|n| *n -= 1);
            match result {
                Ok(()) => {
                    // Signals are notified only when they change: a keystroke's write usually
                    // changes none of them, and each notification re-runs what shows it.
                    let id = record.id();
                    state.unsaved.maybe_update(|u| u.remove(&id).is_some());
                    if state.unsaved.with_untracked(BTreeMap::is_empty) {
                        if state.save_error.with_untracked(Option::is_some) {
                            state.save_error.set(None);
                        }
                    } else {
                        // Writing works again: the edits that failed earlier get another go.
                        state.retry_unsaved();
                    }
                    let (kind, id) = (record.kind(), record.id());
                    state
                        .sync
                        .maybe_update(|s| s.outbox.note_saved(kind, id, owner.as_ref()));
                    state.edited.notify();
                }
                Err(IdbError::HeldByOther(name)) => {
                    // Another account's change waits (the summary in memory did not know yet):
                    // nothing was written; show the stored version again.
                    state.held_edit.set(Some(name));
                    if let Ok(Some(stored)) = idb::get(record.kind(), record.id()).await {
                        state.records.insert(stored);
                    }
                }
                Err(e) => {
                    state.unsaved.update(|u| {
                        u.insert(record.id(), record);
                    });
                    state.save_error.set(Some(e.into()));
                    state.refresh_storage().await;
                }
            }
        });
    }

    /// Writes again every record whose last write failed (after space was freed, say).
    pub fn retry_unsaved(&self) {
        let records: Vec<Record> = self
            .unsaved
            .with_untracked(|u| u.values().cloned().collect());
        for record in records {
            self.persist(record);
        }
    }

    /// Re-measures the device's storage.
    pub async fn refresh_storage(&self) {
        if let Some(info) = storage::estimate().await {
            self.storage.set(Some(info));
        }
    }

    /// Keeps a new session (after sign-in) and syncs with it at once.
    pub fn signed_in(&self, session: Session) {
        let state = *self;
        self.account.update(|a| {
            a.last_username = session.user.username.clone();
            a.session = Some(session.clone());
            a.signed_out_by_server = false;
        });
        self.persist_account();
        // New interviews carry the interviewer's name; fill it in if the device has none yet.
        if self
            .settings
            .with_untracked(|s| s.interviewer.trim().is_empty())
        {
            self.settings
                .update(|s| s.interviewer = session.user.display_name.clone());
            if let Err(e) = self.settings.with_untracked(Settings::save) {
                self.save_error.set(Some(SaveProblem::Other(e)));
            }
        }
        self.sync.update(|s| s.last_error = None);
        spawn_local(async move {
            // What a device may pull depends on the account: start the pull from the beginning.
            if let Err(e) = idb::reset_cursor().await {
                state
                    .sync
                    .update(|s| s.last_error = Some(SyncProblem::Device((&e).into())));
            }
            state.sync_asked.notify();
        });
    }

    /// Forgets the session token. Every record and the outbox stay on the device; they sync
    /// after the next sign-in. `by_server` marks a session the server refused (revoked by the
    /// coordinator), which every screen then reports.
    pub fn forget_session(&self, by_server: bool) {
        self.account.update(|a| {
            a.session = None;
            a.signed_out_by_server = by_server;
        });
        self.persist_account();
        self.sync.update(|s| s.last_error = None);
    }

    fn persist_account(&self) {
        if let Err(e) = self.account.with_untracked(Account::save) {
            self.save_error.set(Some(SaveProblem::Other(e)));
        }
    }

    /// Re-reads what is waiting in the outbox.
    pub async fn refresh_outbox(&self) {
        if let Ok(outbox) = idb::outbox_summary().await {
            self.sync.update(|s| s.outbox = outbox);
        }
    }
}
