use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::use_current_interview;
use crate::components::plate_drawing::PlateDrawing;
use crate::components::r_ladder::RLadder;
use crate::i18n::use_texts;
use crate::plate_data::{score_of, step_tallies, theme_tallies};
use crate::state::use_app_state;

/// Step 2, the opening of the conversation: the picture with the seven themes and the R-ladder.
#[component]
pub fn PlateStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let navigate = use_navigate();
    let scored = Memo::new(move |_| current.interview().and_then(|i| score_of(&i)));
    let lang = move || state.settings.with(|s| s.lang);
    let themes = Signal::derive(move || {
        scored.with(|s| {
            s.as_ref()
                .map(|(d, s)| theme_tallies(d, s, lang()))
                .unwrap_or_default()
        })
    });
    let steps = Signal::derive(move || {
        scored.with(|s| {
            s.as_ref()
                .map(|(d, s)| step_tallies(d, s, lang()))
                .unwrap_or_default()
        })
    });
    let percent = move |with_ambition: bool| {
        scored.with(|s| {
            s.as_ref().map_or(0, |(_, s)| {
                if with_ambition {
                    s.overall.with_ambition.percent()
                } else {
                    s.overall.now.percent()
                }
            })
        })
    };
    let open_theme = Callback::new(move |theme: String| {
        navigate(&current.path(&format!("theme/{theme}")), Default::default())
    });
    view! {
        <Show when=move || scored.read().is_some() fallback=move || view! { <p class="notice error">{t.get().plate_missing}</p> }>
            <p class="plate-intro">{move || t.get().plate_title}</p>
            <div class="degree" data-testid="degree">
                <span>{move || t.get().degree_now} ": " <strong>{move || percent(false)} "%"</strong></span>
                <span>{move || t.get().degree_ambition} ": " <strong>{move || percent(true)} "%"</strong></span>
            </div>
            <div class="plate-layout">
                <PlateDrawing themes on_select=open_theme title=Signal::derive(move || t.get().step_plate.to_owned())/>
                <RLadder steps title=Signal::derive(move || t.get().r_ladder.to_owned())/>
            </div>
        </Show>
    }
}
