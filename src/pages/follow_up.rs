//! One follow-up conversation (issue 14): how it is held, what came of each link (which moves the
//! link's life on, dated) and whether the support fits the need, what came of each baseline
//! ambition, the next steps, the score then and now, and "held".

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use praatplaat_domain::followup::{
    then_now_builtin, AmbitionOutcome, ContactMode, Fit, FollowUp, LinkOutcome, LinkResult,
};
use praatplaat_domain::initiative::Link;
use uuid::Uuid;

use crate::clock;
use crate::components::choice::Choice;
use crate::components::field::TextField;
use crate::i18n::use_texts;
use crate::plate_data::definition_for;
use crate::state::{use_app_state, AppState};

#[component]
pub fn FollowUpPage() -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let params = use_params_map();
    // The id of a follow-up that exists: memoised, so an edit of it does not build the screen
    // anew (only its coming or going does).
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
            .filter(|id| state.records.follow_ups.read().contains_key(id))
    });
    move || {
        let Some(id) = id.get() else {
            return view! { <p class="notice">{t.get().not_found}</p> }.into_any();
        };
        view! { <Conversation id/> }.into_any()
    }
}

/// Changes the follow-up through `change` and saves it.
fn edit(state: AppState, id: Uuid, change: impl FnOnce(&mut FollowUp)) {
    state.edit::<FollowUp>(id, change);
}

#[component]
fn Conversation(id: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let follow_up = Memo::new(move |_| state.records.follow_ups.get(id).unwrap_or_default());
    let company = Memo::new(move |_| {
        let company_id = follow_up.with(|f| f.company_id);
        state
            .records
            .companies
            .with(|m| m.get(&company_id).map(|c| c.name.clone()))
            .unwrap_or_default()
    });
    let baseline = Memo::new(move |_| {
        let interview_id = follow_up.with(|f| f.interview_id);
        state.records.interviews.get(interview_id)
    });
    let links = Memo::new(move |_| {
        let company_id = follow_up.with(|f| f.company_id);
        let mut links: Vec<Link> = state
            .records
            .links
            .read()
            .values()
            .filter(|l| l.company_id == company_id && !l.meta.deleted)
            .cloned()
            .collect();
        links.sort_by_key(|l| l.id);
        links
    });
    let mode = Signal::derive(move || follow_up.with(|f| f.mode));
    let held = move || follow_up.with(|f| f.is_done());
    let mark_held = move |_| {
        let by = state.settings.with_untracked(|s| s.interviewer.clone());
        let today = clock::today();
        if let Some(mut f) = state.records.follow_ups.get_untracked(id) {
            if f.mark_held(&today, &by).is_ok() {
                state.save(f);
            }
        }
    };
    view! {
        <section class="page follow-up" data-testid="follow-up">
            <div class="page-title">
                <h1>{move || t.get().follow_ups.conversation} ": " {move || company.get()}</h1>
                <A href="/follow-ups" attr:class="button">{move || t.get().follow_ups.back_to_list}</A>
            </div>
            <p class="due-when">
                {move || (t.get().follow_ups.interviewed_on)(&baseline.get().map(|i| i.date).unwrap_or_default())}
                " · "
                <span data-testid="follow-up-status">{move || (t.get().follow_ups.status)(follow_up.with(|f| f.status))}</span>
                {move || held().then(|| format!(" · {}", (t.get().follow_ups.held_on)(&follow_up.with(|f| f.held_on.clone()))))}
            </p>
            <div class="field">
                <span class="field-label">{move || t.get().follow_ups.mode}</span>
                <Choice
                    label=Signal::derive(move || t.get().follow_ups.mode.to_owned())
                    options=ContactMode::ALL
                        .into_iter()
                        .map(|m| (m, Signal::derive(move || (t.get().follow_ups.mode_name)(m))))
                        .collect()
                    selected=mode
                    on_select=Callback::new(move |m| edit(state, id, |f| f.mode = m))
                    test_id="follow-up-mode".to_owned()
                />
            </div>

            <section class="panel">
                <h2>{move || t.get().follow_ups.links_title}</h2>
                <Show when=move || links.with(Vec::is_empty)>
                    <p>{move || t.get().follow_ups.no_links}</p>
                </Show>
                <For each=move || links.get() key=|l| l.id let:link>
                    <LinkOutcomeCard follow_up=id link=link/>
                </For>
            </section>

            <section class="panel">
                <h2>{move || t.get().follow_ups.ambitions_title}</h2>
                <AmbitionOutcomes follow_up=id/>
            </section>

            <section class="panel">
                // Saved at every keystroke, as every text of an interview is.
                <TextField
                    id="follow-up-next-steps"
                    label=Signal::derive(move || t.get().follow_ups.next_steps)
                    value=Signal::derive(move || follow_up.with(|f| f.next_steps.clone()))
                    on_change=Callback::new(move |text: String| edit(state, id, |f| f.next_steps = text))
                    multiline=true
                />
                <TextField
                    id="follow-up-note"
                    label=Signal::derive(move || t.get().follow_ups.note)
                    value=Signal::derive(move || follow_up.with(|f| f.note.clone()))
                    on_change=Callback::new(move |text: String| edit(state, id, |f| f.note = text))
                    multiline=true
                />
            </section>

            <ThenAndNow follow_up=id/>

            <Show when=move || !held()>
                <button class="button primary big" data-testid="mark-held" on:click=mark_held>
                    {move || t.get().follow_ups.mark_held}
                </button>
            </Show>
        </section>
    }
}

