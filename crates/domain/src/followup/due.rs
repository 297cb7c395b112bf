//! Who is due for a follow-up, and how soon.
//!
//! # Buckets
//!
//! [`due_bucket`] sorts a planned date against today, the first rule that holds:
//!
//! 1. **Overdue**: before today. A date earlier in this week is overdue, not "this week": the
//!    call should have been made.
//! 2. **This week**: today up to and including Sunday of today's ISO week (weeks start on
//!    Monday, ISO 8601). A week that runs into the next month stays one week: on Wednesday 29
//!    January, Saturday 1 February is this week.
//! 3. **This month**: later in today's calendar month, after this week.
//! 4. **Later**: everything after that (on 29 January, Wednesday 5 February is later).
//!
//! # The list
//!
//! [`due_list`] gives, per company, what is due: every follow-up not done (planned, reached, not
//! reached) at its `planned_on`, and every completed interview that no follow-up follows up yet
//! at its [`planned_date`] (a follow-up is to be created). A completed interview with a done
//! follow-up is not due; the done follow-up does not hide a later one (the final-phase check).
//! Deleted records count as absent. A date that cannot be read (a follow-up without a planned
//! date, an interview without a date) is **overdue**: there is nothing to wait for, and the list
//! must not hide it. Only the companies passed in are listed, so the app filters (municipality,
//! interviewer, its own companies) by what it passes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use uuid::Uuid;

use super::date::{planned_date, Date, FOLLOW_UP_QUARTERS};
use super::{FollowUp, FollowUpStatus};
use crate::model::{Company, Interview, InterviewStatus};

/// How soon a follow-up is due; ordered from the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueBucket {
    Overdue,
    ThisWeek,
    ThisMonth,
    Later,
}

impl DueBucket {
    pub const ALL: [DueBucket; 4] = [
        DueBucket::Overdue,
        DueBucket::ThisWeek,
        DueBucket::ThisMonth,
        DueBucket::Later,
    ];

    /// The bucket of `planned` on `today` (rules in the module docs).
    pub fn of(planned: Date, today: Date) -> DueBucket {
        let (p, t) = (planned.day_number(), today.day_number());
        if p < t {
            DueBucket::Overdue
        } else if p <= today.week_start() + 6 {
            DueBucket::ThisWeek
        } else if (planned.year(), planned.month()) == (today.year(), today.month()) {
            DueBucket::ThisMonth
        } else {
            DueBucket::Later
        }
    }
}

/// The bucket of `planned` on `today`, both `YYYY-MM-DD`; `None` if either is not a real day.
pub fn due_bucket(planned: &str, today: &str) -> Option<DueBucket> {
    Some(DueBucket::of(Date::parse(planned)?, Date::parse(today)?))
}

/// One thing due for a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// The baseline interview.
    pub interview_id: Uuid,
    /// The follow-up record; `None` when none exists yet for a completed interview (the app
    /// creates it with [`FollowUp::for_interview`]).
    pub follow_up_id: Option<Uuid>,
    /// The follow-up's status (`planned` when there is no follow-up yet).
    pub status: FollowUpStatus,
    /// `YYYY-MM-DD`; empty when there is no readable date.
    pub planned_on: String,
    pub bucket: DueBucket,
}

/// A company that is due, with everything due for it, most urgent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueCompany {
    pub company_id: Uuid,
    /// The first item's bucket.
    pub bucket: DueBucket,
    /// Never empty; sorted by bucket, then date.
    pub items: Vec<DueItem>,
}

impl DueCompany {
    /// The most urgent item.
    pub fn first(&self) -> &DueItem {
        &self.items[0]
    }
}

