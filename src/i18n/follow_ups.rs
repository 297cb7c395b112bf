//! Texts of the follow-up list: who is due for the call two quarters after the interview
//! (reached as `Texts::follow_ups`).

use praatplaat_domain::followup::{
    AmbitionOutcome, ContactMode, DueBucket, Fit, FollowUpStatus, LinkResult,
};

pub struct FollowUpTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub bucket: fn(DueBucket) -> &'static str,
    pub status: fn(FollowUpStatus) -> &'static str,
    pub nobody_due: &'static str,
    /// "Gesprek 2025-02-03": the baseline.
    pub interviewed_on: fn(&str) -> String,
    /// "Gepland 2025-08-03"; none planned.
    pub planned_on: fn(&str) -> String,
    pub not_planned: &'static str,
    /// Tries so far, and the date of the last.
    pub attempts: fn(usize, &str) -> String,
    pub plan: &'static str,
    pub reached: &'static str,
    pub not_reached: &'static str,
    /// An action's accessible name, with the company it is for.
    pub action_for: fn(&str, &str) -> String,
    /// The list's link to a follow-up's conversation.
    pub open: &'static str,
    // The conversation screen.
    pub conversation: &'static str,
    pub mode: &'static str,
    pub mode_name: fn(ContactMode) -> &'static str,
    pub links_title: &'static str,
    pub no_links: &'static str,
    /// "Nu: Gestart" (the link's status before this follow-up).
    pub link_now: fn(&str) -> String,
    pub link_result: &'static str,
    pub result_name: fn(LinkResult) -> &'static str,
    pub fit: &'static str,
    pub fit_name: fn(Fit) -> &'static str,
    pub missing: &'static str,
    /// The link cannot take the step the answer asks (its own screen can correct it).
    pub link_refused: &'static str,
    pub ambitions_title: &'static str,
    pub no_ambitions: &'static str,
    pub outcome_name: fn(AmbitionOutcome) -> &'static str,
    pub next_steps: &'static str,
    pub note: &'static str,
    pub then_now_title: &'static str,
    pub theme: &'static str,
    pub then: &'static str,
    pub now: &'static str,
    pub overall: &'static str,
    /// "4 van 12"
    pub ticked_of: fn(usize, usize) -> String,
    pub mark_held: &'static str,
    /// "Gehouden op 2027-06-02"
    pub held_on: fn(&str) -> String,
    pub back_to_list: &'static str,
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
    open: "Gesprek voeren",
    conversation: "Vervolggesprek",
    mode: "Hoe",
    mode_name: |m| match m {
        ContactMode::Phone => "Telefoon",
        ContactMode::Visit => "Bezoek",
        ContactMode::AtSession => "Op een kennissessie",
    },
    links_title: "Wat kwam er van de koppelingen?",
    no_links: "Dit bedrijf heeft geen koppelingen.",
    link_now: |s| format!("Nu: {s}"),
    link_result: "Is de koppeling tot stand gekomen, helpt het?",
    result_name: |r| match r {
        LinkResult::Helped => "Geholpen",
        LinkResult::DidNotHelp => "Hielp niet",
        LinkResult::DidNotHappen => "Niet tot stand gekomen",
    },
    fit: "Past de ondersteuning bij de behoefte?",
    fit_name: |f| match f {
        Fit::Yes => "Ja",
        Fit::Partly => "Deels",
        Fit::No => "Nee",
    },
    missing: "Wat ontbreekt er?",
    link_refused: "Deze koppeling kan niet naar dat antwoord; pas haar aan bij de koppelingen van \
                   het gesprek.",
    ambitions_title: "Wat kwam er van de ambitie?",
    no_ambitions: "Bij het eerste gesprek was niets als ambitie aangegeven.",
    outcome_name: |o| match o {
        AmbitionOutcome::Done => "Gedaan",
        AmbitionOutcome::Started => "Gestart",
        AmbitionOutcome::NotYet => "Nog niet",
        AmbitionOutcome::Dropped => "Vervallen",
    },
    next_steps: "Volgende stappen",
    note: "Aantekening",
    then_now_title: "Toen en nu",
    theme: "Thema",
    then: "Toen",
    now: "Nu",
    overall: "Totaal",
    ticked_of: |n, of| format!("{n} van {of}"),
    mark_held: "Gesprek gehouden",
    held_on: |d| format!("Gehouden op {d}"),
    back_to_list: "Terug naar de lijst",
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
    open: "Hold the conversation",
    conversation: "Follow-up conversation",
    mode: "How",
    mode_name: |m| match m {
        ContactMode::Phone => "Phone",
        ContactMode::Visit => "Visit",
        ContactMode::AtSession => "At a knowledge session",
    },
    links_title: "What came of the links?",
    no_links: "This company has no links.",
    link_now: |s| format!("Now: {s}"),
    link_result: "Did the link happen, does it help?",
    result_name: |r| match r {
        LinkResult::Helped => "Helped",
        LinkResult::DidNotHelp => "Did not help",
        LinkResult::DidNotHappen => "Did not happen",
    },
    fit: "Does the support fit the need?",
    fit_name: |f| match f {
        Fit::Yes => "Yes",
        Fit::Partly => "Partly",
        Fit::No => "No",
    },
    missing: "What is missing?",
    link_refused: "This link cannot take that answer; change it with the interview's links.",
    ambitions_title: "What came of the ambition?",
    no_ambitions: "Nothing was marked as ambition at the first interview.",
    outcome_name: |o| match o {
        AmbitionOutcome::Done => "Done",
        AmbitionOutcome::Started => "Started",
        AmbitionOutcome::NotYet => "Not yet",
        AmbitionOutcome::Dropped => "Dropped",
    },
    next_steps: "Next steps",
    note: "Note",
    then_now_title: "Then and now",
    theme: "Theme",
    then: "Then",
    now: "Now",
    overall: "Overall",
    ticked_of: |n, of| format!("{n} of {of}"),
    mark_held: "Conversation held",
    held_on: |d| format!("Held on {d}"),
    back_to_list: "Back to the list",
};
