use leptos::prelude::*;
use praatplaat_domain::model::{Company, Interview, SizeClass, SEGMENTS};

use super::use_current_interview;
use crate::components::choice::Choice;
use crate::components::field::{MunicipalityOptions, TextField};
use crate::i18n::{segment_label, use_texts};
use crate::state::use_app_state;

/// Step 1: the company and who is at the table.
#[component]
pub fn CompanyStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let lang = move || state.settings.with(|s| s.lang);
    // Each field follows its own part of the record (`RecordMap::select`): a keystroke in the
    // notes re-renders the notes, not every field of the step.
    let records = state.records;
    let company_text = move |get: fn(&Company) -> &String| {
        let part = records
            .companies
            .select(current.company_id, move |c| get(c).clone());
        Signal::derive(move || part.get().unwrap_or_default())
    };
    let interview_text = move |get: fn(&Interview) -> &String| {
        let part = records
            .interviews
            .select(current.id, move |i| get(i).clone());
        Signal::derive(move || part.get().unwrap_or_default())
    };
    let set_company = move |set: fn(&mut Company, String)| {
        Callback::new(move |v: String| state.edit(current.company_id, |c: &mut Company| set(c, v)))
    };
    let set_interview = move |set: fn(&mut Interview, String)| {
        Callback::new(move |v: String| state.edit(current.id, |i: &mut Interview| set(i, v)))
    };
    let size_class = records
        .companies
        .select(current.company_id, |c| c.size_class);
    let member = records
        .companies
        .select(current.company_id, |c| c.association_member);
    let segments = records
        .companies
        .select(current.company_id, |c| c.segments.clone());
    let present = records.interviews.select(current.id, |i| i.present);
    let mut size_options: Vec<(Option<SizeClass>, Signal<&'static str>)> =
        vec![(None, Signal::derive(move || t.get().unknown))];
    size_options.extend(SizeClass::ALL.map(|s| (Some(s), Signal::stored(s.code()))));
    view! {
        <div class="columns">
            <fieldset class="panel">
                <legend>{move || t.get().company}</legend>
                <TextField id="company-name" label=Signal::derive(move || t.get().company_name)
                    value=company_text(|c| &c.name) on_change=set_company(|c, v| c.name = v)/>
                <TextField id="company-municipality" label=Signal::derive(move || t.get().municipality)
                    value=company_text(|c| &c.municipality) on_change=set_company(|c, v| c.municipality = v)
                    list="municipalities"/>
                <MunicipalityOptions/>
                <TextField id="company-address" label=Signal::derive(move || t.get().address)
                    value=company_text(|c| &c.address) on_change=set_company(|c, v| c.address = v)/>
                <TextField id="company-contact" label=Signal::derive(move || t.get().contact_person)
                    value=company_text(|c| &c.contact_person) on_change=set_company(|c, v| c.contact_person = v)/>
                <div class="field">
                    <span class="label">{move || t.get().size_class}</span>
                    <Choice
                        label=Signal::derive(move || t.get().size_class.to_owned())
                        options=size_options
                        selected=Signal::derive(move || size_class.get().flatten())
                        on_select=Callback::new(move |s| state.edit(current.company_id, |c: &mut Company| c.size_class = s))
                        test_id="size-class".to_owned()
                    />
                </div>
                <div class="field">
                    <span class="label">{move || t.get().association_member}</span>
                    <Choice
                        label=Signal::derive(move || t.get().association_member.to_owned())
                        options=vec![
                            (None, Signal::derive(move || t.get().unknown)),
                            (Some(true), Signal::derive(move || t.get().yes)),
                            (Some(false), Signal::derive(move || t.get().no)),
                        ]
                        selected=Signal::derive(move || member.get().flatten())
                        on_select=Callback::new(move |m| state.edit(current.company_id, |c: &mut Company| c.association_member = m))
                    />
                </div>
                <div class="field">
                    <span class="label">{move || t.get().segments}</span>
                    <div class="chips">
                        {SEGMENTS
                            .iter()
                            .map(|code| {
                                let on = move || segments.with(|s| s.as_ref().is_some_and(|s| s.iter().any(|s| s == code)));
                                view! {
                                    <button type="button" class="chip-toggle" aria-pressed=move || on().to_string()
                                        on:click=move |_| state.edit(current.company_id, |c: &mut Company| {
                                            if let Some(pos) = c.segments.iter().position(|s| s == code) {
                                                c.segments.remove(pos);
                                            } else {
                                                c.segments.push((*code).to_owned());
                                            }
                                        })>
                                        {move || segment_label(code, lang())}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                </div>
            </fieldset>
            <fieldset class="panel">
                <legend>{move || t.get().interview}</legend>
                <TextField id="interview-date" input_type="date" label=Signal::derive(move || t.get().interview_date)
                    value=interview_text(|i| &i.date) on_change=set_interview(|i, v| i.date = v)/>
                <TextField id="interview-interviewer" label=Signal::derive(move || t.get().interviewer)
                    value=interview_text(|i| &i.interviewer) on_change=set_interview(|i, v| i.interviewer = v)/>
                <div class="field">
                    <span class="label">{move || t.get().at_the_table}</span>
                    <div class="chips">
                        <button type="button" class="chip-toggle"
                            aria-pressed=move || present.get().is_some_and(|p| p.management).to_string()
                            on:click=move |_| state.edit(current.id, |i: &mut Interview| i.present.management = !i.present.management)>
                            {move || t.get().management}
                        </button>
                        <button type="button" class="chip-toggle"
                            aria-pressed=move || present.get().is_some_and(|p| p.staff).to_string()
                            on:click=move |_| state.edit(current.id, |i: &mut Interview| i.present.staff = !i.present.staff)>
                            {move || t.get().staff}
                        </button>
                    </div>
                </div>
                <TextField id="interview-notes" multiline=true label=Signal::derive(move || t.get().notes)
                    value=interview_text(|i| &i.notes) on_change=set_interview(|i, v| i.notes = v)/>
            </fieldset>
        </div>
    }
}
