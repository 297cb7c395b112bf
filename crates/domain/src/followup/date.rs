//! Calendar days and the follow-up's schedule.
//!
//! # When a follow-up is planned
//!
//! BRIEF §1 (from the plan): *"After some months" (na enkele maanden) the company is contacted
//! again … The schedule puts this two quarters later*, and the schedule's table reads "2025 Q2 …
//! follow-up of Q4 2024", "2025 Q3 … follow-up of Q1 2025", and so on. So the plan names the
//! *quarter* of the follow-up (two after the interview's), not a day in it.
//!
//! [`planned_date`] takes the interview date plus `3 × quarters` months, the day clamped to the
//! month's length (31 August + 6 months = 28 or 29 February). That day always lies in the quarter
//! the schedule names: a month moves by exactly two quarters when six months are added, and
//! clamping the day never changes the month. Of the days in that quarter it is the one that keeps
//! the plan's "some months" at six for everyone, where the start of the quarter would give three
//! to six months (an interview on 31 March called on 1 July) and its end six to nine, and it
//! spreads the calls over the quarter as the interviews were spread, where a quarter boundary
//! would pile a whole quarter's calls onto one day. It is also the rule a link's follow-up date
//! already uses ([`crate::initiative::follow_up_after`] with six months).
//!
//! `quarters` is a parameter because the schedule itself deviates at the end: in 2026 Q3 it
//! follows up "Q1+Q2 2026", Q2 only one quarter later, as the programme ends in Q4 2026.

use std::fmt;

/// Quarters between the interview and its follow-up in the plan's schedule.
pub const FOLLOW_UP_QUARTERS: u32 = 2;

/// A day of the (proleptic Gregorian) calendar, read from and written as `YYYY-MM-DD`.
/// Ordered by date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u32,
    month: u32,
    day: u32,
}

impl Date {
    /// A real day: four-digit year, month 1–12, day within the month (2025-02-29 is `None`).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// `None` unless the day exists (years 0–9999, so it prints as four digits).
    pub fn new(year: u32, month: u32, day: u32) -> Option<Date> {
        let valid = year <= 9999
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then_some(Date { year, month, day })
    }

    pub fn year(self) -> u32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// 1 (January–March) to 4.
    pub fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    pub fn day_number(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `n` days after 1970-01-01 (its inverse: days-to-civil); `None` outside years
    /// 0–9999.
    pub fn from_day_number(n: i64) -> Option<Date> {
        let z = n + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(
            u32::try_from(y).ok()?,
            u32::try_from(m).ok()?,
            u32::try_from(d).ok()?,
        )
    }

    /// ISO 8601 day of the week: 1 = Monday … 7 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        (self.day_number() + 3).rem_euclid(7) as u32 + 1
    }

    /// The Monday that starts this day's ISO week.
    pub fn week_start(self) -> i64 {
        self.day_number() - i64::from(self.weekday() - 1)
    }

    /// The same day `months` later, clamped to the month's length; `None` past year 9999.
    pub fn add_months(self, months: u32) -> Option<Date> {
        let index = u64::from(self.year) * 12 + u64::from(self.month - 1) + u64::from(months);
        let year = u32::try_from(index / 12).ok()?;
        let month = (index % 12) as u32 + 1;
        if year > 9999 {
            return None;
        }
        Date::new(year, month, self.day.min(days_in_month(year, month)))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

pub fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The planned follow-up date (`YYYY-MM-DD`) of an interview held on `interview_date`:
/// `quarters` quarters later, the same day of the month, clamped to the month's end (module docs
/// for why). `None` if `interview_date` is not a real day.
pub fn planned_date(interview_date: &str, quarters: u32) -> Option<String> {
    let months = quarters.checked_mul(3)?;
    Some(Date::parse(interview_date)?.add_months(months)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "",
            "2025-02-29",
            "1900-02-29",
            "2025-04-31",
            "2025-13-01",
            "2025-00-10",
            "2025-01-00",
            "2025-1-1",
            "25-01-01",
            "2025/01/01",
            "2025-01-01-01",
            "+025-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2000-02-29").is_some(), "2000 is a leap year");
        assert!(date("2025-12-31") < date("2026-01-01"));
    }

    #[test]
    fn two_quarters_later_by_hand() {
        let p = |d: &str| planned_date(d, FOLLOW_UP_QUARTERS);
        assert_eq!(p("2025-03-14").as_deref(), Some("2025-09-14"));
        // Across the year end.
        assert_eq!(p("2024-10-01").as_deref(), Some("2025-04-01"));
        assert_eq!(p("2024-12-31").as_deref(), Some("2025-06-30"));
        assert_eq!(p("2025-07-01").as_deref(), Some("2026-01-01"));
        // Clamped to February, in a common and in a leap year.
        assert_eq!(p("2025-08-31").as_deref(), Some("2026-02-28"));
        assert_eq!(p("2027-08-31").as_deref(), Some("2028-02-29"));
        assert_eq!(p("2027-08-29").as_deref(), Some("2028-02-29"));
        assert_eq!(
            p("2099-08-30").as_deref(),
            Some("2100-02-28"),
            "2100 is not leap"
        );
        // From a leap day.
        assert_eq!(p("2024-02-29").as_deref(), Some("2024-08-29"));
        assert_eq!(planned_date("2024-02-29", 4).as_deref(), Some("2025-02-28"));
        // The schedule's exception at the end: one quarter.
        assert_eq!(planned_date("2026-05-31", 1).as_deref(), Some("2026-08-31"));
        assert_eq!(planned_date("2026-05-31", 0).as_deref(), Some("2026-05-31"));
        // No date, no plan.
        assert_eq!(p(""), None);
        assert_eq!(p("2025-02-30"), None);
        assert_eq!(planned_date("9999-09-01", 2), None);
        assert_eq!(planned_date("2025-01-01", u32::MAX), None);
    }

    #[test]
    fn every_day_lands_in_the_quarter_the_schedule_names() {
        // 2024 Q4 … 2026 Q4, the programme, and a leap year on either side.
        let (first, last) = (date("2023-01-01"), date("2029-12-31"));
        let mut n = first.day_number();
        while n <= last.day_number() {
            let day = Date::from_day_number(n).unwrap();
            let planned = date(&planned_date(&day.to_string(), 2).unwrap());
            let index = |d: Date| d.year() * 4 + d.quarter() - 1;
            assert_eq!(index(planned), index(day) + 2, "{day} → {planned}");
            assert!(planned.day() <= day.day());
            n += 1;
        }
    }

    #[test]
    fn day_numbers_and_weekdays() {
        assert_eq!(date("1970-01-01").day_number(), 0);
        assert_eq!(date("2000-03-01").day_number(), 11_017);
        assert_eq!(Date::from_day_number(11_017), Some(date("2000-03-01")));
        assert_eq!(Date::from_day_number(-1), Some(date("1969-12-31")));
        // 2025-12-29 is the Monday of ISO week 1 of 2026; 2026-01-04 its Sunday.
        assert_eq!(date("2025-12-29").weekday(), 1);
        assert_eq!(date("2026-01-01").weekday(), 4);
        assert_eq!(date("2026-01-04").weekday(), 7);
        assert_eq!(
            date("2026-01-04").week_start(),
            date("2025-12-29").day_number()
        );
        assert_eq!(date("2024-02-29").weekday(), 4);
        // Round trip over four centuries.
        let start = date("1900-01-01").day_number();
        for n in start..start + 146_097 {
            let d = Date::from_day_number(n).unwrap();
            assert_eq!(d.day_number(), n);
            assert_eq!(Date::parse(&d.to_string()), Some(d));
        }
    }
}
