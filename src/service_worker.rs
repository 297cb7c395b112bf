//! The service worker (`public/sw.js`): registration, and updates offered, never forced.
//!
//! A new release installs in the background and then waits. The app shows "new version" and
//! reloads only when the interviewer taps it, so an update never interrupts an interview; every
//! edit is already in IndexedDB, so the reload reopens the same screen with the same data.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerRegistration, ServiceWorkerState};

/// How often a long-open app asks the server for a new release.
const CHECK_EVERY: Duration = Duration::from_secs(30 * 60);
/// The message `sw.js` answers by activating the waiting worker.
const SKIP_WAITING: &str = "skip-waiting";

/// Whether a new release waits, shared through context.
#[derive(Clone, Copy)]
pub struct Updates {
    pub available: RwSignal<bool>,
    registration: StoredValue<Option<ServiceWorkerRegistration>, LocalStorage>,
}

/// Registers `/sw.js` and starts watching for new releases. Registration failure only costs
/// offline start-up, so it is logged, not shown.
pub fn provide_updates() -> Updates {
    let updates = Updates {
        available: RwSignal::new(false),
        registration: StoredValue::new_local(None),
    };
    provide_context(updates);
    let container = window().navigator().service_worker();
    leptos::task::spawn_local(async move {
        let registration = match JsFuture::from(container.register("/sw.js")).await {
            Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
            Err(e) => {
                leptos::logging::warn!("service worker not registered: {e:?}");
                return;
            }
        };
        updates.registration.set_value(Some(registration.clone()));
        updates.watch(&registration);
        updates.check();
    });
    // A tablet that was offline for days learns of a release as soon as it is back.
    let online = window_event_listener(leptos::ev::online, move |_| updates.check());
    let timer = set_interval_with_handle(move || updates.check(), CHECK_EVERY).ok();
    on_cleanup(move || {
        online.remove();
        if let Some(t) = timer {
            t.clear();
        }
    });
    updates
}

pub fn use_updates() -> Updates {
    expect_context::<Updates>()
}

/// True when `worker` is a finished install waiting behind a worker that controls this page
/// (on the very first install there is nothing to update).
fn is_update(worker: &ServiceWorker) -> bool {
    worker.state() == ServiceWorkerState::Installed
        && window().navigator().service_worker().controller().is_some()
}

impl Updates {
    fn watch(self, registration: &ServiceWorkerRegistration) {
        if registration.waiting().is_some_and(|w| is_update(&w)) {
            self.available.set(true);
        }
        let reg = registration.clone();
        let on_found = Closure::<dyn FnMut()>::new(move || {
            let Some(worker) = reg.installing() else {
                return;
            };
            let watched = worker.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if is_update(&watched) {
                    self.available.set(true);
                }
            });
            worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            // Lives as long as the page: the worker may change state at any later moment.
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
    }

    /// Asks the server whether `sw.js` changed; offline this fails quietly and is retried later.
    pub fn check(self) {
        let Some(registration) = self.registration.get_value() else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(promise) = registration.update() {
                let _ = JsFuture::from(promise).await;
            }
        });
    }

    /// Activates the waiting release and reloads once it controls the page. Called only from the
    /// interviewer's tap.
    pub fn apply(self) {
        let Some(waiting) = self.registration.get_value().and_then(|r| r.waiting()) else {
            // Another tab already activated it: the page only needs the new files.
            let _ = window().location().reload();
            return;
        };
        let container = window().navigator().service_worker();
        let on_change = Closure::<dyn FnMut()>::new(|| {
            let _ = window().location().reload();
        });
        container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
        on_change.forget();
        if let Err(e) = waiting.post_message(&JsValue::from_str(SKIP_WAITING)) {
            leptos::logging::warn!("could not activate the new version: {e:?}");
        }
    }
}
