//! Messages across the top of every screen: a failed save, low storage, a new version.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_texts;
use crate::service_worker::use_updates;
use crate::state::{use_app_state, SaveProblem};

/// A warning that an edit could not be written to the device. The edit itself stays on screen,
/// and the button writes it again once space is freed.
#[component]
pub fn SaveErrorBanner() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    move || {
        state.save_error.get().map(|problem| {
            let text = match problem {
                SaveProblem::Full => t.get().storage_full.to_owned(),
                SaveProblem::Other(e) => (t.get().save_failed)(&e),
            };
            let retry = move || !state.unsaved.with(|u| u.is_empty());
            view! {
                <div class="banner error" role="alert" data-testid="save-error">
                    <p>{text}</p>
                    <Show when=retry>
                        <button class="button" on:click=move |_| state.retry_unsaved()>
                            {move || t.get().retry_save}
                        </button>
                    </Show>
                </div>
            }
        })
    }
}

/// An edit refused because another account's change of the record waits on this tablet
/// (`AppState::save_record`): says whose, until dismissed.
#[component]
pub fn HeldEditBanner() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    move || {
        state.held_edit.get().map(|name| {
            view! {
                <div class="banner warning" role="alert" data-testid="held-edit">
                    <p>{(t.get().held_by_other)(&name)}</p>
                    <button class="button" on:click=move |_| state.held_edit.set(None)>
                        {move || t.get().dismiss}
                    </button>
                </div>
            }
        })
    }
}

/// Warns before the device runs out of space, while there is still room to act.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    move || {
        let info = state.storage.get().filter(|i| i.is_low())?;
        // A full quota already shows the save error; one message is enough.
        if state.save_error.with(|e| e == &Some(SaveProblem::Full)) {
            return None;
        }
        Some(view! {
            <div class="banner warning" role="alert" data-testid="storage-low">
                <p>{(t.get().storage_low)(&(t.get().bytes)(info.free()))}</p>
            </div>
        })
    }
}

/// Offers a release that installed in the background. Only the interviewer's tap reloads.
/// The button waits while a write is in flight: the reload would cut it off.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let updates = use_updates();
    let state = use_app_state();
    let t = use_texts();
    let busy = move || state.saving.get() > 0;
    view! {
        <Show when=move || updates.available.get()>
            <div class="banner info" role="status" data-testid="update-available">
                <p>{move || t.get().update_available}</p>
                <button
                    class="button primary"
                    data-testid="update-apply"
                    disabled=busy
                    on:click=move |_| updates.apply()
                >
                    {move || t.get().update_apply}
                </button>
            </div>
        </Show>
    }
}

/// Says that a newer version in another tab took over the device's storage (`AppState::replaced`):
/// nothing more can be saved here until the page is reloaded into that version.
#[component]
pub fn ReplacedBanner() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    view! {
        <Show when=move || state.replaced.get()>
            <div class="banner warning" role="alert" data-testid="replaced">
                <p>{move || t.get().replaced_elsewhere}</p>
                <button
                    class="button primary"
                    on:click=move |_| {
                        let _ = window().location().reload();
                    }
                >
                    {move || t.get().reload}
                </button>
            </div>
        </Show>
    }
}

/// Says on every screen that the server refused this device's session (the coordinator revoked
/// it, say): nothing syncs until someone signs in again, and nothing on the device is lost.
#[component]
pub fn SignedOutBanner() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let location = leptos_router::hooks::use_location();
    // The sync and settings screens hold the sign-in form themselves.
    let elsewhere = move || location.pathname.with(|p| p != "/sync" && p != "/settings");
    view! {
        <Show when=move || state.account.with(|a| a.signed_out_by_server && !a.signed_in())>
            <div class="banner warning" role="alert" data-testid="signed-out">
                <p>{move || t.get().account_screen.signed_out_by_server}</p>
                <Show when=elsewhere>
                    <A href="/sync" attr:class="button">{move || t.get().account_screen.sign_in}</A>
                </Show>
            </div>
        </Show>
    }
}
