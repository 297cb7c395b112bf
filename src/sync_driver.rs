//! When to sync: at start, when the browser comes online, shortly after an edit, every few
//! minutes, and on request; after a failure again with growing pauses. One round at a time.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use gloo_storage::{LocalStorage, Storage};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use praatplaat_domain::refusal::{Reason, Refusal};
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

/// Starts the triggers; called once, when the local database is open.
pub fn start(state: AppState) {
    state.sync.update(|s| {
        s.online = online();
        s.last_ok = s.last_ok.or(stored_last_ok());
    });
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

/// Bytes per upload request: a dropped connection costs at most this much again, and a chunk
/// gets through a weak hall connection within the request time limit.
const CHUNK: u64 = 64 * 1024;
/// Answers without progress (409 after 409) before the round gives up for now.
const MAX_STALLS: u32 = 3;

/// Uploads waiting photos one by one, resumably; a photo that is uploaded leaves the queue at
/// once, so an interrupted round continues where it stopped, inside a photo too (the server
/// keeps the chunks it has; the next round asks how far it got).
async fn upload_photos(state: AppState, transport: &HttpTransport) -> Result<(), Failure> {
    for hash in idb::pending_photos().await.map_err(Failure::Device)? {
        match idb::load_photo(&hash).await.map_err(Failure::Device)? {
            Some(blob) => {
                let result = upload_photo(state, transport, &hash, &blob).await;
                state.sync.update(|s| s.photo_upload = None);
                match result {
                    Ok(()) => {}
                    Err(Refused(reason)) => {
                        // Kept on the device (an export still carries it) and shown with the
                        // server's reason; it no longer blocks the photos after it.
                        idb::set_photo_aside(&hash, &reason)
                            .await
                            .map_err(Failure::Device)?;
                        continue;
                    }
                    Err(Retry(failure)) => return Err(failure),
                }
            }
            None => {
                leptos::logging::warn!("photo {hash} is queued but missing; dropped from the queue")
            }
        }
        idb::photo_uploaded(&hash).await.map_err(Failure::Device)?;
        state.refresh_outbox().await;
    }
    Ok(())
}

/// Why one photo's upload stopped.
enum PhotoFailure {
    /// Try again in a later round (network, server trouble, a refused session).
    Retry(Failure),
    /// The server refuses this photo for good, with its reason (a code the app words).
    Refused(Reason),
}
use PhotoFailure::{Refused, Retry};

/// One photo: ask the server how far it got, then send the rest chunk by chunk.
async fn upload_photo(
    state: AppState,
    transport: &HttpTransport,
    hash: &str,
    blob: &web_sys::Blob,
) -> Result<(), PhotoFailure> {
    let size = blob.size() as u64;
    let net = |e: NetError| Retry(Failure::Net(e));
    let mut status = transport.upload_status(hash).await.map_err(net)?;
    let mut started_over = false;
    let mut stalls = 0;
    while !status.complete {
        let offset = status.received;
        state
            .sync
            .update(|s| s.photo_upload = Some((offset.min(size), size)));
        if offset >= size {
            // The server holds every byte yet has not stored the photo: only an upload started
            // with another size could do that, and sending more cannot fix it.
            leptos::logging::warn!(
                "the server holds {offset} of {size} bytes but not photo {hash}"
            );
            return Err(Refused(Reason::of(Refusal::PhotoUnusable)));
        }
        let end = (offset + CHUNK).min(size);
        let chunk = blob
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(|e| Retry(Failure::Device(IdbError::Data(format!("{e:?}")))))?;
        match transport.upload_chunk(hash, offset, size, &chunk).await {
            Ok(next) => {
                stalls = if next.received > offset {
                    0
                } else {
                    stalls + 1
                };
                status = next;
            }
            // The server holds another count (an earlier attempt's chunk did arrive, or another
            // tablet uploads the same photo): ask, and go on from there.
            Err(NetError::Http { status: 409, .. }) => {
                stalls += 1;
                status = transport.upload_status(hash).await.map_err(net)?;
            }
            // The joined bytes did not match the hash and the server dropped the upload (or the
            // size was refused). Once more from the start; a second refusal is final.
            Err(NetError::Http {
                status: refused @ (413 | 422),
                message,
                ..
            }) => {
                if started_over {
                    leptos::logging::warn!("photo {hash} refused: {message}");
                    return Err(Refused(Reason::of(if refused == 413 {
                        Refusal::PhotoTooLarge
                    } else {
                        Refusal::PhotoUnusable
                    })));
                }
                started_over = true;
                status = transport.upload_status(hash).await.map_err(net)?;
            }
            Err(e) => return Err(net(e)),
        }
        if stalls >= MAX_STALLS {
            return Err(Retry(Failure::Net(NetError::Decode(
                "the photo upload makes no progress".into(),
            ))));
        }
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
            Failure::Device(e) => SyncProblem::Device(e.into()),
            Failure::Net(NetError::Unreachable(_)) => SyncProblem::Unreachable,
            Failure::Net(e) if e.forbidden() => SyncProblem::Forbidden,
            Failure::Net(NetError::Http { status, code, .. }) => SyncProblem::Server {
                status: *status,
                code: code.clone(),
            },
            Failure::Net(NetError::Decode(e)) => {
                leptos::logging::warn!("sync: {e}");
                SyncProblem::Garbled
            }
            Failure::NoProgress => SyncProblem::Garbled,
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
    let Some((token, user)) = state
        .account
        .with_untracked(|a| a.session.as_ref().map(|s| (s.token.clone(), s.user.id)))
    else {
        state.sync.update(|s| s.online = true);
        return;
    };
    state.sync.update(|s| {
        s.online = true;
        s.running = true;
    });
    let round = idb::span("sync.round");
    let transport =
        HttpTransport::new(state.settings.with_untracked(|s| s.api_base()), Some(token));
    // Only this account's changes (and those made signed out) leave under its session.
    let engine = idb::span("sync.engine");
    let result = sync_once(&IdbStore::sending_as(user), &transport)
        .await
        .map_err(Failure::from);
    drop(engine);
    // Pushed changes got their new revision in IndexedDB (acknowledge), pulled ones arrived: show
    // them, so the screen's records match the server's receipts ("Veilig op de server") and the
    // next edit starts from the revision the server holds; before the photos go up, and also after
    // a round that failed half way (what it wrote is on the device).
    {
        let _span = idb::span("sync.reload_touched");
        state.reload_touched();
        // The outbox and receipts as the round left them, from what its steps settled: the
        // round shows done without reading them back (a fresh read follows, below).
        let settled = idb::take_settled();
        state.sync.update(|s| s.outbox.note_settled(settled));
    }
    // Records first, so an interview reaches the office even while its photos are still waiting.
    // A refused session refuses the photos as well: no need to try.
    // The outbox summary is kept up to date by every photo saved or imported (and read afresh at
    // the end of each round): with none waiting there is no queue to read.
    let no_photos = state.sync.with_untracked(|s| s.outbox.photos_waiting == 0);
    let photos = match &result {
        Err(f) if f.session_refused() => Ok(()),
        _ if no_photos => Ok(()),
        _ => {
            let _span = idb::span("sync.photos");
            upload_photos(state, &transport).await
        }
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
    if result.is_ok() {
        FAILURES.set(0);
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
    state.sync.update(|s| s.running = false);
    drop(round);
    // After the round is shown done: a fresh read of the outbox, which the settled steps above
    // already match, also takes in what another tab of the app may have queued.
    {
        let _span = idb::span("sync.refresh_outbox");
        state.refresh_outbox().await;
    }
    // After the round is shown done: the estimate only informs the storage line.
    {
        let _span = idb::span("sync.refresh_storage");
        state.refresh_storage().await;
    }
    if retry {
        let failures = FAILURES.get() + 1;
        FAILURES.set(failures);
        let delay = FIRST_RETRY
            .saturating_mul(2u32.saturating_pow(failures - 1))
            .min(MAX_RETRY);
        replace_timer(&RETRY, delay, move || request(state));
    }
}
