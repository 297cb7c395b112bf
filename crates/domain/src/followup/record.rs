//! The follow-up record and its validation (re-exported by [`super`]): apart from the parent so
//! the kind list in [`crate::model`] can name the type without the two importing each other.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use super::date::{planned_date, Date, FOLLOW_UP_QUARTERS};
use crate::initiative::{Link, LinkError, LinkStatus};
use crate::model::{
    Conflict, Field, Interview, RecordMeta, RecordRules, ValidationError, MAX_LONG_TEXT,
    MAX_SHORT_TEXT, MKB_DEAL_METAAL,
};

/// Most attempts one follow-up may hold; a real one has a handful.
pub const MAX_ATTEMPTS: usize = 50;
/// Most link outcomes one follow-up may hold (a company has a few links).
pub const MAX_LINK_OUTCOMES: usize = 100;
/// Most entries of each practice list (`practices`, `new_ticks`, `new_ambitions`): the same bound
/// as an interview's answers of an unknown plate version ([`crate::limits`]).
pub const MAX_PRACTICE_ENTRIES: usize = 250;

/// How the follow-up is held. Stored as snake_case (`"at_session"`).
///
/// Named `mode`, not `kind`, on the record: `kind` is the record's kind on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactMode {
    #[default]
    Phone,
    Visit,
    /// Spoken at a knowledge session (*kennissessie*).
    AtSession,
}

impl ContactMode {
    pub const ALL: [ContactMode; 3] = [
        ContactMode::Phone,
        ContactMode::Visit,
        ContactMode::AtSession,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ContactMode::Phone => "phone",
            ContactMode::Visit => "visit",
            ContactMode::AtSession => "at_session",
        }
    }
}

/// Where a follow-up stands. Stored as snake_case (`"not_reached"`).
///
/// Only [`FollowUpStatus::Done`] takes a follow-up off the due list; the others are still to do.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    /// Planned, nobody tried yet.
    #[default]
    Planned,
    /// The company was reached but the conversation is still to come (an appointment for a visit,
    /// "call back next week").
    Reached,
    /// Tried, nobody reached (the last attempt failed).
    NotReached,
    /// The conversation was held (`held_on`).
    Done,
}

impl FollowUpStatus {
    pub const ALL: [FollowUpStatus; 4] = [
        FollowUpStatus::Planned,
        FollowUpStatus::Reached,
        FollowUpStatus::NotReached,
        FollowUpStatus::Done,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FollowUpStatus::Planned => "planned",
            FollowUpStatus::Reached => "reached",
            FollowUpStatus::NotReached => "not_reached",
            FollowUpStatus::Done => "done",
        }
    }
}

/// One try to reach the company, kept for the trail ("called twice, no answer").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Attempt {
    /// `YYYY-MM-DD`; not after the follow-up's `held_on` ([`FollowUp::check`]).
    pub date: String,
    pub reached: bool,
    /// Who tried (the interviewer's name, as on an interview).
    pub by: String,
    pub note: String,
}

/// What came of a link, as the company tells it at the follow-up: the final steps of a link's
/// life ([`LinkStatus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkResult {
    Helped,
    DidNotHelp,
    DidNotHappen,
}

impl LinkResult {
    pub const ALL: [LinkResult; 3] = [
        LinkResult::Helped,
        LinkResult::DidNotHelp,
        LinkResult::DidNotHappen,
    ];

    /// The link status this result puts the link in.
    pub fn status(self) -> LinkStatus {
        match self {
            LinkResult::Helped => LinkStatus::Helped,
            LinkResult::DidNotHelp => LinkStatus::DidNotHelp,
            LinkResult::DidNotHappen => LinkStatus::DidNotHappen,
        }
    }
}

/// Does the support fit the need? The plan wants partners told when it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    Yes,
    Partly,
    No,
}

