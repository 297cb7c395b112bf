//! The app's shared state: signals provided once through context, and the one way to change a
//! record ([`AppState::edit_company`], [`AppState::edit_interview`]): update the signal at once,
//! persist in IndexedDB, then let the sync driver know.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use praatplaat_domain::initiative::{seed_catalogue, Initiative, Link};
use praatplaat_domain::merge::{overlay_unwritten, touch};
use praatplaat_domain::model::{Company, Interview, Record};
use praatplaat_domain::plate::Definition;
use uuid::Uuid;

use crate::clock;
use crate::i18n;
use crate::idb::{self, IdbError, OutboxSummary};
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
    /// The server answered with an error: try later or tell the coordinator.
    Server(String),
    /// Reading or writing this device's storage failed.
    Device(String),
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
    pub companies: RwSignal<BTreeMap<Uuid, Company>>,
    pub interviews: RwSignal<BTreeMap<Uuid, Interview>>,
    /// The initiative catalogue: the seed built into the app, overlaid by what the server sent.
    pub initiatives: RwSignal<BTreeMap<Uuid, Initiative>>,
    pub links: RwSignal<BTreeMap<Uuid, Link>>,
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
    /// Notified after each edit reached IndexedDB; the sync driver syncs soon after.
    pub edited: Trigger,
    /// Notified when a sync should start now (a new sign-in, "sync now").
    pub sync_asked: Trigger,
}

