use leptos::prelude::*;

use crate::components::field::TextField;
use crate::components::sync_badge::describe;
use crate::i18n::{use_texts, Lang};
use crate::settings::Settings;
use crate::state::{use_app_state, SaveProblem};
use crate::storage::human_bytes;
use crate::sync_driver;

/// Device settings and the sync state in words.
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
    let last_sync = move || {
        state.sync.with(|s| match s.last_ok {
            Some(ms) => js_sys::Date::new(&(ms as f64).into())
                .to_locale_string(
                    state.settings.with(|s| s.lang.code()),
                    &js_sys::Object::new(),
                )
                .as_string()
                .unwrap_or_default(),
            None => t.get().never.to_owned(),
        })
    };
    leptos::task::spawn_local(async move { state.refresh_storage().await });
    let storage = move || {
        let t = t.get();
        let comma = state.settings.with(|s| s.lang == Lang::Nl);
        match state.storage.get() {
            Some(info) => view! {
                <p data-testid="storage-used">
                    {(t.storage_used)(&human_bytes(info.usage, comma), &human_bytes(info.quota, comma))}
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
            <fieldset class="panel">
                <legend>{move || t.get().sync}</legend>
                <p class="sync-line" data-testid="sync-detail">{move || state.sync.with(|s| describe(s, t.get()).0)}</p>
                <p>{move || t.get().last_sync} ": " {last_sync}</p>
                {move || state.sync.with(|s| s.last_error.clone()).map(|e| view! {
                    <p class="field-error" role="alert">{move || t.get().sync_failed} ": " {e.clone()}</p>
                })}
                {move || {
                    let n = state.sync.with(|s| s.outbox.set_aside.len());
                    (n > 0).then(|| view! { <p class="field-error">{(t.get().set_aside)(n)}</p> })
                }}
                <button class="button primary" data-testid="sync-now" on:click=move |_| sync_driver::request(state)>
                    {move || t.get().sync_now}
                </button>
            </fieldset>
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