/// What came of one link: the result (which moves the link on), the fit, what is missing.
#[component]
fn LinkOutcomeCard(follow_up: Uuid, link: Link) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let link_id = link.id;
    let initiative = state
        .records
        .initiatives
        .get_untracked(link.initiative_id)
        .map(|i| i.name)
        .unwrap_or_default();
    let status = state.records.links.select(link_id, |l| l.status);
    let problem = RwSignal::new(false);
    let outcome = Memo::new(move |_| {
        state
            .records
            .follow_ups
            .get(follow_up)
            .and_then(|f| f.links.get(&link_id).cloned())
            .unwrap_or_default()
    });
    let change = move |f: &mut FollowUp, update: &dyn Fn(&mut LinkOutcome)| {
        let outcome = f.links.entry(link_id).or_default();
        update(outcome);
    };
    let set_result = move |result: LinkResult| {
        let today = clock::today();
        let by = state.settings.with_untracked(|s| s.interviewer.clone());
        let heard = LinkOutcome {
            happened: Some(result),
            date: today,
            by,
            ..Default::default()
        };
        // The link's own life follows what the company says, dated today: worked out first, so a
        // step the link cannot take changes neither record.
        let Some(mut link) = state.records.links.get_untracked(link_id) else {
            return;
        };
        match heard.apply_to(&mut link) {
            Err(_) => problem.set(true),
            Ok(moved) => {
                problem.set(false);
                edit(state, follow_up, |f| {
                    change(f, &|o| {
                        o.happened = heard.happened;
                        o.date = heard.date.clone();
                        o.by = heard.by.clone();
                    })
                });
                if moved {
                    state.save(link);
                }
            }
        }
    };
    let shows_missing = move || outcome.with(|o| matches!(o.fit, Some(Fit::Partly | Fit::No)));
    view! {
        <div class="link-outcome" data-testid="link-outcome" data-initiative=initiative.clone()>
            <h3>{initiative.clone()}</h3>
            <p class="own-small">{move || status.get().map(|s| (t.get().follow_ups.link_now)((t.get().codes.link_status)(s)))}</p>
            <div class="field">
                <span class="field-label">{move || t.get().follow_ups.link_result}</span>
                <Choice
                    label=Signal::derive({
                        let initiative = initiative.clone();
                        move || format!("{initiative}: {}", t.get().follow_ups.link_result)
                    })
                    options=LinkResult::ALL
                        .into_iter()
                        .map(|r| (Some(r), Signal::derive(move || (t.get().follow_ups.result_name)(r))))
                        .collect()
                    selected=Signal::derive(move || outcome.with(|o| o.happened))
                    on_select=Callback::new(move |r: Option<LinkResult>| {
                        if let Some(r) = r {
                            set_result(r);
                        }
                    })
                />
            </div>
            <div class="field">
                <span class="field-label">{move || t.get().follow_ups.fit}</span>
                <Choice
                    label=Signal::derive({
                        let initiative = initiative.clone();
                        move || format!("{initiative}: {}", t.get().follow_ups.fit)
                    })
                    options=[Fit::Yes, Fit::Partly, Fit::No]
                        .into_iter()
                        .map(|f| (Some(f), Signal::derive(move || (t.get().follow_ups.fit_name)(f))))
                        .collect()
                    selected=Signal::derive(move || outcome.with(|o| o.fit))
                    on_select=Callback::new(move |fit: Option<Fit>| {
                        edit(state, follow_up, |f| change(f, &|o| o.fit = fit));
                    })
                />
            </div>
            <Show when=move || problem.get()>
                <p class="notice error" role="alert">{move || t.get().follow_ups.link_refused}</p>
            </Show>
            <Show when=shows_missing>
                <label class="field">
                    <span class="field-label">{move || t.get().follow_ups.missing}</span>
                    <textarea
                        data-testid="link-missing"
                        prop:value=move || outcome.with(|o| o.missing.clone())
                        maxlength="20000"
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            edit(state, follow_up, |f| change(f, &|o| o.missing = text.clone()));
                        }
                    ></textarea>
                </label>
            </Show>
        </div>
    }
}

