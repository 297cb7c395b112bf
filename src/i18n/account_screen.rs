//! Texts of signing in and out, the account and its devices (reached as `Texts::account_screen`).

use praatplaat_domain::protocol::auth::Role;

pub struct AccountTexts {
    pub account: &'static str,
    pub sign_in_intro: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub device_label: &'static str,
    pub device_label_hint: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub sign_out: &'static str,
    pub devices_title: &'static str,
    pub devices_intro: &'static str,
    pub devices_load: &'static str,
    /// The HTTP status the server answered, or none when it could not be reached.
    pub devices_failed: fn(Option<u16>) -> String,
    pub devices_unnamed: &'static str,
    pub devices_this_one: &'static str,
    pub devices_last_seen: fn(&str) -> String,
    pub devices_revoked_at: fn(&str) -> String,
    pub devices_revoke: &'static str,
    pub signed_in_as: fn(&str, &str) -> String,
    pub role: fn(Role) -> &'static str,
    pub sign_out_note: &'static str,
    pub sign_out_waiting: fn(usize) -> String,
    pub sign_in_to_sync: &'static str,
    pub signed_out_by_server: &'static str,
    pub sign_in_offline: &'static str,
    pub fill_credentials: &'static str,
    pub bad_credentials: &'static str,
    pub too_many_attempts: fn(u32) -> String,
    pub server_unreachable: &'static str,
    pub sign_in_failed: fn(&str) -> String,
    pub sign_in_busy: &'static str,
    pub sign_in_device_reserved: &'static str,
    /// Before signing in while another account's changes wait (who, in a list).
    pub switch_user_title: &'static str,
    pub switch_user_text: fn(&str) -> String,
    pub switch_user_confirm: &'static str,
    pub switch_user_cancel: &'static str,
}

pub const NL: AccountTexts = AccountTexts {
    account: "Account",
    sign_in_intro: "Meld je één keer aan, met internet. Daarna synchroniseert dit apparaat \
                    vanzelf, ook na weken zonder netwerk.",
    username: "Gebruikersnaam",
    password: "Wachtwoord",
    device_label: "Naam van dit apparaat",
    device_label_hint: "De coördinator ziet deze naam in de lijst van aangemelde apparaten.",
    sign_in: "Aanmelden",
    signing_in: "Bezig met aanmelden…",
    sign_out: "Afmelden",
    devices_title: "Aangemelde apparaten",
    devices_intro:
        "Een tablet kwijt? Haal de lijst op en trek de aanmelding van dat apparaat \
                    in: het kan dan niet meer synchroniseren. Wat er al op de server staat, blijft.",
    devices_load: "Lijst ophalen",
    devices_failed: |status| match status {
        None => {
            "De lijst kon niet worden opgehaald: geen verbinding met de server. Controleer het \
                 netwerk."
                .to_owned()
        }
        Some(status) => format!("De lijst kon niet worden opgehaald (HTTP {status})."),
    },
    devices_unnamed: "Apparaat zonder naam",
    devices_this_one: "Dit apparaat",
    devices_last_seen: |at| format!("Laatst gezien {at}"),
    devices_revoked_at: |at| format!("Ingetrokken {at}"),
    devices_revoke: "Intrekken",
    signed_in_as: |name, role| format!("Aangemeld als {name} ({role})"),
    role: |role| match role {
        Role::Interviewer => "interviewer",
        Role::Coordinator => "coördinator",
        Role::Partner => "partner",
        Role::Admin => "beheerder",
    },
    sign_out_note: "Na afmelden synchroniseert dit apparaat niet meer. Je gegevens blijven op \
                    dit apparaat.",
    sign_out_waiting: |n| {
        format!(
            "Er wachten nog {n} wijziging(en). Ze blijven hier en gaan mee zodra je weer aanmeldt."
        )
    },
    sign_in_to_sync: "Meld je aan om te synchroniseren",
    signed_out_by_server: "Dit apparaat is afgemeld. Meld opnieuw aan om te synchroniseren; je \
                           gegevens blijven op dit apparaat.",
    sign_in_offline: "Aanmelden kan alleen met internet, en dit apparaat is nu offline. Je kunt \
                      gewoon verder werken: alles blijft op dit apparaat.",
    fill_credentials: "Vul je gebruikersnaam en wachtwoord in.",
    bad_credentials: "Gebruikersnaam of wachtwoord klopt niet. Let op hoofdletters.",
    too_many_attempts: |minutes| match minutes {
        0 | 1 => "Te veel pogingen. Wacht 1 minuut en probeer het dan opnieuw.".to_owned(),
        n => format!("Te veel pogingen. Wacht {n} minuten en probeer het dan opnieuw."),
    },
    server_unreachable: "De server is niet bereikbaar. Controleer de verbinding en het \
                         serveradres, of probeer het later.",
    sign_in_failed: |e| {
        format!("Aanmelden lukte niet ({e}). Probeer het later of meld het bij de coördinator.")
    },
    sign_in_busy: "De server is even druk met aanmeldingen. Probeer het over een paar seconden \
                   opnieuw.",
    sign_in_device_reserved: "Dit apparaat kan zich niet aanmelden (het apparaat-id is van de \
                              server zelf). Wis de gegevens van de app of gebruik een ander \
                              apparaat.",
    switch_user_title: "Wijzigingen van iemand anders wachten",
    switch_user_text: |who| {
        format!(
            "Op dit apparaat wachten wijzigingen van {who}. Die worden niet onder jouw account \
             verstuurd: ze blijven hier tot {who} zich weer aanmeldt (of gaan mee in een \
             exportbestand). Toch aanmelden?"
        )
    },
    switch_user_confirm: "Toch aanmelden",
    switch_user_cancel: "Annuleren",
};

