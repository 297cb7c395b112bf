//! Words for what the domain and the server hand over as codes: the server's refusals
//! (`praatplaat_domain::refusal`), the fields of concurrent edits (`ConflictField`), the reasons
//! of a suggestion (`initiative::suggest::Reason`), link statuses and kinds of help. Reached as
//! `Texts::codes`. Each language matches every code exhaustively (no `_` arm), so the compiler
//! checks that both have words for each one, also for a code added later.

use praatplaat_domain::initiative::{AreaFit, Initiative, LinkStatus, NeedKind, Reason};
use praatplaat_domain::merge::ConflictField;
use praatplaat_domain::plate::{Definition, Lang, RStep};
use praatplaat_domain::refusal::{self, Field, Refusal};
use serde_json::Value;

pub struct CodeTexts {
    /// A refusal in words; `None` for a code this version does not know (the server's sentence
    /// is shown then).
    pub refusal: fn(&Refusal) -> Option<String>,
    /// A record's field, as a refusal names it.
    pub field: fn(Field) -> &'static str,
    /// What a concurrent edit is about: "Aantekening bij GR-01".
    pub conflict_field: fn(&ConflictField) -> String,
    /// A conflict's value when it is not a text: ticked, not ticked, removed.
    pub value_yes: &'static str,
    pub value_no: &'static str,
    pub value_empty: &'static str,
    pub link_status: fn(LinkStatus) -> &'static str,
    /// A kind of help inside a sentence: "kennis".
    pub need_kind: fn(NeedKind) -> &'static str,
    pub suggestion: SuggestionWords,
}

/// The pieces of a suggestion's reason line ([`suggestion_reason`]).
pub struct SuggestionWords {
    /// Before the last item of a list: "A, B en C".
    pub and: &'static str,
    /// The line's start: "Past bij …".
    pub fits: &'static str,
    /// Between the ambition and the need part.
    pub and_also: &'static str,
    pub ambition_for: &'static str,
    pub need_for: &'static str,
    /// Before the themes of the needs: "… aan advies op Gebouw".
    pub need_on: &'static str,
    pub segment: &'static str,
    pub national: &'static str,
    pub everywhere: &'static str,
    pub active_in: fn(&str) -> String,
    pub only_in: fn(&str) -> String,
}

pub const NL: CodeTexts = CodeTexts {
    refusal: nl_refusal,
    field: nl_field,
    conflict_field: nl_conflict_field,
    value_yes: "ja",
    value_no: "nee",
    value_empty: "(leeg)",
    link_status: |status| match status {
        LinkStatus::Proposed => "Voorgesteld",
        LinkStatus::Introduced => "Gelegd",
        LinkStatus::Started => "Gestart",
        LinkStatus::Helped => "Helpt",
        LinkStatus::DidNotHelp => "Helpt niet",
        LinkStatus::DidNotHappen => "Niet doorgegaan",
    },
    need_kind: |kind| match kind {
        NeedKind::Knowledge => "kennis",
        NeedKind::Support => "ondersteuning",
        NeedKind::Advice => "advies",
    },
    suggestion: SuggestionWords {
        and: " en ",
        fits: "Past bij",
        and_also: " en bij ",
        ambition_for: "uw ambitie op",
        need_for: "uw behoefte aan",
        need_on: "op",
        segment: "gericht op uw segment",
        national: "landelijk initiatief",
        everywhere: "actief in heel Zuid-Holland",
        active_in: |place| format!("actief in {place}"),
        only_in: |places| format!("alleen in {places}"),
    },
};

