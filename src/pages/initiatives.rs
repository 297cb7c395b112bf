//! The coordinator keeps the initiative catalogue: a list, and an editor that saves every change
//! (synced to every tablet like any record).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use praatplaat_domain::initiative::{Initiative, NeedKind, Scope};
use praatplaat_domain::municipality::MUNICIPALITIES;
use praatplaat_domain::plate::Definition;
use uuid::Uuid;

use crate::clock;
use crate::components::choice::Choice;
use crate::components::field::TextField;
use crate::i18n::use_texts;
use crate::state::use_app_state;

#[component]
pub fn InitiativesPage() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let navigate = use_navigate();
    let rows = Memo::new(move |_| {
        let mut rows: Vec<(Uuid, String, bool)> = state
            .records
            .initiatives
            .read()
            .values()
            .filter(|i| !i.meta.deleted)
            .map(|i| (i.id, i.name.clone(), i.active))
            .collect();
        rows.sort_by_key(|r| r.1.to_lowercase());
        rows
    });
    let add = move |_| {
        let initiative = Initiative {
            id: clock::new_id(),
            name: t.get_untracked().new_initiative.to_owned(),
            ..Initiative::default()
        };
        let id = initiative.id;
        state.save(initiative);
        navigate(&format!("/initiatives/{id}"), Default::default());
    };
    let edits = move || state.account.with(|a| a.edits_catalogue());
    view! {
        <section class="page">
            <div class="page-title">
                <h1>{move || t.get().initiatives}</h1>
                <Show when=edits>
                    <button type="button" class="button primary big" data-testid="new-initiative" on:click=add.clone()>
                        "+ " {move || t.get().new_initiative}
                    </button>
                </Show>
            </div>
            <p class="plate-intro">{move || t.get().initiatives_intro}</p>
            <Show when=move || !edits()>
                <p class="hint" data-testid="catalogue-read-only">{move || t.get().catalogue_read_only}</p>
            </Show>
            <ul class="cards">
                <For each=move || rows.get() key=|r| r.clone() let:row>
                    <li>
                        <A href=format!("/initiatives/{}", row.0) attr:class="card">
                            <span class="card-title">{row.1.clone()}</span>
                            {(!row.2).then(|| view! { <span class="chip">{move || t.get().inactive}</span> })}
                        </A>
                    </li>
                </For>
            </ul>
        </section>
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn InitiativeEditor() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    move || {
        let Some(id) = id
            .get()
            .filter(|id| state.records.initiatives.read().contains_key(id))
        else {
            return view! { <p class="notice">{t.get().not_found}</p> }.into_any();
        };
        view! { <InitiativeForm id/> }.into_any()
    }
}