/// What came of one link (keyed by the link's id in [`FollowUp::links`]).
///
/// Empty fields are left out of the JSON so two tablets filling in different fields of the same
/// link merge field by field (module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LinkOutcome {
    /// `None` = not asked yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub happened: Option<LinkResult>,
    /// When the result was heard (`YYYY-MM-DD`); required once `happened` is set.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub date: String,
    /// Who heard it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub by: String,
    /// `None` = not asked yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fit: Option<Fit>,
    /// What is missing when the support fits partly or not, in the company's words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub missing: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl LinkOutcome {
    /// Moves `link` to this outcome's result on its date, through the statuses between (a company
    /// that says the link helped was evidently introduced and started: [`Link::set_status`] takes
    /// one step at a time, so each step is recorded, dated the same day; the note goes on the
    /// last). Returns whether anything changed; no result, or the link already there, is a
    /// no-op. A link already final with another result (a result corrected, or what the
    /// company says now) is first taken one step back ([`Link::step_back`], the correction the
    /// link's own screen offers), so the history keeps both. A refused step leaves the link as it
    /// was.
    pub fn apply_to(&self, link: &mut Link) -> Result<bool, LinkError> {
        let Some(result) = self.happened else {
            return Ok(false);
        };
        let target = result.status();
        if link.status == target {
            return Ok(false);
        }
        use LinkStatus::*;
        let mut next = link.clone();
        if matches!(next.status, Helped | DidNotHelp | DidNotHappen) {
            if let Some(back) = next.step_back() {
                next.set_status(back, &self.date, "")?;
            }
        }
        if next.status == target {
            *link = next;
            return Ok(true);
        }
        let path: &[LinkStatus] = match (next.status, target) {
            (_, DidNotHappen) => &[DidNotHappen],
            (Proposed, Helped) => &[Introduced, Started, Helped],
            (Proposed, _) => &[Introduced, Started, DidNotHelp],
            (Introduced, Helped) => &[Started, Helped],
            (Introduced, _) => &[Started, DidNotHelp],
            (_, _) => std::slice::from_ref(&target),
        };
        for (n, &status) in path.iter().enumerate() {
            let note = if n + 1 == path.len() { &self.note } else { "" };
            next.set_status(status, &self.date, note)?;
        }
        *link = next;
        Ok(true)
    }
}

/// What came of a practice that was ambition at the baseline. Stored as snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AmbitionOutcome {
    /// Realised: the company does it now.
    Done,
    /// Under way, not done yet (still an ambition).
    Started,
    /// Not started (still an ambition).
    NotYet,
    /// No longer wanted.
    Dropped,
}

impl AmbitionOutcome {
    pub const ALL: [AmbitionOutcome; 4] = [
        AmbitionOutcome::Done,
        AmbitionOutcome::Started,
        AmbitionOutcome::NotYet,
        AmbitionOutcome::Dropped,
    ];
}

/// A follow-up of one company on one baseline interview (a synced record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FollowUp {
    pub id: Uuid,
    pub programme_id: String,
    pub company_id: Uuid,
    /// The interview this follows up (the baseline): the "then" of [`then_now()`].
    pub interview_id: Uuid,
    /// When to call (`YYYY-MM-DD`; default [`planned_date`] of the interview); empty = not
    /// planned.
    pub planned_on: String,
    pub mode: ContactMode,
    pub status: FollowUpStatus,
    /// Oldest first; appended to, like a link's history.
    pub attempts: Vec<Attempt>,
    /// When the conversation was held (`YYYY-MM-DD`); required when `status` is `done`.
    pub held_on: String,
    /// Who held it (a name, as `Interview::interviewer`).
    pub interviewer: String,
    /// `id@version` of the plate shown at the follow-up: what practice ids in `new_ticks` and
    /// `new_ambitions` refer to. Empty = the baseline's version.
    pub plate_version: String,
    /// The next steps agreed with the company (*volgende stappen*).
    pub next_steps: String,
    pub note: String,
    /// What came of each link, keyed by the link's id.
    pub links: BTreeMap<Uuid, LinkOutcome>,
    /// What came of each practice that was ambition at the baseline, keyed by practice id.
    pub practices: BTreeMap<String, AmbitionOutcome>,
    /// Practices the company does now that it did not at the baseline, by practice id (a
    /// realised baseline ambition is `practices` → `done`; ticked here it counts the same).
    pub new_ticks: Vec<String>,
    /// Practices the company now wants to do within 3 years, by practice id.
    pub new_ambitions: Vec<String>,
    /// Concurrent edits waiting for someone to choose (see [`Conflict`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl Default for FollowUp {
    fn default() -> Self {
        FollowUp {
            id: Uuid::nil(),
            programme_id: MKB_DEAL_METAAL.id.to_owned(),
            company_id: Uuid::nil(),
            interview_id: Uuid::nil(),
            planned_on: String::new(),
            mode: ContactMode::Phone,
            status: FollowUpStatus::Planned,
            attempts: Vec::new(),
            held_on: String::new(),
            interviewer: String::new(),
            plate_version: String::new(),
            next_steps: String::new(),
            note: String::new(),
            links: BTreeMap::new(),
            practices: BTreeMap::new(),
            new_ticks: Vec::new(),
            new_ambitions: Vec::new(),
            conflicts: Vec::new(),
            meta: RecordMeta::default(),
        }
    }
}

