//! The sync screen (`/sync`, the header badge leads here): when the device last reached the
//! server, what is still waiting, what the server set aside and why, the last problem with what
//! to do about it, and "Nu synchroniseren". Signed out, it starts with the sign-in form.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use praatplaat_domain::model::RecordKind;

use crate::clock;
use crate::components::account::{AccountPanel, SignInForm};
use crate::components::conflicts::ConflictsWaiting;
use crate::components::sync_badge::describe;
use crate::i18n::{use_texts, Lang, Texts};
use crate::idb::SetAside;
use crate::state::{use_app_state, AppState, DeviceFault, SyncProblem};
use crate::sync_driver;

/// How often "x minuten geleden" is brought up to date.
const TICK: Duration = Duration::from_secs(30);

#[component]
pub fn SyncPage() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let signed_in = move || state.account.with(|a| a.signed_in());
    view! {
        <section class="page narrow sync-page">
            <h1>{move || t.get().sync_screen.sync_title}</h1>
            // Signed out, signing in is the one thing to do here; signed in, who it is comes last.
            <Show when=move || !signed_in()>
                <SignInFirst/>
            </Show>
            <Status/>
            <Problem/>
            <Waiting/>
            <ConflictsWaiting/>
            <SetAsideList/>
            <Show when=signed_in>
                <AccountPanel/>
            </Show>
        </section>
    }
}

/// Signed out: why nothing syncs, and the form right here.
#[component]
fn SignInFirst() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    view! {
        <fieldset class="panel account" data-testid="account">
            <legend>{move || t.get().account_screen.sign_in_to_sync}</legend>
            {move || {
                state
                    .account
                    .with(|a| a.signed_out_by_server)
                    .then(|| view! { <p class="field-error" role="alert">{t.get().account_screen.signed_out_by_server}</p> })
            }}
            <SignInForm/>
        </fieldset>
    }
}

/// The state line, the last successful sync and the big button.
#[component]
fn Status() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let now = RwSignal::new(clock::now_ms());
    if let Ok(handle) = set_interval_with_handle(move || now.set(clock::now_ms()), TICK) {
        on_cleanup(move || handle.clear());
    }
    let line = move || {
        let signed_in = state.account.with(|a| a.signed_in());
        state.sync.with(|s| describe(s, signed_in, t.get()))
    };
    let last_sync = move || {
        let t = t.get();
        match state.sync.with(|s| s.last_ok) {
            Some(ms) => {
                let minutes = (now.get() - ms).max(0) / 60_000;
                format!(
                    "{} ({})",
                    local_time(ms, state.settings.with(|s| s.lang)),
                    (t.sync_screen.ago)(minutes)
                )
            }
            None => t.never.to_owned(),
        }
    };
    let disabled = move || state.sync.with(|s| s.running);
    // Signed out the form above is the way forward; a dead button would only distract.
    let signed_in = move || state.account.with(|a| a.signed_in());
    view! {
        <div class="panel sync-status">
            <p class=move || format!("sync-line {}", line().1) data-testid="sync-detail">
                <span class="dot" aria-hidden="true"></span>
                {move || line().0}
            </p>
            <p data-testid="last-sync">{move || t.get().last_sync} ": " {last_sync}</p>
            <Show when=signed_in>
                <button
                    class="button primary big sync-now"
                    data-testid="sync-now"
                    disabled=disabled
                    on:click=move |_| sync_driver::request(state)
                >
                    {move || t.get().sync_now}
                </button>
            </Show>
        </div>
    }
}

/// Date and time in the UI's language, as the tablet's clock shows it.
fn local_time(ms: i64, lang: Lang) -> String {
    js_sys::Date::new(&(ms as f64).into())
        .to_locale_string(lang.code(), &js_sys::Object::new())
        .as_string()
        .unwrap_or_default()
}

/// The last problem in plain words, with what to do. Offline counts as one: nothing can sync.
#[component]
fn Problem() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let text = move || {
        if !state.account.with(|a| a.signed_in()) {
            return None; // the sign-in panel above says it
        }
        let t = t.get();
        state.sync.with(|s| {
            if !s.online {
                return Some(t.sync_screen.problem_unreachable.to_owned());
            }
            s.last_error.as_ref().map(|p| problem_text(p, t))
        })
    };
    move || {
        text().map(|text| {
            view! {
                <div class="panel problem" role="alert" data-testid="sync-problem">
                    <h2>{t.get().sync_screen.problem_title}</h2>
                    <p>{text}</p>
                    <p class="hint">{t.get().sync_screen.auto_retry}</p>
                </div>
            }
        })
    }
}

fn problem_text(problem: &SyncProblem, t: &Texts) -> String {
    match problem {
        SyncProblem::Unreachable => t.sync_screen.problem_unreachable.to_owned(),
        SyncProblem::Forbidden => t.sync_screen.problem_forbidden.to_owned(),
        SyncProblem::Server { status, code } => (t.sync_screen.problem_server)(*status, code),
        SyncProblem::Garbled => t.sync_screen.problem_garbled.to_owned(),
        SyncProblem::Device(DeviceFault::Full) => t.storage_full.to_owned(),
        SyncProblem::Device(DeviceFault::Unreadable) => {
            t.sync_screen.problem_device_unreadable.to_owned()
        }
        SyncProblem::Device(DeviceFault::Other) => t.sync_screen.problem_device.to_owned(),
    }
}

