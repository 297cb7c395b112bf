//! When to sync: at start, when the browser comes online, shortly after an edit, every few
//! minutes, and on request; after a failure again with growing pauses. One round at a time.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use praatplaat_domain::sync::sync_once;

use crate::clock;
use crate::idb::{self, IdbStore};
use crate::net::HttpTransport;
use crate::state::AppState;

/// Pause after an edit before syncing, so a burst of typing travels as one push.
const AFTER_EDIT: Duration = Duration::from_millis(800);
const PERIOD: Duration = Duration::from_secs(120);
const FIRST_RETRY: Duration = Duration::from_secs(5);
const MAX_RETRY: Duration = Duration::from_secs(300);

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
async fn upload_photos(transport: &HttpTransport) -> Result<(), String> {
    for hash in idb::pending_photos().await.map_err(|e| e.to_string())? {
        match idb::load_photo(&hash).await.map_err(|e| e.to_string())? {
            Some(blob) => transport
                .put_photo(&hash, &blob)
                .await
                .map_err(|e| e.to_string())?,
            None => {
                leptos::logging::warn!("photo {hash} is queued but missing; dropped from the queue")
            }
        }
        idb::photo_uploaded(&hash)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn run(state: AppState) {
    if !online() {
        state.sync.update(|s| s.online = false);
        return;
    }
    state.sync.update(|s| {
        s.online = true;
        s.running = true;
    });
    let transport = HttpTransport::new(state.settings.with_untracked(|s| s.api_base()));
    let result = sync_once(&IdbStore, &transport).await;
    // Records first, so an interview reaches the office even while its photos are still waiting.
    let photos = upload_photos(&transport).await;
    let failed = result.is_err() || photos.is_err();
    match result {
        Ok(report) => {
            FAILURES.set(0);
            if report.pulled > 0 {
                if let Err(e) = state.reload().await {
                    state.sync.update(|s| s.last_error = Some(e.to_string()));
                }
            }
            state.sync.update(|s| {
                s.last_ok = Some(clock::now_ms());
                s.last_error = None;
            });
        }
        Err(e) => state.sync.update(|s| s.last_error = Some(e.to_string())),
    }
    if let Err(e) = photos {
        state.sync.update(|s| s.last_error = Some(e));
    }
    state.refresh_outbox().await;
    state.refresh_storage().await;
    state.sync.update(|s| s.running = false);
    if failed {
        let failures = FAILURES.get() + 1;
        FAILURES.set(failures);
        let delay = FIRST_RETRY
            .saturating_mul(2u32.saturating_pow(failures - 1))
            .min(MAX_RETRY);
        replace_timer(&RETRY, delay, move || request(state));
    }
}
