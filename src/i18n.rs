//! Every text the UI shows, per language. Dutch is the default; a new language is one more
//! `Texts` value, and the compiler checks it has every text. Components read the texts of the
//! current language through [`use_texts`].

use leptos::prelude::*;

use praatplaat_domain::model::RecordKind;
/// The UI language is the plate's language: one enum for both.
pub use praatplaat_domain::plate::Lang;

use crate::storage::human_bytes;

mod account_screen;
mod codes;
mod follow_ups;
mod sync_screen;
mod transfer;
pub use account_screen::AccountTexts;
pub use codes::{suggestion_reason, CodeTexts};
pub use follow_ups::FollowUpTexts;
pub use sync_screen::SyncTexts;
pub use transfer::TransferTexts;

/// The texts of `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// What a kind of record is called: on its own ("Gesprek: …") and counted ("3 gesprekken").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindWords {
    pub name: &'static str,
    pub one: &'static str,
    pub many: &'static str,
}

impl KindWords {
    const fn new(name: &'static str, one: &'static str, many: &'static str) -> Self {
        KindWords { name, one, many }
    }

    /// `n` of the kind: "1 gesprek", "3 gesprekken".
    pub fn count(&self, n: usize) -> String {
        format!("{n} {}", if n == 1 { self.one } else { self.many })
    }
}

