use leptos::prelude::*;
use praatplaat_domain::model::{GoodExample, Interview, Sharing, MAX_PHOTOS_PER_EXAMPLE};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::use_current_interview;
use crate::components::choice::Choice;
use crate::components::photo_thumb::PhotoThumb;
use crate::i18n::use_texts;
use crate::plate_data::definition_for;
use crate::state::use_app_state;
use crate::{clock, photos};

/// Step 3: good examples, with photos from the tablet camera and consent to share.
#[component]
pub fn ExamplesStep() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let ids = Memo::new(move |_| {
        current
            .with_interview(|i| i.examples.iter().map(|e| e.id).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let add = move |_| {
        state.edit(current.id, |i: &mut Interview| {
            i.examples.push(GoodExample {
                id: clock::new_id(),
                ..GoodExample::default()
            })
        })
    };
    view! {
        <p class="plate-intro">{move || t.get().examples_intro}</p>
        <ul class="examples">
            <For each=move || ids.get() key=|id| *id let:id>
                <ExampleCard example_id=id/>
            </For>
        </ul>
        <div class="actions">
            <button type="button" class="button primary big" data-testid="add-example" on:click=add>
                <span aria-hidden="true">"+ "</span>
                {move || t.get().add_example}
            </button>
        </div>
    }
}

#[component]
fn ExampleCard(example_id: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let current = use_current_interview();
    let lang = move || state.settings.with(|s| s.lang);
    let example = Memo::new(move |_| {
        current
            .interview()
            .and_then(|i| i.examples.into_iter().find(|e| e.id == example_id))
            .unwrap_or_default()
    });
    let definition = Memo::new(move |_| current.with_interview(definition_for).flatten());
    let edit = move |change: Box<dyn FnOnce(&mut GoodExample)>| {
        state.edit(current.id, move |i: &mut Interview| {
            if let Some(e) = i.examples.iter_mut().find(|e| e.id == example_id) {
                change(e);
            }
        });
    };
    let busy = RwSignal::new(0usize);
    let photo_error = RwSignal::new(None::<String>);
    let on_files = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let files: Vec<web_sys::File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|n| list.get(n)).collect())
            .unwrap_or_default();
        // Clearing lets the same file be chosen again after removing it.
        input.set_value("");
        for file in files {
            busy.update(|n| *n += 1);
            leptos::task::spawn_local(async move {
                match photos::import(&file).await {
                    Ok(photo) => {
                        photo_error.set(None);
                        let (hash, bytes) = (photo.hash.clone(), u64::from(photo.bytes));
                        state.sync.update(|s| s.outbox.note_photo(&hash, bytes));
                        edit(Box::new(move |e| {
                            if e.photos.len() < MAX_PHOTOS_PER_EXAMPLE
                                && !e.photos.iter().any(|p| p.hash == photo.hash)
                            {
                                e.photos.push(photo);
                            }
                        }));
                    }
                    Err(e) => photo_error.set(Some(e)),
                }
                busy.update(|n| *n -= 1);
            });
        }
    };
    let text_id = format!("example-text-{example_id}");
    let theme_id = format!("example-theme-{example_id}");
    let file_id = format!("example-photo-{example_id}");
    view! {
        <li class="panel example" data-example=example_id.to_string()>
            <div class="field">
                <label for=text_id.clone()>{move || t.get().example_text}</label>
                <textarea id=text_id rows="3" prop:value=move || { state.restored.track(); example.read().text.clone() }
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        edit(Box::new(move |e| e.text = text));
                    }></textarea>
            </div>
            <div class="field">
                <label for=theme_id.clone()>{move || t.get().example_theme}</label>
                <select id=theme_id on:change=move |ev| {
                    let theme = event_target_value(&ev);
                    edit(Box::new(move |e| e.theme_id = theme));
                }>
                    <option value="" selected=move || example.read().theme_id.is_empty()>{move || t.get().no_theme}</option>
                    {move || definition.get().map(|d| d.themes.iter().map(|th| {
                        let id = th.id.clone();
                        let selected = {
                            let id = id.clone();
                            move || example.read().theme_id == id
                        };
                        view! { <option value=id selected=selected>{th.label(lang()).to_owned()}</option> }
                    }).collect_view())}
                </select>
            </div>
            <div class="photos">
                <For each=move || example.get().photos key=|p| p.hash.clone() let:photo>
                    <div class="photo">
                        <PhotoThumb hash=photo.hash.clone() alt=Signal::derive(move || example.read().text.clone())/>
                        <button type="button" class="button ghost small" aria-label=move || t.get().remove_photo
                            on:click={
                                let hash = photo.hash.clone();
                                move |_| {
                                    let hash = hash.clone();
                                    edit(Box::new(move |e| e.photos.retain(|p| p.hash != hash)))
                                }
                            }>"✕"</button>
                    </div>
                </For>
                <label for=file_id.clone() class="button photo-add">
                    <span aria-hidden="true">"+ "</span>
                    {move || if busy.get() > 0 { t.get().photo_busy } else { t.get().take_photo }}
                </label>
                <input id=file_id class="visually-hidden" type="file" accept="image/*" capture="environment" multiple on:change=on_files/>
            </div>
            {move || photo_error.get().map(|e| view! { <p class="field-error" role="alert">{(t.get().photo_failed)(&e)}</p> })}
            <div class="field">
                <span class="label">{move || t.get().may_share}</span>
                <Choice
                    label=Signal::derive(move || t.get().may_share.to_owned())
                    options=vec![
                        (Sharing::Yes, Signal::derive(move || t.get().share_yes)),
                        (Sharing::Anonymous, Signal::derive(move || t.get().share_anonymous)),
                        (Sharing::No, Signal::derive(move || t.get().share_no)),
                    ]
                    selected=Signal::derive(move || example.read().sharing)
                    on_select=Callback::new(move |s| edit(Box::new(move |e| e.sharing = s)))
                    test_id="sharing".to_owned()
                />
            </div>
            <div class="actions">
                <button type="button" class="button ghost"
                    on:click=move |_| state.edit(current.id, |i: &mut Interview| i.examples.retain(|e| e.id != example_id))>
                    {move || t.get().remove_example}
                </button>
            </div>
        </li>
    }
}
