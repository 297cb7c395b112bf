//! Signing this device in and out. Signing in needs the network once; capturing never needs it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use praatplaat_domain::protocol::auth::{SignInRequest, SignInResponse};
use praatplaat_domain::sync::LocalStore;

use crate::components::field::TextField;
use crate::i18n::{use_texts, Texts};
use crate::idb::IdbStore;
use crate::net::{self, HttpTransport, NetError};
use crate::session::default_device_label;
use crate::state::use_app_state;

/// Who is signed in with "Afmelden", or the sign-in form.
#[component]
pub fn AccountPanel() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    view! {
        <fieldset class="panel account" data-testid="account">
            <legend>{move || t.get().account_screen.account}</legend>
            <Show when=move || state.account.with(|a| a.signed_in()) fallback=|| view! { <SignInForm/> }>
                <SignedIn/>
            </Show>
        </fieldset>
    }
}

#[component]
fn SignedIn() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let who = move || {
        state.account.with(|a| {
            a.session.as_ref().map(|s| {
                let t = t.get();
                let name = match s.user.display_name.trim() {
                    "" => s.user.username.as_str(),
                    name => name,
                };
                (t.account_screen.signed_in_as)(name, (t.account_screen.role)(s.user.role))
            })
        })
    };
    let waiting = move || {
        state
            .sync
            .with(|s| s.outbox.waiting + s.outbox.photos_waiting)
    };
    let sign_out = move |_| {
        let base = state.settings.with_untracked(|s| s.api_base());
        let token = state.account.with_untracked(|a| a.token());
        // Forget at once, so signing out works offline too; telling the server is a courtesy
        // (the coordinator can still revoke a session the server did not hear about).
        state.forget_session(false);
        spawn_local(async move {
            if let Err(e) = HttpTransport::new(base, token).sign_out().await {
                leptos::logging::warn!("sign-out not confirmed by the server: {e}");
            }
        });
    };
    view! {
        <p class="signed-in" data-testid="signed-in">{who}</p>
        <p class="hint">{move || t.get().account_screen.sign_out_note}</p>
        {move || (waiting() > 0).then(|| view! { <p class="hint">{(t.get().account_screen.sign_out_waiting)(waiting())}</p> })}
        <div class="actions">
            <button class="button" data-testid="sign-out" on:click=sign_out>{move || t.get().account_screen.sign_out}</button>
        </div>
    }
}

/// What went wrong with a sign-in, in the interviewer's words.
fn sign_in_error(e: &NetError, t: &Texts) -> String {
    match e {
        _ if !window().navigator().on_line() => t.account_screen.sign_in_offline.to_owned(),
        NetError::Unreachable(_) => t.account_screen.server_unreachable.to_owned(),
        NetError::Http { status: 401, .. } => t.account_screen.bad_credentials.to_owned(),
        // Too many password checks at once on the server: seconds, not minutes.
        NetError::Http {
            status: 429, code, ..
        } if code == "busy" => t.account_screen.sign_in_busy.to_owned(),
        NetError::Http { code, .. } if code == "device_reserved" => {
            t.account_screen.sign_in_device_reserved.to_owned()
        }
        NetError::Http {
            status: 429,
            retry_after,
            ..
        } => {
            // Whole minutes, rounded up: "wait 0 minutes" would invite another failed attempt.
            let minutes = retry_after.map_or(1, |s| s.div_ceil(60).max(1));
            (t.account_screen.too_many_attempts)(minutes)
        }
        // The server's own sentence is English and for the log; the person gets status and code.
        NetError::Http { status, code, .. } => {
            let code = if code.is_empty() {
                String::new()
            } else {
                format!(", {code}")
            };
            (t.account_screen.sign_in_failed)(&format!("HTTP {status}{code}"))
        }
        NetError::Decode(e) => {
            leptos::logging::warn!("sign-in answer: {e}");
            t.sync_screen.problem_garbled.to_owned()
        }
    }
}

