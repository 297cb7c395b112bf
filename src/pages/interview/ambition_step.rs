use leptos::prelude::*;
use praatplaat_domain::model::Interview;

use super::use_current_interview;
use crate::components::field::TextField;
use crate::components::practice_card::{CardMode, PracticeCard};
use crate::i18n::use_texts;
use crate::plate_data::definition_for;
use crate::state::use_app_state;

/// Step 4: the ambition for the coming three years, per practice and in the company's words.
#[component]
pub fn AmbitionStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let definition = Memo::new(move |_| current.with_interview(definition_for).flatten());
    let lang = move || state.settings.with(|s| s.lang);
    view! {
        <p class="plate-intro">{move || t.get().ambition_intro}</p>
        <TextField
            id="ambition-text"
            multiline=true
            label=Signal::derive(move || t.get().ambition_text)
            value=Signal::derive(move || current.with_interview(|i| i.ambition.clone()).unwrap_or_default())
            on_change=Callback::new(move |v| state.edit(current.id, |i: &mut Interview| i.ambition = v))
        />
        {move || definition.get().map(|d| {
            d.themes
                .iter()
                .map(|theme| view! {
                    <details class="panel theme-group" open=true>
                        <summary><h2>{move || theme.label(lang()).to_owned()}</h2></summary>
                        <ul class="practices compact">
                            {theme
                                .practices
                                .iter()
                                .map(|p| view! { <PracticeCard practice=p interview_id=current.id mode=CardMode::Ambition/> })
                                .collect_view()}
                        </ul>
                    </details>
                })
                .collect_view()
        })}
    }
}
