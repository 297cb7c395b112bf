//! A link (*koppeling*) of one company to one initiative, and its life.
//!
//! A link is proposed at the table or by the coordinator, then introduced, started and, at the
//! follow-up "after some months", found to help or not. The programme counts a company as linked
//! from *introduced* on ([`LinkStatus::counts_as_linked`]).
//!
//! # Transitions
//!
//! ```text
//! Proposed ──► Introduced ──► Started ──► Helped
//!    │             │             ├──────► DidNotHelp
//!    └─────────────┴─────────────┴──────► DidNotHappen
//! ```
//!
//! - Setting the status a link already has is a no-op (no event), so a double tap is harmless.
//! - **One step back is allowed, to correct a mistake**: Introduced → Proposed, Started →
//!   Introduced, Helped or DidNotHelp → Started, DidNotHappen → the status it was set from. The
//!   interviewer works offline with no coordinator at hand to fix a wrong tap; the correction is
//!   appended to the history like any change (nothing is erased), so the trail shows it. Longer
//!   jumps back are refused: they would rewrite what the counts were based on.
//! - Everything else is refused with [`LinkError::Transition`].

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use super::checks::{check_date, check_len, check_required_date, parse_date};
use crate::model::{
    Field, RecordMeta, ValidationError, MAX_LONG_TEXT, MAX_SHORT_TEXT, MKB_DEAL_METAAL,
};

/// Months after the introduction to call the company back: the plan's schedule puts the
/// follow-up two quarters after the interview.
pub const FOLLOW_UP_MONTHS: u32 = 6;
/// Most events one link's history may hold; real links have a handful.
pub const MAX_HISTORY: usize = 200;

/// Where a link stands. Stored as snake_case (`"did_not_help"`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Suggested and agreed with the company, not yet passed on.
    #[default]
    Proposed,
    /// The company and the initiative (or coach) have been put in touch.
    Introduced,
    /// They work together.
    Started,
    /// At follow-up: it helped.
    Helped,
    /// At follow-up: it did not help (the plan: partners then adapt their support).
    DidNotHelp,
    /// It never came about.
    DidNotHappen,
}

impl LinkStatus {
    pub const ALL: [LinkStatus; 6] = [
        LinkStatus::Proposed,
        LinkStatus::Introduced,
        LinkStatus::Started,
        LinkStatus::Helped,
        LinkStatus::DidNotHelp,
        LinkStatus::DidNotHappen,
    ];

    /// The code on the wire (`"did_not_help"`).
    pub fn code(self) -> &'static str {
        match self {
            LinkStatus::Proposed => "proposed",
            LinkStatus::Introduced => "introduced",
            LinkStatus::Started => "started",
            LinkStatus::Helped => "helped",
            LinkStatus::DidNotHelp => "did_not_help",
            LinkStatus::DidNotHappen => "did_not_happen",
        }
    }

    /// Counts towards the programme's "linked" targets: from *introduced* on. A link that did not
    /// happen does not count, even if it had been introduced; one that did not help does (the
    /// company was linked; whether it helped is reported apart).
    pub fn counts_as_linked(self) -> bool {
        matches!(
            self,
            LinkStatus::Introduced
                | LinkStatus::Started
                | LinkStatus::Helped
                | LinkStatus::DidNotHelp
        )
    }

    /// The outcome is known; no follow-up is due any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            LinkStatus::Helped | LinkStatus::DidNotHelp | LinkStatus::DidNotHappen
        )
    }

    /// The statuses that move the link forward from this one.
    pub fn forward(self) -> &'static [LinkStatus] {
        use LinkStatus::*;
        match self {
            Proposed => &[Introduced, DidNotHappen],
            Introduced => &[Started, DidNotHappen],
            Started => &[Helped, DidNotHelp, DidNotHappen],
            Helped | DidNotHelp | DidNotHappen => &[],
        }
    }
}

impl fmt::Display for LinkStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One change of status, kept for the trail and the follow-up conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LinkEvent {
    pub status: LinkStatus,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub note: String,
}

