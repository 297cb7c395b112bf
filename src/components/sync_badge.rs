use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{use_texts, Texts};
use crate::state::{use_app_state, SyncStatus};

/// The one-line sync state: "Gesynchroniseerd", "Opgeslagen op dit apparaat · 3 wachtend", ...
pub fn describe(status: &SyncStatus, t: &Texts) -> (String, &'static str) {
    if status.running {
        return (t.syncing.to_owned(), "busy");
    }
    let mut waiting = Vec::new();
    if status.outbox.waiting > 0 {
        waiting.push((t.waiting)(status.outbox.waiting));
    }
    if status.outbox.photos_waiting > 0 {
        waiting.push((t.photos_waiting)(status.outbox.photos_waiting));
    }
    if !waiting.is_empty() {
        let text = format!("{} · {}", t.saved_on_device, waiting.join(" · "));
        return (text, if status.online { "waiting" } else { "offline" });
    }
    if status.last_ok.is_some() && status.last_error.is_none() {
        return (t.synced.to_owned(), "synced");
    }
    (t.saved_on_device.to_owned(), "local")
}

#[component]
pub fn SyncBadge() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let described = Memo::new(move |_| state.sync.with(|s| describe(s, t.get())));
    view! {
        <A href="/settings" attr:class=move || format!("sync-badge {}", described.get().1)>
            <span class="dot" aria-hidden="true"></span>
            <span data-testid="sync-status" role="status">{move || described.get().0}</span>
        </A>
    }
}
