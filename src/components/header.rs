use leptos::prelude::*;
use leptos_router::components::A;

use super::sync_badge::SyncBadge;
use crate::i18n::use_texts;

#[component]
pub fn AppHeader() -> impl IntoView {
    let t = use_texts();
    view! {
        <header class="app-header">
            <A
                href="/"
                attr:class="brand"
                attr:aria-label=move || {
                    // Starts with the visible text, so speech control ("tap Praatplaat") finds it.
                    format!("{} {} – {}", t.get().app_name, t.get().programme, t.get().interviews)
                }
            >
                <span class="brand-name">{move || t.get().app_name}</span>
                " "
                <span class="brand-programme">{move || t.get().programme}</span>
            </A>
            <A href="/companies" attr:class="button ghost">{move || t.get().companies}</A>
            <SyncBadge/>
            <A href="/settings" attr:class="button ghost" attr:aria-label=move || t.get().settings>
                <span aria-hidden="true">"⚙"</span>
                <span class="label-wide">{move || t.get().settings}</span>
            </A>
        </header>
    }
}
