use leptos::prelude::*;

use leptos_router::components::A;

use crate::components::account::AccountPanel;
use crate::components::devices::DevicesPanel;
use crate::components::field::TextField;
use crate::i18n::{use_texts, Lang};
use crate::settings::Settings;
use crate::state::{use_app_state, SaveProblem};

/// The account, device settings and the storage in use.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let update = move |change: fn(&mut Settings, String)| {
        Callback::new(move |v: String| {
            state.settings.update(|s| change(s, v));
            if let Err(e) = state.settings.with_untracked(Settings::save) {
                state.save_error.set(Some(SaveProblem::Other(e)));
            }
        })
    };
    leptos::task::spawn_local(async move { state.refresh_storage().await });
    let storage = move || {
        let t = t.get();
        match state.storage.get() {
            Some(info) => view! {
                <p data-testid="storage-used">
                    {(t.storage_used)(&(t.bytes)(info.usage), &(t.bytes)(info.quota))}
                </p>
                <p>{if info.persisted { t.storage_persisted } else { t.storage_not_persisted }}</p>
            }
            .into_any(),
            None => view! { <p>{t.storage_unknown}</p> }.into_any(),
        }
    };
    view! {
        <section class="page narrow">
            <h1>{move || t.get().settings}</h1>
            <AccountPanel/>
            <Show when=move || state.account.with(|a| a.signed_in())>
                <DevicesPanel/>
            </Show>
            <A href="/sync" attr:class="button" attr:data-testid="sync-details">
                {move || t.get().sync_screen.sync_details}
            </A>
            <fieldset class="panel">
                <legend>{move || t.get().storage}</legend>
                {storage}
            </fieldset>
            <fieldset class="panel">
                <legend>{move || t.get().this_device}</legend>
                <TextField
                    id="settings-interviewer"
                    label=Signal::derive(move || t.get().default_interviewer)
                    value=Signal::derive(move || state.settings.with(|s| s.interviewer.clone()))
                    on_change=update(|s, v| s.interviewer = v)
                />
                <TextField
                    id="settings-server"
                    input_type="url"
                    label=Signal::derive(move || t.get().server_address)
                    value=Signal::derive(move || state.settings.with(|s| s.server_url.clone()))
                    on_change=update(|s, v| s.server_url = v)
                    placeholder=Signal::derive(move || t.get().server_address_hint)
                />
                <div class="field">
                    <label for="settings-lang">{move || t.get().language}</label>
                    <select
                        id="settings-lang"
                        on:change=move |ev| {
                            let lang = if event_target_value(&ev) == "en" { Lang::En } else { Lang::Nl };
                            state.settings.update(|s| s.lang = lang);
                            if let Err(e) = state.settings.with_untracked(Settings::save) {
                                state.save_error.set(Some(SaveProblem::Other(e)));
                            }
                        }
                    >
                        <option value="nl" selected=move || state.settings.with(|s| s.lang == Lang::Nl)>"Nederlands"</option>
                        <option value="en" selected=move || state.settings.with(|s| s.lang == Lang::En)>"English"</option>
                    </select>
                </div>
            </fieldset>
        </section>
    }
}
