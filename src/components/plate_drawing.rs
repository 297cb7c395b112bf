//! The praatplaat picture: a metal company drawn as SVG, with the seven themes as touch zones and
//! the ticks shown on the picture. (Stub: the drawing follows.)

use leptos::prelude::*;

/// What the picture shows for one theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeTally {
    /// Theme id from the plate definition: GR, PR, PP, OB, SK, EN or GB.
    pub id: String,
    pub label: String,
    /// Practices ticked "doen we al".
    pub now: usize,
    /// Practices marked as ambition that are not done yet.
    pub ambition: usize,
    /// Practices in the theme.
    pub total: usize,
}

#[component]
pub fn PlateDrawing(
    #[prop(into)] themes: Signal<Vec<ThemeTally>>,
    /// Called with a theme id when its zone is tapped; `None` makes the picture static (print).
    #[prop(optional)]
    on_select: Option<Callback<String>>,
    /// Accessible name of the picture.
    #[prop(into)]
    title: Signal<String>,
) -> impl IntoView {
    let _ = on_select;
    view! {
        <svg class="plate-drawing" role="img" viewBox="0 0 1000 700">
            <title>{move || title.get()}</title>
            {move || themes.get().into_iter().map(|t| view! { <text>{t.label}</text> }).collect_view()}
        </svg>
    }
}
