//! Choices left by concurrent edits: when two tablets changed the same field, the server keeps
//! the later value in the field and the other as a [`Conflict`] on the record. Nothing is dropped
//! until someone picks one: these components show both values side by side and settle the choice
//! through the one edit path (`AppState::edit_*`), so it syncs like any edit.

use leptos::prelude::*;
use leptos_router::components::A;
use praatplaat_domain::initiative::Link;
use praatplaat_domain::merge::{current_value, resolve_conflict, Choice, ConflictField};
use praatplaat_domain::model::{Company, Conflict, Interview, Record, RecordKind};
use serde_json::Value;
use uuid::Uuid;

use crate::i18n::{use_texts, Texts};
use crate::state::{use_app_state, AppState};

/// One waiting choice, with the record it sits on.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub kind: RecordKind,
    pub record_id: Uuid,
    pub conflict: Conflict,
    /// For a link: the initiative's name, so "Volgende stappen" says which link.
    pub context: Option<String>,
}

/// The choices waiting on an interview, its company and the company's links, in that order.
pub fn pending_for(state: &AppState, interview_id: Uuid) -> Vec<Pending> {
    // Borrowed, not cloned: this runs at every keystroke in the interview (a record changed).
    let Some((company_id, interview_conflicts)) = state.records.interviews.with(|m| {
        m.get(&interview_id)
            .map(|i| (i.company_id, i.conflicts.clone()))
    }) else {
        return Vec::new();
    };
    let company = state
        .records
        .companies
        .with(|m| m.get(&company_id).map(|c| (c.id, c.conflicts.clone())));
    let links: Vec<Link> = state.records.links.with(|m| {
        m.values()
            .filter(|l| l.company_id == company_id && !l.conflicts.is_empty())
            .cloned()
            .collect()
    });
    let mut pending = Vec::new();
    let mut add = |kind, record_id, conflicts: &[Conflict], context: Option<String>| {
        pending.extend(conflicts.iter().map(|c| Pending {
            kind,
            record_id,
            conflict: c.clone(),
            context: context.clone(),
        }));
    };
    add(
        RecordKind::Interview,
        interview_id,
        &interview_conflicts,
        None,
    );
    if let Some((id, conflicts)) = &company {
        add(RecordKind::Company, *id, conflicts, None);
    }
    for link in &links {
        let name = state
            .records
            .initiatives
            .with(|m| m.get(&link.initiative_id).map(|i| i.name.clone()));
        add(RecordKind::Link, link.id, &link.conflicts, name);
    }
    pending
}

/// How many choices wait on an interview (its company included); cheap enough for list cards.
pub fn waiting_count(interview: &Interview, company: Option<&Company>) -> usize {
    interview.conflicts.len() + company.map_or(0, |c| c.conflicts.len())
}

/// What the field of a choice holds now on this tablet (`Null` when absent): after the merge it is
/// the kept value, but someone may have typed in it since.
fn current_of(state: AppState, pending: &Pending) -> Value {
    let id = pending.record_id;
    let record = state.records.get(pending.kind, id);
    record
        .and_then(|r| current_value(&r, &pending.conflict.path).ok())
        .unwrap_or(Value::Null)
}

/// Settles one choice through the ordinary edit path. A conflict that is already gone (settled
/// on this tablet a moment ago) or cannot be applied leaves the record untouched: no empty edit
/// is queued, and the choice stays visible.
fn choose(state: AppState, pending: &Pending, choice: Choice) -> bool {
    let id = pending.conflict.id.clone();
    let mut ok = false;
    let mut settle = |record: Record| -> Option<Record> {
        let mut record = record;
        match resolve_conflict(&mut record, &id, choice) {
            Ok(()) => {
                ok = true;
                Some(record)
            }
            Err(e) => {
                leptos::logging::warn!("conflict {id} not settled: {e}");
                None
            }
        }
    };
    if let Some(settled) = state
        .records
        .get_untracked(pending.kind, pending.record_id)
        .and_then(&mut settle)
    {
        state.save_record(settled);
    }
    ok
}

/// "14:32" for an edit today, "3-2 14:32" for an older one, as the tablet's clock shows it.
fn edit_time(ms: i64) -> String {
    let at = js_sys::Date::new(&(ms as f64).into());
    let today = js_sys::Date::new_0();
    let time = format!("{:02}:{:02}", at.get_hours(), at.get_minutes());
    let same_day = at.get_full_year() == today.get_full_year()
        && at.get_month() == today.get_month()
        && at.get_date() == today.get_date();
    if same_day {
        time
    } else {
        format!("{}-{} {time}", at.get_date(), at.get_month() + 1)
    }
}

