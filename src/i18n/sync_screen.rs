//! Texts of the sync screen: what waits, what was set aside, the last problem (reached as
//! `Texts::sync_screen`).

pub struct SyncTexts {
    pub sync_title: &'static str,
    pub ago: fn(i64) -> String,
    pub waiting_title: &'static str,
    pub nothing_waiting: &'static str,
    /// Changes another account made here, kept until that account signs in again (name, count).
    pub held_for_other: fn(&str, usize) -> String,
    pub photos_count: fn(usize, &str) -> String,
    pub set_aside_title: &'static str,
    pub set_aside_help: &'static str,
    pub set_aside_reason: fn(&str) -> String,
    pub unnamed: &'static str,
    pub open_record: &'static str,
    pub problem_title: &'static str,
    pub problem_unreachable: &'static str,
    /// HTTP status and the API's error code.
    pub problem_server: fn(u16, &str) -> String,
    pub problem_garbled: &'static str,
    pub problem_device_unreadable: &'static str,
    pub problem_forbidden: &'static str,
    pub problem_device: &'static str,
    pub auto_retry: &'static str,
    pub sync_details: &'static str,
}

pub const NL: SyncTexts = SyncTexts {
    sync_title: "Synchronisatie",
    ago: |minutes| match minutes {
        m if m < 1 => "zojuist".to_owned(),
        1 => "1 minuut geleden".to_owned(),
        m if m < 60 => format!("{m} minuten geleden"),
        m if m < 48 * 60 => format!("{} uur geleden", m / 60),
        m => format!("{} dagen geleden", m / (24 * 60)),
    },
    waiting_title: "Wacht op verzending",
    nothing_waiting: "Niets: alles staat ook op de server.",
    held_for_other: |name, n| {
        let what = if n == 1 {
            "1 wijziging".to_owned()
        } else {
            format!("{n} wijzigingen")
        };
        format!(
            "{what} van {name} wacht tot {name} zich hier weer aanmeldt: die gaan nooit onder een \
             ander account naar de server."
        )
    },
    photos_count: |n, size| {
        if n == 1 {
            format!("1 foto ({size})")
        } else {
            format!("{n} foto’s ({size})")
        }
    },
    set_aside_title: "Apart gezet",
    set_aside_help: "De server heeft deze wijzigingen geweigerd. Ze staan nog op dit apparaat, \
                     maar gaan niet mee. Pas ze aan (dan gaan ze opnieuw mee); lukt dat niet, \
                     meld het bij de coördinator.",
    set_aside_reason: |reason| format!("Reden van de server: {reason}"),
    unnamed: "(zonder naam)",
    open_record: "Openen",
    problem_title: "Laatste probleem",
    problem_unreachable: "Geen verbinding met de server. Wacht op netwerk; alles staat veilig op \
                          dit apparaat.",
    problem_server: |status, code| {
        let code = if code.is_empty() {
            String::new()
        } else {
            format!(", {code}")
        };
        format!(
            "De server gaf een fout (HTTP {status}{code}). Probeer het later of meld het bij de \
             coördinator; alles staat veilig op dit apparaat."
        )
    },
    problem_garbled: "Het antwoord van de server was onleesbaar of onvolledig. De app probeert \
                      het opnieuw; alles staat veilig op dit apparaat.",
    problem_device_unreadable: "Gegevens op dit apparaat zijn onleesbaar. Sluit de app en open \
                                hem opnieuw; helpt dat niet, meld het bij de coördinator.",
    problem_forbidden: "Dit account mag geen gesprekken synchroniseren. Meld je af en meld je aan \
                        met je interviewer-account, of vraag het de coördinator.",
    problem_device: "Lezen of schrijven op dit apparaat lukte niet. Sluit de app en open hem \
                     opnieuw; helpt dat niet, meld het bij de coördinator.",
    auto_retry: "De app probeert het zelf opnieuw.",
    sync_details: "Synchronisatie bekijken",
};

pub const EN: SyncTexts = SyncTexts {
    sync_title: "Sync",
    ago: |minutes| match minutes {
        m if m < 1 => "just now".to_owned(),
        1 => "1 minute ago".to_owned(),
        m if m < 60 => format!("{m} minutes ago"),
        m if m < 48 * 60 => format!("{} hours ago", m / 60),
        m => format!("{} days ago", m / (24 * 60)),
    },
    waiting_title: "Waiting to be sent",
    nothing_waiting: "Nothing: everything is on the server too.",
    held_for_other: |name, n| {
        let what = if n == 1 {
            "1 change".to_owned()
        } else {
            format!("{n} changes")
        };
        format!(
            "{what} by {name} wait until {name} signs in here again: they never go to the server \
             under another account."
        )
    },
    photos_count: |n, size| {
        if n == 1 {
            format!("1 photo ({size})")
        } else {
            format!("{n} photos ({size})")
        }
    },
    set_aside_title: "Set aside",
    set_aside_help: "The server refused these changes. They are still on this device but do not \
                     travel. Change them (they then go again); if that does not help, tell the \
                     coordinator.",
    set_aside_reason: |reason| format!("The server's reason: {reason}"),
    unnamed: "(no name)",
    open_record: "Open",
    problem_title: "Last problem",
    problem_unreachable: "No connection with the server. Wait for a network; everything is safe \
                          on this device.",
    problem_server: |status, code| {
        let code = if code.is_empty() {
            String::new()
        } else {
            format!(", {code}")
        };
        format!(
            "The server reported an error (HTTP {status}{code}). Try later or tell the \
             coordinator; everything is safe on this device."
        )
    },
    problem_garbled: "The server's answer was unreadable or incomplete. The app tries again; \
                      everything is safe on this device.",
    problem_device_unreadable: "Data on this device is unreadable. Close the app and open it \
                                again; if that does not help, tell the coordinator.",
    problem_forbidden: "This account may not sync interviews. Sign out and sign in with your \
                        interviewer account, or ask the coordinator.",
    problem_device: "Reading or writing on this device failed. Close the app and open it \
                     again; if that does not help, tell the coordinator.",
    auto_retry: "The app tries again by itself.",
    sync_details: "View sync",
};
