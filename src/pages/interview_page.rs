use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use praatplaat_domain::model::{Company, Interview};
use uuid::Uuid;

use crate::components::field::{MunicipalityOptions, TextField};
use crate::i18n::use_texts;
use crate::state::use_app_state;

/// One interview: the company's details and the conversation's fields, each saved as it changes.
#[component]
pub fn InterviewPage() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let found = Memo::new(move |_| {
        id.get().and_then(|id| {
            state
                .interviews
                .read()
                .get(&id)
                .map(|i| (i.id, i.company_id))
        })
    });
    move || match found.get() {
        None => view! {
            <section class="page">
                <p class="notice">{move || t.get().not_found}</p>
                <A href="/" attr:class="button">{move || t.get().back}</A>
            </section>
        }
        .into_any(),
        Some((interview_id, company_id)) => {
            view! { <InterviewForm interview_id company_id/> }.into_any()
        }
    }
}

#[component]
fn InterviewForm(interview_id: Uuid, company_id: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let company_text = move |get: fn(&Company) -> &String| {
        Signal::derive(move || {
            state
                .companies
                .read()
                .get(&company_id)
                .map(|c| get(c).clone())
                .unwrap_or_default()
        })
    };
    let interview_text = move |get: fn(&Interview) -> &String| {
        Signal::derive(move || {
            state
                .interviews
                .read()
                .get(&interview_id)
                .map(|i| get(i).clone())
                .unwrap_or_default()
        })
    };
    let set_company = move |set: fn(&mut Company, String)| {
        Callback::new(move |v: String| state.edit_company(company_id, |c| set(c, v)))
    };
    let set_interview = move |set: fn(&mut Interview, String)| {
        Callback::new(move |v: String| state.edit_interview(interview_id, |i| set(i, v)))
    };
    let title = company_text(|c| &c.name);
    view! {
        <section class="page">
            <div class="page-title">
                <A href="/" attr:class="button ghost">
                    <span aria-hidden="true">"← "</span>
                    {move || t.get().back}
                </A>
                <h1 data-testid="interview-title">{move || title.get()}</h1>
            </div>
            <div class="columns">
                <fieldset class="panel">
                    <legend>{move || t.get().company}</legend>
                    <TextField
                        id="company-name"
                        label=Signal::derive(move || t.get().company_name)
                        value=title
                        on_change=set_company(|c, v| c.name = v)
                    />
                    <TextField
                        id="company-municipality"
                        label=Signal::derive(move || t.get().municipality)
                        value=company_text(|c| &c.municipality)
                        on_change=set_company(|c, v| c.municipality = v)
                        list="municipalities"
                    />
                    <TextField
                        id="company-address"
                        label=Signal::derive(move || t.get().address)
                        value=company_text(|c| &c.address)
                        on_change=set_company(|c, v| c.address = v)
                    />
                    <TextField
                        id="company-contact"
                        label=Signal::derive(move || t.get().contact_person)
                        value=company_text(|c| &c.contact_person)
                        on_change=set_company(|c, v| c.contact_person = v)
                    />
                    <MunicipalityOptions/>
                </fieldset>
                <fieldset class="panel">
                    <legend>{move || t.get().interview}</legend>
                    <TextField
                        id="interview-date"
                        input_type="date"
                        label=Signal::derive(move || t.get().interview_date)
                        value=interview_text(|i| &i.date)
                        on_change=set_interview(|i, v| i.date = v)
                    />
                    <TextField
                        id="interview-interviewer"
                        label=Signal::derive(move || t.get().interviewer)
                        value=interview_text(|i| &i.interviewer)
                        on_change=set_interview(|i, v| i.interviewer = v)
                    />
                    <TextField
                        id="interview-notes"
                        multiline=true
                        label=Signal::derive(move || t.get().notes)
                        value=interview_text(|i| &i.notes)
                        on_change=set_interview(|i, v| i.notes = v)
                    />
                </fieldset>
            </div>
        </section>
    }
}
