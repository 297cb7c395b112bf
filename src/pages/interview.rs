//! One interview: a frame with the steps of the conversation (free to jump between them) and the
//! step itself as a nested route. Every change is saved as it happens.

pub mod ambition_step;
pub mod company_step;
pub mod examples_step;
pub mod links_step;
pub mod needs_step;
pub mod own_plate_step;
pub mod plate_step;
pub mod summary_step;
pub mod theme_step;

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};
use praatplaat_domain::model::{Company, Interview, InterviewStatus};
use uuid::Uuid;

use crate::components::conflicts::ConflictPanel;
use crate::i18n::use_texts;
use crate::places;
use crate::state::use_app_state;

/// The interview and company the nested steps work on (provided by [`InterviewShell`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentInterview {
    pub id: Uuid,
    pub company_id: Uuid,
}

impl CurrentInterview {
    /// The interview's current state (reactive), cloned: for a part, [`Self::with_interview`].
    pub fn interview(self) -> Option<Interview> {
        use_app_state().records.interviews.get(self.id)
    }

    pub fn company(self) -> Option<Company> {
        use_app_state().records.companies.get(self.company_id)
    }

    /// Reads a part of the interview from a borrow (reactive), so a field reader clones the
    /// field, not the record.
    pub fn with_interview<R>(self, part: impl FnOnce(&Interview) -> R) -> Option<R> {
        use_app_state()
            .records
            .interviews
            .with(|m| m.get(&self.id).map(part))
    }

    pub fn with_company<R>(self, part: impl FnOnce(&Company) -> R) -> Option<R> {
        use_app_state()
            .records
            .companies
            .with(|m| m.get(&self.company_id).map(part))
    }

    pub fn path(self, step: &str) -> String {
        if step.is_empty() {
            format!("/interviews/{}", self.id)
        } else {
            format!("/interviews/{}/{step}", self.id)
        }
    }
}

/// Picks a step's name from the texts of the current language.
type StepLabel = fn(&crate::i18n::Texts) -> &'static str;

pub fn use_current_interview() -> CurrentInterview {
    expect_context::<CurrentInterview>()
}

#[component]
pub fn InterviewShell() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let params = use_params_map();
    let found = Memo::new(move |_| {
        let id = params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())?;
        state
            .records
            .interviews
            .read()
            .get(&id)
            .map(|i| CurrentInterview {
                id: i.id,
                company_id: i.company_id,
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
        Some(current) => view! { <InterviewFrame current/> }.into_any(),
    }
}

#[component]
fn InterviewFrame(current: CurrentInterview) -> impl IntoView {
    provide_context(current);
    let t = use_texts();
    let state = use_app_state();
    let location = use_location();
    // Remember the step, so coming back to this interview opens it where the interviewer was.
    // The effect also sees the path being navigated to when leaving (e.g. "/"): skip those.
    Effect::new(move |_| {
        let path = location.pathname.get();
        if path.starts_with(&current.path("")) {
            places::remember(current.id, &path);
        }
    });
    let name = Memo::new(move |_| {
        state
            .records
            .companies
            .read()
            .get(&current.company_id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    });
    let completed = Memo::new(move |_| {
        state
            .records
            .interviews
            .read()
            .get(&current.id)
            .is_some_and(|i| i.status == InterviewStatus::Completed)
    });
    let steps: [(&str, StepLabel); 8] = [
        ("company", |t| t.step_company),
        ("", |t| t.step_plate),
        ("examples", |t| t.step_examples),
        ("ambition", |t| t.step_ambition),
        ("needs", |t| t.step_needs),
        ("links", |t| t.step_links),
        ("summary", |t| t.step_summary),
        ("own", |t| t.step_own_plate),
    ];
    view! {
        <section class="page interview">
            <div class="page-title">
                <A href="/" attr:class="button ghost">
                    <span aria-hidden="true">"← "</span>
                    {move || t.get().interviews}
                </A>
                <h1 data-testid="interview-title">{move || name.get()}</h1>
                <span class=move || if completed.get() { "chip done" } else { "chip" }>
                    {move || if completed.get() { t.get().status_completed } else { t.get().status_draft }}
                </span>
            </div>
            <nav class="steps" aria-label=move || t.get().steps_label>
                {steps
                    .into_iter()
                    .enumerate()
                    .map(|(n, (step, label))| {
                        let href = current.path(step);
                        let theme_route = step.is_empty();
                        let active = move || {
                            let path = location.pathname.get();
                            let on_theme = path.starts_with(&current.path("theme/"));
                            path == current.path(step) || (theme_route && on_theme)
                        };
                        view! {
                            <a href=href class="step" class:active=active aria-current=move || active().then_some("page")>
                                <span class="step-number" aria-hidden="true">{n + 1}</span>
                                <span class="step-label">{move || label(t.get())}</span>
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            // Choices left by two tablets editing the same field: on every step until settled.
            <ConflictPanel interview_id=current.id/>
            <Outlet/>
        </section>
    }
}