pub const EN: CodeTexts = CodeTexts {
    refusal: en_refusal,
    field: en_field,
    conflict_field: en_conflict_field,
    value_yes: "yes",
    value_no: "no",
    value_empty: "(empty)",
    link_status: |status| match status {
        LinkStatus::Proposed => "Proposed",
        LinkStatus::Introduced => "Introduced",
        LinkStatus::Started => "Started",
        LinkStatus::Helped => "Helps",
        LinkStatus::DidNotHelp => "Does not help",
        LinkStatus::DidNotHappen => "Did not happen",
    },
    need_kind: |kind| match kind {
        NeedKind::Knowledge => "knowledge",
        NeedKind::Support => "support",
        NeedKind::Advice => "advice",
    },
    suggestion: SuggestionWords {
        and: " and ",
        fits: "Fits",
        and_also: ", and ",
        ambition_for: "your ambition for",
        need_for: "your need for",
        need_on: "in",
        segment: "aimed at your segment",
        national: "national initiative",
        everywhere: "active throughout Zuid-Holland",
        active_in: |place| format!("active in {place}"),
        only_in: |places| format!("only in {places}"),
    },
};

fn nl_refusal(refusal: &Refusal) -> Option<String> {
    let field = nl_field;
    Some(match refusal {
        Refusal::NilId => "Het record mist een geldige sleutel (een fout in de app).".to_owned(),
        Refusal::Empty { field: f } => format!("Vul dit in: {}.", field(*f)),
        Refusal::TooLong { field: f, max } => {
            format!("Te lang: {} (hoogstens {max} tekens).", field(*f))
        }
        Refusal::BadDate { value } => format!("‘{value}’ is geen geldige datum."),
        Refusal::UnknownSegment { segment } => {
            format!("De server kent het segment ‘{segment}’ niet.")
        }
        Refusal::BadPhotoHash { .. } => {
            "Een foto draagt een ongeldige naam (een fout in de app).".to_owned()
        }
        Refusal::TooMany { field: f, max } => {
            format!("Te veel: {} (hoogstens {max}).", field(*f))
        }
        Refusal::DuplicateExample { .. } => "Een goed voorbeeld staat er twee keer in.".to_owned(),
        Refusal::UnknownPractice { practice } => format!(
            "De praatplaat van dit gesprek kent de praktijk ‘{practice}’ niet (een fout in de \
             app)."
        ),
        Refusal::UnknownTheme { theme } => format!(
            "De praatplaat van dit gesprek kent het thema ‘{theme}’ niet (een fout in de app)."
        ),
        Refusal::RecordTooLarge { max, .. } => format!(
            "Te groot om op te slaan (hoogstens {} kB); maak de aantekeningen korter.",
            max / 1000
        ),
        Refusal::MergedInvalid { problem } => format!(
            "Samen met de wijziging van een ander apparaat klopt het niet meer: {}",
            nl_refusal(problem)?
        ),
        Refusal::NoUser => "De server weet niet wie je bent: meld je opnieuw aan.".to_owned(),
        Refusal::CatalogueReadOnly => {
            "Alleen de coördinator past de catalogus met initiatieven aan.".to_owned()
        }
        Refusal::RecordNotAssigned => "Dit hoort bij een bedrijf dat niet aan jou is \
                                       toegewezen; vraag het de coördinator."
            .to_owned(),
        Refusal::CompanyNotAssigned => {
            "Dit bedrijf is niet aan jou toegewezen; vraag het de coördinator.".to_owned()
        }
        Refusal::SeqOutOfRange { seq, max } => format!(
            "Wijzigingsnummer {seq} kan dit apparaat niet verstuurd hebben (de server neemt nu \
             hoogstens {max} aan): de nummering is beschadigd; vraag de coördinator om hulp."
        ),
        Refusal::PhotoTooLarge => "De foto is groter dan de server aanneemt.".to_owned(),
        Refusal::PhotoUnusable => "De server kan de foto niet bewaren: het is geen bruikbare \
                                   JPEG-foto, of het bestand is onderweg beschadigd."
            .to_owned(),
        Refusal::Unknown => return None,
    })
}