#[component]
fn InitiativeForm(id: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let lang = move || state.settings.with(|s| s.lang);
    let initiative = Memo::new(move |_| {
        state
            .records
            .initiatives
            .read()
            .get(&id)
            .cloned()
            .unwrap_or_default()
    });
    let text =
        move |get: fn(&Initiative) -> String| Signal::derive(move || get(&initiative.read()));
    let set = move |apply: fn(&mut Initiative, String)| {
        Callback::new(move |v: String| state.edit(id, |i: &mut Initiative| apply(i, v)))
    };
    let mut regions: Vec<&'static str> = MUNICIPALITIES.iter().map(|m| m.region.name()).collect();
    regions.sort_unstable();
    regions.dedup();
    let themes: Vec<(String, String)> = Definition::current()
        .map(|d| {
            d.themes
                .iter()
                .map(|th| (th.id.clone(), th.label(lang()).to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let edits = move || state.account.with(|a| a.edits_catalogue());
    let toggle_in = move |list: fn(&mut Initiative) -> &mut Vec<String>, value: String| {
        state.edit(id, move |i: &mut Initiative| {
            let list = list(i);
            if let Some(pos) = list.iter().position(|v| *v == value) {
                list.remove(pos);
            } else {
                list.push(value);
            }
        });
    };
    view! {
        <section class="page narrow">
            <div class="page-title">
                <A href="/initiatives" attr:class="button ghost">"← " {move || t.get().initiatives}</A>
                <h1>{move || initiative.read().name.clone()}</h1>
            </div>
            <Show when=move || !edits()>
                <p class="hint" data-testid="catalogue-read-only">{move || t.get().catalogue_read_only}</p>
            </Show>
            // A disabled fieldset disables every input and button in it: the catalogue stays
            // readable for interviewers without a second, read-only copy of the form.
            <fieldset class="panel" disabled=move || !edits()>
                <TextField id="initiative-name" label=Signal::derive(move || t.get().initiative_name)
                    value=text(|i| i.name.clone()) on_change=set(|i, v| i.name = v)/>
                <TextField id="initiative-offer" multiline=true label=Signal::derive(move || t.get().offer)
                    value=text(|i| i.offer.clone()) on_change=set(|i, v| i.offer = v)/>
                <TextField id="initiative-offer-en" multiline=true label=Signal::derive(move || t.get().offer_en)
                    value=text(|i| i.offer_en.clone()) on_change=set(|i, v| i.offer_en = v)/>
                <div class="field">
                    <span class="label">{move || t.get().scope}</span>
                    <Choice
                        label=Signal::derive(move || t.get().scope.to_owned())
                        options=vec![
                            (Scope::Local, Signal::derive(move || t.get().scope_local)),
                            (Scope::Regional, Signal::derive(move || t.get().scope_regional)),
                            (Scope::National, Signal::derive(move || t.get().scope_national)),
                        ]
                        selected=Signal::derive(move || initiative.read().scope)
                        on_select=Callback::new(move |s| state.edit(id, |i: &mut Initiative| i.scope = s))
                    />
                </div>
                <div class="field">
                    <span class="label">{move || t.get().regions}</span>
                    <div class="chips">
                        {regions.into_iter().map(|r| view! {
                            <button type="button" class="chip-toggle"
                                aria-pressed=move || initiative.read().regions.iter().any(|x| x == r).to_string()
                                on:click=move |_| toggle_in(|i| &mut i.regions, r.to_owned())>{r}</button>
                        }).collect_view()}
                    </div>
                </div>
                <TextField id="initiative-municipalities" multiline=true label=Signal::derive(move || t.get().municipalities_served)
                    value=text(|i| i.municipalities.join("\n")) on_change=set(|i, v| i.municipalities = lines(&v))/>
                <div class="field">
                    <span class="label">{move || t.get().themes_fit}</span>
                    <div class="chips">
                        {themes.into_iter().map(|(theme, label)| {
                            let key = theme.clone();
                            view! {
                                <button type="button" class="chip-toggle"
                                    aria-pressed=move || initiative.read().themes.contains(&key).to_string()
                                    on:click=move |_| toggle_in(|i| &mut i.themes, theme.clone())>{label}</button>
                            }
                        }).collect_view()}
                    </div>
                </div>
                <div class="field">
                    <span class="label">{move || t.get().needs_fit}</span>
                    <div class="chips">
                        {NeedKind::ALL.into_iter().map(|kind| view! {
                            <button type="button" class="chip-toggle"
                                aria-pressed=move || initiative.read().needs.contains(&kind).to_string()
                                on:click=move |_| state.edit(id, |i: &mut Initiative| {
                                    if let Some(pos) = i.needs.iter().position(|k| *k == kind) {
                                        i.needs.remove(pos);
                                    } else {
                                        i.needs.push(kind);
                                    }
                                })>{move || (t.get().codes.need_kind)(kind)}</button>
                        }).collect_view()}
                    </div>
                </div>
                <TextField id="initiative-contact" label=Signal::derive(move || t.get().contact_name)
                    value=text(|i| i.contact.name.clone()) on_change=set(|i, v| i.contact.name = v)/>
                <TextField id="initiative-email" input_type="email" label=Signal::derive(move || t.get().email)
                    value=text(|i| i.contact.email.clone()) on_change=set(|i, v| i.contact.email = v)/>
                <TextField id="initiative-phone" input_type="tel" label=Signal::derive(move || t.get().phone)
                    value=text(|i| i.contact.phone.clone()) on_change=set(|i, v| i.contact.phone = v)/>
                <TextField id="initiative-url" input_type="url" label=Signal::derive(move || t.get().website)
                    value=text(|i| i.contact.url.clone()) on_change=set(|i, v| i.contact.url = v)/>
                <TextField id="initiative-coaches" multiline=true label=Signal::derive(move || t.get().coaches)
                    value=text(|i| i.coaches.join("\n")) on_change=set(|i, v| i.coaches = lines(&v))/>
                <div class="chips field">
                    <button type="button" class="chip-toggle" aria-pressed=move || initiative.read().is_versnellingsteam.to_string()
                        on:click=move |_| state.edit(id, |i: &mut Initiative| i.is_versnellingsteam = !i.is_versnellingsteam)>
                        {move || t.get().is_versnellingsteam}
                    </button>
                    <button type="button" class="chip-toggle" aria-pressed=move || initiative.read().active.to_string()
                        on:click=move |_| state.edit(id, |i: &mut Initiative| i.active = !i.active)>
                        {move || t.get().active}
                    </button>
                </div>
            </fieldset>
        </section>
    }
}
