//! `/transfer`: the way out when sync is impossible. "Exporteren naar bestand" seals what waits
//! on this device (changes and unsent photos) with a passphrase into a file the interviewer
//! saves; "Importeren uit bestand" reads such a file into this device. Both work offline and
//! signed out. The sealing itself is in `transfer.rs`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::field::TextField;
use crate::i18n::{use_texts, TransferTexts};
use crate::state::use_app_state;
use crate::transfer::{self, TransferError, MIN_PASSPHRASE};

#[component]
pub fn TransferPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <section class="page narrow transfer-page">
            <h1>{move || t.get().transfer.title}</h1>
            <p class="hint">{move || t.get().transfer.intro}</p>
            <ExportPanel/>
            <ImportPanel/>
        </section>
    }
}

fn error_text(e: &TransferError, t: &TransferTexts) -> String {
    match e {
        TransferError::NotAnExport => t.err_not_export.to_owned(),
        TransferError::TooNew => t.err_too_new.to_owned(),
        TransferError::WrongPassphrase => t.err_wrong_passphrase.to_owned(),
        TransferError::Damaged(e) => (t.err_damaged)(e),
        TransferError::Device(e) | TransferError::Browser(e) => (t.err_device)(e),
    }
}

/// A sealed file, offered as a download link.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ready {
    url: String,
    file_name: String,
    changes: usize,
    photos: usize,
}

#[component]
fn ExportPanel() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let passphrase = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let ready = RwSignal::new(None::<Ready>);
    // The object URL holds the file in memory until it is revoked.
    on_cleanup(move || {
        if let Some(r) = ready.try_get_untracked().flatten() {
            transfer::revoke(&r.url);
        }
    });
    // What the export would carry: the waiting changes and every photo not on the server.
    let unsent = move || {
        state.sync.with(|s| {
            (
                s.outbox.waiting,
                s.outbox.photos_waiting + s.outbox.photos_set_aside.len(),
            )
        })
    };
    let empty = move || unsent() == (0, 0);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let texts = t.get_untracked().transfer;
        let secret = passphrase.get_untracked();
        if secret.chars().count() < MIN_PASSPHRASE {
            error.set(Some(texts.too_short.to_owned()));
            return;
        }
        if secret != again.get_untracked() {
            error.set(Some(texts.mismatch.to_owned()));
            return;
        }
        error.set(None);
        busy.set(true);
        if let Some(old) = ready.get_untracked() {
            transfer::revoke(&old.url);
            ready.set(None);
        }
        spawn_local(async move {
            let result = async {
                let sealed = transfer::export(&secret).await?;
                let blob = transfer::blob(&sealed.bytes, "application/octet-stream")?;
                Ok::<_, TransferError>(Ready {
                    url: transfer::object_url(&blob)?,
                    file_name: sealed.file_name,
                    changes: sealed.changes,
                    photos: sealed.photos,
                })
            }
            .await;
            busy.set(false);
            match result {
                Ok(file) => {
                    passphrase.set(String::new());
                    again.set(String::new());
                    ready.set(Some(file));
                }
                Err(e) => error.set(Some(error_text(&e, texts))),
            }
        });
    };
    view! {
        <form class="panel transfer" on:submit=submit data-testid="export">
            <h2>{move || t.get().transfer.export_title}</h2>
            <p data-testid="export-contents">
                {move || {
                    let t = t.get().transfer;
                    let (changes, photos) = unsent();
                    if empty() { t.nothing_to_export.to_owned() } else { (t.export_contents)(changes, photos) }
                }}
            </p>
            <TextField id="export-passphrase" label=Signal::derive(move || t.get().transfer.passphrase)
                value=passphrase on_change=Callback::new(move |v| passphrase.set(v))
                input_type="password" autocomplete="new-password"
                hint=Signal::derive(move || t.get().transfer.passphrase_hint)/>
            <TextField id="export-passphrase-again" label=Signal::derive(move || t.get().transfer.passphrase_again)
                value=again on_change=Callback::new(move |v| again.set(v))
                input_type="password" autocomplete="new-password"/>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="export-error">{e}</p> })}
            {move || busy.get().then(|| view! { <p class="busy" role="status">{t.get().transfer.encrypting}</p> })}
            <div class="actions">
                <button
                    class="button primary big"
                    type="submit"
                    data-testid="export-start"
                    disabled=move || busy.get() || empty()
                >
                    {move || t.get().transfer.export_button}
                </button>
            </div>
            {move || {
                ready
                    .get()
                    .map(|r| {
                        let t = t.get().transfer;
                        view! {
                            <div class="export-ready" role="status">
                                <p>{(t.export_ready)(r.changes, r.photos)}</p>
                                <a
                                    class="button primary big"
                                    href=r.url
                                    download=r.file_name.clone()
                                    data-testid="export-download"
                                >
                                    {t.download} " · " {r.file_name.clone()}
                                </a>
                                <p class="hint">{t.kept_here}</p>
                            </div>
                        }
                    })
            }}
        </form>
    }
}

#[component]
fn ImportPanel() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let file = RwSignal::new(None::<Vec<u8>>);
    let passphrase = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pick = move |ev: leptos::ev::Event| {
        error.set(None);
        done.set(None);
        file.set(None);
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(picked) = transfer::picked_file(&input) else {
            return;
        };
        spawn_local(async move {
            match transfer::file_bytes(&picked).await {
                Ok(bytes) => file.set(Some(bytes)),
                Err(e) => error.set(Some(error_text(&e, t.get_untracked().transfer))),
            }
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let texts = t.get_untracked().transfer;
        done.set(None);
        let Some(bytes) = file.get_untracked() else {
            error.set(Some(texts.no_file.to_owned()));
            return;
        };
        let secret = passphrase.get_untracked();
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = transfer::import(state, &bytes, &secret).await;
            busy.set(false);
            match result {
                Ok(summary) => {
                    passphrase.set(String::new());
                    done.set(Some((texts.imported)(
                        summary.records,
                        summary.known,
                        summary.photos,
                    )));
                }
                Err(e) => error.set(Some(error_text(&e, texts))),
            }
        });
    };
    view! {
        <form class="panel transfer" on:submit=submit data-testid="import">
            <h2>{move || t.get().transfer.import_title}</h2>
            <p>{move || t.get().transfer.import_intro}</p>
            <div class="field">
                <label for="import-file">{move || t.get().transfer.file_label}</label>
                <input id="import-file" type="file" accept=".praatplaat" on:change=pick/>
            </div>
            <TextField id="import-passphrase" label=Signal::derive(move || t.get().transfer.import_passphrase)
                value=passphrase on_change=Callback::new(move |v| passphrase.set(v)) input_type="password"/>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert" data-testid="import-error">{e}</p> })}
            {move || busy.get().then(|| view! { <p class="busy" role="status">{t.get().transfer.decrypting}</p> })}
            {move || done.get().map(|d| view! { <p class="import-done" role="status" data-testid="import-done">{d}</p> })}
            <div class="actions">
                <button class="button primary big" type="submit" data-testid="import-start" disabled=move || busy.get()>
                    {move || t.get().transfer.import_button}
                </button>
            </div>
        </form>
    }
}