/// Creates the state, provides it to every component below, and starts loading from IndexedDB.
pub fn provide_app_state() -> AppState {
    let state = AppState {
        settings: RwSignal::new(Settings::load()),
        account: RwSignal::new(Account::load()),
        companies: RwSignal::new(BTreeMap::new()),
        interviews: RwSignal::new(BTreeMap::new()),
        initiatives: RwSignal::new(BTreeMap::new()),
        links: RwSignal::new(BTreeMap::new()),
        load: RwSignal::new(LoadState::Loading),
        sync: RwSignal::new(SyncStatus::default()),
        save_error: RwSignal::new(None),
        unsaved: RwSignal::new(BTreeMap::new()),
        storage: RwSignal::new(None),
        saving: RwSignal::new(0),
        edited: Trigger::new(),
        sync_asked: Trigger::new(),
    };
    provide_context(state);
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
    /// landed yet (a sync's reload can race a new interview; see [`overlay_unwritten`]).
    pub async fn reload(&self) -> Result<(), idb::IdbError> {
        let snapshot = idb::load_all().await?;
        self.companies.update(|current| {
            *current =
                overlay_unwritten(current, snapshot.companies, |c| (c.id, c.meta.updated_at));
        });
        self.interviews.update(|current| {
            *current =
                overlay_unwritten(current, snapshot.interviews, |i| (i.id, i.meta.updated_at));
        });
        // The seed is the same on every device and on the server (fixed ids), so the catalogue is
        // there before the first sync; stored versions replace their seed.
        let mut initiatives: BTreeMap<Uuid, Initiative> = seed_catalogue()
            .unwrap_or_default()
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        initiatives.extend(snapshot.initiatives.into_iter().map(|i| (i.id, i)));
        self.initiatives.update(|current| {
            *current = overlay_unwritten(current, initiatives.into_values().collect(), |i| {
                (i.id, i.meta.updated_at)
            });
        });
        self.links.update(|current| {
            *current = overlay_unwritten(current, snapshot.links, |l| (l.id, l.meta.updated_at));
        });
        self.sync.update(|s| s.outbox = snapshot.outbox);
        Ok(())
    }

    /// Re-reads only the records the last sync round rewrote ([`idb::take_touched`]) into the
    /// signals, keeping an edit made meanwhile (the later `updated_at` wins, as in [`reload`]).
    /// A round that changed nothing reads nothing; one that brought 200 records parses 200, not
    /// the whole database.
    ///
    /// [`reload`]: AppState::reload
    pub async fn reload_touched(&self) -> Result<(), idb::IdbError> {
        let keys = idb::take_touched();
        if keys.is_empty() {
            return Ok(());
        }
        let records = idb::load_records(&keys).await?;
        fn keep<T: Clone>(map: &mut BTreeMap<Uuid, T>, read: T, key: impl Fn(&T) -> (Uuid, i64)) {
            let (id, at) = key(&read);
            if map.get(&id).is_none_or(|shown| key(shown).1 <= at) {
                map.insert(id, read);
            }
        }
        let mut companies = Vec::new();
        let mut interviews = Vec::new();
        let mut initiatives = Vec::new();
        let mut links = Vec::new();
        for record in records {
            match record {
                Record::Company(c) => companies.push(c),
                Record::Interview(i) => interviews.push(i),
                Record::Initiative(i) => initiatives.push(i),
                Record::Link(l) => links.push(l),
            }
        }
        if !companies.is_empty() {
            self.companies.update(|m| {
                for c in companies {
                    keep(m, c, |c| (c.id, c.meta.updated_at));
                }
            });
        }
        if !interviews.is_empty() {
            self.interviews.update(|m| {
                for i in interviews {
                    keep(m, i, |i| (i.id, i.meta.updated_at));
                }
            });
        }
        if !initiatives.is_empty() {
            self.initiatives.update(|m| {
                for i in initiatives {
                    keep(m, i, |i| (i.id, i.meta.updated_at));
                }
            });
        }
        if !links.is_empty() {
            self.links.update(|m| {
                for l in links {
                    keep(m, l, |l| (l.id, l.meta.updated_at));
                }
            });
        }
        Ok(())
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
        self.store_company(company);
        self.store_interview(interview);
        id
    }

    /// Changes a company through `change` and saves it.
    pub fn edit_company(&self, id: Uuid, change: impl FnOnce(&mut Company)) {
        if let Some(mut company) = self.companies.with_untracked(|m| m.get(&id).cloned()) {
            change(&mut company);
            self.store_company(company);
        }
    }

    /// Changes an interview through `change` and saves it.
    pub fn edit_interview(&self, id: Uuid, change: impl FnOnce(&mut Interview)) {
        if let Some(mut interview) = self.interviews.with_untracked(|m| m.get(&id).cloned()) {
            change(&mut interview);
            self.store_interview(interview);
        }
    }

    /// Saves a new link.
    pub fn add_link(&self, link: Link) {
        self.store_link(link);
    }

    /// Changes a link through `change` and saves it.
    pub fn edit_link(&self, id: Uuid, change: impl FnOnce(&mut Link)) {
        if let Some(mut link) = self.links.with_untracked(|m| m.get(&id).cloned()) {
            change(&mut link);
            self.store_link(link);
        }
    }

    /// Saves a new initiative in the catalogue.
    pub fn add_initiative(&self, initiative: Initiative) {
        self.store_initiative(initiative);
    }

    /// Changes an initiative through `change` and saves it (a seed becomes a stored version).
    pub fn edit_initiative(&self, id: Uuid, change: impl FnOnce(&mut Initiative)) {
        if let Some(mut initiative) = self.initiatives.with_untracked(|m| m.get(&id).cloned()) {
            change(&mut initiative);
            self.store_initiative(initiative);
        }
    }

    /// Takes a record from an export file over as an edit of this device (`transfer.rs`): it
    /// joins this device's outbox and syncs from here.
    pub fn take_over(&self, record: Record) {
        match record {
            Record::Company(c) => self.store_company(c),
            Record::Interview(i) => self.store_interview(i),
            Record::Initiative(i) => self.store_initiative(i),
            Record::Link(l) => self.store_link(l),
        }
    }

    fn store_initiative(&self, mut initiative: Initiative) {
        touch(&mut initiative.meta, clock::now_ms());
        self.initiatives.update(|m| {
            m.insert(initiative.id, initiative.clone());
        });
        self.persist(Record::Initiative(initiative));
    }

    fn store_link(&self, mut link: Link) {
        touch(&mut link.meta, clock::now_ms());
        self.links.update(|m| {
            m.insert(link.id, link.clone());
        });
        self.persist(Record::Link(link));
    }

    fn store_company(&self, mut company: Company) {
        touch(&mut company.meta, clock::now_ms());
        self.companies.update(|m| {
            m.insert(company.id, company.clone());
        });
        self.persist(Record::Company(company));
    }

    fn store_interview(&self, mut interview: Interview) {
        touch(&mut interview.meta, clock::now_ms());
        self.interviews.update(|m| {
            m.insert(interview.id, interview.clone());
        });
        self.persist(Record::Interview(interview));
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
                    let id = record.id();
                    state.unsaved.update(|u| {
                        u.remove(&id);
                    });
                    if state.unsaved.with_untracked(BTreeMap::is_empty) {
                        state.save_error.set(None);
                    } else {
                        // Writing works again: the edits that failed earlier get another go.
                        state.retry_unsaved();
                    }
                    let (kind, id) = (record.kind(), record.id());
                    state
                        .sync
                        .update(|s| s.outbox.note_saved(kind, id, owner.as_ref()));
                    state.edited.notify();
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
                    .update(|s| s.last_error = Some(SyncProblem::Device(e.to_string())));
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
