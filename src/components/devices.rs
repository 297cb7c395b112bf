//! The signed-in devices: the coordinator sees every session and revokes a lost tablet's; anyone
//! else sees their own (an old tablet they no longer use). Needs the network; nothing is kept.

use leptos::prelude::*;
use leptos::task::spawn_local;
use praatplaat_domain::protocol::auth::SessionInfo;
use uuid::Uuid;

use crate::i18n::use_texts;
use crate::net::HttpTransport;
use crate::state::{use_app_state, AppState};

/// A transport with this device's session.
fn transport(state: &AppState) -> HttpTransport {
    HttpTransport::new(
        state.settings.with_untracked(|s| s.api_base()),
        state.account.with_untracked(|a| a.token()),
    )
}

/// `2026-11-23 14:05`, in the tablet's time zone.
fn local_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

#[component]
pub fn DevicesPanel() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    // None: not loaded yet; Some(Err): the reason in words.
    let sessions = RwSignal::new(None::<Result<Vec<SessionInfo>, String>>);
    let load = move || {
        let transport = transport(&state);
        spawn_local(async move {
            let result = transport
                .sessions()
                .await
                .map_err(|e| (t.get_untracked().account_screen.devices_failed)(status_of(&e)));
            sessions.set(Some(result));
        });
    };
    let revoke = move |id: Uuid| {
        let transport = transport(&state);
        spawn_local(async move {
            match transport.revoke_session(id).await {
                Ok(()) => load(),
                Err(e) => {
                    sessions.set(Some(Err(
                        (t.get_untracked().account_screen.devices_failed)(status_of(&e)),
                    )))
                }
            }
        });
    };
    let current = move || {
        state
            .account
            .with(|a| a.session.as_ref().map(|s| s.session_id))
    };
    let list = move || match sessions.get() {
        None => view! { <p class="hint">{t.get().account_screen.devices_intro}</p> }.into_any(),
        Some(Err(reason)) => view! { <p class="field-error" role="alert">{reason}</p> }.into_any(),
        Some(Ok(list)) => {
            let rows = list
                .into_iter()
                .map(|s| {
                    let t = t.get();
                    let id = s.id;
                    let name = match s.user.display_name.trim() {
                        "" => s.user.username.clone(),
                        name => name.to_owned(),
                    };
                    let label = match s.device_label.trim() {
                        "" => t.account_screen.devices_unnamed.to_owned(),
                        label => label.to_owned(),
                    };
                    let status = match (s.revoked_at, current() == Some(id)) {
                        (Some(at), _) => (t.account_screen.devices_revoked_at)(&local_time(at)),
                        (None, true) => t.account_screen.devices_this_one.to_owned(),
                        (None, false) => (t.account_screen.devices_last_seen)(&local_time(s.last_seen_at)),
                    };
                    let can_revoke = s.revoked_at.is_none() && current() != Some(id);
                    view! {
                        <li class="device" data-testid="device">
                            <div>
                                <strong>{label}</strong>
                                <span>{format!(" · {name} ({})", (t.account_screen.role)(s.user.role))}</span>
                                <p class="hint">{status}</p>
                            </div>
                            {can_revoke.then(|| view! {
                                <button class="button danger" data-testid="revoke" on:click=move |_| revoke(id)>
                                    {t.account_screen.devices_revoke}
                                </button>
                            })}
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="devices">{rows}</ul> }.into_any()
        }
    };
    view! {
        <fieldset class="panel devices-panel" data-testid="devices">
            <legend>{move || t.get().account_screen.devices_title}</legend>
            {list}
            <div class="actions">
                <button class="button" data-testid="load-devices" on:click=move |_| load()>
                    {move || t.get().account_screen.devices_load}
                </button>
            </div>
        </fieldset>
    }
}

/// The server's HTTP status in a failed request, for the words (none: not reached or unreadable).
fn status_of(e: &crate::net::NetError) -> Option<u16> {
    leptos::logging::warn!("devices: {e}");
    match e {
        crate::net::NetError::Http { status, .. } => Some(*status),
        _ => None,
    }
}
