//! The follow-up (*vervolgcontact*) "after some months": the company is contacted again about its
//! next steps, what came of its links and of its ambition.
//!
//! The plan: *na enkele maanden wordt wederom contact opgenomen met het bedrijf om te bezien of
//! sprake is van concrete vervolgstappen … Ook wordt bezien of de koppeling tot stand is gekomen en
//! de aanpak de ondernemer daadwerkelijk helpt*; its schedule follows each quarter's interviews up
//! two quarters later (BRIEF §1).
//!
//! - [`FollowUp`]: the record (one company, one baseline interview; a company may have several,
//!   e.g. the final-phase check), its [`FollowUpStatus`] with dated [`Attempt`]s, a
//!   [`LinkOutcome`] per link and an [`AmbitionOutcome`] per practice that was ambition at the
//!   baseline, plus new ticks and new ambitions. Validated by [`FollowUp::validate`] (the
//!   [`RecordRules`] rule) and [`FollowUp::check`] (that and the order of its dates).
//! - [`date`]: [`Date`], [`planned_date`] (interview date + [`FOLLOW_UP_QUARTERS`] quarters).
//! - [`due`]: [`due_bucket`] and [`due_list`], who is due and how soon.
//! - [`then_now`](mod@then_now): [`then_now()`], the score at the baseline and now, per theme and
//!   overall, and the state of every practice for the picture (formula in `SCORE.md`).
//!
//! Like the rest of the crate this does no I/O and reads no clock: dates (`YYYY-MM-DD`) and ids
//! come in as arguments. It speaks in codes; the app words them.
//!
//! # Merging two tablets' follow-ups
//!
//! The record is shaped for the field-by-field merge ([`crate::merge::three_way`]): outcomes are
//! maps keyed by link id and practice id (merged key by key), the attempts are an append-only
//! list (both tails kept, like a link's `history`), new ticks and ambitions are plain lists
//! (merged as sets). A [`LinkOutcome`] leaves its empty fields out of the JSON, so two tablets that
//! each add the outcome of one link, one the result and the other the fit, merge into one outcome
//! instead of clashing over the fields the other left empty. No field is named `answers`, `needs`
//! or `examples`: the merge gives those paths an interview's defaults.

pub mod date;
pub mod due;
mod record;
pub mod then_now;

pub use date::{planned_date, Date, FOLLOW_UP_QUARTERS};
pub use due::{due_bucket, due_list, DueBucket, DueCompany, DueItem};
pub use record::*;
pub use then_now::{
    then_now, then_now_builtin, Mark, PracticeState, PracticeThenNow, ThemeThenNow, ThenNow,
};
