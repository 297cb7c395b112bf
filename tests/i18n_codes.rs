//! The catalogue's words for the codes of the domain and the server (`src/i18n/codes.rs`), both
//! languages. That every code has words in both is the compiler's check (each language matches
//! every code, without a catch-all); these check what the words say. Runs under Node.js:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target
//! wasm32-unknown-unknown --test i18n_codes`.
#![cfg(target_arch = "wasm32")]

use praatplaat::i18n::{suggestion_reason, texts, Lang};
use praatplaat_domain::initiative::{seed_catalogue, suggest, Initiative, Suggestion};
use praatplaat_domain::merge::ConflictField;
use praatplaat_domain::model::{Company, Field, Interview, NeedLevel, PracticeAnswer, ThemeNeed};
use praatplaat_domain::plate::Definition;
use praatplaat_domain::refusal::{Reason, Refusal};
use serde_json::json;
use uuid::Uuid;
use wasm_bindgen_test::wasm_bindgen_test;

/// One of each code (the domain's list in `refusal.rs` has the same).
fn every_refusal() -> Vec<Refusal> {
    vec![
        Refusal::NilId,
        Refusal::Empty { field: Field::Name },
        Refusal::TooLong {
            field: Field::Name,
            max: 200,
        },
        Refusal::BadDate {
            value: "2025-13-01".into(),
        },
        Refusal::UnknownSegment {
            segment: "bakkerij".into(),
        },
        Refusal::BadPhotoHash { hash: "AB".into() },
        Refusal::TooMany {
            field: Field::Photos,
            max: 20,
        },
        Refusal::DuplicateExample {
            id: Uuid::from_u128(7),
        },
        Refusal::UnknownPractice {
            practice: "XX-99".into(),
        },
        Refusal::UnknownTheme { theme: "XX".into() },
        Refusal::RecordTooLarge {
            bytes: 600_000,
            max: 524_288,
        },
        Refusal::MergedInvalid {
            problem: Box::new(Refusal::TooMany {
                field: Field::Photos,
                max: 20,
            }),
        },
        Refusal::NoUser,
        Refusal::CatalogueReadOnly,
        Refusal::RecordNotAssigned,
        Refusal::CompanyNotAssigned,
        Refusal::SeqOutOfRange {
            seq: 1_000_000,
            max: 100_007,
        },
        Refusal::PhotoTooLarge,
        Refusal::PhotoUnusable,
    ]
}

#[wasm_bindgen_test]
fn every_refusal_has_words_in_both_languages_with_its_parameters() {
    for refusal in every_refusal() {
        let nl = (texts(Lang::Nl).codes.refusal)(&refusal).expect("Dutch words");
        let en = (texts(Lang::En).codes.refusal)(&refusal).expect("English words");
        assert!(
            !nl.is_empty() && !en.is_empty() && nl != en,
            "{refusal:?}: {nl} / {en}"
        );
        assert_ne!(
            nl,
            refusal.to_string(),
            "the Dutch text is not the server's sentence"
        );
    }
    let too_many = Refusal::TooMany {
        field: Field::Photos,
        max: 20,
    };
    assert_eq!(
        (texts(Lang::Nl).codes.refusal)(&too_many).unwrap(),
        "Te veel: foto's bij een goed voorbeeld (hoogstens 20)."
    );
    assert_eq!(
        (texts(Lang::En).codes.refusal)(&too_many).unwrap(),
        "Too many: photos of a good example (at most 20)."
    );
    let merged = Refusal::MergedInvalid {
        problem: Box::new(too_many),
    };
    assert!((texts(Lang::Nl).codes.refusal)(&merged)
        .unwrap()
        .ends_with("Te veel: foto's bij een goed voorbeeld (hoogstens 20)."));
}

