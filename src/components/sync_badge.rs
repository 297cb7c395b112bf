use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{use_texts, Texts};
use crate::state::{use_app_state, SyncStatus};

/// The one-line sync state: "Gesynchroniseerd", "Opgeslagen op dit apparaat · 3 wachtend",
/// "Meld je aan om te synchroniseren · 3 wachtend", ... and its colour class.
pub fn describe(status: &SyncStatus, signed_in: bool, t: &Texts) -> (String, &'static str) {
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
    // Signed out nothing syncs, however long one waits: say what to do instead.
    if !signed_in {
        let text = std::iter::once(t.account_screen.sign_in_to_sync.to_owned())
            .chain(waiting)
            .collect::<Vec<_>>()
            .join(" · ");
        return (text, "signed-out");
    }
    if !waiting.is_empty() {
        let text = format!("{} · {}", t.saved_on_device, waiting.join(" · "));
        let class = if !status.online {
            "offline"
        } else if status.last_error.is_some() {
            "error"
        } else {
            "waiting"
        };
        return (text, class);
    }
    if status.last_ok.is_some() && status.last_error.is_none() {
        return (t.synced.to_owned(), "synced");
    }
    (t.saved_on_device.to_owned(), "local")
}

/// The sync state in the header of every screen; a tap opens the sync screen.
#[component]
pub fn SyncBadge() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let described = Memo::new(move |_| {
        let signed_in = state.account.with(|a| a.signed_in());
        state.sync.with(|s| describe(s, signed_in, t.get()))
    });
    view! {
        <A href="/sync" attr:class=move || format!("sync-badge {}", described.get().1)>
            <span class="dot" aria-hidden="true"></span>
            <span data-testid="sync-status" role="status">{move || described.get().0}</span>
        </A>
    }
}
