//! When to sync: at start, when the browser comes online, shortly after an edit, every few
//! minutes, and on request; after a failure again with growing pauses. One round at a time.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use gloo_storage::{LocalStorage, Storage};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use praatplaat_domain::sync::{sync_once, SyncError};

use crate::clock;
use crate::idb::{self, IdbError, IdbStore};
use crate::net::{HttpTransport, NetError};
use crate::state::{AppState, SyncProblem};

/// Pause after an edit before syncing, so a burst of typing travels as one push.
const AFTER_EDIT: Duration = Duration::from_millis(800);
const PERIOD: Duration = Duration::from_secs(120);
const FIRST_RETRY: Duration = Duration::from_secs(5);
const MAX_RETRY: Duration = Duration::from_secs(300);
/// localStorage key of the time of the last successful round, so "last synced" survives a reload
/// (an interviewer checks it before leaving the office).
const LAST_OK_KEY: &str = "praatplaat.last_sync";

/// The time (ms) of the last successful round, as stored.
pub fn stored_last_ok() -> Option<i64> {
    LocalStorage::get(LAST_OK_KEY).ok()
}

thread_local! {
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static DEBOUNCE: RefCell<Option<TimeoutHandle>> = const { RefCell::new(None) };
    static RETRY: RefCell<Option<TimeoutHandle>> = const { RefCell::new(None) };
}

fn online() -> bool {
    window().navigator().on_line()
}

/// Starts the triggers; called once when the local database is open.
pub fn start(state: AppState) {
    state.sync.update(|s| s.online = online());
    let on_online = window_event_listener(ev::online, move |_| {
        state.sync.update(|s| s.online = true);
        request(state);
    });
    let on_offline = window_event_listener(ev::offline, move |_| {
        state.sync.update(|s| s.online = false);
    });
    // The app lives as long as the page: keep the listeners.
    std::mem::forget((on_online, on_offline));
    set_interval(move || request(state), PERIOD);
    request(state);
}

/// An edit was saved: sync soon, after typing pauses.
pub fn nudge(state: AppState) {
    replace_timer(&DEBOUNCE, AFTER_EDIT, move || request(state));
}

fn replace_timer(
    slot: &'static std::thread::LocalKey<RefCell<Option<TimeoutHandle>>>,
    delay: Duration,
    run: impl FnOnce() + 'static,
) {
    if let Ok(handle) = set_timeout_with_handle(run, delay) {
        if let Some(old) = slot.with(|s| s.replace(Some(handle))) {
            old.clear();
        }
    }
}

/// Syncs now, or right after the round that is running.
pub fn request(state: AppState) {
    if RUNNING.get() {
        AGAIN.set(true);
        return;
    }
    RUNNING.set(true);
    spawn_local(async move {
        loop {
            AGAIN.set(false);
            run(state).await;
            if !AGAIN.get() {
                break;
            }
        }
        RUNNING.set(false);
    });
}

/// Uploads waiting photos one by one; a photo that is uploaded leaves the queue at once, so an
/// interrupted round continues where it stopped.
async fn upload_photos(transport: &HttpTransport) -> Result<(), Failure> {
    for hash in idb::pending_photos().await.map_err(Failure::Device)? {
        match idb::load_photo(&hash).await.map_err(Failure::Device)? {
            Some(blob) => transport
                .put_photo(&hash, &blob)
                .await
                .map_err(Failure::Net)?,
            None => {
                leptos::logging::warn!("photo {hash} is queued but missing; dropped from the queue")
            }
        }
        idb::photo_uploaded(&hash).await.map_err(Failure::Device)?;
    }
    Ok(())
}

/// Why a round stopped, before it is put in the interviewer's terms.
enum Failure {
    Device(IdbError),
    Net(NetError),
    /// The server gave no verdict for a pushed change.
    NoProgress,
}

impl From<SyncError<IdbError, NetError>> for Failure {
    fn from(e: SyncError<IdbError, NetError>) -> Self {
        match e {
            SyncError::Store(e) => Failure::Device(e),
            SyncError::Transport(e) => Failure::Net(e),
            SyncError::NoProgress => Failure::NoProgress,
        }
    }
}

impl Failure {
    fn problem(&self) -> SyncProblem {
        match self {
            Failure::Device(e) => SyncProblem::Device(e.to_string()),
            Failure::Net(NetError::Unreachable(_)) => SyncProblem::Unreachable,
            Failure::Net(e) if e.forbidden() => SyncProblem::Forbidden,
            Failure::Net(e) => SyncProblem::Server(e.to_string()),
            Failure::NoProgress => {
                SyncProblem::Server("the server did not acknowledge the changes".into())
            }
        }
    }

    fn session_refused(&self) -> bool {
        matches!(self, Failure::Net(e) if e.session_refused())
    }
}

async fn run(state: AppState) {
    if !online() {
        state.sync.update(|s| s.online = false);
        return;
    }
    // Signed out, nothing leaves the device: records stay in the outbox until someone signs in
    // (capturing goes on as ever). Not a failure, so no back-off either.
    let Some(token) = state.account.with_untracked(|a| a.token()) else {
        state.sync.update(|s| s.online = true);
        return;
    };
    state.sync.update(|s| {
        s.online = true;
        s.running = true;
    });
    let transport =
        HttpTransport::new(state.settings.with_untracked(|s| s.api_base()), Some(token));
    let result = sync_once(&IdbStore, &transport)
        .await
        .map_err(Failure::from);
    // Records first, so an interview reaches the office even while its photos are still waiting.
    // A refused session refuses the photos as well: no need to try.
    let photos = match &result {
        Err(f) if f.session_refused() => Ok(()),
        _ => upload_photos(&transport).await,
    };
    let failure = result.as_ref().err().or(photos.as_ref().err());
    if let Some(failure) = failure {
        if failure.session_refused() {
            // Revoked by the coordinator (a lost tablet) or unknown: forget the token, keep every
            // record and the outbox, and ask for a new sign-in. Retrying would only fail again.
            state.forget_session(true);
        } else {
            let problem = failure.problem();
            state.sync.update(|s| {
                s.last_error = Some(problem);
                s.last_error_at = Some(clock::now_ms());
            });
        }
    }
    let retry = failure.is_some_and(|f| !f.session_refused());
    if let Ok(report) = &result {
        FAILURES.set(0);
        if report.pulled > 0 {
            if let Err(e) = state.reload().await {
                state
                    .sync
                    .update(|s| s.last_error = Some(SyncProblem::Device(e.to_string())));
            }
        }
        let now = clock::now_ms();
        if let Err(e) = LocalStorage::set(LAST_OK_KEY, now) {
            leptos::logging::warn!("the time of the last sync could not be kept: {e}");
        }
        state.sync.update(|s| {
            s.last_ok = Some(now);
            if photos.is_ok() {
                s.last_error = None;
            }
        });
    }
    state.refresh_outbox().await;
    state.refresh_storage().await;
    state.sync.update(|s| s.running = false);
    if retry {
        let failures = FAILURES.get() + 1;
        FAILURES.set(failures);
        let delay = FIRST_RETRY
            .saturating_mul(2u32.saturating_pow(failures - 1))
            .min(MAX_RETRY);
        replace_timer(&RETRY, delay, move || request(state));
    }
}
