use leptos::prelude::*;
use praatplaat_domain::initiative::{follow_up_after, suggest, Link, LinkStatus, FOLLOW_UP_MONTHS};
use uuid::Uuid;

use super::use_current_interview;
use crate::i18n::{suggestion_reason, use_texts};
use crate::plate_data::definition_for;
use crate::state::use_app_state;
use crate::{clock, places};

/// Step 6: initiatives that fit the company's ambition and needs, and the links made.
#[component]
pub fn LinksStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let lang = move || state.settings.with(|s| s.lang);
    let suggestions = Memo::new(move |_| {
        let (Some(interview), Some(company)) = (current.interview(), current.company()) else {
            return Vec::new();
        };
        let Some(definition) = definition_for(&interview) else {
            return Vec::new();
        };
        let catalogue: Vec<_> = state.records.initiatives.read().values().cloned().collect();
        // Each with its reason line in the UI language.
        suggest(definition, &interview, &company, &catalogue)
            .into_iter()
            .map(|s| {
                let initiative = catalogue.iter().find(|i| i.id == s.initiative_id);
                let line = suggestion_reason(lang(), definition, initiative, &s.reasons);
                (s, line)
            })
            .collect::<Vec<_>>()
    });
    let links = Memo::new(move |_| {
        let mut links: Vec<(Uuid, String)> = state
            .records
            .links
            .read()
            .values()
            .filter(|l| l.company_id == current.company_id && !l.meta.deleted)
            .map(|l| {
                (
                    l.id,
                    l.history
                        .first()
                        .map(|e| e.date.clone())
                        .unwrap_or_default(),
                )
            })
            .collect();
        links.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        links.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
    });
    let linked = move |initiative_id: Uuid| {
        state.records.links.read().values().any(|l| {
            l.company_id == current.company_id
                && l.initiative_id == initiative_id
                && !l.meta.deleted
        })
    };
    let propose = move |initiative_id: Uuid, reason: String| {
        let today = clock::today();
        let mut link = Link::new(
            clock::new_id(),
            current.company_id,
            Some(current.id),
            initiative_id,
            &reason,
            &today,
        );
        link.follow_up_date = follow_up_after(&today, FOLLOW_UP_MONTHS).unwrap_or_default();
        state.save(link);
    };
    view! {
        <section class="panel">
            <h2>{move || t.get().links_of_company}</h2>
            <Show when=move || !links.read().is_empty() fallback=move || view! { <p>{t.get().no_links}</p> }>
                <ul class="links">
                    <For each=move || links.get() key=|id| *id let:id>
                        <LinkCard link_id=id/>
                    </For>
                </ul>
            </Show>
        </section>
        <h2>{move || t.get().suggestions}</h2>
        <p class="plate-intro">{move || t.get().suggestions_intro}</p>
        <Show when=move || !suggestions.read().is_empty() fallback=move || view! { <p class="empty">{t.get().no_suggestions}</p> }>
            <ul class="suggestions" data-testid="suggestions">
                {move || suggestions.get().into_iter().map(|(s, reason)| {
                    let initiative = state.records.initiatives.read_untracked().get(&s.initiative_id).cloned();
                    let id = s.initiative_id;
                    let name = initiative.as_ref().map(|i| i.name.clone()).unwrap_or_default();
                    let offer = initiative.as_ref().map(|i| i.offer(lang()).to_owned()).unwrap_or_default();
                    let reason_for_link = reason.clone();
                    view! {
                        <li class="suggestion" data-initiative=name.clone()>
                            <div class="suggestion-text">
                                <span class="suggestion-name">{name.clone()}</span>
                                <span class="suggestion-reason">{reason}</span>
                                <span class="suggestion-offer">{offer}</span>
                            </div>
                            {move || if linked(id) {
                                view! { <span class="chip done">"✓ " {t.get().linked_already}</span> }.into_any()
                            } else {
                                let reason = reason_for_link.clone();
                                view! {
                                    <button type="button" class="button primary" on:click=move |_| propose(id, reason.clone())>
                                        {move || t.get().propose_link}
                                    </button>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

/// One link with its life: status buttons, coach, next steps and follow-up date.
#[component]
pub fn LinkCard(link_id: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let link = Memo::new(move |_| {
        state
            .records
            .links
            .read()
            .get(&link_id)
            .cloned()
            .unwrap_or_default()
    });
    let initiative = Memo::new(move |_| {
        state
            .records
            .initiatives
            .read()
            .get(&link.read().initiative_id)
            .cloned()
    });
    let note = RwSignal::new(String::new());
    let set_status = move |status: LinkStatus| {
        let today = clock::today();
        let text = note.get_untracked();
        state.edit(link_id, |l: &mut Link| {
            // `set_status` refuses impossible steps; the buttons only offer allowed ones.
            let _ = l.set_status(status, &today, &text);
        });
        note.set(String::new());
    };
    let note_id = format!("link-note-{link_id}");
    let next_id = format!("link-next-{link_id}");
    let follow_id = format!("link-follow-{link_id}");
    let coach_id = format!("link-coach-{link_id}");
    view! {
        <li class="panel link" data-initiative=move || initiative.get().map(|i| i.name).unwrap_or_default()>
            <div class="link-head">
                <span class="suggestion-name">{move || initiative.get().map(|i| i.name).unwrap_or_default()}</span>
                <span class="chip" data-testid="link-status">{move || (t.get().codes.link_status)(link.read().status)}</span>
            </div>
            <p class="suggestion-reason">{move || link.read().reason.clone()}</p>
            {move || initiative.get().map(|i| {
                let c = i.contact.clone();
                let parts: Vec<String> = [c.name, c.email, c.phone, c.url].into_iter().filter(|s| !s.is_empty()).collect();
                (!parts.is_empty()).then(|| view! { <p class="link-contact">{t.get().contact} ": " {parts.join(" · ")}</p> })
            })}
            {move || initiative.get().filter(|i| !i.coaches.is_empty()).map(|i| {
                let coach_id = coach_id.clone();
                view! {
                    <div class="field">
                        <label for=coach_id.clone()>{t.get().coach}</label>
                        <select id=coach_id on:change=move |ev| {
                            let coach = event_target_value(&ev);
                            state.edit(link_id, |l: &mut Link| l.coach = coach);
                        }>
                            <option value="" selected=move || link.read().coach.is_empty()>{t.get().choose_coach}</option>
                            {i.coaches.into_iter().map(|c| {
                                let selected = { let c = c.clone(); move || link.read().coach == c };
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }
            })}
            <div class="field">
                <label for=note_id.clone()>{move || t.get().status_note}</label>
                <input id=note_id type="text" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/>
            </div>
            <ol class="link-history">
                {move || link.read().history.iter().map(|e| view! {
                    <li>{e.date.clone()} " · " {(t.get().codes.link_status)(e.status)} {(!e.note.is_empty()).then(|| format!(" · {}", e.note))}</li>
                }).collect_view()}
            </ol>
            <div class="link-actions">
                // A step back is offered once, as a correction, not among the next steps.
                {move || {
                    let back = link.read().step_back();
                    link.read().allowed_next().into_iter().filter(move |s| Some(*s) != back)
                }.map(|status| view! {
                    <button type="button" class="button" on:click=move |_| set_status(status)>{(t.get().codes.link_status)(status)}</button>
                }).collect_view()}
                {move || link.read().step_back().map(|status| view! {
                    <button type="button" class="button ghost" on:click=move |_| set_status(status)>
                        {t.get().correct} ": " {(t.get().codes.link_status)(status)}
                    </button>
                })}
            </div>
            <div class="field">
                <label for=next_id.clone()>{move || t.get().next_steps}</label>
                <input id=next_id type="text" prop:value=move || { state.restored.track(); link.read().next_steps.clone() }
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        state.edit(link_id, |l: &mut Link| l.next_steps = v);
                    }/>
            </div>
            <div class="field">
                <label for=follow_id.clone()>{move || t.get().follow_up}</label>
                <input id=follow_id type="date" prop:value=move || link.read().follow_up_date.clone()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        state.edit(link_id, |l: &mut Link| l.follow_up_date = v);
                    }/>
            </div>
            <div class="actions">
                <button type="button" class="button ghost" on:click=move |_| state.edit(link_id, |l: &mut Link| l.meta.deleted = true)>
                    {move || t.get().remove_link}
                </button>
            </div>
        </li>
    }
}

/// Where a link's interview can be opened (used by the company list).
pub fn interview_path(link: &Link) -> Option<String> {
    link.interview_id.map(places::place)
}
