use leptos::prelude::*;

/// A row of large buttons of which one is chosen (a radio group for the thumb).
#[component]
pub fn Choice<T>(
    /// Accessible name of the group.
    #[prop(into)]
    label: Signal<String>,
    options: Vec<(T, Signal<&'static str>)>,
    #[prop(into)] selected: Signal<T>,
    on_select: Callback<T>,
    #[prop(optional)] test_id: Option<String>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    view! {
        <div class="choice" role="radiogroup" aria-label=move || label.get() data-testid=test_id>
            {options
                .into_iter()
                .map(|(value, text)| {
                    let checked = {
                        let value = value.clone();
                        move || selected.with(|s| *s == value)
                    };
                    let choose = move |_| on_select.run(value.clone());
                    view! {
                        <button type="button" role="radio" class="choice-option" aria-checked=move || checked().to_string() on:click=choose>
                            {move || text.get()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
