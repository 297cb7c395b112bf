//! Every text the UI shows, per language. Dutch is the default; a new language is one more
//! `Texts` value, and the compiler checks it has every text. Components read the texts of the
//! current language through [`use_texts`].

use leptos::prelude::*;

/// The UI language is the plate's language: one enum for both.
pub use praatplaat_domain::plate::Lang;

/// The texts of `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
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
    pub waiting: fn(usize) -> String,
    pub set_aside: fn(usize) -> String,
    pub save_failed: fn(&str) -> String,
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
    waiting: |n| format!("{n} wachtend"),
    set_aside: |n| {
        format!("{n} wijziging(en) geweigerd door de server; ze staan nog op dit apparaat.")
    },
    save_failed: |e| {
        format!(
            "Opslaan op dit apparaat is mislukt ({e}). Uw invoer staat nog op het scherm: \
             maak ruimte vrij en wijzig het veld opnieuw."
        )
    },
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
    waiting: |n| format!("{n} waiting"),
    set_aside: |n| format!("{n} change(s) refused by the server; they are still on this device."),
    save_failed: |e| {
        format!(
            "Saving on this device failed ({e}). Your input is still on screen: free some space \
             and change the field again."
        )
    },
};

/// The texts of the current language, reactive: read it inside a closure in `view!`.
pub fn use_texts() -> Signal<&'static Texts> {
    let state = crate::state::use_app_state();
    Signal::derive(move || state.settings.with(|s| texts(s.lang)))
}