fn en_refusal(refusal: &Refusal) -> Option<String> {
    let field = en_field;
    Some(match refusal {
        Refusal::NilId => "The record lacks a valid key (an error in the app).".to_owned(),
        Refusal::Empty { field: f } => format!("Fill this in: {}.", field(*f)),
        Refusal::TooLong { field: f, max } => {
            format!("Too long: {} (at most {max} characters).", field(*f))
        }
        Refusal::BadDate { value } => format!("‘{value}’ is not a valid date."),
        Refusal::UnknownSegment { segment } => {
            format!("The server does not know the segment ‘{segment}’.")
        }
        Refusal::BadPhotoHash { .. } => "A photo carries an invalid name (an error in the \
                                         app)."
            .to_owned(),
        Refusal::TooMany { field: f, max } => format!("Too many: {} (at most {max}).", field(*f)),
        Refusal::DuplicateExample { .. } => "A good example appears twice.".to_owned(),
        Refusal::UnknownPractice { practice } => format!(
            "This interview's praatplaat has no practice ‘{practice}’ (an error in the app)."
        ),
        Refusal::UnknownTheme { theme } => {
            format!("This interview's praatplaat has no theme ‘{theme}’ (an error in the app).")
        }
        Refusal::RecordTooLarge { max, .. } => format!(
            "Too large to store (at most {} kB); shorten the notes.",
            max / 1000
        ),
        Refusal::MergedInvalid { problem } => format!(
            "Together with another device's edit it no longer holds: {}",
            en_refusal(problem)?
        ),
        Refusal::NoUser => "The server does not know who you are: sign in again.".to_owned(),
        Refusal::CatalogueReadOnly => {
            "Only the coordinator changes the catalogue of initiatives.".to_owned()
        }
        Refusal::RecordNotAssigned => "This belongs to a company that is not assigned to you; \
                                       ask the coordinator."
            .to_owned(),
        Refusal::CompanyNotAssigned => {
            "This company is not assigned to you; ask the coordinator.".to_owned()
        }
        Refusal::SeqOutOfRange { seq, max } => format!(
            "Change number {seq} cannot have been sent by this device (the server takes at most \
             {max} now): its numbering is damaged; ask the coordinator."
        ),
        Refusal::PhotoTooLarge => "The photo is larger than the server takes.".to_owned(),
        Refusal::PhotoUnusable => "The server cannot keep the photo: it is not a usable JPEG \
                                   photo, or the file was damaged on the way."
            .to_owned(),
        Refusal::Unknown => return None,
    })
}

fn nl_field(field: Field) -> &'static str {
    match field {
        Field::Name => "naam",
        Field::ProgrammeId => "programma",
        Field::Municipality => "gemeente",
        Field::Address => "adres",
        Field::ContactPerson => "contactpersoon",
        Field::Interviewer => "interviewer",
        Field::PlateVersion => "versie van de praatplaat",
        Field::Notes => "aantekeningen",
        Field::Ambition => "ambitie",
        Field::PracticeId => "praktijk",
        Field::PracticeNote => "notitie bij een praktijk",
        Field::NeedThemeId => "onderdeel van een behoefte",
        Field::NeedNote => "toelichting bij een behoefte",
        Field::Examples => "goede voorbeelden",
        Field::ExampleThemeId => "onderdeel van een goed voorbeeld",
        Field::ExampleText => "tekst van een goed voorbeeld",
        Field::Photos => "foto's bij een goed voorbeeld",
        Field::Offer => "aanbod",
        Field::OfferEn => "aanbod in het Engels",
        Field::Regions => "regio's",
        Field::Region => "regio",
        Field::Municipalities => "gemeenten",
        Field::Themes => "onderdelen",
        Field::ThemeId => "onderdeel",
        Field::Practices => "praktijken",
        Field::Segments => "segmenten",
        Field::Segment => "segment",
        Field::Coaches => "coaches",
        Field::Coach => "coach",
        Field::RSteps => "R-stappen",
        Field::Needs => "soorten hulp",
        Field::ContactName => "contactpersoon",
        Field::ContactEmail => "e-mailadres",
        Field::ContactPhone => "telefoonnummer",
        Field::ContactUrl => "website",
        Field::Date => "datum",
        Field::Note => "notitie",
        Field::History => "verloop van de koppeling",
        Field::Reason => "reden van de koppeling",
        Field::NextSteps => "volgende stappen",
        Field::HistoryDate => "datum in het verloop",
        Field::HistoryNote => "notitie in het verloop",
        Field::Other => "een veld",
    }
}