/// The banner in the interview frame (every step) and, unfolded, the list of choices.
#[component]
pub fn ConflictPanel(interview_id: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let pending = Memo::new(move |_| pending_for(&state, interview_id));
    // Open at first: the choice matters more than the step; "Later kiezen" folds it to the line.
    let open = RwSignal::new(true);
    move || {
        let list = pending.get();
        (!list.is_empty()).then(|| {
            let count = list.len();
            view! {
                <section class="conflicts" data-testid="conflicts" aria-labelledby="conflicts-title">
                    <div class="conflicts-head">
                        <p id="conflicts-title" class="conflicts-title">
                            <span class="conflicts-icon" aria-hidden="true">"⚠"</span>
                            {move || (t.get().choices_needed)(count)}
                        </p>
                        <button type="button" class="button" aria-expanded=move || open.get().to_string()
                            data-testid="conflicts-toggle"
                            on:click=move |_| open.update(|o| *o = !*o)>
                            {move || if open.get() { t.get().choose_later } else { t.get().choose_now }}
                        </button>
                    </div>
                    <Show when=move || open.get()>
                        <ul class="conflict-list">
                            {pending
                                .get()
                                .into_iter()
                                .map(|p| view! { <ConflictCard pending=p/> })
                                .collect_view()}
                        </ul>
                    </Show>
                </section>
            }
        })
    }
}

/// One choice: what the field is, and both values as two large buttons.
#[component]
fn ConflictCard(pending: Pending) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let field = ConflictField::from_path(pending.kind, &pending.conflict.path);
    let label = {
        let context = pending.context.clone();
        move || {
            let l = (t.get().codes.conflict_field)(&field);
            match &context {
                Some(name) => format!("{name}: {l}"),
                None => l,
            }
        }
    };
    let failed = RwSignal::new(false);
    let now = Memo::new({
        let pending = pending.clone();
        move |_| current_of(state, &pending)
    });
    // Typed in after the merge: the field holds neither value, and that text is a third option
    // (choosing an old value would otherwise overwrite it unasked).
    let edited_since = {
        let (kept, other) = (
            pending.conflict.kept.clone(),
            pending.conflict.other.clone(),
        );
        move || {
            let current = now.get();
            current != kept && current != other
        }
    };
    let pending = StoredValue::new(pending);
    let option = move |choice: Choice| {
        let p = pending.get_value();
        let (value, at, word, testid): (_, _, fn(&Texts) -> &'static str, _) = match choice {
            Choice::Kept => (
                p.conflict.kept,
                Some(p.conflict.kept_updated_at),
                |t| t.keep_this,
                "keep-kept",
            ),
            Choice::Other => (
                p.conflict.other,
                Some(p.conflict.other_updated_at),
                |t| t.keep_that,
                "keep-other",
            ),
            Choice::Current => (
                now.get_untracked(),
                None,
                |t| t.keep_current,
                "keep-current",
            ),
        };
        let in_field = {
            let value = value.clone();
            move || now.get() == value
        };
        let text = move || t.get().codes.value(&value);
        let time = at.map(edit_time);
        let separator = if time.is_some() { " · " } else { "" };
        view! {
            <button type="button" class="conflict-option" data-testid=testid
                on:click=move |_| {
                    let ok = pending.with_value(|p| choose(state, p, choice));
                    failed.set(!ok);
                }>
                <span class="conflict-value">{text}</span>
                <span class="conflict-when">
                    {time.map(|time| move || (t.get().edited_at)(&time))}
                    {move || in_field().then(|| view! { {separator} {t.get().in_field_now} })}
                </span>
                <span class="conflict-keep">{move || word(t.get())}</span>
            </button>
        }
    };
    view! {
        <li class="conflict" data-testid="conflict" data-path=pending.with_value(|p| p.conflict.path.clone())>
            <h3 class="conflict-field">{label}</h3>
            <div class="conflict-options">
                {option(Choice::Kept)}
                {option(Choice::Other)}
                {move || edited_since().then(|| option(Choice::Current))}
            </div>
            <Show when=move || failed.get()>
                <p class="field-error" role="alert">{move || t.get().choice_failed}</p>
            </Show>
        </li>
    }
}

/// A small "keuze nodig" marker for a list card.
#[component]
pub fn ChoiceMarker() -> impl IntoView {
    let t = use_texts();
    view! { <span class="choice-marker" data-testid="choice-needed">{move || t.get().choice_marker}</span> }
}

/// On the sync screen: which interviews wait for a choice, with a link to each.
#[component]
pub fn ConflictsWaiting() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let waiting = Memo::new(move |_| {
        let companies = state.records.companies.read();
        let mut rows: Vec<(Uuid, String)> = state
            .records
            .interviews
            .read()
            .values()
            .filter(|i| !i.meta.deleted)
            .filter_map(|i| {
                let company = companies.get(&i.company_id);
                (waiting_count(i, company) > 0)
                    .then(|| (i.id, company.map(|c| c.name.clone()).unwrap_or_default()))
            })
            .collect();
        rows.sort_by(|a, b| a.1.cmp(&b.1));
        rows
    });
    move || {
        let rows = waiting.get();
        (!rows.is_empty()).then(|| {
            let count = rows.len();
            view! {
                <div class="panel conflicts-waiting" data-testid="conflicts-waiting">
                    <h2>{move || (t.get().interviews_waiting_choice)(count)}</h2>
                    <ul class="set-aside-list">
                        {rows
                            .into_iter()
                            .map(|(id, name)| {
                                let shown = if name.trim().is_empty() { None } else { Some(name) };
                                view! {
                                    <li>
                                        <strong>{move || shown.clone().unwrap_or_else(|| t.get().sync_screen.unnamed.to_owned())}</strong>
                                        <A href=format!("/interviews/{id}") attr:class="button">{move || t.get().sync_screen.open_record}</A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