/// A company linked to an initiative (a synced record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Link {
    pub id: Uuid,
    pub programme_id: String,
    pub company_id: Uuid,
    /// The interview the link came from; `None` when the coordinator made it later.
    pub interview_id: Option<Uuid>,
    pub initiative_id: Uuid,
    /// The coach (for a Versnellingsteam link the UI asks for one); empty = none yet.
    pub coach: String,
    /// Why it fits, e.g. the suggestion's reason text.
    pub reason: String,
    /// The current status; equals the last event's status when changed through
    /// [`Link::set_status`].
    pub status: LinkStatus,
    /// Oldest first.
    pub history: Vec<LinkEvent>,
    /// The next steps agreed with the company (*volgende stappen*).
    pub next_steps: String,
    /// When to call back (`YYYY-MM-DD`); empty = not planned.
    pub follow_up_date: String,
    /// Concurrent edits waiting for someone to choose (see [`crate::model::Conflict`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<crate::model::Conflict>,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl crate::model::RecordRules for Link {
    fn validate(&self) -> Result<(), ValidationError> {
        Link::validate(self)
    }
    fn company_id(&self) -> Option<Uuid> {
        Some(self.company_id)
    }
    fn conflicts(&self) -> &[crate::model::Conflict] {
        &self.conflicts
    }
}

impl Default for Link {
    fn default() -> Self {
        Link {
            id: Uuid::nil(),
            programme_id: MKB_DEAL_METAAL.id.to_owned(),
            company_id: Uuid::nil(),
            interview_id: None,
            initiative_id: Uuid::nil(),
            coach: String::new(),
            reason: String::new(),
            status: LinkStatus::Proposed,
            history: Vec::new(),
            next_steps: String::new(),
            follow_up_date: String::new(),
            conflicts: Vec::new(),
            meta: RecordMeta::default(),
        }
    }
}

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("a link cannot go from {from} to {to}")]
    Transition { from: LinkStatus, to: LinkStatus },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl Link {
    /// A new proposed link with its first event dated `date` (`YYYY-MM-DD`, checked by
    /// [`Link::validate`] before it is saved).
    pub fn new(
        id: Uuid,
        company_id: Uuid,
        interview_id: Option<Uuid>,
        initiative_id: Uuid,
        reason: &str,
        date: &str,
    ) -> Link {
        Link {
            id,
            company_id,
            interview_id,
            initiative_id,
            reason: reason.to_owned(),
            status: LinkStatus::Proposed,
            history: vec![LinkEvent {
                status: LinkStatus::Proposed,
                date: date.to_owned(),
                note: String::new(),
            }],
            ..Link::default()
        }
    }

    /// The status a correction may return to: one step back (see the module docs).
    pub fn step_back(&self) -> Option<LinkStatus> {
        use LinkStatus::*;
        match self.status {
            Proposed => None,
            Introduced => Some(Proposed),
            Started => Some(Introduced),
            Helped | DidNotHelp => Some(Started),
            // Reachable from three statuses; the history says which one it was.
            DidNotHappen => Some(
                self.history
                    .iter()
                    .rev()
                    .map(|e| e.status)
                    .find(|&s| s != DidNotHappen)
                    .unwrap_or(Proposed),
            ),
        }
    }

    /// Every status [`Link::set_status`] accepts now, besides the current one: forward first,
    /// then the correction. For the UI's choices.
    pub fn allowed_next(&self) -> Vec<LinkStatus> {
        let mut next = self.status.forward().to_vec();
        next.extend(self.step_back());
        next
    }

    /// Moves the link to `status` on `date` (`YYYY-MM-DD`) and records an event with `note`.
    ///
    /// Returns whether anything changed: setting the current status again is a no-op (`false`).
    /// A transition outside [`Link::allowed_next`] is refused and leaves the link as it was.
    pub fn set_status(
        &mut self,
        status: LinkStatus,
        date: &str,
        note: &str,
    ) -> Result<bool, LinkError> {
        // Before any check, so a double tap never shows an error.
        if status == self.status {
            return Ok(false);
        }
        check_required_date(Field::Date, date)?;
        check_len(Field::Note, note, MAX_LONG_TEXT)?;
        if !self.allowed_next().contains(&status) {
            return Err(LinkError::Transition {
                from: self.status,
                to: status,
            });
        }
        if self.history.len() >= MAX_HISTORY {
            return Err(ValidationError::TooMany {
                field: Field::History,
                max: MAX_HISTORY,
            }
            .into());
        }
        self.history.push(LinkEvent {
            status,
            date: date.to_owned(),
            note: note.to_owned(),
        });
        self.status = status;
        Ok(true)
    }

    /// A follow-up call is due on `today` (`YYYY-MM-DD`): a date is planned, it has come, and
    /// the outcome is not known yet.
    pub fn needs_follow_up(&self, today: &str) -> bool {
        // Both are YYYY-MM-DD, so the text order is the date order.
        !self.meta.deleted
            && !self.status.is_final()
            && !self.follow_up_date.is_empty()
            && self.follow_up_date.as_str() <= today
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.id.is_nil()
            || self.company_id.is_nil()
            || self.initiative_id.is_nil()
            || self.interview_id.is_some_and(|id| id.is_nil())
        {
            return Err(ValidationError::NilId);
        }
        check_len(Field::ProgrammeId, &self.programme_id, MAX_SHORT_TEXT)?;
        check_len(Field::Coach, &self.coach, MAX_SHORT_TEXT)?;
        check_len(Field::Reason, &self.reason, MAX_LONG_TEXT)?;
        check_len(Field::NextSteps, &self.next_steps, MAX_LONG_TEXT)?;
        check_date(&self.follow_up_date)?;
        if self.history.len() > MAX_HISTORY {
            return Err(ValidationError::TooMany {
                field: Field::History,
                max: MAX_HISTORY,
            });
        }
        for event in &self.history {
            check_required_date(Field::HistoryDate, &event.date)?;
            check_len(Field::HistoryNote, &event.note, MAX_LONG_TEXT)?;
        }
        Ok(())
    }
}

