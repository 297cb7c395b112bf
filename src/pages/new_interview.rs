use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::field::{MunicipalityOptions, TextField};
use crate::i18n::use_texts;
use crate::state::use_app_state;

/// Starts an interview: the company's name and municipality are enough to begin.
#[component]
pub fn NewInterview() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let municipality = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let company = name.get_untracked().trim().to_owned();
        if company.is_empty() {
            error.set(true);
            return;
        }
        let id = state.create_interview(company, municipality.get_untracked().trim().to_owned());
        navigate(
            &format!("/interviews/{id}"),
            NavigateOptions {
                replace: true,
                ..NavigateOptions::default()
            },
        );
    };
    view! {
        <section class="page narrow">
            <h1>{move || t.get().new_interview}</h1>
            <form on:submit=submit novalidate>
                <TextField
                    id="new-company-name"
                    label=Signal::derive(move || t.get().company_name)
                    value=name
                    on_change=Callback::new(move |v| {
                        error.set(false);
                        name.set(v)
                    })
                />
                <Show when=move || error.get()>
                    <p class="field-error" role="alert">{move || t.get().name_required}</p>
                </Show>
                <TextField
                    id="new-municipality"
                    label=Signal::derive(move || t.get().municipality)
                    value=municipality
                    on_change=Callback::new(move |v| municipality.set(v))
                    list="municipalities"
                    placeholder=Signal::derive(move || t.get().municipality_hint)
                />
                <MunicipalityOptions/>
                <div class="actions">
                    <A href="/" attr:class="button">{move || t.get().cancel}</A>
                    <button type="submit" class="button primary" data-testid="start-interview">
                        {move || t.get().start_interview}
                    </button>
                </div>
            </form>
        </section>
    }
}
