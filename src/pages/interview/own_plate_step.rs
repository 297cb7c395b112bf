use leptos::prelude::*;
use praatplaat_domain::model::Sharing;

use super::use_current_interview;
use crate::components::photo_thumb::PhotoThumb;
use crate::components::plate_drawing::PlateDrawing;
use crate::components::r_ladder::RLadder;
use crate::i18n::use_texts;
use crate::plate_data::use_plate_view;
use crate::state::use_app_state;

/// The company's own praatplaat: where it stands, its ambition, its examples and its links, ready
/// to show at the table or to print (A4 or A3 landscape) or save as PDF. Only this company's data.
#[component]
pub fn OwnPlateStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let interview = Memo::new(move |_| current.interview().unwrap_or_default());
    let company = Memo::new(move |_| current.company().unwrap_or_default());
    let plate = use_plate_view(Signal::derive(move || current.interview()));
    let (themes, steps) = (plate.themes, plate.steps);
    let links = Memo::new(move |_| {
        let initiatives = state.records.initiatives.read();
        state
            .records
            .links
            .read()
            .values()
            .filter(|l| l.company_id == current.company_id && !l.meta.deleted)
            .map(|l| (l.clone(), initiatives.get(&l.initiative_id).cloned()))
            .collect::<Vec<_>>()
    });
    let percent = move |with_ambition: bool| plate.percent(with_ambition);
    view! {
        <div class="actions no-print">
            <button type="button" class="button primary big" on:click=move |_| { let _ = window().print(); }>
                {move || t.get().print}
            </button>
        </div>
        <article class="own-plate" data-testid="own-plate">
            <header class="own-head">
                <img src="/icons/icon.svg" alt="" width="56" height="56"/>
                <div>
                    <p class="own-programme">{move || t.get().programme}</p>
                    <h2 data-testid="own-company">{move || t.get().own_plate_title} ": " {move || company.read().name.clone()}</h2>
                    <p class="own-meta">
                        {move || company.read().municipality.clone()} " · " {move || t.get().interview_of} " "
                        {move || interview.read().date.clone()}
                    </p>
                </div>
                <div class="own-degree">
                    <span>{move || t.get().degree_now} <strong data-testid="own-score-now">{move || percent(false)} "%"</strong></span>
                    <span>{move || t.get().degree_ambition} <strong>{move || percent(true)} "%"</strong></span>
                </div>
            </header>
            <p class="own-intro">{move || t.get().own_plate_intro}</p>
            <div class="plate-layout">
                <PlateDrawing themes title=Signal::derive(move || t.get().own_plate_title.to_owned())/>
                <RLadder steps title=Signal::derive(move || t.get().r_ladder.to_owned())/>
            </div>
            <div class="own-columns">
                <section>
                    <h3>{move || t.get().your_ambition}</h3>
                    <p>{move || interview.read().ambition.clone()}</p>
                    <h3>{move || t.get().your_examples}</h3>
                    <ul class="own-examples">
                        {move || interview.get().examples.into_iter().map(|e| {
                            let shared = match e.sharing {
                                Sharing::Yes => t.get().share_yes,
                                Sharing::Anonymous => t.get().share_anonymous,
                                Sharing::No => t.get().share_no,
                                Sharing::Unasked => t.get().share_unasked,
                            };
                            let text = e.text.clone();
                            view! {
                                <li>
                                    <p>{e.text.clone()}</p>
                                    <p class="own-small">{t.get().may_share} " " <strong>{shared}</strong></p>
                                    <div class="photos">
                                        {e.photos.into_iter().map(|p| {
                                            let alt = text.clone();
                                            view! { <PhotoThumb hash=p.hash alt=Signal::stored(alt)/> }
                                        }).collect_view()}
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
                <section>
                    <h3>{move || t.get().your_links}</h3>
                    <ul class="own-links" data-testid="own-links">
                        {move || links.get().into_iter().map(|(link, initiative)| {
                            let name = initiative.as_ref().map(|i| i.name.clone()).unwrap_or_default();
                            let contact = initiative.as_ref().map(|i| {
                                let c = &i.contact;
                                [&c.name, &c.email, &c.phone, &c.url].into_iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(" · ")
                            }).unwrap_or_default();
                            view! {
                                <li>
                                    <p><strong>{name}</strong> " — " {(t.get().codes.link_status)(link.status)}</p>
                                    {(!link.coach.is_empty()).then(|| view! { <p class="own-small">{t.get().coach} ": " {link.coach.clone()}</p> })}
                                    {(!contact.is_empty()).then(|| view! { <p class="own-small">{t.get().contact} ": " {contact}</p> })}
                                    {(!link.next_steps.is_empty()).then(|| view! { <p>{t.get().next_steps} ": " {link.next_steps.clone()}</p> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            </div>
        </article>
    }
}
