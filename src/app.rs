//! The root component: state, router and page frame.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::banner::{
    HeldEditBanner, ReplacedBanner, SaveErrorBanner, SignedOutBanner, StorageBanner, UpdateBanner,
};
use crate::components::header::AppHeader;
use crate::i18n::use_texts;
use crate::pages::companies::CompaniesPage;
use crate::pages::follow_up::FollowUpPage;
use crate::pages::follow_ups::FollowUpsPage;
use crate::pages::initiatives::{InitiativeEditor, InitiativesPage};
use crate::pages::interview::ambition_step::AmbitionStep;
use crate::pages::interview::company_step::CompanyStep;
use crate::pages::interview::examples_step::ExamplesStep;
use crate::pages::interview::links_step::LinksStep;
use crate::pages::interview::needs_step::NeedsStep;
use crate::pages::interview::own_plate_step::OwnPlateStep;
use crate::pages::interview::plate_step::PlateStep;
use crate::pages::interview::summary_step::SummaryStep;
use crate::pages::interview::theme_step::ThemeStep;
use crate::pages::interview::InterviewShell;
use crate::pages::interview_list::InterviewList;
use crate::pages::new_interview::NewInterview;
use crate::pages::plate_preview::PlatePreview;
use crate::pages::settings_page::SettingsPage;
use crate::pages::sync_page::SyncPage;
use crate::pages::transfer_page::TransferPage;
use crate::state::{provide_app_state, LoadState};

#[component]
pub fn App() -> impl IntoView {
    let state = provide_app_state();
    crate::service_worker::provide_updates();
    // The sync driver follows the state, not the other way round: it starts once the local
    // database is read and answers the state's triggers (an edit landed, a sync asked for).
    Effect::new(move |started: Option<bool>| {
        let started = started.unwrap_or(false);
        if !started && state.load.get() == LoadState::Ready {
            crate::sync_driver::start(state);
            return true;
        }
        started
    });
    Effect::watch(
        move || state.edited.track(),
        move |_, _, _| crate::sync_driver::nudge(state),
        false,
    );
    Effect::watch(
        move || state.sync_asked.track(),
        move |_, _, _| crate::sync_driver::request(state),
        false,
    );
    // Keep the document's language in step with the UI, for screen readers and hyphenation.
    Effect::new(move |_| {
        let lang = state.settings.with(|s| s.lang.code());
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang);
        }
    });
    // Writes take milliseconds; closing the page in that moment would lose the last tap, so the
    // browser asks first, as it does while an edit could not be written at all.
    // `data-saving` on <body> lets tests wait for writes to land.
    let guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if state.saving.get_untracked() > 0 || !state.unsaved.with_untracked(|u| u.is_empty()) {
            ev.prevent_default();
        }
    });
    on_cleanup(move || guard.remove());
    Effect::new(move |_| {
        let saving = state.saving.get();
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-saving", &saving.to_string());
        }
    });
    view! {
        <Router>
            <div class="top">
                <AppHeader/>
                <UpdateBanner/>
                <ReplacedBanner/>
                <SignedOutBanner/>
                <SaveErrorBanner/>
                <HeldEditBanner/>
                <StorageBanner/>
            </div>
            <main id="main">
                <LoadGate>
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=InterviewList/>
                        <Route path=path!("/interviews/new") view=NewInterview/>
                        <ParentRoute path=path!("/interviews/:id") view=InterviewShell>
                            <Route path=path!("") view=PlateStep/>
                            <Route path=path!("company") view=CompanyStep/>
                            <Route path=path!("theme/:theme") view=ThemeStep/>
                            <Route path=path!("examples") view=ExamplesStep/>
                            <Route path=path!("ambition") view=AmbitionStep/>
                            <Route path=path!("needs") view=NeedsStep/>
                            <Route path=path!("links") view=LinksStep/>
                            <Route path=path!("summary") view=SummaryStep/>
                            <Route path=path!("own") view=OwnPlateStep/>
                        </ParentRoute>
                        <Route path=path!("/settings") view=SettingsPage/>
                        <Route path=path!("/sync") view=SyncPage/>
                        <Route path=path!("/transfer") view=TransferPage/>
                        <Route path=path!("/companies") view=CompaniesPage/>
                        <Route path=path!("/follow-ups") view=FollowUpsPage/>
                        <Route path=path!("/follow-ups/:id") view=FollowUpPage/>
                        <Route path=path!("/initiatives") view=InitiativesPage/>
                        <Route path=path!("/initiatives/:id") view=InitiativeEditor/>
                        <Route path=path!("/preview/plate") view=PlatePreview/>
                    </Routes>
                </LoadGate>
            </main>
        </Router>
    }
}

/// Shows its children once the local database is read, or why it could not be.
#[component]
fn LoadGate(children: ChildrenFn) -> impl IntoView {
    let state = crate::state::use_app_state();
    let t = use_texts();
    move || match state.load.get() {
        LoadState::Loading => {
            view! { <p class="notice" role="status">{t.get().loading}</p> }.into_any()
        }
        LoadState::Failed(e) => view! { <p class="notice error" role="alert">{e}</p> }.into_any(),
        LoadState::Ready => children().into_any(),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let t = use_texts();
    view! {
        <section class="page">
            <p class="notice">{move || t.get().not_found}</p>
            <a class="button" href="/">{move || t.get().back}</a>
        </section>
    }
}
