use leptos::prelude::*;

/// A labelled text input that reports every change (the caller saves it at once).
#[component]
pub fn TextField(
    /// Unique id of the input, also used by tests.
    id: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    #[prop(optional)] multiline: bool,
    #[prop(optional, default = "text")] input_type: &'static str,
    #[prop(optional)] list: Option<&'static str>,
    #[prop(optional)] placeholder: Option<Signal<&'static str>>,
    /// The browser's autofill hint (`username`, `current-password`, `new-password`); off unless
    /// given, so record fields never fill with a stored login.
    #[prop(optional, default = "off")]
    autocomplete: &'static str,
    /// A line under the input, announced with it (`aria-describedby`).
    #[prop(optional)]
    hint: Option<Signal<&'static str>>,
) -> impl IntoView {
    let input = move |ev: leptos::ev::Event| on_change.run(event_target_value(&ev));
    // Read afresh when a refused edit is undone (see `AppState::restored`).
    let restored = use_context::<crate::state::AppState>().map(|s| s.restored);
    let value = move || {
        if let Some(r) = restored {
            r.track();
        }
        value.get()
    };
    let placeholder = move || placeholder.map(|p| p.get());
    let hint_id = hint.map(|_| format!("{id}-hint"));
    // A user name or password must reach the server as typed.
    let literal = (input_type == "password" || autocomplete == "username").then_some("none");
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            {if multiline {
                view! {
                    <textarea id=id rows="5" prop:value=value on:input=input placeholder=placeholder></textarea>
                }
                    .into_any()
            } else {
                view! {
                    <input
                        id=id
                        type=input_type
                        list=list
                        autocomplete=autocomplete
                        autocapitalize=literal
                        spellcheck=literal.map(|_| "false")
                        aria-describedby=hint_id.clone()
                        prop:value=value
                        on:input=input
                        placeholder=placeholder
                    />
                }
                    .into_any()
            }}
            {hint.map(|hint| view! { <span class="hint" id=hint_id>{move || hint.get()}</span> })}
        </div>
    }
}

/// The municipalities of Zuid-Holland as suggestions for a municipality input (`list="municipalities"`).
#[component]
pub fn MunicipalityOptions() -> impl IntoView {
    view! {
        <datalist id="municipalities">
            {praatplaat_domain::municipality::MUNICIPALITIES
                .iter()
                .map(|m| view! { <option value=m.name></option> })
                .collect_view()}
        </datalist>
    }
}
