//! A tablet that cannot sync hands in a sealed export; the coordinator imports it (twice, by
//! mistake): everything arrives once.

use praatplaat_domain::export::ExportBundle;
use praatplaat_domain::model::{Company, Interview, Record};
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::Change;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::harness::{error, Db, TestServer};

on_both_databases!(an_export_is_imported_once_however_often_it_is_sent);

async fn an_export_is_imported_once_however_often_it_is_sent(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let interviewer = server.user("jan", Role::Interviewer).await;
    let tablet = Uuid::from_u128(0xAB);
    let company = Company {
        id: Uuid::from_u128(1),
        name: "Ingeleverd Metaal".into(),
        municipality: "Gouda".into(),
        ..Company::default()
    };
    let interview = Interview {
        id: Uuid::from_u128(2),
        company_id: company.id,
        date: "2026-11-23".into(),
        notes: "Alleen op de tablet".into(),
        ..Interview::default()
    };
    let photo = vec![0xFF, 0xD8, 0xFF, 0xE0, 9, 9, 9];
    let bundle = ExportBundle::new(
        tablet,
        1,
        vec![
            Change {
                seq: 7,
                record: Record::Company(company),
            },
            Change {
                seq: 8,
                record: Record::Interview(interview),
            },
        ],
        std::slice::from_ref(&photo),
    );
    let sealed = praatplaat_vault::seal(
        &bundle.to_json().unwrap(),
        "paard batterij nietje",
        [7; 16],
        [9; 12],
        1_000,
    )
    .unwrap();
    let send = |session: &crate::harness::Session, passphrase: &str| {
        session
            .post("/import")
            .header("x-export-passphrase", passphrase)
            .body(sealed.clone())
            .send()
    };

    let first: Value = send(&office, "paard batterij nietje")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (first["applied"].as_u64(), first["photos_new"].as_u64()),
        (Some(2), Some(1))
    );
    let again: Value = send(&office, "paard batterij nietje")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["applied"], 0);
    assert_eq!(again["duplicate"], 2);
    assert_eq!(again["photos_known"], 1);
    let records = office.pull_since_seed(0, 10).await.records;
    assert_eq!(records.len(), 2);

    let wrong = send(&office, "fout").await.unwrap();
    assert!(error(wrong, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .to_lowercase()
        .contains("passphrase"));
    let garbage = office
        .post("/import")
        .header("x-export-passphrase", "x")
        .body("not an export")
        .send()
        .await
        .unwrap();
    error(garbage, StatusCode::UNPROCESSABLE_ENTITY).await;
    let not_office = send(&interviewer, "paard batterij nietje").await.unwrap();
    error(not_office, StatusCode::FORBIDDEN).await;
    server.stop().await;
}
