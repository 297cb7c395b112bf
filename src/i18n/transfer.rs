//! Texts of the export/import screen, the photo upload's progress and the "safe on the server"
//! mark, per language (reached as `Texts::transfer`).

pub struct TransferTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub link: &'static str,
    pub export_title: &'static str,
    pub export_contents: fn(usize, usize) -> String,
    pub nothing_to_export: &'static str,
    pub passphrase: &'static str,
    pub passphrase_hint: &'static str,
    pub passphrase_again: &'static str,
    pub too_short: &'static str,
    pub mismatch: &'static str,
    pub export_button: &'static str,
    pub encrypting: &'static str,
    pub export_ready: fn(usize, usize) -> String,
    pub download: &'static str,
    pub kept_here: &'static str,
    pub import_title: &'static str,
    pub import_intro: &'static str,
    pub file_label: &'static str,
    pub import_passphrase: &'static str,
    pub import_button: &'static str,
    pub decrypting: &'static str,
    pub imported: fn(usize, usize, usize) -> String,
    pub no_file: &'static str,
    pub err_not_export: &'static str,
    pub err_too_new: &'static str,
    pub err_wrong_passphrase: &'static str,
    pub err_damaged: fn(&str) -> String,
    pub err_device: fn(&str) -> String,
    pub safe_on_server: fn(u64, &str) -> String,
    pub safe_title: &'static str,
    pub not_on_server: &'static str,
    pub change_waiting: &'static str,
    pub uploading: fn(u64) -> String,
    pub photos_set_aside_title: &'static str,
    pub photo_set_aside: fn(&str) -> String,
}

pub const NL: TransferTexts = TransferTexts {
    title: "Exporteren en importeren",
    intro: "Lukt synchroniseren niet? Zet wat nog wacht in een versleuteld bestand en breng het \
            naar kantoor, of lees het in op een andere tablet.",
    link: "Exporteren of importeren",
    export_title: "Exporteren naar bestand",
    export_contents: |changes, photos| {
        format!(
            "Gaat mee: {changes} {} en {photos} {} die nog niet op de server staan.",
            if changes == 1 {
                "wijziging"
            } else {
                "wijzigingen"
            },
            if photos == 1 { "foto" } else { "foto's" }
        )
    },
    nothing_to_export: "Er wacht niets: alles staat al op de server.",
    passphrase: "Wachtwoord voor het bestand",
    passphrase_hint: "Minstens 8 tekens. Zonder dit wachtwoord is het bestand onleesbaar; geef \
                      het apart door, niet in dezelfde mail.",
    passphrase_again: "Wachtwoord nog een keer",
    too_short: "Het wachtwoord is te kort: minstens 8 tekens.",
    mismatch: "De twee wachtwoorden zijn niet gelijk.",
    export_button: "Exporteren naar bestand",
    encrypting: "Bezig met versleutelen… Dit duurt een paar seconden; de app reageert zolang niet.",
    export_ready: |changes, photos| {
        format!(
            "Bestand klaar met {changes} {} en {photos} {}. Tik op ‘Bestand opslaan’.",
            if changes == 1 {
                "wijziging"
            } else {
                "wijzigingen"
            },
            if photos == 1 { "foto" } else { "foto's" }
        )
    },
    download: "Bestand opslaan",
    kept_here: "Alles blijft ook op dit apparaat staan en gaat mee met de volgende synchronisatie.",
    import_title: "Importeren uit bestand",
    import_intro: "Lees een exportbestand van een andere tablet in. De gesprekken en foto's komen \
                   op dit apparaat en gaan vanaf hier naar de server.",
    file_label: "Exportbestand (.praatplaat)",
    import_passphrase: "Wachtwoord van het bestand",
    import_button: "Importeren",
    decrypting: "Bezig met openen… Dit duurt een paar seconden; de app reageert zolang niet.",
    imported: |records, known, photos| {
        format!(
            "Ingelezen: {records} {}, {photos} {}. {known} {} al op dit apparaat.",
            if records == 1 { "gegeven" } else { "gegevens" },
            if photos == 1 { "foto" } else { "foto's" },
            if known == 1 { "stond" } else { "stonden" }
        )
    },
    no_file: "Kies eerst een bestand.",
    err_not_export: "Dit is geen Praatplaat-exportbestand. Er is niets veranderd.",
    err_too_new: "Dit bestand komt uit een nieuwere versie van de app. Werk de app bij en probeer \
                  het opnieuw. Er is niets veranderd.",
    err_wrong_passphrase: "Het wachtwoord klopt niet, of het bestand is beschadigd. Er is niets \
                           veranderd.",
    err_damaged: |e| format!("Het bestand is beschadigd ({e}). Er is niets veranderd."),
    err_device: |e| {
        format!("Lezen of schrijven op dit apparaat lukte niet ({e}). Probeer het opnieuw.")
    },
    safe_on_server: |rev, hash| format!("Veilig op de server ✓ versie {rev} · {hash}"),
    safe_title: "De server bevestigde precies deze versie (versie en controlecode).",
    not_on_server: "Nog niet op de server",
    change_waiting: "Wijziging wacht",
    uploading: |percent| format!("bezig: {percent} %"),
    photos_set_aside_title: "Foto's die de server weigerde",
    photo_set_aside: |reason| {
        format!(
            "Een foto bleef onderweg steeds beschadigd ({reason}). Hij blijft op dit apparaat \
             en gaat mee in een export."
        )
    },
};

