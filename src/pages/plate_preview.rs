//! A gallery of the plate picture and the R-ladder with sample tallies, for design review and
//! screenshots (`/preview/plate`). It reads no records.
//!
//! Top: a made-up company, interactive (tap a zone: its id shows in `selected-theme`). Below: the
//! empty plate as printed before an interview (static).

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::i18n::use_texts;
use praatplaat_domain::model::PracticeAnswer;
use praatplaat_domain::plate::{score, Definition, Lang};

use crate::components::plate_drawing::{plate_lang, PlateDrawing, ThemeTally};
use crate::components::r_ladder::{RLadder, StepTally};

/// A metal workshop of about 25 people: (practice, done now, ambition).
const SAMPLE: &[(&str, bool, bool)] = &[
    ("GR-01", true, false),
    ("GR-02", true, false),
    ("GR-05", true, false),
    ("GR-03", false, true),
    ("GR-07", false, true),
    ("PR-04", true, false),
    ("PR-05", true, false),
    ("PR-01", false, true),
    ("PR-06", false, true),
    ("PR-08", false, true),
    ("PP-01", true, false),
    ("PP-02", true, false),
    ("PP-05", true, false),
    ("PP-06", true, false),
    ("PP-09", true, false),
    ("PP-07", false, true),
    ("OB-01", true, false),
    ("OB-04", false, true),
    ("OB-09", false, true),
    ("SK-02", true, false),
    ("SK-04", true, false),
    ("SK-06", false, true),
    ("EN-01", true, false),
    ("EN-02", true, false),
    ("EN-03", true, false),
    ("EN-04", true, false),
    ("EN-05", true, false),
    ("EN-06", true, false),
    ("EN-07", false, true),
    ("EN-09", false, true),
    ("GB-01", true, false),
    ("GB-05", true, false),
];

/// The tallies of the picture and the ladder for a set of answers, via the domain's score.
fn tallies(
    definition: &Definition,
    answers: &BTreeMap<String, PracticeAnswer>,
    lang: Lang,
) -> (Vec<ThemeTally>, Vec<StepTally>) {
    let score = score(definition, answers);
    let themes = score
        .themes
        .iter()
        .filter_map(|s| {
            let theme = definition.theme(&s.theme_id)?;
            Some(ThemeTally {
                id: s.theme_id.clone(),
                label: theme.label(lang).to_owned(),
                now: s.degree.now.ticked,
                ambition: s.degree.ambition_only(),
                total: s.degree.now.total,
            })
        })
        .collect();
    let steps = score
        .r_steps
        .iter()
        .map(|s| StepTally {
            code: s.step.code().to_owned(),
            name: definition
                .step_info(s.step)
                .map(|info| info.name.get(lang).to_owned())
                .unwrap_or_default(),
            now: s.degree.now.ticked,
            ambition: s.degree.ambition_only(),
            total: s.degree.now.total,
        })
        .collect();
    (themes, steps)
}

#[component]
pub fn PlatePreview() -> impl IntoView {
    let t = use_texts();
    let Ok(definition) = Definition::current() else {
        return view! { <p class="notice error">{move || t.get().plate_missing}</p> }.into_any();
    };
    let lang = plate_lang();
    let sample: BTreeMap<String, PracticeAnswer> = SAMPLE
        .iter()
        .map(|(id, now, ambition)| {
            let answer = PracticeAnswer {
                now: *now,
                ambition: *ambition,
                ..Default::default()
            };
            ((*id).to_owned(), answer)
        })
        .collect();
    let filled = Memo::new(move |_| tallies(definition, &sample, lang.get()));
    let empty = Memo::new(move |_| tallies(definition, &BTreeMap::new(), lang.get()));
    let title = Signal::derive(move || definition.title(lang.get()).to_owned());
    let selected = RwSignal::new(String::new());
    view! {
        <section class="page plate-page">
            <p class="plate-preview-status">
                {move || t.get().preview_selected}
                <strong data-testid="selected-theme">{move || selected.get()}</strong>
            </p>
            <div class="plate-layout">
                <PlateDrawing
                    themes=Signal::derive(move || filled.get().0)
                    on_select=Callback::new(move |id| selected.set(id))
                    title=title
                />
                <RLadder
                    steps=Signal::derive(move || filled.get().1)
                    title=Signal::stored("R-ladder".to_owned())
                />
            </div>
            <h2 class="plate-preview-heading">{move || t.get().preview_empty}</h2>
            <div class="plate-layout">
                <PlateDrawing themes=Signal::derive(move || empty.get().0) title=title/>
                <RLadder
                    steps=Signal::derive(move || empty.get().1)
                    title=Signal::stored("R-ladder".to_owned())
                />
            </div>
        </section>
    }
    .into_any()
}