pub struct Texts {
    pub app_name: &'static str,
    pub programme: &'static str,
    pub interviews: &'static str,
    pub new_interview: &'static str,
    pub no_interviews: &'static str,
    pub loading: &'static str,
    pub company: &'static str,
    pub interview: &'static str,
    pub company_name: &'static str,
    pub municipality: &'static str,
    pub municipality_hint: &'static str,
    pub address: &'static str,
    pub contact_person: &'static str,
    pub interview_date: &'static str,
    pub interviewer: &'static str,
    pub notes: &'static str,
    pub status_draft: &'static str,
    pub status_completed: &'static str,
    pub start_interview: &'static str,
    pub cancel: &'static str,
    pub back: &'static str,
    pub name_required: &'static str,
    pub not_found: &'static str,
    pub settings: &'static str,
    pub server_address: &'static str,
    pub server_address_hint: &'static str,
    pub language: &'static str,
    pub default_interviewer: &'static str,
    pub sync: &'static str,
    pub sync_now: &'static str,
    pub saved_on_device: &'static str,
    pub synced: &'static str,
    pub syncing: &'static str,
    pub offline: &'static str,
    pub last_sync: &'static str,
    pub never: &'static str,
    pub sync_failed: &'static str,
    pub this_device: &'static str,
    pub step_company: &'static str,
    pub step_plate: &'static str,
    pub step_examples: &'static str,
    pub step_ambition: &'static str,
    pub step_needs: &'static str,
    pub step_summary: &'static str,
    pub steps_label: &'static str,
    pub plate_title: &'static str,
    pub r_ladder: &'static str,
    pub done_now: &'static str,
    pub want_to_start: &'static str,
    pub note: &'static str,
    pub add_note: &'static str,
    pub example_label: &'static str,
    pub all_themes: &'static str,
    pub next_theme: &'static str,
    pub segments: &'static str,
    pub size_class: &'static str,
    pub association_member: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub unknown: &'static str,
    pub at_the_table: &'static str,
    pub management: &'static str,
    pub staff: &'static str,
    pub examples_intro: &'static str,
    pub add_example: &'static str,
    pub example_text: &'static str,
    pub example_theme: &'static str,
    pub no_theme: &'static str,
    pub take_photo: &'static str,
    pub photo_busy: &'static str,
    pub remove_photo: &'static str,
    pub remove_example: &'static str,
    pub may_share: &'static str,
    pub share_yes: &'static str,
    pub share_anonymous: &'static str,
    pub share_no: &'static str,
    pub share_unasked: &'static str,
    pub ambition_intro: &'static str,
    pub ambition_text: &'static str,
    pub needs_intro: &'static str,
    pub knowledge: &'static str,
    pub support: &'static str,
    pub advice: &'static str,
    pub level_none: &'static str,
    pub level_some: &'static str,
    pub level_much: &'static str,
    pub degree_now: &'static str,
    pub degree_ambition: &'static str,
    pub open_items: &'static str,
    pub nothing_open: &'static str,
    pub open_no_ticks: &'static str,
    pub open_no_ambition: &'static str,
    pub open_no_needs: &'static str,
    pub open_sharing: &'static str,
    pub mark_completed: &'static str,
    pub reopen: &'static str,
    pub completed_note: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub filter_municipality: &'static str,
    pub filter_status: &'static str,
    pub all: &'static str,
    pub no_matches: &'static str,
    pub not_applicable: &'static str,
    pub plate_missing: &'static str,
    pub photos_waiting: fn(usize) -> String,
    pub photo_failed: fn(&str) -> String,
    pub step_links: &'static str,
    pub step_own_plate: &'static str,
    pub suggestions: &'static str,
    pub suggestions_intro: &'static str,
    pub no_suggestions: &'static str,
    pub propose_link: &'static str,
    pub linked_already: &'static str,
    pub links_of_company: &'static str,
    pub no_links: &'static str,
    pub coach: &'static str,
    pub choose_coach: &'static str,
    pub next_steps: &'static str,
    pub follow_up: &'static str,
    pub contact: &'static str,
    pub correct: &'static str,
    pub remove_link: &'static str,
    pub print: &'static str,
    pub own_plate_title: &'static str,
    pub own_plate_intro: &'static str,
    pub your_examples: &'static str,
    pub your_links: &'static str,
    pub your_ambition: &'static str,
    pub interview_of: &'static str,
    pub companies: &'static str,
    pub companies_intro: &'static str,
    pub needs_push: &'static str,
    pub push_proposed: &'static str,
    pub push_follow_up: &'static str,
    pub push_no_links: &'static str,
    pub no_interview: &'static str,
    pub links_count: &'static str,
    pub initiatives: &'static str,
    pub initiatives_intro: &'static str,
    pub new_initiative: &'static str,
    pub initiative_name: &'static str,
    pub offer: &'static str,
    pub offer_en: &'static str,
    pub scope: &'static str,
    pub scope_local: &'static str,
    pub scope_regional: &'static str,
    pub scope_national: &'static str,
    pub regions: &'static str,
    pub municipalities_served: &'static str,
    pub themes_fit: &'static str,
    pub needs_fit: &'static str,
    pub coaches: &'static str,
    pub contact_name: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub website: &'static str,
    pub is_versnellingsteam: &'static str,
    pub active: &'static str,
    pub inactive: &'static str,
    pub status_note: &'static str,
    pub targets: &'static str,
    pub target_versnellingsteam: &'static str,
    pub target_other: &'static str,
    pub target_interviews: &'static str,
    pub target_partner: &'static str,
    /// The words of the plate picture and of the R-ladder.
    pub plate: PlateWords,
    pub ladder: LadderWords,
    pub waiting: fn(usize) -> String,
    pub set_aside: fn(usize) -> String,
    pub save_failed: fn(&str) -> String,
    /// An edit refused because another account's change of the record waits on this tablet.
    pub held_by_other: fn(&str) -> String,
    pub dismiss: &'static str,
    pub preview_selected: &'static str,
    pub preview_empty: &'static str,
    pub storage_full: &'static str,
    pub retry_save: &'static str,
    pub update_available: &'static str,
    pub update_apply: &'static str,
    /// A newer version in another tab took over the device's storage: reload to go on.
    pub replaced_elsewhere: &'static str,
    pub reload: &'static str,
    pub storage: &'static str,
    pub storage_used: fn(&str, &str) -> String,
    pub storage_persisted: &'static str,
    pub storage_not_persisted: &'static str,
    pub storage_low: fn(&str) -> String,
    pub storage_unknown: &'static str,
    pub show_more: fn(usize, usize) -> String,
    /// A kind of record's words: the one place a new kind is worded (see ARCHITECTURE.md).
    pub kind_words: fn(RecordKind) -> KindWords,
    /// Export/import, photo upload progress and the "safe on the server" mark.
    pub transfer: &'static TransferTexts,
    /// Words for the codes the domain and the server hand over: refusals, the fields of
    /// concurrent edits, suggestion reasons, link statuses.
    pub codes: &'static CodeTexts,
    /// A size in bytes in this language's notation: "1,5 MB" / "1.5 MB".
    pub bytes: fn(f64) -> String,
    /// "2 keuzes nodig: twee tablets wijzigden hetzelfde".
    pub choices_needed: fn(usize) -> String,
    pub choose_now: &'static str,
    pub choose_later: &'static str,
    /// The button over the value the field holds now, and over the other value.
    pub keep_this: &'static str,
    pub keep_that: &'static str,
    pub edited_at: fn(&str) -> String,
    pub in_field_now: &'static str,
    pub keep_current: &'static str,
    pub choice_failed: &'static str,
    pub choice_marker: &'static str,
    pub interviews_waiting_choice: fn(usize) -> String,
    pub catalogue_read_only: &'static str,
    /// Texts of the sync screen: what waits, what was set aside, the last problem
    pub sync_screen: &'static SyncTexts,
    /// Texts of signing in and out, the account and its devices
    pub account_screen: &'static AccountTexts,
    /// Texts of the follow-up list
    pub follow_ups: &'static FollowUpTexts,
}

