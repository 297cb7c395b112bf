use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::use_current_interview;
use crate::components::plate_drawing::PlateDrawing;
use crate::components::r_ladder::RLadder;
use crate::i18n::use_texts;
use crate::plate_data::use_plate_view;

/// Step 2, the opening of the conversation: the picture with the seven themes and the R-ladder.
#[component]
pub fn PlateStep() -> impl IntoView {
    let t = use_texts();
    let current = use_current_interview();
    let navigate = use_navigate();
    let plate = use_plate_view(Signal::derive(move || current.interview()));
    let (scored, themes, steps) = (plate.scored, plate.themes, plate.steps);
    let percent = move |with_ambition: bool| plate.percent(with_ambition);
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