/// Every practice that was ambition at the baseline, with what came of it.
#[component]
fn AmbitionOutcomes(follow_up: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let lang = move || state.settings.with(|s| s.lang);
    let ambitions = Memo::new(move |_| {
        let Some(f) = state.records.follow_ups.get(follow_up) else {
            return Vec::new();
        };
        let Some(baseline) = state.records.interviews.get(f.interview_id) else {
            return Vec::new();
        };
        let Some(definition) = definition_for(&baseline) else {
            return Vec::new();
        };
        definition
            .practices()
            .filter(|p| {
                baseline
                    .answers
                    .get(&p.id)
                    .is_some_and(|a| a.ambition && !a.now)
            })
            .map(|p| (p.id.clone(), p.label.clone()))
            .collect::<Vec<_>>()
    });
    view! {
        <Show when=move || ambitions.with(Vec::is_empty)>
            <p>{move || t.get().follow_ups.no_ambitions}</p>
        </Show>
        <ul class="plain ambition-outcomes">
            <For each=move || ambitions.get() key=|(id, _)| id.clone() let:item>
                {
                    let (practice, label) = item;
                    let chosen = {
                        let practice = practice.clone();
                        Signal::derive(move || {
                            state
                                .records
                                .follow_ups
                                .get(follow_up)
                                .and_then(|f| f.practices.get(&practice).copied())
                        })
                    };
                    let name = label.clone();
                    let marker = practice.clone();
                    view! {
                        <li class="ambition-outcome" data-practice=marker>
                            <span class="practice-label">{move || name.get(lang()).to_owned()}</span>
                            <Choice
                                label=Signal::derive(move || label.get(lang()).to_owned())
                                options=AmbitionOutcome::ALL
                                    .into_iter()
                                    .map(|o| (Some(o), Signal::derive(move || (t.get().follow_ups.outcome_name)(o))))
                                    .collect()
                                selected=chosen
                                on_select=Callback::new(move |o: Option<AmbitionOutcome>| {
                                    let practice = practice.clone();
                                    edit(state, follow_up, |f| f.set_practice_outcome(&practice, o));
                                })
                            />
                        </li>
                    }
                }
            </For>
        </ul>
    }
}

/// The score at the baseline and now, per theme and overall (`then_now`).
#[component]
fn ThenAndNow(follow_up: Uuid) -> impl IntoView {
    let state = use_app_state();
    let t = use_texts();
    let lang = move || state.settings.with(|s| s.lang);
    let rows = Memo::new(move |_| {
        let f = state.records.follow_ups.get(follow_up)?;
        let baseline = state.records.interviews.get(f.interview_id)?;
        let definition = definition_for(&baseline)?;
        let compared = then_now_builtin(&baseline, &f)?;
        let themes = compared
            .then
            .themes
            .iter()
            .zip(&compared.now.themes)
            .map(|(then, now)| {
                let label = definition
                    .themes
                    .iter()
                    .find(|th| th.id == then.theme_id)
                    .map(|th| th.label.clone());
                (
                    then.theme_id.clone(),
                    label,
                    then.degree.now,
                    now.degree.now,
                )
            })
            .collect::<Vec<_>>();
        Some((themes, compared.then.overall.now, compared.now.overall.now))
    });
    let pct = |m: &praatplaat_domain::plate::Measure| format!("{:.0} %", m.fraction * 100.0);
    move || {
        rows.get().map(|(themes, then, now)| {
            view! {
                <section class="panel">
                    <h2>{move || t.get().follow_ups.then_now_title}</h2>
                    <table class="score-table" data-testid="then-now">
                        <thead>
                            <tr>
                                <th scope="col">{move || t.get().follow_ups.theme}</th>
                                <th scope="col">{move || t.get().follow_ups.then}</th>
                                <th scope="col">{move || t.get().follow_ups.now}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {themes
                                .into_iter()
                                .map(|(id, label, then, now)| {
                                    let name = label.map(|l| l.get(lang()).to_owned()).unwrap_or(id);
                                    view! {
                                        <tr>
                                            <th scope="row">{name}</th>
                                            <td>{(t.get().follow_ups.ticked_of)(then.ticked, then.total)}</td>
                                            <td>{(t.get().follow_ups.ticked_of)(now.ticked, now.total)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                            <tr class="total">
                                <th scope="row">{move || t.get().follow_ups.overall}</th>
                                <td>{pct(&then)}</td>
                                <td>{pct(&now)}</td>
                            </tr>
                        </tbody>
                    </table>
                </section>
            }
        })
    }
}
