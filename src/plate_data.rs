//! The bridge between the domain's plate (definition + score) and the picture components.

use leptos::prelude::*;
use praatplaat_domain::model::Interview;
use praatplaat_domain::plate::{find_definition, score, Definition, Lang, RStep, Score};

use crate::components::plate_drawing::ThemeTally;
use crate::components::r_ladder::StepTally;
use crate::i18n::Language;

/// The plate version an interview was held with (older records without one use the current).
pub fn definition_for(interview: &Interview) -> Option<&'static Definition> {
    if interview.plate_version.is_empty() {
        Definition::current().ok()
    } else {
        find_definition(&interview.plate_version)
    }
}

pub fn score_of(interview: &Interview) -> Option<(&'static Definition, Score)> {
    let definition = definition_for(interview)?;
    Some((definition, score(definition, &interview.answers)))
}

pub fn theme_tallies(definition: &Definition, score: &Score, lang: Lang) -> Vec<ThemeTally> {
    definition
        .themes
        .iter()
        .zip(&score.themes)
        .map(|(theme, s)| ThemeTally {
            id: theme.id.clone(),
            label: theme.label(lang).to_owned(),
            now: s.degree.now.ticked,
            ambition: s.degree.ambition_only(),
            total: s.degree.now.total,
        })
        .collect()
}

pub fn step_tallies(definition: &Definition, score: &Score, lang: Lang) -> Vec<StepTally> {
    RStep::ALL
        .iter()
        .map(|step| {
            let s = score.r_steps.iter().find(|s| s.step == *step);
            StepTally {
                code: step.code().to_owned(),
                name: definition
                    .step_info(*step)
                    .map(|i| i.name.get(lang).to_owned())
                    .unwrap_or_default(),
                now: s.map_or(0, |s| s.degree.now.ticked),
                ambition: s.map_or(0, |s| s.degree.ambition_only()),
                total: s.map_or(0, |s| s.degree.now.total),
            }
        })
        .collect()
}

/// What the picture and the ladder show for the current interview, kept up to date.
#[derive(Debug, Clone, Copy)]
pub struct PlateView {
    pub scored: Scored,
    pub themes: Signal<Vec<ThemeTally>>,
    pub steps: Signal<Vec<StepTally>>,
}

impl PlateView {
    /// The overall degree in whole percent, now or with the ambition.
    pub fn percent(&self, with_ambition: bool) -> u32 {
        self.scored.with(|s| {
            s.as_ref().map_or(0, |(_, s)| {
                if with_ambition {
                    s.overall.with_ambition.percent()
                } else {
                    s.overall.now.percent()
                }
            })
        })
    }
}

/// The plate view of `interview` (a page passes its current interview, kept reactive).
pub fn use_plate_view(interview: Signal<Option<Interview>>) -> PlateView {
    let scored = Memo::new(move |_| interview.with(|i| i.as_ref().and_then(score_of)));
    PlateView {
        scored,
        themes: tallies(scored, theme_tallies),
        steps: tallies(scored, step_tallies),
    }
}

type Scored = Memo<Option<(&'static Definition, Score)>>;

fn tallies<T: Send + Sync + 'static>(
    scored: Scored,
    of: fn(&Definition, &Score, Lang) -> Vec<T>,
) -> Signal<Vec<T>> {
    let Language(lang) = expect_context::<Language>();
    Signal::derive(move || {
        let lang = lang.get();
        scored.with(|s| s.as_ref().map(|(d, s)| of(d, s, lang)).unwrap_or_default())
    })
}
