//! Who is due for the follow-up (issue 14): the domain's `due_list` over the records on this
//! device, grouped by how soon, with a planned follow-up made in one tap and each call's outcome
//! (reached or not) recorded in one more.

use leptos::prelude::*;
use leptos_router::components::A;
use praatplaat_domain::followup::{due_list, Date, DueBucket, DueItem, FollowUp};
use praatplaat_domain::plate::Definition;
use uuid::Uuid;

use crate::clock;
use crate::i18n::use_texts;
use crate::places;
use crate::state::{use_app_state, AppState};

/// One thing due, with what the list shows of its company and its calls so far.
#[derive(Debug, Clone, PartialEq)]
struct DueRow {
    item: DueItem,
    company: String,
    municipality: String,
    interviewed_on: String,
    attempts: usize,
    last_attempt: String,
}

#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let rows = Memo::new(move |_| {
        let Some(today) = Date::parse(&clock::today()) else {
            return Vec::new();
        };
        let companies = state.records.companies.read();
        let interviews = state.records.interviews.read();
        let follow_ups = state.records.follow_ups.read();
        due_list(
            companies.values(),
            interviews.values(),
            follow_ups.values(),
            today,
        )
        .into_iter()
        .flat_map(|due| {
            let company = companies.get(&due.company_id);
            due.items
                .into_iter()
                .map(|item| {
                    let follow_up = item.follow_up_id.and_then(|id| follow_ups.get(&id));
                    DueRow {
                        company: company.map(|c| c.name.clone()).unwrap_or_default(),
                        municipality: company.map(|c| c.municipality.clone()).unwrap_or_default(),
                        interviewed_on: interviews
                            .get(&item.interview_id)
                            .map(|i| i.date.clone())
                            .unwrap_or_default(),
                        attempts: follow_up.map_or(0, |f| f.attempts.len()),
                        last_attempt: follow_up
                            .and_then(|f| f.attempts.last())
                            .map(|a| a.date.clone())
                            .unwrap_or_default(),
                        item,
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
    });
    let bucket_rows = move |bucket: DueBucket| {
        rows.with(|rows| {
            rows.iter()
                .filter(|r| r.item.bucket == bucket)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="page follow-ups">
            <div class="page-title">
                <h1>{move || t.get().follow_ups.title}</h1>
                <A href="/companies" attr:class="button">{move || t.get().companies}</A>
            </div>
            <p class="plate-intro">{move || t.get().follow_ups.intro}</p>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="empty" data-testid="nobody-due">{move || t.get().follow_ups.nobody_due}</p>
            </Show>
            {DueBucket::ALL
                .into_iter()
                .map(|bucket| {
                    view! {
                        <Show when=move || !bucket_rows(bucket).is_empty()>
                            <section class="panel due" data-bucket=format!("{bucket:?}")>
                                <h2>
                                    {move || (t.get().follow_ups.bucket)(bucket)} " ("
                                    {move || bucket_rows(bucket).len()} ")"
                                </h2>
                                <ul class="plain due-list">
                                    <For
                                        each=move || bucket_rows(bucket)
                                        key=|r| format!("{r:?}")
                                        let:row
                                    >
                                        <DueLine row=row/>
                                    </For>
                                </ul>
                            </section>
                        </Show>
                    }
                })
                .collect_view()}
        </section>
    }
}

/// One company due: its name, the baseline and the plan, and what can be done now.
#[component]
fn DueLine(row: DueRow) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let item = row.item.clone();
    let company = row.company.clone();
    let planned = item.planned_on.clone();
    let status = item.status;
    let (attempts, last) = (row.attempts, row.last_attempt.clone());
    let name_for = move |action: &str| (t.get().follow_ups.action_for)(action, &company);
    let actions = match item.follow_up_id {
        None => {
            let interview_id = item.interview_id;
            let label = name_for.clone();
            view! {
                <button
                    class="button primary"
                    data-testid="plan-follow-up"
                    aria-label=move || label(t.get().follow_ups.plan)
                    on:click=move |_| plan(state, interview_id)
                >
                    {move || t.get().follow_ups.plan}
                </button>
            }
            .into_any()
        }
        Some(id) => {
            let (reached, not_reached) = (name_for.clone(), name_for.clone());
            view! {
                <A
                    href=format!("/follow-ups/{id}")
                    attr:class="button"
                    attr:data-testid="open-follow-up"
                    attr:aria-label={
                        let label = name_for.clone();
                        move || label(t.get().follow_ups.open)
                    }
                >
                    {move || t.get().follow_ups.open}
                </A>
                <button
                    class="button"
                    data-testid="not-reached"
                    aria-label=move || not_reached(t.get().follow_ups.not_reached)
                    on:click=move |_| attempt(state, id, false)
                >
                    {move || t.get().follow_ups.not_reached}
                </button>
                <button
                    class="button primary"
                    data-testid="reached"
                    aria-label=move || reached(t.get().follow_ups.reached)
                    on:click=move |_| attempt(state, id, true)
                >
                    {move || t.get().follow_ups.reached}
                </button>
            }
            .into_any()
        }
    };
    view! {
        <li class="due-line" data-testid="due-line">
            <div class="due-what">
                <A href=places::place(item.interview_id)><strong>{row.company.clone()}</strong></A>
                <span class="own-small">" " {row.municipality.clone()}</span>
                <p class="due-when">
                    {move || (t.get().follow_ups.interviewed_on)(&row.interviewed_on)} " · "
                    {move || if planned.is_empty() {
                        t.get().follow_ups.not_planned.to_owned()
                    } else {
                        (t.get().follow_ups.planned_on)(&planned)
                    }} " · "
                    <span data-testid="due-status">{move || (t.get().follow_ups.status)(status)}</span>
                </p>
                <Show when=move || { attempts > 0 }>
                    <p class="own-small">{
                        let last = last.clone();
                        move || (t.get().follow_ups.attempts)(attempts, &last)
                    }</p>
                </Show>
            </div>
            <div class="due-actions">{actions}</div>
        </li>
    }
}

/// A planned follow-up of the interview, two quarters on, with the current plate.
fn plan(state: AppState, interview_id: Uuid) {
    let Some(interview) = state.records.interviews.get_untracked(interview_id) else {
        return;
    };
    let plate = Definition::current()
        .map(Definition::plate_key)
        .unwrap_or_default();
    // The same id on every tablet: two that plan it while offline make one record, not two.
    let id = FollowUp::first_id(interview_id);
    if state.records.follow_ups.get_untracked(id).is_some() {
        return;
    }
    state.save(FollowUp::for_interview(id, &interview, &plate));
}

/// A call today by the interviewer of this device: reached or not.
fn attempt(state: AppState, id: Uuid, reached: bool) {
    let Some(mut follow_up) = state.records.follow_ups.get_untracked(id) else {
        return;
    };
    let by = state.settings.with_untracked(|s| s.interviewer.clone());
    if follow_up
        .record_attempt(&clock::today(), reached, &by, "")
        .is_ok()
    {
        state.save(follow_up);
    }
}
