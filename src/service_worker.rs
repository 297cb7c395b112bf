//! Registers the service worker (`public/sw.js`), which keeps the app shell for offline starts.

use wasm_bindgen_futures::JsFuture;

/// Registers `/sw.js`; failure only costs offline start-up, so it is logged, not shown.
pub fn register() {
    let container = leptos::prelude::window().navigator().service_worker();
    // Runs before the app mounts (and so before Leptos sets up its executor).
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = JsFuture::from(container.register("/sw.js")).await {
            leptos::logging::warn!("service worker not registered: {e:?}");
        }
    });
}