pub const NL: Texts = Texts {
    app_name: "Praatplaat",
    programme: "MKB-Deal Circulaire Maakindustrie Metaal",
    interviews: "Gesprekken",
    new_interview: "Nieuw gesprek",
    no_interviews: "Nog geen gesprekken. Begin met ‘Nieuw gesprek’.",
    loading: "Laden…",
    company: "Bedrijf",
    interview: "Gesprek",
    company_name: "Bedrijfsnaam",
    municipality: "Gemeente",
    municipality_hint: "Kies of typ een gemeente",
    address: "Adres",
    contact_person: "Contactpersoon",
    interview_date: "Datum gesprek",
    interviewer: "Interviewer",
    notes: "Aantekeningen",
    status_draft: "Concept",
    status_completed: "Afgerond",
    start_interview: "Gesprek starten",
    cancel: "Annuleren",
    back: "Terug",
    name_required: "Vul de bedrijfsnaam in.",
    not_found: "Dit gesprek staat niet op dit apparaat.",
    settings: "Instellingen",
    server_address: "Serveradres",
    server_address_hint: "Leeg laten: de server waar de app vandaan komt.",
    language: "Taal",
    default_interviewer: "Uw naam (wordt bij nieuwe gesprekken ingevuld)",
    sync: "Synchroniseren",
    sync_now: "Nu synchroniseren",
    saved_on_device: "Opgeslagen op dit apparaat",
    synced: "Gesynchroniseerd",
    syncing: "Bezig met synchroniseren…",
    offline: "Geen verbinding",
    last_sync: "Laatst gesynchroniseerd",
    never: "nog nooit",
    sync_failed: "Synchroniseren lukte niet",
    this_device: "Dit apparaat",
    step_company: "Bedrijf",
    step_plate: "Praatplaat",
    step_examples: "Voorbeelden",
    step_ambition: "Ambitie",
    step_needs: "Behoeften",
    step_summary: "Samenvatting",
    steps_label: "Onderdelen van het gesprek",
    plate_title: "Waar staat het bedrijf? Tik op een onderdeel.",
    r_ladder: "R-ladder",
    done_now: "Doen we al",
    want_to_start: "Ambitie (binnen 3 jaar)",
    note: "Notitie",
    add_note: "Notitie toevoegen",
    example_label: "Bijvoorbeeld",
    all_themes: "Alle onderdelen",
    next_theme: "Volgend onderdeel",
    segments: "Segment in de metaalketen",
    size_class: "Grootteklasse (personen)",
    association_member: "Lid Metaalunie",
    yes: "Ja",
    no: "Nee",
    unknown: "Onbekend",
    at_the_table: "Aan tafel",
    management: "Directie / leiding",
    staff: "Medewerkers",
    examples_intro: "Goede voorbeelden die het bedrijf al in praktijk brengt.",
    add_example: "Voorbeeld toevoegen",
    example_text: "Wat doet het bedrijf?",
    example_theme: "Onderdeel",
    no_theme: "Geen specifiek onderdeel",
    take_photo: "Foto maken of kiezen",
    photo_busy: "Foto wordt verkleind…",
    remove_photo: "Foto verwijderen",
    remove_example: "Voorbeeld verwijderen",
    may_share: "Mag dit voorbeeld gedeeld worden met andere bedrijven?",
    share_yes: "Ja",
    share_anonymous: "Anoniem",
    share_no: "Nee",
    share_unasked: "Nog niet gevraagd",
    ambition_intro: "Wat wil het bedrijf de komende 3 jaar gaan doen? Tik de praktijken aan.",
    ambition_text: "De ambitie in eigen woorden",
    needs_intro: "Waar heeft het bedrijf behoefte aan om de ambitie te halen?",
    knowledge: "Kennis",
    support: "Ondersteuning",
    advice: "Advies",
    level_none: "Geen",
    level_some: "Wat",
    level_much: "Veel",
    degree_now: "Mate van circulariteit nu",
    degree_ambition: "Met ambitie",
    open_items: "Nog open",
    nothing_open: "Alles is ingevuld.",
    open_no_ticks: "Nog geen praktijken aangevinkt",
    open_no_ambition: "Nog geen ambitie aangegeven",
    open_no_needs: "Behoeften nog niet ingevuld",
    open_sharing: "Bij een voorbeeld is nog niet gevraagd of het gedeeld mag worden",
    mark_completed: "Gesprek afronden",
    reopen: "Weer openen",
    completed_note: "Dit gesprek is afgerond.",
    search: "Zoeken",
    search_hint: "Bedrijf of gemeente",
    filter_municipality: "Gemeente",
    filter_status: "Status",
    all: "Alle",
    no_matches: "Geen gesprekken gevonden.",
    not_applicable: "n.v.t.",
    plate_missing: "Deze versie van de praatplaat ontbreekt in deze app; werk de app bij.",
    photos_waiting: |n| format!("{n} foto('s) wachtend"),
    photo_failed: |e| format!("De foto kon niet worden opgeslagen: {e}"),
    step_links: "Koppelingen",
    step_own_plate: "Eigen praatplaat",
    suggestions: "Voorstellen die passen",
    suggestions_intro: "Initiatieven die passen bij de ambitie en behoeften van dit bedrijf, best passend eerst.",
    no_suggestions: "Nog geen voorstellen: geef eerst ambitie of behoeften aan.",
    propose_link: "Koppeling voorstellen",
    linked_already: "Gekoppeld",
    links_of_company: "Koppelingen van dit bedrijf",
    no_links: "Nog geen koppelingen.",
    coach: "Coach (Versnellingsteam)",
    choose_coach: "Kies een coach",
    next_steps: "Volgende stappen",
    follow_up: "Vervolgcontact op",
    contact: "Contact",
    correct: "Corrigeren",
    remove_link: "Koppeling verwijderen",
    print: "Afdrukken of opslaan als PDF",
    own_plate_title: "Uw praatplaat",
    own_plate_intro: "Zo circulair werkt uw bedrijf nu, en dit is uw ambitie voor de komende 3 jaar.",
    your_examples: "Uw goede voorbeelden",
    your_links: "Uw koppelingen",
    your_ambition: "Uw ambitie",
    interview_of: "Gesprek van",
    companies: "Bedrijven",
    companies_intro: "Alle bedrijven op dit apparaat met hun gesprek en koppelingen. Bovenaan wat een duwtje nodig heeft.",
    needs_push: "Actie nodig",
    push_proposed: "voorgesteld, nog niet gelegd",
    push_follow_up: "vervolgcontact is aan de beurt",
    push_no_links: "afgerond gesprek zonder koppeling",
    no_interview: "Nog geen gesprek",
    links_count: "Koppelingen",
    initiatives: "Initiatieven",
    initiatives_intro: "De catalogus waaruit koppelingen worden voorgesteld. Wijzigingen gaan naar elke tablet.",
    new_initiative: "Nieuw initiatief",
    initiative_name: "Naam",
    offer: "Wat het biedt",
    offer_en: "Wat het biedt (Engels)",
    scope: "Bereik",
    scope_local: "Lokaal",
    scope_regional: "Regionaal",
    scope_national: "Landelijk",
    regions: "Regio's (leeg = heel Zuid-Holland)",
    municipalities_served: "Gemeenten (één per regel)",
    themes_fit: "Past bij onderdelen",
    needs_fit: "Biedt",
    coaches: "Coaches (één per regel)",
    contact_name: "Contactpersoon",
    email: "E-mailadres",
    phone: "Telefoonnummer",
    website: "Website",
    is_versnellingsteam: "Telt als Versnellingsteam",
    active: "Actief (wordt voorgesteld)",
    inactive: "Niet actief",
    status_note: "Notitie bij de volgende stap",
    targets: "Doelen van het programma",
    target_versnellingsteam: "Gekoppeld aan het Versnellingsteam",
    target_other: "Gekoppeld aan andere initiatieven",
    target_interviews: "Gesprekken afgerond",
    target_partner: "waarvan in dealpartner-gemeenten",
    plate: NL_PLATE,
    ladder: NL_LADDER,
    waiting: |n| format!("{n} wachtend"),
    set_aside: |n| {
        format!("{n} wijziging(en) geweigerd door de server; ze staan nog op dit apparaat.")
    },
    save_failed: |e| {
        format!(
            "Opslaan op dit apparaat is mislukt ({e}). Uw invoer staat nog op het scherm: \
             tik op ‘Opnieuw opslaan’."
        )
    },
    held_by_other: |name| {
        format!(
            "Deze wijziging is niet bewaard: een wijziging van {name} aan dit onderdeel wacht nog \
             op verzending. Laat {name} eerst inloggen en synchroniseren; daarna kunt u het \
             aanpassen."
        )
    },
    dismiss: "Sluiten",
    preview_selected: "Gekozen onderdeel: ",
    preview_empty: "Lege plaat (statisch, zoals geprint)",
    storage_full: "Het geheugen van dit apparaat is vol: uw laatste invoer is nog niet bewaard. \
                   Hij staat nog op het scherm. Synchroniseer, maak ruimte vrij (bijv. oude foto’s \
                   of apps) en tik op ‘Opnieuw opslaan’.",
    retry_save: "Opnieuw opslaan",
    update_available: "Er is een nieuwe versie van Praatplaat. Uw gegevens blijven bewaard.",
    update_apply: "Nu bijwerken",
    replaced_elsewhere: "Praatplaat is in een ander tabblad of venster bijgewerkt. Herlaad deze \
                         pagina om verder te werken; wat al bewaard is, blijft bewaard.",
    reload: "Pagina herladen",
    storage: "Opslag op dit apparaat",
    storage_used: |used, quota| format!("{used} in gebruik van {quota} beschikbaar"),
    storage_persisted: "Blijvende opslag staat aan: de browser wist deze gegevens niet zelf.",
    storage_not_persisted: "Blijvende opslag staat uit: bij een vol apparaat kan de browser \
                            gegevens wissen. Installeer de app op het beginscherm en \
                            synchroniseer vaak.",
    storage_low: |free| {
        format!(
            "Weinig opslagruimte over op dit apparaat (nog {free}). Synchroniseer en maak ruimte \
             vrij, anders kan nieuwe invoer niet worden bewaard."
        )
    },
    storage_unknown: "Deze browser meldt niet hoeveel opslag er is.",
    show_more: |shown, total| format!("Meer tonen ({shown} van {total})"),
    kind_words: |kind| match kind {
        RecordKind::Interview => KindWords::new("Gesprek", "gesprek", "gesprekken"),
        RecordKind::Company => KindWords::new("Bedrijf", "bedrijf", "bedrijven"),
        RecordKind::Link => KindWords::new("Koppeling", "koppeling", "koppelingen"),
        RecordKind::Initiative => KindWords::new("Initiatief", "initiatief", "initiatieven"),
        RecordKind::FollowUp => KindWords::new("Vervolgcontact", "vervolgcontact", "vervolgcontacten"),
    },
    transfer: &transfer::NL,
    codes: &codes::NL,
    bytes: |b| human_bytes(b, true),
    choices_needed: |n| {
        if n == 1 {
            "1 keuze nodig: twee tablets wijzigden hetzelfde".to_owned()
        } else {
            format!("{n} keuzes nodig: twee tablets wijzigden hetzelfde")
        }
    },
    choose_now: "Nu kiezen",
    choose_later: "Later kiezen",
    keep_this: "Deze houden",
    keep_that: "Die houden",
    edited_at: |time| format!("gewijzigd {time}"),
    in_field_now: "staat nu in het veld",
    keep_current: "Zo laten",
    choice_failed: "Deze keuze lukte niet. Beide waarden blijven bewaard; probeer het opnieuw of \
                    meld het bij de coördinator.",
    choice_marker: "keuze nodig",
    interviews_waiting_choice: |n| {
        if n == 1 {
            "1 gesprek wacht op een keuze".to_owned()
        } else {
            format!("{n} gesprekken wachten op een keuze")
        }
    },
    catalogue_read_only: "Alleen de coördinator past de catalogus aan. Je kunt hem hier wel \
                          inzien.",
    sync_screen: &sync_screen::NL,
    follow_ups: &follow_ups::NL,
    account_screen: &account_screen::NL,
};

