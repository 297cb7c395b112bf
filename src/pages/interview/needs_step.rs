use leptos::prelude::*;
use praatplaat_domain::model::{Interview, NeedLevel, ThemeNeed};

use super::use_current_interview;
use crate::components::choice::Choice;
use crate::i18n::{use_texts, Texts};
use crate::plate_data::definition_for;
use crate::state::use_app_state;

fn level_options(t: Signal<&'static Texts>) -> Vec<(NeedLevel, Signal<&'static str>)> {
    vec![
        (NeedLevel::None, Signal::derive(move || t.get().level_none)),
        (NeedLevel::Some, Signal::derive(move || t.get().level_some)),
        (NeedLevel::Much, Signal::derive(move || t.get().level_much)),
    ]
}

/// Step 5: per theme, the need for knowledge, support and advice.
#[component]
pub fn NeedsStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let definition = Memo::new(move |_| current.with_interview(definition_for).flatten());
    let lang = move || state.settings.with(|s| s.lang);
    view! {
        <p class="plate-intro">{move || t.get().needs_intro}</p>
        {move || definition.get().map(|d| {
            d.themes
                .iter()
                .map(|theme| {
                    let id = theme.id.clone();
                    let need = Memo::new({
                        let id = id.clone();
                        move |_| current.with_interview(|i| i.needs.get(&id).cloned()).flatten().unwrap_or_default()
                    });
                    let edit = {
                        let id = id.clone();
                        move |change: Box<dyn FnOnce(&mut ThemeNeed)>| {
                            let id = id.clone();
                            state.edit(current.id, move |i: &mut Interview| {
                                let mut need = i.needs.get(&id).cloned().unwrap_or_default();
                                change(&mut need);
                                if need.is_empty() {
                                    i.needs.remove(&id);
                                } else {
                                    i.needs.insert(id, need);
                                }
                            });
                        }
                    };
                    let edit_note = edit.clone();
                    let row = move |label: fn(&Texts) -> &'static str, get: fn(&ThemeNeed) -> NeedLevel, set: fn(&mut ThemeNeed, NeedLevel)| {
                        let edit = edit.clone();
                        view! {
                            <div class="need-row">
                                <span class="need-kind">{move || label(t.get())}</span>
                                <Choice
                                    label=Signal::derive(move || label(t.get()).to_owned())
                                    options=level_options(t)
                                    selected=Signal::derive(move || get(&need.read()))
                                    on_select=Callback::new(move |level| edit(Box::new(move |n| set(n, level))))
                                />
                            </div>
                        }
                    };
                    let note_id = format!("need-note-{id}");
                    view! {
                        <fieldset class="panel need" data-theme=id.clone()>
                            <legend>{move || theme.label(lang()).to_owned()}</legend>
                            {row(|t| t.knowledge, |n| n.knowledge, |n, l| n.knowledge = l)}
                            {row(|t| t.support, |n| n.support, |n, l| n.support = l)}
                            {row(|t| t.advice, |n| n.advice, |n, l| n.advice = l)}
                            <div class="field">
                                <label for=note_id.clone()>{move || t.get().note}</label>
                                <input id=note_id type="text" prop:value=move || { state.restored.track(); need.read().note.clone() }
                                    on:input=move |ev| {
                                        let text = event_target_value(&ev);
                                        edit_note(Box::new(move |n| n.note = text));
                                    }/>
                            </div>
                        </fieldset>
                    }
                })
                .collect_view()
        })}
    }
}