/// Why a follow-up or an edit of it is refused: a field ([`ValidationError`]), or the order of
/// its dates, which [`ValidationError`] has no code for yet.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FollowUpError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// An attempt to reach the company dated after the conversation was held.
    #[error("an attempt on {attempt} is after the follow-up held on {held_on}")]
    AttemptAfterHeld { attempt: String, held_on: String },
}

impl FollowUp {
    /// A planned follow-up of `interview`: its company and programme, planned
    /// [`FOLLOW_UP_QUARTERS`] quarters after the interview date (empty when the interview has no
    /// readable date), to be held with `plate_version` (the current plate, typically).
    pub fn for_interview(id: Uuid, interview: &Interview, plate_version: &str) -> FollowUp {
        FollowUp {
            id,
            programme_id: interview.programme_id.clone(),
            company_id: interview.company_id,
            interview_id: interview.id,
            planned_on: planned_date(&interview.date, FOLLOW_UP_QUARTERS).unwrap_or_default(),
            plate_version: plate_version.to_owned(),
            ..FollowUp::default()
        }
    }

    /// The id of an interview's first follow-up, the one the due list plans: the same on every
    /// tablet, so two tablets that plan it while offline make one record (merged by field on
    /// the server), not two. The interview's id with every other hex digit flipped: distinct
    /// from it, stable, its version and variant digits kept.
    pub fn first_id(interview_id: Uuid) -> Uuid {
        Uuid::from_u128(interview_id.as_u128() ^ 0x0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f)
    }

    pub fn is_done(&self) -> bool {
        self.status == FollowUpStatus::Done
    }

    /// Records a try to reach the company on `date` by `by`. The status follows the attempt
    /// (reached / not reached) unless the follow-up is already done. Refused, leaving the record
    /// as it was, if `date` is not a date or is after `held_on`, a text is too long, or the
    /// attempts are full.
    pub fn record_attempt(
        &mut self,
        date: &str,
        reached: bool,
        by: &str,
        note: &str,
    ) -> Result<(), FollowUpError> {
        check_required_date(Field::HistoryDate, date)?;
        check_len(Field::Interviewer, by, MAX_SHORT_TEXT)?;
        check_len(Field::HistoryNote, note, MAX_LONG_TEXT)?;
        if self.attempts.len() >= MAX_ATTEMPTS {
            return Err(ValidationError::TooMany {
                field: Field::History,
                max: MAX_ATTEMPTS,
            }
            .into());
        }
        if !self.held_on.is_empty() && date > self.held_on.as_str() {
            return Err(FollowUpError::AttemptAfterHeld {
                attempt: date.to_owned(),
                held_on: self.held_on.clone(),
            });
        }
        self.attempts.push(Attempt {
            date: date.to_owned(),
            reached,
            by: by.to_owned(),
            note: note.to_owned(),
        });
        if !self.is_done() {
            self.status = if reached {
                FollowUpStatus::Reached
            } else {
                FollowUpStatus::NotReached
            };
        }
        Ok(())
    }

    /// Marks the conversation held on `held_on` by `by` (kept when empty): status `done`.
    /// Refused, leaving the record as it was, if `held_on` is not a date or an attempt is later.
    pub fn mark_held(&mut self, held_on: &str, by: &str) -> Result<(), FollowUpError> {
        check_required_date(Field::Date, held_on)?;
        check_len(Field::Interviewer, by, MAX_SHORT_TEXT)?;
        if let Some(late) = self.attempts.iter().find(|a| a.date.as_str() > held_on) {
            return Err(FollowUpError::AttemptAfterHeld {
                attempt: late.date.clone(),
                held_on: held_on.to_owned(),
            });
        }
        self.held_on = held_on.to_owned();
        if !by.is_empty() {
            self.interviewer = by.to_owned();
        }
        self.status = FollowUpStatus::Done;
        Ok(())
    }