#[wasm_bindgen_test]
fn a_kept_reason_shows_its_code_in_words_and_otherwise_the_servers_sentence() {
    let nl = texts(Lang::Nl).codes;
    let en = texts(Lang::En).codes;
    let coded = Reason::of(Refusal::TooLong {
        field: Field::Name,
        max: 200,
    });
    assert_eq!(nl.reason(&coded), "Te lang: naam (hoogstens 200 tekens).");
    assert_eq!(
        en.reason(&coded),
        "Too long: name (at most 200 characters)."
    );
    // As an outbox entry keeps it, and as older versions kept it (the sentence alone).
    assert_eq!(
        nl.reason(&Reason::from_stored(&coded.to_stored())),
        nl.reason(&coded)
    );
    let old = Reason::from_stored("name is longer than 200 characters");
    assert_eq!(nl.reason(&old), "name is longer than 200 characters");
    // A code of a newer server: its sentence.
    let newer = Reason::from_stored(r#"{"text":"too late","refusal":{"code":"too_late"}}"#);
    assert_eq!(en.reason(&newer), "too late");
    // An unknown field in a known code still reads.
    let other = Reason::of(Refusal::Empty {
        field: Field::Other,
    });
    assert_eq!(nl.reason(&other), "Vul dit in: een veld.");
}

#[wasm_bindgen_test]
fn conflict_fields_and_values_are_worded_per_language() {
    let note = ConflictField::PracticeNote("GR-01".into());
    assert_eq!(
        (texts(Lang::Nl).codes.conflict_field)(&note),
        "Aantekening bij GR-01"
    );
    assert_eq!(
        (texts(Lang::En).codes.conflict_field)(&note),
        "Note on GR-01"
    );
    let example = ConflictField::Example {
        id: "x".into(),
        field: Some("sharing".into()),
    };
    assert_eq!(
        (texts(Lang::En).codes.conflict_field)(&example),
        "Sharing of a good example"
    );
    assert_eq!(texts(Lang::Nl).codes.value(&json!(true)), "ja");
    assert_eq!(texts(Lang::En).codes.value(&json!(null)), "(empty)");
    assert_eq!(texts(Lang::En).codes.value(&json!("van A")), "van A");
}

fn company(municipality: &str) -> Company {
    Company {
        id: Uuid::from_u128(1),
        name: "Van Dijk Metaal".into(),
        municipality: municipality.into(),
        ..Company::default()
    }
}

fn interview(ambitions: &[&str], needs: &[(&str, ThemeNeed)]) -> Interview {
    let mut interview = Interview {
        id: Uuid::from_u128(2),
        company_id: Uuid::from_u128(1),
        ..Interview::default()
    };
    for id in ambitions {
        let answer = PracticeAnswer {
            ambition: true,
            ..PracticeAnswer::default()
        };
        interview.set_answer(id, answer);
    }
    for (theme, need) in needs {
        interview.needs.insert((*theme).to_owned(), need.clone());
    }
    interview
}

/// The suggestion for the initiative whose name contains `part`, with its catalogue entry.
fn suggestion<'a>(
    found: &'a [Suggestion],
    catalogue: &'a [Initiative],
    part: &str,
) -> (&'a Suggestion, &'a Initiative) {
    let initiative = catalogue.iter().find(|i| i.name.contains(part)).unwrap();
    let s = found
        .iter()
        .find(|s| s.initiative_id == initiative.id)
        .unwrap_or_else(|| panic!("{part} is suggested"));
    (s, initiative)
}

#[wasm_bindgen_test]
fn suggestion_reasons_read_as_one_line_in_both_languages() {
    let definition = Definition::current().unwrap();
    let catalogue = seed_catalogue().unwrap();
    let line = |lang, (s, i): (&Suggestion, &Initiative)| {
        suggestion_reason(lang, definition, Some(i), &s.reasons)
    };
    let iv = interview(
        &["GB-02", "GB-03", "PR-01"],
        &[(
            "GB",
            ThemeNeed {
                advice: NeedLevel::Much,
                ..ThemeNeed::default()
            },
        )],
    );
    let found = suggest(definition, &iv, &company("Waddinxveen"), &catalogue);
    let staal = suggestion(&found, &catalogue, "Bouwen met Staal");
    assert_eq!(
        line(Lang::Nl, staal),
        "Past bij uw ambitie op Product (R3 Hergebruiken) en Gebouw (R3 Hergebruiken); \
         landelijk initiatief"
    );
    let team = suggestion(&found, &catalogue, "Versnellingsteam");
    assert_eq!(
        line(Lang::Nl, team),
        "Past bij uw ambitie op Product en Gebouw en bij uw behoefte aan advies; actief in heel \
         Zuid-Holland"
    );
    assert_eq!(
        line(Lang::En, team),
        "Fits your ambition for Product and Building, and your need for advice; active \
         throughout Zuid-Holland"
    );

    let iv = interview(
        &[],
        &[(
            "PR",
            ThemeNeed {
                knowledge: NeedLevel::Much,
                ..ThemeNeed::default()
            },
        )],
    );
    let found = suggest(definition, &iv, &company("Gouda"), &catalogue);
    assert_eq!(
        line(
            Lang::Nl,
            suggestion(&found, &catalogue, "Circulaire Maakindustrie")
        ),
        "Past bij uw behoefte aan kennis op Product; landelijk initiatief"
    );

    let found = suggest(
        definition,
        &interview(&["PP-08"], &[]),
        &company("Delft"),
        &catalogue,
    );
    assert!(
        line(Lang::Nl, suggestion(&found, &catalogue, "Remanufacturing")).contains("R5 Opknappen")
    );

    // The company's place is unknown: the line says where the initiative works.
    let found = suggest(
        definition,
        &interview(&["PR-03"], &[]),
        &company(""),
        &catalogue,
    );
    let blue = suggestion(&found, &catalogue, "BlueCity");
    assert!(line(Lang::Nl, blue).ends_with("; alleen in Rotterdam"));
    assert!(line(Lang::En, blue).ends_with("; only in Rotterdam"));
}
