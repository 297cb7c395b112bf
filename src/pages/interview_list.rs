use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use praatplaat_domain::model::InterviewStatus;
use uuid::Uuid;

use crate::components::conflicts::{waiting_count, ChoiceMarker};
use crate::components::server_safety::ServerSafety;
use crate::i18n::use_texts;
use crate::places;
use crate::state::use_app_state;

/// Interviews rendered at first, and added by each "show more".
const LIST_PAGE: usize = 40;

/// The list's filters live in the URL (`?q=…&gemeente=…&status=…`), so back and reload keep them.
#[derive(Debug, Clone, Default, PartialEq)]
struct Filter {
    query: String,
    municipality: String,
    status: String,
}

impl Filter {
    fn matches(&self, row: &Row) -> bool {
        let query = self.query.trim().to_lowercase();
        (query.is_empty()
            || row.company.to_lowercase().contains(&query)
            || row.municipality.to_lowercase().contains(&query))
            && (self.municipality.is_empty() || row.municipality == self.municipality)
            && match self.status.as_str() {
                "draft" => !row.completed,
                "completed" => row.completed,
                _ => true,
            }
    }

    fn to_query(&self) -> String {
        let mut parts = Vec::new();
        for (key, value) in [
            ("q", &self.query),
            ("gemeente", &self.municipality),
            ("status", &self.status),
        ] {
            if !value.is_empty() {
                parts.push(format!("{key}={}", js_sys::encode_uri_component(value)));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: Uuid,
    company: String,
    municipality: String,
    date: String,
    completed: bool,
    updated_at: i64,
    /// Concurrent edits waiting for someone to pick a value.
    choices: usize,
}

/// The start screen: every interview on this device, newest first.
#[component]
pub fn InterviewList() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let query = use_query_map();
    // Stored so the filter handlers below stay `Copy`.
    let navigate = StoredValue::new_local(use_navigate());
    let filter = Memo::new(move |_| {
        let q = query.read();
        Filter {
            query: q.get("q").unwrap_or_default(),
            municipality: q.get("gemeente").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
        }
    });
    let set_filter = move |change: Box<dyn FnOnce(&mut Filter)>| {
        let mut f = filter.get_untracked();
        change(&mut f);
        navigate.with_value(|navigate| {
            navigate(
                &format!("/{}", f.to_query()),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..NavigateOptions::default()
                },
            )
        });
    };
    let all_rows = Memo::new(move |_| {
        let companies = state.records.companies.read();
        let mut rows: Vec<Row> = state
            .records
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
                    choices: waiting_count(i, company),
                }
            })
            .collect();
        rows.sort_by(|a, b| b.date.cmp(&a.date).then(b.updated_at.cmp(&a.updated_at)));
        rows
    });
    let rows = Memo::new(move |_| {
        let f = filter.get();
        all_rows
            .get()
            .into_iter()
            .filter(|r| f.matches(r))
            .collect::<Vec<_>>()
    });
    let municipalities = Memo::new(move |_| {
        let mut names: Vec<String> = all_rows
            .get()
            .into_iter()
            .map(|r| r.municipality)
            .filter(|m| !m.is_empty())
            .collect();
        names.sort();
        names.dedup();
        names
    });
    // A long list renders a page at a time: start-up stays fast with hundreds of interviews, and
    // search and filters reach all of them.
    let shown = RwSignal::new(LIST_PAGE);
    let visible =
        Memo::new(move |_| rows.with(|r| r.iter().take(shown.get()).cloned().collect::<Vec<_>>()));
    let hidden = move || rows.with(Vec::len).saturating_sub(shown.get());
    let (set_query, set_municipality) = (set_filter, set_filter);
    view! {
        <section class="page">
            <div class="page-title">
                <h1>{move || t.get().interviews}</h1>
                <A href="/interviews/new" attr:class="button primary big" attr:data-testid="new-interview">
                    <span aria-hidden="true">"+ "</span>
                    {move || t.get().new_interview}
                </A>
            </div>
            <Show when=move || !all_rows.read().is_empty()>
                <div class="filters" role="search">
                    <div class="field">
                        <label for="filter-query">{move || t.get().search}</label>
                        <input id="filter-query" type="search" placeholder=move || t.get().search_hint
                            prop:value=move || filter.read().query.clone()
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                set_query(Box::new(move |f| f.query = v));
                            }/>
                    </div>
                    <div class="field">
                        <label for="filter-municipality">{move || t.get().filter_municipality}</label>
                        <select id="filter-municipality" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set_municipality(Box::new(move |f| f.municipality = v));
                        }>
                            <option value="" selected=move || filter.read().municipality.is_empty()>{move || t.get().all}</option>
                            {move || municipalities.get().into_iter().map(|m| {
                                let selected = { let m = m.clone(); move || filter.read().municipality == m };
                                view! { <option value=m.clone() selected=selected>{m.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="filter-status">{move || t.get().filter_status}</label>
                        <select id="filter-status" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set_filter(Box::new(move |f| f.status = v));
                        }>
                            <option value="" selected=move || filter.read().status.is_empty()>{move || t.get().all}</option>
                            <option value="draft" selected=move || filter.read().status == "draft">{move || t.get().status_draft}</option>
                            <option value="completed" selected=move || filter.read().status == "completed">{move || t.get().status_completed}</option>
                        </select>
                    </div>
                </div>
            </Show>
            <Show
                when=move || !rows.read().is_empty()
                fallback=move || view! {
                    <p class="empty">
                        {move || if all_rows.read().is_empty() { t.get().no_interviews } else { t.get().no_matches }}
                    </p>
                }
            >
                <ul class="cards" data-testid="interview-list">
                    <For each=move || visible.get() key=|row| (row.id, row.updated_at, row.choices) let:row>
                        <li>
                            <A href=places::place(row.id) attr:class="card">
                                <span class="card-title">{row.company.clone()}</span>
                                <span class="card-meta">{row.municipality.clone()} " · " {row.date.clone()}</span>
                                <ServerSafety id=row.id/>
                                {(row.choices > 0).then(|| view! { <ChoiceMarker/> })}
                                <span class=if row.completed { "chip done" } else { "chip" }>
                                    {move || if row.completed { t.get().status_completed } else { t.get().status_draft }}
                                </span>
                            </A>
                        </li>
                    </For>
                </ul>
                <Show when=move || { hidden() > 0 }>
                    <button
                        class="button show-more"
                        data-testid="show-more"
                        on:click=move |_| shown.update(|n| *n += LIST_PAGE)
                    >
                        {move || (t.get().show_more)(visible.with(Vec::len), rows.with(Vec::len))}
                    </button>
                </Show>
            </Show>
        </section>
    }
}