pub const EN: AccountTexts = AccountTexts {
    account: "Account",
    sign_in_intro: "Sign in once, with internet. After that this device syncs by itself, even \
                    after weeks without a network.",
    username: "User name",
    password: "Password",
    device_label: "Name of this device",
    device_label_hint: "The coordinator sees this name in the list of signed-in devices.",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    sign_out: "Sign out",
    devices_title: "Signed-in devices",
    devices_intro: "Lost a tablet? Load the list and revoke that device's sign-in: it can no \
                    longer sync. What is already on the server stays.",
    devices_load: "Load the list",
    devices_failed: |status| match status {
        None => "The list could not be loaded: no connection with the server. Check the network."
            .to_owned(),
        Some(status) => format!("The list could not be loaded (HTTP {status})."),
    },
    devices_unnamed: "Unnamed device",
    devices_this_one: "This device",
    devices_last_seen: |at| format!("Last seen {at}"),
    devices_revoked_at: |at| format!("Revoked {at}"),
    devices_revoke: "Revoke",
    signed_in_as: |name, role| format!("Signed in as {name} ({role})"),
    role: |role| match role {
        Role::Interviewer => "interviewer",
        Role::Coordinator => "coordinator",
        Role::Partner => "partner",
        Role::Admin => "administrator",
    },
    sign_out_note: "After signing out this device no longer syncs. Your data stays on this \
                    device.",
    sign_out_waiting: |n| {
        format!("{n} change(s) still waiting. They stay here and go as soon as you sign in again.")
    },
    sign_in_to_sync: "Sign in to sync",
    signed_out_by_server: "This device was signed out. Sign in again to sync; your data stays on \
                           this device.",
    sign_in_offline: "Signing in needs the internet, and this device is offline now. You can \
                      carry on working: everything stays on this device.",
    fill_credentials: "Fill in your user name and password.",
    bad_credentials: "User name or password is wrong. Mind upper and lower case.",
    too_many_attempts: |minutes| match minutes {
        0 | 1 => "Too many attempts. Wait 1 minute, then try again.".to_owned(),
        n => format!("Too many attempts. Wait {n} minutes, then try again."),
    },
    server_unreachable: "The server cannot be reached. Check the connection and the server \
                         address, or try later.",
    sign_in_failed: |e| {
        format!("Signing in did not work ({e}). Try later or tell the coordinator.")
    },
    sign_in_busy: "The server is busy with sign-ins. Try again in a few seconds.",
    sign_in_device_reserved: "This device cannot sign in (its device id is the server's own). \
                              Clear the app's data or use another device.",
    switch_user_title: "Someone else's changes are waiting",
    switch_user_text: |who| {
        format!(
            "Changes by {who} are waiting on this device. They are not sent under your account: \
             they stay here until {who} signs in again (or travel in an export file). Sign in \
             anyway?"
        )
    },
    switch_user_confirm: "Sign in anyway",
    switch_user_cancel: "Cancel",
};