/// Which of `companies` are due on `today`, most urgent first (by bucket, then date, then
/// company id, so the order is stable). Rules in the module docs.
pub fn due_list<'a>(
    companies: impl IntoIterator<Item = &'a Company>,
    interviews: impl IntoIterator<Item = &'a Interview>,
    follow_ups: impl IntoIterator<Item = &'a FollowUp>,
    today: Date,
) -> Vec<DueCompany> {
    let companies: BTreeSet<Uuid> = companies
        .into_iter()
        .filter(|c| !c.meta.deleted)
        .map(|c| c.id)
        .collect();
    let follow_ups: Vec<&FollowUp> = follow_ups
        .into_iter()
        .filter(|f| !f.meta.deleted && companies.contains(&f.company_id))
        .collect();
    let followed: BTreeSet<Uuid> = follow_ups.iter().map(|f| f.interview_id).collect();

    let item = |interview_id, follow_up_id, status, planned_on: Option<String>| {
        let date = planned_on.as_deref().and_then(Date::parse);
        DueItem {
            interview_id,
            follow_up_id,
            status,
            planned_on: date.map(|d| d.to_string()).unwrap_or_default(),
            bucket: date.map_or(DueBucket::Overdue, |d| DueBucket::of(d, today)),
        }
    };

    let mut due: BTreeMap<Uuid, Vec<DueItem>> = BTreeMap::new();
    for f in follow_ups.iter().filter(|f| !f.is_done()) {
        due.entry(f.company_id).or_default().push(item(
            f.interview_id,
            Some(f.id),
            f.status,
            Some(f.planned_on.clone()),
        ));
    }
    for interview in interviews.into_iter().filter(|i| {
        !i.meta.deleted
            && i.status == InterviewStatus::Completed
            && companies.contains(&i.company_id)
            && !followed.contains(&i.id)
    }) {
        due.entry(interview.company_id).or_default().push(item(
            interview.id,
            None,
            FollowUpStatus::Planned,
            planned_date(&interview.date, FOLLOW_UP_QUARTERS),
        ));
    }

    let mut list: Vec<DueCompany> = due
        .into_iter()
        .map(|(company_id, mut items)| {
            items.sort_by(|a, b| {
                (a.bucket, &a.planned_on, a.interview_id, a.follow_up_id).cmp(&(
                    b.bucket,
                    &b.planned_on,
                    b.interview_id,
                    b.follow_up_id,
                ))
            });
            DueCompany {
                company_id,
                bucket: items[0].bucket,
                items,
            }
        })
        .collect();
    list.sort_by(|a, b| {
        (a.bucket, &a.first().planned_on, a.company_id).cmp(&(
            b.bucket,
            &b.first().planned_on,
            b.company_id,
        ))
    });
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use DueBucket::*;

    fn on(planned: &str, today: &str) -> DueBucket {
        due_bucket(planned, today).unwrap()
    }

    #[test]
    fn buckets_by_hand() {
        // Wednesday 15 October 2025; its ISO week runs Monday 13 to Sunday 19.
        let today = "2025-10-15";
        assert_eq!(on("2025-10-14", today), Overdue);
        assert_eq!(on("2025-10-13", today), Overdue, "earlier this week");
        assert_eq!(on("2025-03-01", today), Overdue);
        assert_eq!(on("2025-10-15", today), ThisWeek, "today");
        assert_eq!(on("2025-10-19", today), ThisWeek, "Sunday");
        assert_eq!(on("2025-10-20", today), ThisMonth, "next Monday");
        assert_eq!(on("2025-10-31", today), ThisMonth);
        assert_eq!(on("2025-11-01", today), Later);
        assert_eq!(on("2026-10-15", today), Later, "same month a year on");
        // On a Sunday the week ends today.
        assert_eq!(on("2025-10-19", "2025-10-19"), ThisWeek);
        assert_eq!(on("2025-10-20", "2025-10-19"), ThisMonth);
        assert_eq!(due_bucket("2025-10-20", "morgen"), None);
        assert_eq!(due_bucket("", "2025-10-19"), None);
    }

    #[test]
    fn weeks_across_month_and_year_ends() {
        // Wednesday 29 January 2025: its week ends Sunday 2 February.
        assert_eq!(on("2025-02-01", "2025-01-29"), ThisWeek);
        assert_eq!(on("2025-02-02", "2025-01-29"), ThisWeek);
        assert_eq!(on("2025-02-03", "2025-01-29"), Later);
        assert_eq!(on("2025-01-31", "2025-01-29"), ThisWeek);
        // Tuesday 30 December 2025 lies in ISO week 1 of 2026 (29 Dec – 4 Jan).
        assert_eq!(on("2026-01-04", "2025-12-30"), ThisWeek);
        assert_eq!(on("2026-01-05", "2025-12-30"), Later);
        assert_eq!(on("2025-12-29", "2025-12-30"), Overdue);
        // Monday 1 December 2025: the rest of December after Sunday 7 is this month.
        assert_eq!(on("2025-12-07", "2025-12-01"), ThisWeek);
        assert_eq!(on("2025-12-08", "2025-12-01"), ThisMonth);
        assert_eq!(on("2025-12-31", "2025-12-01"), ThisMonth);
        // Leap day: Thursday 29 February 2024, week until Sunday 3 March.
        assert_eq!(on("2024-03-03", "2024-02-29"), ThisWeek);
        assert_eq!(on("2024-03-04", "2024-02-26"), Later);
        assert_eq!(on("2024-02-29", "2024-02-19"), ThisMonth);
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn company(n: u128) -> Company {
        Company {
            id: id(n),
            name: format!("Bedrijf {n}"),
            ..Company::default()
        }
    }

    fn interview(n: u128, company: u128, date: &str, status: InterviewStatus) -> Interview {
        Interview {
            id: id(n),
            company_id: id(company),
            date: date.into(),
            status,
            ..Interview::default()
        }
    }

    fn follow_up(n: u128, interview: &Interview, planned_on: &str) -> FollowUp {
        FollowUp {
            planned_on: planned_on.into(),
            ..FollowUp::for_interview(id(n), interview, "")
        }
    }

    #[test]
    fn the_due_list_by_hand() {
        use InterviewStatus::{Completed, Draft};
        let today = Date::parse("2025-10-15").unwrap();
        let companies: Vec<Company> = (1..=8).map(company).collect();
        // 1: completed in March, no follow-up: due on 14 September, overdue.
        let i1 = interview(101, 1, "2025-03-14", Completed);
        // 2: completed in April, follow-up planned on 17 October (this week), not reached yet.
        let i2 = interview(102, 2, "2025-04-10", Completed);
        let mut f2 = follow_up(202, &i2, "2025-10-17");
        f2.record_attempt("2025-10-14", false, "Jan", "").unwrap();
        // 3: completed in April, follow-up done: not due.
        let i3 = interview(103, 3, "2025-04-28", Completed);
        let mut f3 = follow_up(203, &i3, "2025-10-28");
        f3.mark_held("2025-10-01", "Jan").unwrap();
        // 4: a draft interview only: not due.
        let i4 = interview(104, 4, "2025-04-01", Draft);
        // 5: completed on 30 April: due 30 October, this month.
        let i5 = interview(105, 5, "2025-04-30", Completed);
        // 6: completed in June: due in December, later.
        let i6 = interview(106, 6, "2025-06-02", Completed);
        // 7: follow-up done, and the final-phase check planned in 2026 on the same baseline.
        let i7 = interview(107, 7, "2025-01-20", Completed);
        let mut f7 = follow_up(207, &i7, "2025-07-20");
        f7.mark_held("2025-07-22", "Jan").unwrap();
        let f7b = follow_up(217, &i7, "2026-10-01");
        // 8: deleted company: not listed, whatever it holds.
        let mut c8 = company(8);
        c8.meta.deleted = true;
        let i8 = interview(108, 8, "2025-01-01", Completed);
        let mut companies = companies;
        companies[7] = c8;
        // A deleted interview and a deleted follow-up count as absent.
        let mut gone = interview(109, 6, "2025-01-01", Completed);
        gone.meta.deleted = true;
        let mut f5_gone = follow_up(205, &i5, "2025-10-16");
        f5_gone.meta.deleted = true;

        let interviews = [&i1, &i2, &i3, &i4, &i5, &i6, &i7, &i8, &gone];
        let follow_ups = [&f2, &f3, &f7, &f7b, &f5_gone];
        let list = due_list(&companies, interviews, follow_ups, today);

        let summary: Vec<(u128, DueBucket, &str, Option<Uuid>, FollowUpStatus)> = list
            .iter()
            .map(|c| {
                let first = c.first();
                (
                    c.company_id.as_u128(),
                    c.bucket,
                    first.planned_on.as_str(),
                    first.follow_up_id,
                    first.status,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (1, Overdue, "2025-09-14", None, FollowUpStatus::Planned),
                (
                    2,
                    ThisWeek,
                    "2025-10-17",
                    Some(id(202)),
                    FollowUpStatus::NotReached
                ),
                (5, ThisMonth, "2025-10-30", None, FollowUpStatus::Planned),
                (6, Later, "2025-12-02", None, FollowUpStatus::Planned),
                (
                    7,
                    Later,
                    "2026-10-01",
                    Some(id(217)),
                    FollowUpStatus::Planned
                ),
            ]
        );
        assert!(list.iter().all(|c| c.items.len() == 1));
        assert_eq!(list[0].first().interview_id, id(101));

        // Passing fewer companies filters the list (the app's filters).
        let only = due_list(&companies[..2], interviews, follow_ups, today);
        assert_eq!(only.len(), 2);
    }

    #[test]
    fn a_company_lists_every_item_most_urgent_first() {
        use InterviewStatus::Completed;
        let today = Date::parse("2025-10-15").unwrap();
        let companies = [company(1)];
        // Two completed interviews (a re-interview), one followed up and open, one not yet; and
        // an undated completed interview, which is overdue with no date.
        let old = interview(101, 1, "2025-01-10", Completed);
        let new = interview(102, 1, "2025-06-10", Completed);
        let undated = interview(103, 1, "", Completed);
        let open = follow_up(201, &old, "2025-11-03");
        let list = due_list(&companies, [&old, &new, &undated], [&open], today);
        assert_eq!(list.len(), 1);
        let items: Vec<(&str, DueBucket, Option<Uuid>)> = list[0]
            .items
            .iter()
            .map(|i| (i.planned_on.as_str(), i.bucket, i.follow_up_id))
            .collect();
        assert_eq!(
            items,
            [
                ("", Overdue, None),
                ("2025-11-03", Later, Some(id(201))),
                ("2025-12-10", Later, None),
            ]
        );
        assert_eq!(list[0].bucket, Overdue);
    }
}
