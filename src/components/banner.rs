use leptos::prelude::*;

use crate::i18n::use_texts;
use crate::state::use_app_state;

/// A warning that an edit could not be written to the device. The edit itself stays on screen.
#[component]
pub fn SaveErrorBanner() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    move || {
        state.save_error.get().map(|e| {
            view! { <div class="banner error" role="alert">{(t.get().save_failed)(&e)}</div> }
        })
    }
}