/// What is waiting, by kind, and the photos with their size.
#[component]
fn Waiting() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let lines = move || {
        let t = t.get();
        state.sync.with(|s| {
            // The order an interviewer thinks in: the interviews first, then the kind list's.
            let first = [RecordKind::Interview, RecordKind::Company, RecordKind::Link];
            let rest = RecordKind::ALL.into_iter().filter(|k| !first.contains(k));
            let mut lines: Vec<String> = first
                .into_iter()
                .chain(rest)
                .filter_map(|k| {
                    s.outbox
                        .by_kind
                        .get(&k)
                        .map(|&n| (t.kind_words)(k).count(n))
                })
                .collect();
            if s.outbox.photos_waiting > 0 {
                let mut line = (t.sync_screen.photos_count)(
                    s.outbox.photos_waiting,
                    &(t.bytes)(s.outbox.photo_bytes),
                );
                // The photo on its way now, as far as the server has it.
                if let Some((sent, size)) = s.photo_upload.filter(|&(_, size)| size > 0) {
                    line.push_str("; ");
                    line.push_str(&(t.transfer.uploading)(sent * 100 / size));
                }
                lines.push(line);
            }
            lines.extend(
                s.outbox
                    .photos_set_aside
                    .iter()
                    .map(|(_, reason)| (t.transfer.photo_set_aside)(&t.codes.reason(reason))),
            );
            let user = state
                .account
                .with(|a| a.session.as_ref().map(|s| s.user.id));
            lines.extend(
                s.outbox
                    .held_for_others(user)
                    .iter()
                    .map(|(name, n)| (t.sync_screen.held_for_other)(name, *n)),
            );
            lines
        })
    };
    view! {
        <div class="panel" data-testid="sync-waiting">
            <h2>{move || t.get().sync_screen.waiting_title}</h2>
            {move || {
                let lines = lines();
                if lines.is_empty() {
                    view! { <p>{t.get().sync_screen.nothing_waiting}</p> }.into_any()
                } else {
                    view! {
                        <ul class="waiting-list">
                            {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            // The way out when syncing keeps failing; also for reading another tablet's file.
            <A href="/transfer" attr:class="button" attr:data-testid="transfer-link">
                {move || t.get().transfer.link}
            </A>
        </div>
    }
}

/// Changes the server refused: what they are, why, and where to fix them.
#[component]
fn SetAsideList() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let entries = move || state.sync.with(|s| s.outbox.set_aside.clone());
    move || {
        let entries = entries();
        (!entries.is_empty()).then(|| {
            view! {
                <div class="panel set-aside" data-testid="set-aside">
                    <h2>{t.get().sync_screen.set_aside_title}</h2>
                    <p>{t.get().sync_screen.set_aside_help}</p>
                    <ul class="set-aside-list">
                        {entries
                            .into_iter()
                            .map(|entry| view! { <SetAsideItem entry/> })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

#[component]
fn SetAsideItem(entry: SetAside) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let (name, href) = describe_record(&state, entry.kind, entry.id);
    let kind = entry.kind;
    let reason = entry.reason;
    view! {
        <li>
            <div>
                <strong>{move || (t.get().kind_words)(kind).name} ": " {name.clone().unwrap_or_else(|| t.get().sync_screen.unnamed.to_owned())}</strong>
                <p class="hint" data-testid="set-aside-reason">
                    {move || {
                        let t = t.get();
                        (t.sync_screen.set_aside_reason)(&t.codes.reason(&reason))
                    }}
                </p>
            </div>
            {href.map(|href| view! { <A href=href attr:class="button">{move || t.get().sync_screen.open_record}</A> })}
        </li>
    }
}

/// A set-aside record's name as the interviewer knows it, and the screen where it is edited.
fn describe_record(
    state: &AppState,
    kind: RecordKind,
    id: uuid::Uuid,
) -> (Option<String>, Option<String>) {
    let company_name = |company_id| {
        state
            .records
            .companies
            .with_untracked(|c| c.get(&company_id).map(|c| c.name.clone()))
    };
    let interview_of = |company_id| {
        state.records.interviews.with_untracked(|m| {
            m.values()
                .find(|i| i.company_id == company_id && !i.meta.deleted)
                .map(|i| i.id)
        })
    };
    let named = |n: String| (!n.trim().is_empty()).then_some(n);
    match kind {
        RecordKind::Interview => {
            let company = state
                .records
                .interviews
                .with_untracked(|m| m.get(&id).map(|i| i.company_id));
            (
                company.and_then(company_name).and_then(named),
                company.map(|_| format!("/interviews/{id}")),
            )
        }
        RecordKind::Company => (
            company_name(id).and_then(named),
            interview_of(id).map(|i| format!("/interviews/{i}/company")),
        ),
        RecordKind::Link => {
            let link = state.records.links.with_untracked(|m| m.get(&id).cloned());
            let name = link.as_ref().map(|l| {
                let initiative = state
                    .records
                    .initiatives
                    .with_untracked(|m| m.get(&l.initiative_id).map(|i| i.name.clone()))
                    .unwrap_or_default();
                let company = company_name(l.company_id).unwrap_or_default();
                format!("{initiative} – {company}")
            });
            let href = link
                .and_then(|l| l.interview_id.or_else(|| interview_of(l.company_id)))
                .map(|i| format!("/interviews/{i}/links"));
            (name, href)
        }
        RecordKind::Initiative => (
            state
                .records
                .initiatives
                .with_untracked(|m| m.get(&id).map(|i| i.name.clone()))
                .and_then(named),
            Some(format!("/initiatives/{id}")),
        ),
        // Any other kind is named by its company and opens the company's interview.
        _ => {
            let company = state
                .records
                .get_untracked(kind, id)
                .and_then(|r| r.company_id());
            (
                company.and_then(company_name).and_then(named),
                company
                    .and_then(interview_of)
                    .map(|i| format!("/interviews/{i}")),
            )
        }
    }
}