pub const EN: TransferTexts = TransferTexts {
    title: "Export and import",
    intro: "Sync not working? Put what is waiting into an encrypted file and take it to the \
            office, or read it on another tablet.",
    link: "Export or import",
    export_title: "Export to file",
    export_contents: |changes, photos| {
        format!(
            "Included: {changes} {} and {photos} {} not yet on the server.",
            if changes == 1 { "change" } else { "changes" },
            if photos == 1 { "photo" } else { "photos" }
        )
    },
    nothing_to_export: "Nothing is waiting: everything is on the server.",
    passphrase: "Password for the file",
    passphrase_hint: "At least 8 characters. Without it the file cannot be read; pass it on \
                      separately, not in the same e-mail.",
    passphrase_again: "Password again",
    too_short: "The password is too short: at least 8 characters.",
    mismatch: "The two passwords differ.",
    export_button: "Export to file",
    encrypting: "Encrypting… This takes a few seconds; the app does not respond meanwhile.",
    export_ready: |changes, photos| {
        format!(
            "File ready with {changes} {} and {photos} {}. Tap ‘Save file’.",
            if changes == 1 { "change" } else { "changes" },
            if photos == 1 { "photo" } else { "photos" }
        )
    },
    download: "Save file",
    kept_here: "Everything also stays on this device and goes with the next sync.",
    import_title: "Import from file",
    import_intro: "Read an export file from another tablet. Its interviews and photos come onto \
                   this device and go to the server from here.",
    file_label: "Export file (.praatplaat)",
    import_passphrase: "The file's password",
    import_button: "Import",
    decrypting: "Opening… This takes a few seconds; the app does not respond meanwhile.",
    imported: |records, known, photos| {
        format!(
            "Imported: {records} {}, {photos} {}. {known} already on this device.",
            if records == 1 { "record" } else { "records" },
            if photos == 1 { "photo" } else { "photos" }
        )
    },
    no_file: "Choose a file first.",
    err_not_export: "This is not a Praatplaat export file. Nothing has changed.",
    err_too_new: "This file comes from a newer version of the app. Update the app and try again. \
                  Nothing has changed.",
    err_wrong_passphrase: "The password is wrong, or the file is damaged. Nothing has changed.",
    err_damaged: |e| format!("The file is damaged ({e}). Nothing has changed."),
    err_device: |e| format!("Reading or writing on this device failed ({e}). Try again."),
    safe_on_server: |rev, hash| format!("Safe on the server ✓ version {rev} · {hash}"),
    safe_title: "The server confirmed exactly this version (version and check code).",
    not_on_server: "Not on the server yet",
    change_waiting: "Change waiting",
    uploading: |percent| format!("uploading: {percent} %"),
    photos_set_aside_title: "Photos the server refused",
    photo_set_aside: |reason| {
        format!(
            "A photo kept arriving damaged ({reason}). It stays on this device and goes into an \
             export."
        )
    },
};