pub const EN: Texts = Texts {
    app_name: "Praatplaat",
    programme: "SME Deal Circular Metal Manufacturing",
    interviews: "Interviews",
    new_interview: "New interview",
    no_interviews: "No interviews yet. Start with ‘New interview’.",
    loading: "Loading…",
    company: "Company",
    interview: "Interview",
    company_name: "Company name",
    municipality: "Municipality",
    municipality_hint: "Choose or type a municipality",
    address: "Address",
    contact_person: "Contact person",
    interview_date: "Interview date",
    interviewer: "Interviewer",
    notes: "Notes",
    status_draft: "Draft",
    status_completed: "Completed",
    start_interview: "Start interview",
    cancel: "Cancel",
    back: "Back",
    name_required: "Fill in the company name.",
    not_found: "This interview is not on this device.",
    settings: "Settings",
    server_address: "Server address",
    server_address_hint: "Leave empty: the server this app came from.",
    language: "Language",
    default_interviewer: "Your name (filled in on new interviews)",
    sync: "Sync",
    sync_now: "Sync now",
    saved_on_device: "Saved on this device",
    synced: "Synced",
    syncing: "Syncing…",
    offline: "Offline",
    last_sync: "Last synced",
    never: "never",
    sync_failed: "Sync did not succeed",
    this_device: "This device",
    step_company: "Company",
    step_plate: "Talking plate",
    step_examples: "Examples",
    step_ambition: "Ambition",
    step_needs: "Needs",
    step_summary: "Summary",
    steps_label: "Parts of the interview",
    plate_title: "Where does the company stand? Tap a part.",
    r_ladder: "R-ladder",
    done_now: "Already done",
    want_to_start: "Ambition (within 3 years)",
    note: "Note",
    add_note: "Add note",
    example_label: "For example",
    all_themes: "All parts",
    next_theme: "Next part",
    segments: "Segment of the metal chain",
    size_class: "Size class (persons)",
    association_member: "Member of Metaalunie",
    yes: "Yes",
    no: "No",
    unknown: "Unknown",
    at_the_table: "At the table",
    management: "Management",
    staff: "Staff",
    examples_intro: "Good examples the company already practises.",
    add_example: "Add example",
    example_text: "What does the company do?",
    example_theme: "Part",
    no_theme: "No specific part",
    take_photo: "Take or choose photo",
    photo_busy: "Resizing photo…",
    remove_photo: "Remove photo",
    remove_example: "Remove example",
    may_share: "May this example be shared with other companies?",
    share_yes: "Yes",
    share_anonymous: "Anonymously",
    share_no: "No",
    share_unasked: "Not asked yet",
    ambition_intro: "What does the company want to start in the next 3 years? Tap the practices.",
    ambition_text: "The ambition in the company's words",
    needs_intro: "What does the company need to reach its ambition?",
    knowledge: "Knowledge",
    support: "Support",
    advice: "Advice",
    level_none: "None",
    level_some: "Some",
    level_much: "Much",
    degree_now: "Degree of circularity now",
    degree_ambition: "With ambition",
    open_items: "Still open",
    nothing_open: "Everything is filled in.",
    open_no_ticks: "No practices ticked yet",
    open_no_ambition: "No ambition marked yet",
    open_no_needs: "Needs not filled in yet",
    open_sharing: "An example has no sharing consent yet",
    mark_completed: "Mark as completed",
    reopen: "Reopen",
    completed_note: "This interview is completed.",
    search: "Search",
    search_hint: "Company or municipality",
    filter_municipality: "Municipality",
    filter_status: "Status",
    all: "All",
    no_matches: "No interviews found.",
    not_applicable: "n/a",
    plate_missing: "This version of the plate is missing in this app; update the app.",
    photos_waiting: |n| format!("{n} photo(s) waiting"),
    photo_failed: |e| format!("The photo could not be saved: {e}"),
    step_links: "Links",
    step_own_plate: "Own plate",
    suggestions: "Suggestions that fit",
    suggestions_intro: "Initiatives that fit this company's ambition and needs, best fit first.",
    no_suggestions: "No suggestions yet: mark ambition or needs first.",
    propose_link: "Propose link",
    linked_already: "Linked",
    links_of_company: "This company's links",
    no_links: "No links yet.",
    coach: "Coach (Versnellingsteam)",
    choose_coach: "Choose a coach",
    next_steps: "Next steps",
    follow_up: "Follow-up on",
    contact: "Contact",
    correct: "Correct",
    remove_link: "Remove link",
    print: "Print or save as PDF",
    own_plate_title: "Your talking plate",
    own_plate_intro: "How circular your company works now, and your ambition for the next 3 years.",
    your_examples: "Your good examples",
    your_links: "Your links",
    your_ambition: "Your ambition",
    interview_of: "Interview of",
    companies: "Companies",
    companies_intro: "All companies on this device with their interview and links. What needs a push comes first.",
    needs_push: "Needs a push",
    push_proposed: "proposed, not introduced yet",
    push_follow_up: "follow-up is due",
    push_no_links: "completed interview without a link",
    no_interview: "No interview yet",
    links_count: "Links",
    initiatives: "Initiatives",
    initiatives_intro: "The catalogue links are suggested from. Changes reach every tablet.",
    new_initiative: "New initiative",
    initiative_name: "Name",
    offer: "What it offers",
    offer_en: "What it offers (English)",
    scope: "Scope",
    scope_local: "Local",
    scope_regional: "Regional",
    scope_national: "National",
    regions: "Regions (empty = all of Zuid-Holland)",
    municipalities_served: "Municipalities (one per line)",
    themes_fit: "Fits parts",
    needs_fit: "Offers",
    coaches: "Coaches (one per line)",
    contact_name: "Contact person",
    email: "E-mail",
    phone: "Phone",
    website: "Website",
    is_versnellingsteam: "Counts as Versnellingsteam",
    active: "Active (is suggested)",
    inactive: "Inactive",
    status_note: "Note with the next step",
    targets: "Programme targets",
    target_versnellingsteam: "Linked to the Versnellingsteam",
    target_other: "Linked to other initiatives",
    target_interviews: "Interviews completed",
    target_partner: "of which in deal-partner municipalities",
    plate: EN_PLATE,
    ladder: EN_LADDER,
    waiting: |n| format!("{n} waiting"),
    set_aside: |n| format!("{n} change(s) refused by the server; they are still on this device."),
    save_failed: |e| {
        format!(
            "Saving on this device failed ({e}). Your input is still on screen: tap ‘Save \
             again’."
        )
    },
    held_by_other: |name| {
        format!(
            "This change was not saved: a change by {name} to this item is still waiting to be \
             sent. Let {name} sign in and sync first; then you can edit it."
        )
    },
    dismiss: "Close",
    preview_selected: "Chosen part: ",
    preview_empty: "Empty plate (static, as printed)",
    storage_full: "This device's storage is full: your last input is not saved yet. It is still \
                   on screen. Sync, free some space (old photos or apps, say) and tap ‘Save \
                   again’.",
    retry_save: "Save again",
    update_available: "A new version of Praatplaat is available. Your data stays as it is.",
    update_apply: "Update now",
    replaced_elsewhere: "Praatplaat was updated in another tab or window. Reload this page to go \
                         on; what is saved stays saved.",
    reload: "Reload page",
    storage: "Storage on this device",
    storage_used: |used, quota| format!("{used} used of {quota} available"),
    storage_persisted: "Persistent storage is on: the browser will not clear this data by itself.",
    storage_not_persisted: "Persistent storage is off: when the device is full the browser may \
                            clear data. Install the app on the home screen and sync often.",
    storage_low: |free| {
        format!(
            "Little storage left on this device ({free}). Sync and free some space, or new input \
             cannot be saved."
        )
    },
    storage_unknown: "This browser does not report its storage.",
    show_more: |shown, total| format!("Show more ({shown} of {total})"),
    kind_words: |kind| match kind {
        RecordKind::Interview => KindWords::new("Interview", "interview", "interviews"),
        RecordKind::Company => KindWords::new("Company", "company", "companies"),
        RecordKind::Link => KindWords::new("Link", "link", "links"),
        RecordKind::Initiative => KindWords::new("Initiative", "initiative", "initiatives"),
        RecordKind::FollowUp => KindWords::new("Follow-up", "follow-up", "follow-ups"),
    },
    transfer: &transfer::EN,
    codes: &codes::EN,
    bytes: |b| human_bytes(b, false),
    choices_needed: |n| {
        if n == 1 {
            "1 choice needed: two tablets changed the same thing".to_owned()
        } else {
            format!("{n} choices needed: two tablets changed the same thing")
        }
    },
    choose_now: "Choose now",
    choose_later: "Choose later",
    keep_this: "Keep this one",
    keep_that: "Keep that one",
    edited_at: |time| format!("edited {time}"),
    in_field_now: "in the field now",
    keep_current: "Leave it like this",
    choice_failed: "This choice did not work. Both values stay kept; try again or tell the \
                    coordinator.",
    choice_marker: "choice needed",
    interviews_waiting_choice: |n| {
        if n == 1 {
            "1 interview waits for a choice".to_owned()
        } else {
            format!("{n} interviews wait for a choice")
        }
    },
    catalogue_read_only: "Only the coordinator changes the catalogue. You can view it here.",
    sync_screen: &sync_screen::EN,
    follow_ups: &follow_ups::EN,
    account_screen: &account_screen::EN,
};