fn en_field(field: Field) -> &'static str {
    match field {
        Field::Name => "name",
        Field::ProgrammeId => "programme",
        Field::Municipality => "municipality",
        Field::Address => "address",
        Field::ContactPerson => "contact person",
        Field::Interviewer => "interviewer",
        Field::PlateVersion => "version of the talking plate",
        Field::Notes => "notes",
        Field::Ambition => "ambition",
        Field::PracticeId => "practice",
        Field::PracticeNote => "note on a practice",
        Field::NeedThemeId => "part of a need",
        Field::NeedNote => "note on a need",
        Field::Examples => "good examples",
        Field::ExampleThemeId => "part of a good example",
        Field::ExampleText => "text of a good example",
        Field::Photos => "photos of a good example",
        Field::Offer => "offer",
        Field::OfferEn => "offer in English",
        Field::Regions => "regions",
        Field::Region => "region",
        Field::Municipalities => "municipalities",
        Field::Themes => "parts",
        Field::ThemeId => "part",
        Field::Practices => "practices",
        Field::Segments => "segments",
        Field::Segment => "segment",
        Field::Coaches => "coaches",
        Field::Coach => "coach",
        Field::RSteps => "R-steps",
        Field::Needs => "kinds of help",
        Field::ContactName => "contact person",
        Field::ContactEmail => "e-mail address",
        Field::ContactPhone => "phone number",
        Field::ContactUrl => "website",
        Field::Date => "date",
        Field::Note => "note",
        Field::History => "course of the link",
        Field::Reason => "reason for the link",
        Field::NextSteps => "next steps",
        Field::HistoryDate => "date in the course",
        Field::HistoryNote => "note in the course",
        Field::Other => "a field",
    }
}

fn nl_conflict_field(field: &ConflictField) -> String {
    match field {
        ConflictField::PracticeNote(p) => format!("Aantekening bij {p}"),
        ConflictField::PracticeNow(p) => format!("Doen we al: {p}"),
        ConflictField::PracticeAmbition(p) => format!("Ambitie: {p}"),
        ConflictField::PracticeAnswer(p) => format!("Antwoord bij {p}"),
        ConflictField::Notes => "Aantekeningen".into(),
        ConflictField::Ambition => "Ambitie voor de komende drie jaar".into(),
        ConflictField::CompanyName => "Bedrijfsnaam".into(),
        ConflictField::Example { field, .. } => match field.as_deref() {
            Some("text") => "Tekst van een goed voorbeeld".into(),
            Some("sharing") => "Delen van een goed voorbeeld".into(),
            _ => "Goed voorbeeld".into(),
        },
        ConflictField::Need { theme, .. } => format!("Behoefte bij thema {theme}"),
        ConflictField::Deleted => "Verwijderd".into(),
        ConflictField::Other(path) => path.clone(),
    }
}

fn en_conflict_field(field: &ConflictField) -> String {
    match field {
        ConflictField::PracticeNote(p) => format!("Note on {p}"),
        ConflictField::PracticeNow(p) => format!("Already doing: {p}"),
        ConflictField::PracticeAmbition(p) => format!("Ambition: {p}"),
        ConflictField::PracticeAnswer(p) => format!("Answer for {p}"),
        ConflictField::Notes => "Notes".into(),
        ConflictField::Ambition => "Ambition for the coming three years".into(),
        ConflictField::CompanyName => "Company name".into(),
        ConflictField::Example { field, .. } => match field.as_deref() {
            Some("text") => "Text of a good example".into(),
            Some("sharing") => "Sharing of a good example".into(),
            _ => "Good example".into(),
        },
        ConflictField::Need { theme, .. } => format!("Need on theme {theme}"),
        ConflictField::Deleted => "Deleted".into(),
        ConflictField::Other(path) => path.clone(),
    }
}

impl CodeTexts {
    /// A kept refusal in words: the code's text when this version knows the code, else the
    /// server's own sentence (older servers, older set-aside entries, photo uploads).
    pub fn reason(&self, reason: &refusal::Reason) -> String {
        reason
            .known()
            .and_then(self.refusal)
            .unwrap_or_else(|| reason.text.clone())
    }