/// User name, password and the device's name; one tap signs in and starts a sync.
#[component]
pub fn SignInForm() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let username = RwSignal::new(state.account.with_untracked(|a| a.last_username.clone()));
    let password = RwSignal::new(String::new());
    let label = RwSignal::new(default_device_label(
        &state.settings.with_untracked(|s| s.interviewer.clone()),
    ));
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // A sign-in that waits for "sign in anyway": another account's changes wait here.
    let confirm = RwSignal::new(None::<(SignInResponse, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let t = t.get_untracked();
        let name = username.get_untracked().trim().to_owned();
        let secret = password.get_untracked();
        if name.is_empty() || secret.is_empty() {
            error.set(Some(t.account_screen.fill_credentials.to_owned()));
            return;
        }
        // No point in a request the browser knows cannot leave the device.
        if !window().navigator().on_line() {
            error.set(Some(t.account_screen.sign_in_offline.to_owned()));
            return;
        }
        let device_label = match label.get_untracked().trim() {
            "" => default_device_label(&state.settings.with_untracked(|s| s.interviewer.clone())),
            l => l.to_owned(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let base = state.settings.with_untracked(|s| s.api_base());
            let result = match IdbStore::ALL.device_id().await {
                Ok(device_id) => {
                    let request = SignInRequest {
                        username: name,
                        password: secret,
                        device_id,
                        device_label,
                    };
                    net::sign_in(&base, &request)
                        .await
                        .map_err(|e| sign_in_error(&e, t))
                }
                Err(e) => {
                    leptos::logging::warn!("device id: {e}");
                    Err(t.sync_screen.problem_device.to_owned())
                }
            };
            busy.set(false);
            match result {
                Ok(response) => {
                    password.set(String::new());
                    state.refresh_outbox().await;
                    let held = state
                        .sync
                        .with_untracked(|s| s.outbox.held_for_others(Some(response.user.id)));
                    if held.is_empty() {
                        state.signed_in(response.into());
                    } else {
                        let who: Vec<String> = held.into_iter().map(|(name, _)| name).collect();
                        confirm.set(Some((response, who.join(", "))));
                    }
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    let proceed = move |_| {
        if let Some((response, _)) = confirm.get_untracked() {
            confirm.set(None);
            state.signed_in(response.into());
        }
    };
    let cancel = move |_| {
        if let Some((response, _)) = confirm.get_untracked() {
            confirm.set(None);
            // The session the server just gave is not wanted: end it there too.
            let base = state.settings.with_untracked(|s| s.api_base());
            spawn_local(async move {
                let transport = HttpTransport::new(base, Some(response.token));
                if let Err(e) = transport.sign_out().await {
                    leptos::logging::warn!("the unused session could not be ended: {e}");
                }
            });
        }
    };
    view! {
        <Show when=move || confirm.with(Option::is_some)>
            <div class="panel warning" role="alertdialog" aria-labelledby="switch-user-title" data-testid="switch-user">
                <h2 id="switch-user-title">{move || t.get().account_screen.switch_user_title}</h2>
                <p>{move || confirm.with(|c| c.as_ref().map(|(_, who)| (t.get().account_screen.switch_user_text)(who)))}</p>
                <div class="actions">
                    <button class="button primary big" type="button" on:click=proceed data-testid="switch-user-confirm">
                        {move || t.get().account_screen.switch_user_confirm}
                    </button>
                    <button class="button big" type="button" on:click=cancel data-testid="switch-user-cancel">
                        {move || t.get().account_screen.switch_user_cancel}
                    </button>
                </div>
            </div>
        </Show>
        <form class="sign-in" on:submit=submit data-testid="sign-in-form">
            <p class="hint">{move || t.get().account_screen.sign_in_intro}</p>
            <TextField id="sign-in-username" label=Signal::derive(move || t.get().account_screen.username)
                value=username on_change=Callback::new(move |v| username.set(v)) autocomplete="username"/>
            <TextField id="sign-in-password" label=Signal::derive(move || t.get().account_screen.password)
                value=password on_change=Callback::new(move |v| password.set(v))
                input_type="password" autocomplete="current-password"/>
            <TextField id="sign-in-device" label=Signal::derive(move || t.get().account_screen.device_label)
                value=label on_change=Callback::new(move |v| label.set(v))
                hint=Signal::derive(move || t.get().account_screen.device_label_hint)/>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="sign-in-error">{e}</p> })}
            <div class="actions">
                <button class="button primary big" type="submit" data-testid="sign-in" disabled=move || busy.get()>
                    {move || if busy.get() { t.get().account_screen.signing_in } else { t.get().account_screen.sign_in }}
                </button>
            </div>
        </form>
    }
}
