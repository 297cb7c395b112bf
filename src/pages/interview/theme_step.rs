use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::use_current_interview;
use crate::components::practice_card::{CardMode, PracticeCard};
use crate::i18n::use_texts;
use crate::plate_data::definition_for;
use crate::state::use_app_state;

/// One theme of the plate: tick what the company already does (and, if it comes up, the ambition).
#[component]
pub fn ThemeStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let params = use_params_map();
    let definition = Memo::new(move |_| current.with_interview(definition_for).flatten());
    let theme_id = move || params.read().get("theme").unwrap_or_default();
    let lang = move || state.settings.with(|s| s.lang);
    move || {
        let Some(definition) = definition.get() else {
            return view! { <p class="notice error">{t.get().plate_missing}</p> }.into_any();
        };
        let id = theme_id();
        let Some(index) = definition.themes.iter().position(|th| th.id == id) else {
            return view! { <p class="notice">{t.get().not_found}</p> }.into_any();
        };
        let theme = &definition.themes[index];
        let next = definition
            .themes
            .get(index + 1)
            .map(|th| (current.path(&format!("theme/{}", th.id)), th));
        view! {
            <div class="theme-step" data-theme=theme.id.clone()>
                <div class="theme-head">
                    <h2>{move || theme.label(lang()).to_owned()}</h2>
                    <p class="theme-description">{move || theme.description.get(lang()).to_owned()}</p>
                </div>
                <ul class="practices">
                    {theme
                        .practices
                        .iter()
                        .map(|p| view! { <PracticeCard practice=p interview_id=current.id mode=CardMode::Both/> })
                        .collect_view()}
                </ul>
                <div class="actions">
                    <A href=current.path("") attr:class="button">{move || t.get().all_themes}</A>
                    {next.map(|(href, th)| view! {
                        <A href=href attr:class="button primary">
                            {move || t.get().next_theme} ": " {move || th.label(lang()).to_owned()} " →"
                        </A>
                    })}
                </div>
            </div>
        }
        .into_any()
    }
}