/// The texts of the current language, reactive: read it inside a closure in `view!`.
pub fn use_texts() -> Signal<&'static Texts> {
    let Language(lang) = expect_context::<Language>();
    Signal::derive(move || texts(lang.get()))
}

/// The UI language, in its own context (provided once at the root from the settings), so the
/// words depend on nothing but the language.
#[derive(Debug, Clone, Copy)]
pub struct Language(pub Signal<Lang>);

/// Provides the language every [`use_texts`] below follows.
pub fn provide_language(lang: Signal<Lang>) {
    provide_context(Language(lang));
}

/// Label of a segment of the metal chain (`praatplaat_domain::model::SEGMENTS`).
pub fn segment_label(code: &str, lang: Lang) -> &'static str {
    let (nl, en) = match code {
        "basismetaal" => ("Basismetaal en gieterij", "Basic metals, foundry"),
        "constructie" => ("Constructie / staalbouw", "Structural steel"),
        "plaatbewerking" => ("Plaatbewerking", "Sheet metal work"),
        "verspaning" => ("Verspaning", "Machining"),
        "smeden" => ("Smeden en persen", "Forging, pressing"),
        "oppervlakte" => ("Oppervlaktebehandeling", "Surface treatment"),
        "gereedschap" => ("Gereedschap, hang- en sluitwerk", "Tools, locks"),
        "machinebouw" => ("Machinebouw", "Machine building"),
        "onderhoud" => ("Onderhoud en reparatie", "Maintenance, repair"),
        "montage" => ("Montage en installatie", "Assembly on site"),
        "engineering" => ("Engineering", "Engineering"),
        "maritiem" => ("Scheepsbouw en maritiem", "Shipbuilding, maritime"),
        _ => ("Overig", "Other"),
    };
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

