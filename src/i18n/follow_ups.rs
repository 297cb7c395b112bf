//! Texts of the follow-up list: who is due for the call two quarters after the interview
//! (reached as `Texts::follow_ups`).

use praatplaat_domain::followup::{DueBucket, FollowUpStatus};

pub struct FollowUpTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub bucket: fn(DueBucket) -> &'static str,
    pub status: fn(FollowUpStatus) -> &'static str,
    pub nobody_due: &'static str,
    /// "Gesprek 3 februari 2025": the baseline.
    pub interviewed_on: fn(&str) -> String,
    /// "Gepland 3 augustus 2025"; none planned.
    pub planned_on: fn(&str) -> String,
    pub not_planned: &'static str,
    /// Tries so far, and the date of the last.
    pub attempts: fn(usize, &str) -> String,
    pub plan: &'static str,
    pub reached: &'static str,
    pub not_reached: &'static str,
    /// An action's accessible name, with the company it is for.
    pub action_for: fn(&str, &str) -> String,
}

pub const NL: FollowUpTexts = FollowUpTexts {
    title: "Vervolgcontacten",
    intro: "Twee kwartalen na een afgerond gesprek wordt het bedrijf weer gebeld of bezocht: is \
            de koppeling tot stand gekomen, helpt het, wat kwam er van de ambitie? Wie het eerst \
            aan de beurt is, staat bovenaan.",
    bucket: |b| match b {
        DueBucket::Overdue => "Te laat",
        DueBucket::ThisWeek => "Deze week",
        DueBucket::ThisMonth => "Deze maand",
        DueBucket::Later => "Later",
    },
    status: |s| match s {
        FollowUpStatus::Planned => "Nog niet gebeld",
        FollowUpStatus::Reached => "Bereikt, gesprek volgt",
        FollowUpStatus::NotReached => "Niet bereikt",
        FollowUpStatus::Done => "Gehouden",
    },
    nobody_due: "Nog niemand aan de beurt: een vervolgcontact komt twee kwartalen na een \
                 afgerond gesprek.",
    interviewed_on: |d| format!("Gesprek {d}"),
    planned_on: |d| format!("Gepland {d}"),
    not_planned: "Nog niet ingepland",
    attempts: |n, last| {
        if n == 1 {
            format!("1 poging, op {last}")
        } else {
            format!("{n} pogingen, laatst op {last}")
        }
    },
    plan: "Inplannen",
    reached: "Bereikt",
    not_reached: "Niet bereikt",
    action_for: |action, company| format!("{action}: {company}"),
};

pub const EN: FollowUpTexts = FollowUpTexts {
    title: "Follow-ups",
    intro: "Two quarters after a completed interview the company is called or visited again: did \
            the link happen, does it help, what came of the ambition? Whoever is due first is at \
            the top.",
    bucket: |b| match b {
        DueBucket::Overdue => "Overdue",
        DueBucket::ThisWeek => "This week",
        DueBucket::ThisMonth => "This month",
        DueBucket::Later => "Later",
    },
    status: |s| match s {
        FollowUpStatus::Planned => "Not called yet",
        FollowUpStatus::Reached => "Reached, conversation to come",
        FollowUpStatus::NotReached => "Not reached",
        FollowUpStatus::Done => "Held",
    },
    nobody_due: "Nobody is due yet: a follow-up comes two quarters after a completed interview.",
    interviewed_on: |d| format!("Interview {d}"),
    planned_on: |d| format!("Planned {d}"),
    not_planned: "Not planned yet",
    attempts: |n, last| {
        if n == 1 {
            format!("1 try, on {last}")
        } else {
            format!("{n} tries, last on {last}")
        }
    },
    plan: "Plan",
    reached: "Reached",
    not_reached: "Not reached",
    action_for: |action, company| format!("{action}: {company}"),
};
