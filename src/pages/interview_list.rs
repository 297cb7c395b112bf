use leptos::prelude::*;
use leptos_router::components::A;
use praatplaat_domain::model::InterviewStatus;
use uuid::Uuid;

use crate::i18n::use_texts;
use crate::state::use_app_state;

#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: Uuid,
    company: String,
    municipality: String,
    date: String,
    completed: bool,
    updated_at: i64,
}

/// The start screen: every interview on this device, newest first.
#[component]
pub fn InterviewList() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let rows = Memo::new(move |_| {
        let companies = state.companies.read();
        let mut rows: Vec<Row> = state
            .interviews
            .read()
            .values()
            .filter(|i| !i.meta.deleted)
            .map(|i| {
                let company = companies.get(&i.company_id);
                Row {
                    id: i.id,
                    company: company.map(|c| c.name.clone()).unwrap_or_default(),
                    municipality: company.map(|c| c.municipality.clone()).unwrap_or_default(),
                    date: i.date.clone(),
                    completed: i.status == InterviewStatus::Completed,
                    updated_at: i.meta.updated_at,
                }
            })
            .collect();
        rows.sort_by(|a, b| b.date.cmp(&a.date).then(b.updated_at.cmp(&a.updated_at)));
        rows
    });
    view! {
        <section class="page">
            <div class="page-title">
                <h1>{move || t.get().interviews}</h1>
                <A href="/interviews/new" attr:class="button primary big" attr:data-testid="new-interview">
                    <span aria-hidden="true">"+ "</span>
                    {move || t.get().new_interview}
                </A>
            </div>
            <Show
                when=move || !rows.read().is_empty()
                fallback=move || view! { <p class="empty">{move || t.get().no_interviews}</p> }
            >
                <ul class="cards" data-testid="interview-list">
                    <For each=move || rows.get() key=|row| (row.id, row.updated_at) let:row>
                        <li>
                            <A href=format!("/interviews/{}", row.id) attr:class="card">
                                <span class="card-title">{row.company.clone()}</span>
                                <span class="card-meta">{row.municipality.clone()} " · " {row.date.clone()}</span>
                                <span class=if row.completed { "chip done" } else { "chip" }>
                                    {move || if row.completed { t.get().status_completed } else { t.get().status_draft }}
                                </span>
                            </A>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}