    /// A conflict's value for the choice "this or that": a text as typed, yes/no, "(leeg)" for a
    /// removed value, anything else as compact JSON.
    pub fn value(&self, value: &Value) -> String {
        match value {
            Value::String(s) => s.clone(),
            Value::Bool(true) => self.value_yes.into(),
            Value::Bool(false) => self.value_no.into(),
            Value::Null => self.value_empty.into(),
            other => other.to_string(),
        }
    }
}

/// "A", "A en B", "A, B en C".
fn join(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

/// A suggestion's reason line in `lang`, from its reasons in the order they were found:
/// "Past bij uw ambitie op Gebouw (R3 Hergebruiken) en bij uw behoefte aan advies; actief in heel
/// Zuid-Holland". Theme and R-step names come from the plate `definition` (the interview's);
/// `initiative` says where it works when the company's place is unknown.
pub fn suggestion_reason(
    lang: Lang,
    definition: &Definition,
    initiative: Option<&Initiative>,
    reasons: &[Reason],
) -> String {
    let codes = &super::texts(lang).codes;
    let w = &codes.suggestion;
    let theme_label = |id: &str| {
        definition
            .theme(id)
            .map_or_else(|| id.to_owned(), |t| t.label(lang).to_owned())
    };
    let step_name = |s: RStep| match definition.step_info(s) {
        Some(info) => format!("{} {}", s.code(), info.name.get(lang)),
        None => s.code().to_owned(),
    };

    let mut ambition_themes: Vec<&str> = Vec::new();
    let mut ambition_parts = Vec::new();
    let mut kinds: Vec<NeedKind> = Vec::new();
    let mut need_themes: Vec<&str> = Vec::new();
    let mut extras = Vec::new();
    for reason in reasons {
        match reason {
            Reason::Ambition {
                theme_id, r_steps, ..
            } => {
                ambition_themes.push(theme_id);
                let mut part = theme_label(theme_id);
                if !r_steps.is_empty() {
                    let steps: Vec<String> = r_steps.iter().map(|&s| step_name(s)).collect();
                    part = format!("{part} ({})", steps.join(", "));
                }
                ambition_parts.push(part);
            }
            Reason::Need { theme_id, kind, .. } => {
                if !kinds.contains(kind) {
                    kinds.push(*kind);
                }
                if !need_themes.contains(&theme_id.as_str()) {
                    need_themes.push(theme_id);
                }
            }
            Reason::Segment { .. } => extras.push(w.segment.to_owned()),
            Reason::Area { fit, .. } => extras.push(match fit {
                AreaFit::National => w.national.to_owned(),
                AreaFit::Everywhere => w.everywhere.to_owned(),
                AreaFit::Municipality(name) | AreaFit::Region(name) => (w.active_in)(name),
                AreaFit::Unknown => {
                    let areas: Vec<String> = initiative
                        .map(|i| i.municipalities.iter().chain(&i.regions).cloned().collect())
                        .unwrap_or_default();
                    (w.only_in)(&join(&areas, w.and))
                }
            }),
        }
    }
    kinds.sort();

    let mut fits = Vec::new();
    if !ambition_parts.is_empty() {
        fits.push(format!(
            "{} {}",
            w.ambition_for,
            join(&ambition_parts, w.and)
        ));
    }
    if !kinds.is_empty() {
        let words: Vec<String> = kinds
            .iter()
            .map(|k| (codes.need_kind)(*k).to_owned())
            .collect();
        let mut part = format!("{} {}", w.need_for, join(&words, w.and));
        // Name the themes unless the ambition part already did.
        if need_themes.iter().any(|t| !ambition_themes.contains(t)) {
            let labels: Vec<String> = need_themes.iter().map(|t| theme_label(t)).collect();
            part = format!("{part} {} {}", w.need_on, join(&labels, w.and));
        }
        fits.push(part);
    }
    let mut text = format!("{} {}", w.fits, fits.join(w.and_also));
    for extra in extras {
        text.push_str("; ");
        text.push_str(&extra);
    }
    text
}