    /// Sets what came of a baseline ambition; `None` removes the answer, so the map holds only
    /// answers.
    pub fn set_practice_outcome(&mut self, practice_id: &str, outcome: Option<AmbitionOutcome>) {
        match outcome {
            Some(outcome) => {
                self.practices.insert(practice_id.to_owned(), outcome);
            }
            None => {
                self.practices.remove(practice_id);
            }
        }
    }

    /// The field rules, each error naming its field. The order of the dates is
    /// [`FollowUp::check`]'s.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.id.is_nil() || self.company_id.is_nil() || self.interview_id.is_nil() {
            return Err(ValidationError::NilId);
        }
        check_len(Field::ProgrammeId, &self.programme_id, MAX_SHORT_TEXT)?;
        check_date(&self.planned_on)?;
        check_date(&self.held_on)?;
        if self.is_done() && self.held_on.is_empty() {
            return Err(ValidationError::Empty { field: Field::Date });
        }
        check_len(Field::Interviewer, &self.interviewer, MAX_SHORT_TEXT)?;
        check_len(Field::PlateVersion, &self.plate_version, MAX_SHORT_TEXT)?;
        check_len(Field::NextSteps, &self.next_steps, MAX_LONG_TEXT)?;
        check_len(Field::Note, &self.note, MAX_LONG_TEXT)?;

        check_count(Field::History, self.attempts.len(), MAX_ATTEMPTS)?;
        for attempt in &self.attempts {
            check_required_date(Field::HistoryDate, &attempt.date)?;
            check_len(Field::Interviewer, &attempt.by, MAX_SHORT_TEXT)?;
            check_len(Field::HistoryNote, &attempt.note, MAX_LONG_TEXT)?;
        }

        // `Field` has no name for the link outcomes yet (see the registration notes in the
        // crate's report); `Other` reads "a field".
        check_count(Field::Other, self.links.len(), MAX_LINK_OUTCOMES)?;
        for (link_id, outcome) in &self.links {
            if link_id.is_nil() {
                return Err(ValidationError::NilId);
            }
            if outcome.happened.is_some() {
                check_required_date(Field::Date, &outcome.date)?;
            } else {
                check_date(&outcome.date)?;
            }
            check_len(Field::Interviewer, &outcome.by, MAX_SHORT_TEXT)?;
            check_len(Field::Reason, &outcome.missing, MAX_LONG_TEXT)?;
            check_len(Field::Note, &outcome.note, MAX_LONG_TEXT)?;
        }

        check_count(Field::Practices, self.practices.len(), MAX_PRACTICE_ENTRIES)?;
        for practice in self.practices.keys() {
            check_practice_id(practice)?;
        }
        for list in [&self.new_ticks, &self.new_ambitions] {
            check_count(Field::Practices, list.len(), MAX_PRACTICE_ENTRIES)?;
            for practice in list {
                check_practice_id(practice)?;
            }
        }
        Ok(())
    }

    /// [`FollowUp::validate`], then the order of the dates: no attempt after `held_on`. What the
    /// app checks before it saves; the server can refuse the order once [`ValidationError`] has a
    /// code for it (until then it takes [`FollowUp::validate`] alone).
    pub fn check(&self) -> Result<(), FollowUpError> {
        self.validate()?;
        if self.held_on.is_empty() {
            return Ok(());
        }
        // Both are checked `YYYY-MM-DD` dates, so the text order is the date order.
        match self.attempts.iter().find(|a| a.date > self.held_on) {
            Some(late) => Err(FollowUpError::AttemptAfterHeld {
                attempt: late.date.clone(),
                held_on: self.held_on.clone(),
            }),
            None => Ok(()),
        }
    }
}

impl RecordRules for FollowUp {
    fn validate(&self) -> Result<(), ValidationError> {
        FollowUp::validate(self)
    }
    fn company_id(&self) -> Option<Uuid> {
        Some(self.company_id)
    }
    fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }
}

fn check_len(field: Field, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        Err(ValidationError::TooLong { field, max })
    } else {
        Ok(())
    }
}

