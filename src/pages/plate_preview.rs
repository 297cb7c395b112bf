//! A gallery of the plate picture and the R-ladder with sample tallies, for design review and
//! screenshots (`/preview/plate`). It reads no records.

use leptos::prelude::*;
use praatplaat_domain::plate::{Definition, Lang, RStep};

use crate::components::plate_drawing::{PlateDrawing, ThemeTally};
use crate::components::r_ladder::{RLadder, StepTally};

#[component]
pub fn PlatePreview() -> impl IntoView {
    let Ok(definition) = Definition::current() else {
        return view! { <p class="notice error">"plate definition missing"</p> }.into_any();
    };
    // A made-up company: a few ticks on most themes, ambition on some.
    let themes: Vec<ThemeTally> = definition
        .themes
        .iter()
        .enumerate()
        .map(|(i, t)| ThemeTally {
            id: t.id.clone(),
            label: t.label(Lang::Nl).to_owned(),
            now: i % 4,
            ambition: (i + 1) % 3,
            total: t.practices.len(),
        })
        .collect();
    let steps: Vec<StepTally> = RStep::ALL
        .iter()
        .map(|step| {
            let total = definition.practices().filter(|p| p.r_steps.contains(step)).count();
            StepTally {
                code: step.code().to_owned(),
                name: definition.step_info(*step).map(|s| s.name.get(Lang::Nl).to_owned()).unwrap_or_default(),
                now: total / 3,
                ambition: total / 4,
                total,
            }
        })
        .collect();
    let selected = RwSignal::new(String::new());
    view! {
        <section class="page plate-page">
            <p data-testid="selected-theme">{move || selected.get()}</p>
            <div class="plate-layout">
                <PlateDrawing
                    themes=Signal::stored(themes)
                    on_select=Callback::new(move |id| selected.set(id))
                    title=Signal::stored("Praatplaat".to_owned())
                />
                <RLadder steps=Signal::stored(steps) title=Signal::stored("R-ladder".to_owned())/>
            </div>
        </section>
    }
    .into_any()
}
