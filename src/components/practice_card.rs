use leptos::prelude::*;
use praatplaat_domain::model::Interview;
use praatplaat_domain::plate::Practice;
use uuid::Uuid;

use crate::i18n::use_texts;
use crate::state::use_app_state;

/// Which toggles a practice card offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardMode {
    /// "Doen we al" and "Ambitie" (the theme screens).
    Both,
    /// Only "Ambitie"; practices already done show as such (the ambition screen).
    Ambition,
}

/// One practice of the plate with large toggles and an optional note; every tap is saved.
#[component]
pub fn PracticeCard(
    practice: &'static Practice,
    interview_id: Uuid,
    mode: CardMode,
) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let lang = move || state.settings.with(|s| s.lang);
    let answer = Memo::new(move |_| {
        state
            .records
            .interviews
            .read()
            .get(&interview_id)
            .map(|i| i.answer(&practice.id))
            .unwrap_or_default()
    });
    let show_note = RwSignal::new(!answer.get_untracked().note.is_empty());
    let set = move |change: fn(&mut praatplaat_domain::model::PracticeAnswer, bool),
                    value: bool| {
        state.edit(interview_id, |i: &mut Interview| {
            let mut a = i.answer(&practice.id);
            change(&mut a, value);
            i.set_answer(&practice.id, a);
        });
    };
    let now = move || answer.read().now;
    let ambition = move || answer.read().ambition;
    let note_id = format!("note-{}", practice.id);
    view! {
        <li class="practice" class:ticked=now class:wanted=ambition data-practice=practice.id.clone()>
            <div class="practice-text">
                <span class="practice-label">{move || practice.label(lang()).to_owned()}</span>
                <span class="practice-example">{move || practice.example.get(lang()).to_owned()}</span>
                <span class="practice-class" title="R-ladder">{practice.classification()}</span>
            </div>
            <div class="practice-actions">
                {(mode == CardMode::Both).then(|| view! {
                    <button
                        type="button"
                        class="toggle now"
                        aria-pressed=move || now().to_string()
                        on:click=move |_| set(|a, v| a.now = v, !now())
                    >
                        <span aria-hidden="true">"✓ "</span>
                        {move || t.get().done_now}
                    </button>
                })}
                {move || {
                    if mode == CardMode::Ambition && now() {
                        view! { <span class="toggle static">"✓ " {t.get().done_now}</span> }.into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="toggle ambition"
                                aria-pressed=move || ambition().to_string()
                                on:click=move |_| set(|a, v| a.ambition = v, !ambition())
                            >
                                <span aria-hidden="true">"★ "</span>
                                {move || t.get().want_to_start}
                            </button>
                        }
                            .into_any()
                    }
                }}
                {(mode == CardMode::Both).then(|| view! {
                    <button
                        type="button"
                        class="toggle ghost"
                        aria-expanded=move || show_note.get().to_string()
                        on:click=move |_| show_note.update(|v| *v = !*v)
                    >
                        {move || t.get().add_note}
                    </button>
                })}
            </div>
            <Show when=move || show_note.get()>
                <div class="field practice-note">
                    <label for=note_id.clone()>{move || t.get().note}</label>
                    <textarea
                        id=note_id.clone()
                        rows="2"
                        prop:value=move || { state.restored.track(); answer.read().note.clone() }
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            state.edit(interview_id, |i: &mut Interview| {
                                let mut a = i.answer(&practice.id);
                                a.note = text;
                                i.set_answer(&practice.id, a);
                            });
                        }
                    ></textarea>
                </div>
            </Show>
        </li>
    }
}
