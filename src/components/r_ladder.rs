//! The R-ladder beside the picture: R0 (most circular) at the top to R9 at the bottom, in the
//! three groups of PBL, with the ticks per step drawn like on the picture (solid cell = done,
//! hatched cell = ambition, empty cell = not yet) and counted in ✓ and ★ pills.
//!
//! A step no practice of the plate carries (total 0) is shown as "n.v.t.", greyed.

use crate::i18n::LadderWords;
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;
use praatplaat_domain::plate::RGroup;

use super::plate_drawing::plate_lang;
use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTally {
    /// "R0" … "R9".
    pub code: String,
    /// Dutch or English name, e.g. "Weigeren".
    pub name: String,
    pub now: usize,
    pub ambition: usize,
    /// Practices of the plate on this step (0 = none: shown as not applicable).
    pub total: usize,
}

#[component]
pub fn RLadder(
    #[prop(into)] steps: Signal<Vec<StepTally>>,
    #[prop(into)] title: Signal<String>,
) -> impl IntoView {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let heading_id = format!("r-ladder-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let labelled_by = heading_id.clone();
    let lang = plate_lang();
    let groups = move || {
        let words = words(lang.get());
        steps.with(|all| {
            RGroup::ALL
                .into_iter()
                .map(|group| group_view(group, all, words))
                .collect_view()
        })
    };
    view! {
        <section class="r-ladder" aria-labelledby=labelled_by>
            <h2 class="r-ladder-title" id=heading_id>
                {move || title.get()}
            </h2>
            <p class="r-ladder-end">{move || words(lang.get()).most_circular}</p>
            <div class="r-ladder-body">{groups}</div>
            <p class="r-ladder-end">{move || words(lang.get()).least_circular}</p>
        </section>
    }
}

/// One group (R0–R2, R3–R7, R8–R9) with its steps; steps missing from the tallies are shown as
/// not applicable, unknown codes are ignored.
fn group_view(group: RGroup, all: &[StepTally], words: &'static LadderWords) -> impl IntoView {
    let rows = group
        .steps()
        .iter()
        .map(|step| {
            let tally = all
                .iter()
                .find(|s| s.code == step.code())
                .cloned()
                .unwrap_or_else(|| StepTally {
                    code: step.code().to_owned(),
                    name: words.step_names[step.index()].to_owned(),
                    now: 0,
                    ambition: 0,
                    total: 0,
                });
            step_row(tally, words)
        })
        .collect_view();
    view! {
        <section class=format!("r-group r-group-{}", group.index() + 1)>
            <h3 class="r-group-head">
                <span class="r-group-codes">{group.code().replace('-', "–")}</span>
                " "
                <span class="r-group-name">{words.groups[group.index()]}</span>
            </h3>
            <ol class="r-steps">{rows}</ol>
        </section>
    }
}

fn step_row(step: StepTally, words: &'static LadderWords) -> impl IntoView {
    let total = step.total;
    let now = step.now.min(total);
    let ambition = step.ambition.min(total - now);
    let tally = if total == 0 {
        view! {
            <span class="r-na">
                <span aria-hidden="true">{words.na_short}</span>
                <span class="plate-sr">{words.na_long}</span>
            </span>
        }
        .into_any()
    } else {
        let cells = (0..total)
            .map(|i| {
                let kind = if i < now {
                    "r-cell now"
                } else if i < now + ambition {
                    "r-cell ambition"
                } else {
                    "r-cell open"
                };
                view! { <span class=kind></span> }
            })
            .collect_view();
        view! {
            <span class="r-tally" aria-hidden="true">
                <span class="r-pill now">{format!("✓ {now}/{total}")}</span>
                <span class="r-pill ambition">{format!("★ {ambition}")}</span>
            </span>
            <span class="r-cells" aria-hidden="true">{cells}</span>
            <span class="plate-sr">
                {format!(
                    ": {now} {} {total}, {} {ambition}",
                    words.of,
                    words.ambition,
                )}
            </span>
        }
        .into_any()
    };
    view! {
        <li class="r-step" class:na=total == 0>
            <span class="r-rung">{step.code}</span>
            <span class="r-name">{step.name}</span>
            {tally}
        </li>
    }
}

fn words(lang: Lang) -> &'static LadderWords {
    &crate::i18n::texts(lang).ladder
}