/// The date `months` after `date` (`YYYY-MM-DD`), the day clamped to the month's length
/// (31 August + 6 months = 28 or 29 February). `None` if `date` is not a date.
pub fn follow_up_after(date: &str, months: u32) -> Option<String> {
    let (y, m, d) = parse_date(date)?;
    let index = y * 12 + (m - 1) + months;
    let (y, m) = (index / 12, index % 12 + 1);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let last = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    Some(format!("{y:04}-{m:02}-{:02}", d.min(last)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use LinkStatus::*;

    fn link() -> Link {
        Link::new(
            Uuid::from_u128(10),
            Uuid::from_u128(1),
            Some(Uuid::from_u128(2)),
            Uuid::from_u128(0x4000_8000_0000_0000_0001),
            "Past bij uw ambitie op Gebouw",
            "2025-03-01",
        )
    }

    #[test]
    fn new_link_is_proposed_with_one_event() {
        let l = link();
        assert_eq!(l.status, Proposed);
        assert_eq!(
            l.history,
            [LinkEvent {
                status: Proposed,
                date: "2025-03-01".into(),
                note: String::new()
            }]
        );
        assert_eq!(l.validate(), Ok(()));
        assert_eq!(l.programme_id, MKB_DEAL_METAAL.id);
    }

    #[test]
    fn the_happy_path_records_every_step() {
        let mut l = link();
        assert_eq!(
            l.set_status(Introduced, "2025-03-10", "Mail aan coach"),
            Ok(true)
        );
        assert_eq!(l.set_status(Started, "2025-04-01", ""), Ok(true));
        assert_eq!(
            l.set_status(Helped, "2025-09-15", "Eerste stap gezet"),
            Ok(true)
        );
        let trail: Vec<LinkStatus> = l.history.iter().map(|e| e.status).collect();
        assert_eq!(trail, [Proposed, Introduced, Started, Helped]);
        assert_eq!(l.history[3].note, "Eerste stap gezet");
        assert_eq!(l.validate(), Ok(()));
    }

    #[test]
    fn setting_the_same_status_is_a_no_op() {
        let mut l = link();
        assert_eq!(l.set_status(Proposed, "2025-03-02", "again"), Ok(false));
        assert_eq!(l.history.len(), 1);
    }

    #[test]
    fn jumps_are_refused_and_leave_the_link_alone() {
        let mut l = link();
        let before = l.clone();
        for to in [Started, Helped, DidNotHelp] {
            assert_eq!(
                l.set_status(to, "2025-03-02", ""),
                Err(LinkError::Transition { from: Proposed, to })
            );
        }
        assert_eq!(l, before);
        l.set_status(Introduced, "2025-03-02", "").unwrap();
        assert_eq!(
            l.set_status(Helped, "2025-03-03", ""),
            Err(LinkError::Transition {
                from: Introduced,
                to: Helped
            })
        );
        let message = LinkError::Transition {
            from: Introduced,
            to: Helped,
        }
        .to_string();
        assert_eq!(message, "a link cannot go from introduced to helped");
    }

    #[test]
    fn bad_dates_are_refused() {
        let mut l = link();
        assert_eq!(
            l.set_status(Introduced, "10-03-2025", ""),
            Err(LinkError::Invalid(ValidationError::BadDate(
                "10-03-2025".into()
            )))
        );
        assert_eq!(
            l.set_status(Introduced, "", ""),
            Err(LinkError::Invalid(ValidationError::Empty {
                field: Field::Date
            }))
        );
        assert_eq!(l.status, Proposed);
    }

    #[test]
    fn one_step_back_corrects_a_mistake() {
        let mut l = link();
        l.set_status(Introduced, "2025-03-10", "").unwrap();
        l.set_status(Started, "2025-03-10", "").unwrap();
        assert_eq!(
            l.allowed_next(),
            [Helped, DidNotHelp, DidNotHappen, Introduced]
        );
        assert_eq!(
            l.set_status(Introduced, "2025-03-10", "Verkeerd getikt"),
            Ok(true)
        );
        // Only one step: not straight back to Proposed from Started.
        let mut m = link();
        m.set_status(Introduced, "2025-03-10", "").unwrap();
        m.set_status(Started, "2025-03-11", "").unwrap();
        assert!(m.set_status(Proposed, "2025-03-12", "").is_err());
        // The correction stays in the trail.
        assert_eq!(l.history.len(), 4);
        assert_eq!(l.history[3].note, "Verkeerd getikt");
    }

    #[test]
    fn did_not_happen_goes_back_where_it_came_from() {
        let mut l = link();
        l.set_status(Introduced, "2025-03-10", "").unwrap();
        l.set_status(DidNotHappen, "2025-05-01", "").unwrap();
        assert_eq!(l.step_back(), Some(Introduced));
        assert!(l.set_status(Proposed, "2025-05-02", "").is_err());
        assert_eq!(l.set_status(Introduced, "2025-05-02", "Toch wel"), Ok(true));

        let mut p = link();
        p.set_status(DidNotHappen, "2025-03-02", "").unwrap();
        assert_eq!(p.step_back(), Some(Proposed));
        assert_eq!(Link::default().step_back(), None);
    }

    #[test]
    fn counts_as_linked_from_introduced_on() {
        let linked: Vec<LinkStatus> = LinkStatus::ALL
            .into_iter()
            .filter(|s| s.counts_as_linked())
            .collect();
        assert_eq!(linked, [Introduced, Started, Helped, DidNotHelp]);
        let finals: Vec<LinkStatus> = LinkStatus::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(finals, [Helped, DidNotHelp, DidNotHappen]);
    }

    #[test]
    fn follow_up_is_due_once_the_date_has_come() {
        let mut l = link();
        assert!(!l.needs_follow_up("2030-01-01"), "no date planned");
        l.follow_up_date = "2025-09-01".into();
        assert!(!l.needs_follow_up("2025-08-31"));
        assert!(l.needs_follow_up("2025-09-01"));
        assert!(l.needs_follow_up("2025-10-15"));
        l.set_status(DidNotHappen, "2025-09-02", "").unwrap();
        assert!(!l.needs_follow_up("2025-10-15"), "outcome known");
        let mut d = link();
        d.follow_up_date = "2025-09-01".into();
        d.meta.deleted = true;
        assert!(!d.needs_follow_up("2025-10-15"));
    }

    #[test]
    fn follow_up_date_is_months_later() {
        assert_eq!(
            follow_up_after("2025-03-15", FOLLOW_UP_MONTHS).as_deref(),
            Some("2025-09-15")
        );
        assert_eq!(
            follow_up_after("2025-08-31", 6).as_deref(),
            Some("2026-02-28")
        );
        assert_eq!(
            follow_up_after("2027-08-31", 6).as_deref(),
            Some("2028-02-29")
        );
        assert_eq!(
            follow_up_after("2025-11-30", 3).as_deref(),
            Some("2026-02-28")
        );
        assert_eq!(
            follow_up_after("2025-01-31", 0).as_deref(),
            Some("2025-01-31")
        );
        assert_eq!(follow_up_after("morgen", 6), None);
    }

    #[test]
    fn validation_names_the_problem() {
        let mut l = link();
        l.follow_up_date = "2025-13-01".into();
        assert_eq!(
            l.validate(),
            Err(ValidationError::BadDate("2025-13-01".into()))
        );
        let mut l = link();
        l.interview_id = Some(Uuid::nil());
        assert_eq!(l.validate(), Err(ValidationError::NilId));
        let mut l = link();
        l.initiative_id = Uuid::nil();
        assert_eq!(l.validate(), Err(ValidationError::NilId));
        let mut l = link();
        l.history[0].date.clear();
        assert_eq!(
            l.validate(),
            Err(ValidationError::Empty {
                field: Field::HistoryDate
            })
        );
        let mut l = link();
        l.coach = "x".repeat(MAX_SHORT_TEXT + 1);
        assert!(matches!(
            l.validate(),
            Err(ValidationError::TooLong {
                field: Field::Coach,
                ..
            })
        ));
    }

    #[test]
    fn status_wire_names_are_snake_case() {
        for s in LinkStatus::ALL {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.code())
            );
        }
        let l: Link =
            serde_json::from_str(r#"{"id":"00000000-0000-0000-0000-00000000000a"}"#).unwrap();
        assert_eq!(l.status, Proposed);
        assert_eq!(l.interview_id, None);
    }
}
