use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::components::A;
use praatplaat_domain::initiative::{link_counts, Link, LinkStatus};
use praatplaat_domain::model::InterviewStatus;
use praatplaat_domain::municipality;
use uuid::Uuid;

use crate::clock;
use crate::i18n::{use_texts, Texts};
use crate::places;
use crate::state::use_app_state;

#[derive(Debug, Clone, PartialEq)]
struct CompanyRow {
    id: Uuid,
    name: String,
    municipality: String,
    interview: Option<(Uuid, InterviewStatus)>,
    links: Vec<(String, LinkStatus)>,
    push: Vec<fn(&Texts) -> &'static str>,
}

/// The coordinator's view: every company with its interview and links; what needs a push first.
#[component]
pub fn CompaniesPage() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let rows = Memo::new(move |_| {
        let today = clock::today();
        let interviews = state.records.interviews.read();
        let links = state.records.links.read();
        let initiatives = state.records.initiatives.read();
        // Grouped by company once: the rows cost companies + interviews + links, not their product.
        let mut latest: BTreeMap<Uuid, (&str, Uuid, InterviewStatus)> = BTreeMap::new();
        for i in interviews.values().filter(|i| !i.meta.deleted) {
            let newer = latest
                .get(&i.company_id)
                .is_none_or(|(date, ..)| i.date.as_str() >= *date);
            if newer {
                latest.insert(i.company_id, (i.date.as_str(), i.id, i.status));
            }
        }
        let mut links_of: BTreeMap<Uuid, Vec<&Link>> = BTreeMap::new();
        for l in links.values().filter(|l| !l.meta.deleted) {
            links_of.entry(l.company_id).or_default().push(l);
        }
        let mut rows: Vec<CompanyRow> = state
            .records
            .companies
            .read()
            .values()
            .filter(|c| !c.meta.deleted)
            .map(|c| {
                let interview = latest.get(&c.id).map(|&(_, id, status)| (id, status));
                let company_links: &[&Link] = links_of.get(&c.id).map_or(&[], Vec::as_slice);
                let mut push: Vec<fn(&Texts) -> &'static str> = Vec::new();
                if company_links
                    .iter()
                    .any(|l| l.status == LinkStatus::Proposed)
                {
                    push.push(|t| t.push_proposed);
                }
                if company_links.iter().any(|l| l.needs_follow_up(&today)) {
                    push.push(|t| t.push_follow_up);
                }
                if company_links.is_empty()
                    && matches!(interview, Some((_, InterviewStatus::Completed)))
                {
                    push.push(|t| t.push_no_links);
                }
                CompanyRow {
                    id: c.id,
                    name: c.name.clone(),
                    municipality: c.municipality.clone(),
                    interview,
                    links: company_links
                        .iter()
                        .map(|l| {
                            (
                                initiatives
                                    .get(&l.initiative_id)
                                    .map(|i| i.name.clone())
                                    .unwrap_or_default(),
                                l.status,
                            )
                        })
                        .collect(),
                    push,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.push
                .len()
                .cmp(&a.push.len())
                .then(a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        rows
    });
    let progress = Memo::new(move |_| {
        let companies = state.records.companies.read();
        let completed: Vec<_> = state
            .records
            .interviews
            .read()
            .values()
            .filter(|i| !i.meta.deleted && i.status == InterviewStatus::Completed)
            .map(|i| i.company_id)
            .collect();
        let in_partner = completed
            .iter()
            .filter(|id| {
                companies
                    .get(id)
                    .and_then(|c| municipality::find(&c.municipality))
                    .is_some_and(|m| m.deal_partner)
            })
            .count();
        let links: Vec<_> = state.records.links.read().values().cloned().collect();
        let catalogue: Vec<_> = state.records.initiatives.read().values().cloned().collect();
        (completed.len(), in_partner, link_counts(&links, &catalogue))
    });
    view! {
        <section class="page">
            <div class="page-title">
                <h1>{move || t.get().companies}</h1>
                <div class="title-actions">
                    <A href="/follow-ups" attr:class="button">{move || t.get().follow_ups.title}</A>
                    <A href="/initiatives" attr:class="button">{move || t.get().initiatives}</A>
                </div>
            </div>
            <section class="panel targets" data-testid="targets">
                <h2>{move || t.get().targets}</h2>
                <p>{move || t.get().target_interviews} ": " <strong>{move || progress.get().0}</strong> " / 200 · "
                    {move || t.get().target_partner} " " <strong>{move || progress.get().1}</strong> " / 70"</p>
                <p>{move || t.get().target_versnellingsteam} ": " <strong>{move || progress.get().2.companies_linked_versnellingsteam}</strong> " / 50"</p>
                <p>{move || t.get().target_other} ": " <strong>{move || progress.get().2.companies_linked_other}</strong> " / 50"</p>
            </section>
            <p class="plate-intro">{move || t.get().companies_intro}</p>
            <table class="score-table companies" data-testid="companies">
                <thead>
                    <tr>
                        <th scope="col">{move || t.get().company}</th>
                        <th scope="col">{move || t.get().interview}</th>
                        <th scope="col">{move || t.get().links_count}</th>
                        <th scope="col">{move || t.get().needs_push}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.id let:row>
                        <tr class:attention=!row.push.is_empty()>
                            <th scope="row">
                                {row.name.clone()}
                                <span class="own-small">" " {row.municipality.clone()}</span>
                            </th>
                            <td>
                                {match row.interview {
                                    Some((id, status)) => {
                                        let done = status == InterviewStatus::Completed;
                                        view! {
                                            <A href=places::place(id)>
                                                {move || if done { t.get().status_completed } else { t.get().status_draft }}
                                            </A>
                                        }.into_any()
                                    }
                                    None => view! { <span>{move || t.get().no_interview}</span> }.into_any(),
                                }}
                            </td>
                            <td>
                                <ul class="plain">
                                    {row.links.iter().cloned().map(|(name, status)| view! {
                                        <li>{name} ": " {move || (t.get().codes.link_status)(status)}</li>
                                    }).collect_view()}
                                </ul>
                            </td>
                            <td>
                                <ul class="plain push">
                                    {row.push.iter().copied().map(|p| view! { <li>{move || p(t.get())}</li> }).collect_view()}
                                </ul>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </section>
    }
}
