use leptos::prelude::*;
use praatplaat_domain::model::{Interview, InterviewStatus, Sharing};

use super::use_current_interview;
use crate::components::plate_drawing::PlateDrawing;
use crate::components::r_ladder::RLadder;
use crate::i18n::use_texts;
use crate::plate_data::use_plate_view;
use crate::state::use_app_state;

/// Step 6: the score and ambition on the plate, what is still open, and "mark as completed".
#[component]
pub fn SummaryStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let lang = move || state.settings.with(|s| s.lang);
    let interview = Memo::new(move |_| current.interview().unwrap_or_default());
    let plate = use_plate_view(Signal::derive(move || current.interview()));
    let (scored, themes, steps) = (plate.scored, plate.themes, plate.steps);
    let open_items = Memo::new(move |_| {
        let t = t.get();
        let i = interview.get();
        let mut open = Vec::new();
        if !i.answers.values().any(|a| a.now) {
            open.push(t.open_no_ticks);
        }
        if !i.answers.values().any(|a| a.ambition) && i.ambition.trim().is_empty() {
            open.push(t.open_no_ambition);
        }
        if i.needs.is_empty() {
            open.push(t.open_no_needs);
        }
        if i.examples.iter().any(|e| e.sharing == Sharing::Unasked) {
            open.push(t.open_sharing);
        }
        open
    });
    let completed = move || interview.read().status == InterviewStatus::Completed;
    let toggle = move |_| {
        let status = if completed() {
            InterviewStatus::Draft
        } else {
            InterviewStatus::Completed
        };
        state.edit(current.id, |i: &mut Interview| i.status = status);
    };
    view! {
        <div class="summary">
            <div class="plate-layout">
                <PlateDrawing themes title=Signal::derive(move || t.get().step_summary.to_owned())/>
                <RLadder steps title=Signal::derive(move || t.get().r_ladder.to_owned())/>
            </div>
            <table class="score-table" data-testid="score-table">
                <thead>
                    <tr>
                        <th scope="col">{move || t.get().example_theme}</th>
                        <th scope="col">{move || t.get().done_now}</th>
                        <th scope="col">{move || t.get().degree_ambition}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || scored.get().map(|(d, s)| {
                        let rows = d.themes.iter().zip(s.themes.clone()).map(|(theme, ts)| view! {
                            <tr>
                                <th scope="row">{theme.label(lang()).to_owned()}</th>
                                <td>{ts.degree.now.ticked} "/" {ts.degree.now.total} " (" {ts.degree.now.percent()} "%)"</td>
                                <td>{ts.degree.with_ambition.ticked} "/" {ts.degree.with_ambition.total} " (" {ts.degree.with_ambition.percent()} "%)"</td>
                            </tr>
                        }).collect_view();
                        view! {
                            {rows}
                            <tr class="total">
                                <th scope="row">{t.get().degree_now}</th>
                                <td data-testid="score-now">{s.overall.now.percent()} "%"</td>
                                <td data-testid="score-ambition">{s.overall.with_ambition.percent()} "%"</td>
                            </tr>
                        }
                    })}
                </tbody>
            </table>
            <section class="panel">
                <h2>{move || t.get().open_items}</h2>
                {move || {
                    let open = open_items.get();
                    if open.is_empty() {
                        view! { <p>{t.get().nothing_open}</p> }.into_any()
                    } else {
                        view! { <ul class="open-items">{open.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul> }.into_any()
                    }
                }}
            </section>
            <div class="actions">
                <Show when=completed>
                    <p class="notice">{move || t.get().completed_note}</p>
                </Show>
                <button type="button" class="button big" class:primary=move || !completed() data-testid="complete" on:click=toggle>
                    {move || if completed() { t.get().reopen } else { t.get().mark_completed }}
                </button>
            </div>
        </div>
    }
}
