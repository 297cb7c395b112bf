//! The R-ladder beside the picture: R0 (most circular) to R9, with the ticks per step.
//! (Stub: the design follows.)

use leptos::prelude::*;

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
pub fn RLadder(#[prop(into)] steps: Signal<Vec<StepTally>>, #[prop(into)] title: Signal<String>) -> impl IntoView {
    view! {
        <div class="r-ladder">
            <h2>{move || title.get()}</h2>
            <ol>{move || steps.get().into_iter().map(|s| view! { <li>{s.code} " " {s.name}</li> }).collect_view()}</ol>
        </div>
    }
}