/// The few words the picture itself shows; theme labels come in with the tallies.
pub struct PlateWords {
    pub legend_now: &'static str,
    pub legend_ambition: &'static str,
    pub legend_open: &'static str,
    pub supplier: &'static str,
    pub recycler: &'static str,
    pub customer: &'static str,
    pub of: &'static str,
    pub ambition: &'static str,
    /// A theme's name while the picture has no tallies for it (by theme id).
    pub theme_name: fn(&str) -> Option<&'static str>,
}

const NL_PLATE: PlateWords = PlateWords {
    legend_now: "✓ Doen we al",
    legend_ambition: "★ Ambitie (binnen 3 jaar)",
    legend_open: "Nog niet",
    supplier: "Leverancier",
    recycler: "Recycler",
    customer: "Klant",
    of: "van",
    ambition: "ambitie",
    theme_name: |id| {
        Some(match id {
            "GR" => "Grondstoffen",
            "PR" => "Product",
            "PP" => "Productieproces",
            "OB" => "Overige bedrijfsactiviteiten",
            "SK" => "Samenwerking in de keten",
            "EN" => "Energietransitie",
            "GB" => "Gebouw",
            _ => return None,
        })
    },
};

const EN_PLATE: PlateWords = PlateWords {
    legend_now: "✓ Already doing",
    legend_ambition: "★ Ambition (within 3 years)",
    legend_open: "Not yet",
    supplier: "Supplier",
    recycler: "Recycler",
    customer: "Customer",
    of: "of",
    ambition: "ambition",
    theme_name: |id| {
        Some(match id {
            "GR" => "Raw materials",
            "PR" => "Product",
            "PP" => "Production process",
            "OB" => "Other business activities",
            "SK" => "Chain collaboration",
            "EN" => "Energy transition",
            "GB" => "Building",
            _ => return None,
        })
    },
};