fn check_count(field: Field, count: usize, max: usize) -> Result<(), ValidationError> {
    if count > max {
        Err(ValidationError::TooMany { field, max })
    } else {
        Ok(())
    }
}

/// An optional date: empty, or a real `YYYY-MM-DD` day (stricter than the interview's check:
/// 2025-02-30 is refused, since the schedule computes with these dates).
fn check_date(date: &str) -> Result<(), ValidationError> {
    if date.is_empty() || Date::parse(date).is_some() {
        Ok(())
    } else {
        Err(ValidationError::BadDate(date.to_owned()))
    }
}

fn check_required_date(field: Field, date: &str) -> Result<(), ValidationError> {
    if date.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    check_date(date)
}

fn check_practice_id(id: &str) -> Result<(), ValidationError> {
    if id.trim().is_empty() {
        return Err(ValidationError::Empty {
            field: Field::PracticeId,
        });
    }
    check_len(Field::PracticeId, id, MAX_SHORT_TEXT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InterviewStatus;

    fn interview() -> Interview {
        Interview {
            id: Uuid::from_u128(2),
            company_id: Uuid::from_u128(1),
            date: "2025-03-14".into(),
            interviewer: "Jan".into(),
            plate_version: "praatplaat-metaal@1".into(),
            status: InterviewStatus::Completed,
            ..Interview::default()
        }
    }

    fn follow_up() -> FollowUp {
        FollowUp::for_interview(Uuid::from_u128(20), &interview(), "praatplaat-metaal@1")
    }

    #[test]
    fn a_new_follow_up_is_planned_two_quarters_on() {
        let f = follow_up();
        assert_eq!(f.company_id, Uuid::from_u128(1));
        assert_eq!(f.interview_id, Uuid::from_u128(2));
        assert_eq!(f.programme_id, MKB_DEAL_METAAL.id);
        assert_eq!(f.planned_on, "2025-09-14");
        assert_eq!(f.status, FollowUpStatus::Planned);
        assert_eq!(f.mode, ContactMode::Phone);
        assert_eq!(f.validate(), Ok(()));
        // An interview without a date gives an unplanned follow-up, still valid.
        let undated = Interview {
            date: String::new(),
            ..interview()
        };
        let f = FollowUp::for_interview(Uuid::from_u128(21), &undated, "");
        assert_eq!(f.planned_on, "");
        assert_eq!(f.check(), Ok(()));
    }

    #[test]
    fn attempts_move_the_status_until_done() {
        let mut f = follow_up();
        f.record_attempt("2025-09-15", false, "Jan", "voicemail")
            .unwrap();
        assert_eq!(f.status, FollowUpStatus::NotReached);
        f.record_attempt("2025-09-17", true, "Jan", "bezoek 1 okt")
            .unwrap();
        assert_eq!(f.status, FollowUpStatus::Reached);
        f.mode = ContactMode::Visit;
        f.mark_held("2025-10-01", "Piet").unwrap();
        assert_eq!(f.status, FollowUpStatus::Done);
        assert_eq!(
            (f.held_on.as_str(), f.interviewer.as_str()),
            ("2025-10-01", "Piet")
        );
        assert_eq!(f.attempts.len(), 2);
        assert_eq!(f.check(), Ok(()));
        // An attempt on the day it was held is fine and leaves it done; a later one is refused.
        f.record_attempt("2025-10-01", true, "Piet", "").unwrap();
        assert_eq!(f.status, FollowUpStatus::Done);
        let before = f.clone();
        assert_eq!(
            f.record_attempt("2025-10-02", false, "Piet", ""),
            Err(FollowUpError::AttemptAfterHeld {
                attempt: "2025-10-02".into(),
                held_on: "2025-10-01".into()
            })
        );
        assert_eq!(f, before);
    }

    #[test]
    fn held_on_may_not_precede_an_attempt() {
        let mut f = follow_up();
        f.record_attempt("2025-09-20", false, "Jan", "").unwrap();
        let before = f.clone();
        assert_eq!(
            f.mark_held("2025-09-19", "Jan"),
            Err(FollowUpError::AttemptAfterHeld {
                attempt: "2025-09-20".into(),
                held_on: "2025-09-19".into()
            })
        );
        assert_eq!(
            f.mark_held("19-09-2025", "Jan"),
            Err(FollowUpError::Invalid(ValidationError::BadDate(
                "19-09-2025".into()
            )))
        );
        assert_eq!(f, before);
        // The same rule on a whole record, as a merge of two tablets can produce it.
        f.held_on = "2025-09-19".into();
        f.status = FollowUpStatus::Done;
        assert_eq!(f.validate(), Ok(()));
        assert!(matches!(
            f.check(),
            Err(FollowUpError::AttemptAfterHeld { .. })
        ));
    }

    #[test]
    fn validation_names_the_field() {
        let mut f = follow_up();
        f.status = FollowUpStatus::Done;
        assert_eq!(
            f.validate(),
            Err(ValidationError::Empty { field: Field::Date })
        );
        let mut f = follow_up();
        f.planned_on = "2025-02-30".into();
        assert_eq!(
            f.validate(),
            Err(ValidationError::BadDate("2025-02-30".into()))
        );
        let mut f = follow_up();
        f.interview_id = Uuid::nil();
        assert_eq!(f.validate(), Err(ValidationError::NilId));
        let mut f = follow_up();
        f.links.insert(Uuid::nil(), LinkOutcome::default());
        assert_eq!(f.validate(), Err(ValidationError::NilId));
        let mut f = follow_up();
        f.links.insert(
            Uuid::from_u128(10),
            LinkOutcome {
                happened: Some(LinkResult::Helped),
                ..LinkOutcome::default()
            },
        );
        assert_eq!(
            f.validate(),
            Err(ValidationError::Empty { field: Field::Date })
        );
        let mut f = follow_up();
        f.attempts.push(Attempt::default());
        assert_eq!(
            f.validate(),
            Err(ValidationError::Empty {
                field: Field::HistoryDate
            })
        );
        let mut f = follow_up();
        f.new_ticks = vec![" ".into()];
        assert_eq!(
            f.validate(),
            Err(ValidationError::Empty {
                field: Field::PracticeId
            })
        );
        let mut f = follow_up();
        f.new_ambitions = vec!["GR-01".into(); MAX_PRACTICE_ENTRIES + 1];
        assert_eq!(
            f.validate(),
            Err(ValidationError::TooMany {
                field: Field::Practices,
                max: MAX_PRACTICE_ENTRIES
            })
        );
        let mut f = follow_up();
        f.next_steps = "x".repeat(MAX_LONG_TEXT + 1);
        assert!(matches!(
            f.validate(),
            Err(ValidationError::TooLong {
                field: Field::NextSteps,
                ..
            })
        ));
        let mut f = follow_up();
        f.attempts = vec![
            Attempt {
                date: "2025-09-15".into(),
                ..Attempt::default()
            };
            MAX_ATTEMPTS + 1
        ];
        assert!(matches!(
            f.validate(),
            Err(ValidationError::TooMany {
                field: Field::History,
                ..
            })
        ));
        assert!(matches!(
            follow_up().record_attempt("", false, "", ""),
            Err(FollowUpError::Invalid(ValidationError::Empty {
                field: Field::HistoryDate
            }))
        ));
    }

    #[test]
    fn wire_format_uses_codes_and_leaves_empty_outcome_fields_out() {
        let mut f = follow_up();
        f.mode = ContactMode::AtSession;
        f.status = FollowUpStatus::NotReached;
        f.links.insert(
            Uuid::from_u128(10),
            LinkOutcome {
                fit: Some(Fit::Partly),
                missing: "geen subsidie-advies".into(),
                ..LinkOutcome::default()
            },
        );
        f.set_practice_outcome("GR-01", Some(AmbitionOutcome::NotYet));
        f.set_practice_outcome("GR-02", Some(AmbitionOutcome::Done));
        f.set_practice_outcome("GR-02", None);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["mode"], "at_session");
        assert_eq!(json["status"], "not_reached");
        assert_eq!(json["practices"], serde_json::json!({"GR-01": "not_yet"}));
        assert_eq!(
            json["links"]["00000000-0000-0000-0000-00000000000a"],
            serde_json::json!({"fit": "partly", "missing": "geen subsidie-advies"})
        );
        assert_eq!(json["rev"], 0);
        assert!(json.get("conflicts").is_none());
        let back: FollowUp = serde_json::from_value(json).unwrap();
        assert_eq!(back, f);
        for s in FollowUpStatus::ALL {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.code())
            );
        }
        for m in ContactMode::ALL {
            assert_eq!(
                serde_json::to_value(m).unwrap(),
                serde_json::json!(m.code())
            );
        }
        // An old or partial record loads with defaults; an unknown status does not parse, as for
        // the other kinds.
        let f: FollowUp =
            serde_json::from_str(r#"{"id":"00000000-0000-0000-0000-000000000014"}"#).unwrap();
        assert_eq!(f.status, FollowUpStatus::Planned);
        assert_eq!(f.programme_id, MKB_DEAL_METAAL.id);
        assert!(serde_json::from_str::<FollowUp>(r#"{"status":"lost"}"#).is_err());
    }

    #[test]
    fn a_link_outcome_moves_the_link_through_its_life() {
        let link = || {
            Link::new(
                Uuid::from_u128(10),
                Uuid::from_u128(1),
                Some(Uuid::from_u128(2)),
                Uuid::from_u128(3),
                "",
                "2025-03-14",
            )
        };
        let outcome = |happened| LinkOutcome {
            happened: Some(happened),
            date: "2025-09-20".into(),
            note: "eerste stap gezet".into(),
            ..LinkOutcome::default()
        };
        let mut l = link();
        assert_eq!(outcome(LinkResult::Helped).apply_to(&mut l), Ok(true));
        let trail: Vec<(LinkStatus, &str, &str)> = l
            .history
            .iter()
            .map(|e| (e.status, e.date.as_str(), e.note.as_str()))
            .collect();
        use crate::initiative::LinkStatus::*;
        assert_eq!(
            trail,
            [
                (Proposed, "2025-03-14", ""),
                (Introduced, "2025-09-20", ""),
                (Started, "2025-09-20", ""),
                (Helped, "2025-09-20", "eerste stap gezet"),
            ]
        );
        // Again: nothing changes.
        assert_eq!(outcome(LinkResult::Helped).apply_to(&mut l), Ok(false));
        // Another final result on a final link (a result corrected, or what the company says
        // now) goes one step back first, as the link's own correction does; the history keeps
        // both.
        assert_eq!(outcome(LinkResult::DidNotHappen).apply_to(&mut l), Ok(true));
        assert_eq!(l.status, DidNotHappen);
        let tail: Vec<LinkStatus> = l.history.iter().skip(4).map(|e| e.status).collect();
        assert_eq!(tail, [Started, DidNotHappen]);
        assert_eq!(outcome(LinkResult::Helped).apply_to(&mut l), Ok(true));
        assert_eq!(l.status, Helped);
        assert_eq!(outcome(LinkResult::DidNotHelp).apply_to(&mut l), Ok(true));
        assert_eq!(l.status, DidNotHelp);
        assert!(l.validate().is_ok());

        let mut l = link();
        l.set_status(Introduced, "2025-03-20", "").unwrap();
        l.set_status(Started, "2025-04-01", "").unwrap();
        assert_eq!(outcome(LinkResult::DidNotHelp).apply_to(&mut l), Ok(true));
        assert_eq!(l.history.len(), 4);
        assert_eq!(l.status, DidNotHelp);
        let mut l = link();
        assert_eq!(outcome(LinkResult::DidNotHappen).apply_to(&mut l), Ok(true));
        assert_eq!(l.status, DidNotHappen);
        assert_eq!(l.history.len(), 2);
        // Not asked yet: nothing to apply.
        let mut l = link();
        assert_eq!(LinkOutcome::default().apply_to(&mut l), Ok(false));
        // A bad date is refused before anything moves.
        let mut l = link();
        let bad = LinkOutcome {
            date: String::new(),
            ..outcome(LinkResult::Helped)
        };
        assert!(bad.apply_to(&mut l).is_err());
        assert_eq!(l, link());
    }

    #[test]
    fn an_interviews_first_follow_up_has_the_same_id_on_every_tablet() {
        let interview = Uuid::parse_str("7d3f2c1e-9a4b-4c2d-8e1f-0a9b8c7d6e5f").unwrap();
        let first = FollowUp::first_id(interview);
        assert_eq!(first, FollowUp::first_id(interview));
        assert_ne!(first, interview);
        assert_eq!(first.get_version_num(), 4);
        assert_eq!(first.get_variant(), interview.get_variant());
        assert_eq!(FollowUp::first_id(first), interview);
    }
}