/// The words the ladder shows besides the tallies.
pub struct LadderWords {
    pub most_circular: &'static str,
    pub least_circular: &'static str,
    /// Short group names, R0–R2, R3–R7, R8–R9.
    pub groups: [&'static str; 3],
    /// Names for steps missing from the tallies, R0 … R9.
    pub step_names: [&'static str; 10],
    pub na_short: &'static str,
    pub na_long: &'static str,
    pub of: &'static str,
    pub ambition: &'static str,
}

const NL_LADDER: LadderWords = LadderWords {
    most_circular: "▲ Meest circulair",
    least_circular: "▼ Minst circulair",
    groups: [
        "Slimmer gebruiken en maken",
        "Levensduur verlengen",
        "Nuttig toepassen",
    ],
    step_names: [
        "Weigeren",
        "Heroverwegen",
        "Verminderen",
        "Hergebruiken",
        "Repareren",
        "Opknappen",
        "Herfabriceren",
        "Herbestemmen",
        "Recyclen",
        "Terugwinnen",
    ],
    na_short: "n.v.t.",
    na_long: "niet van toepassing",
    of: "van",
    ambition: "ambitie",
};

const EN_LADDER: LadderWords = LadderWords {
    most_circular: "▲ Most circular",
    least_circular: "▼ Least circular",
    groups: [
        "Smarter use and making",
        "Extend the lifetime",
        "Useful application",
    ],
    step_names: [
        "Refuse",
        "Rethink",
        "Reduce",
        "Reuse",
        "Repair",
        "Refurbish",
        "Remanufacture",
        "Repurpose",
        "Recycle",
        "Recover",
    ],
    na_short: "n/a",
    na_long: "not applicable",
    of: "of",
    ambition: "ambition",
};
