//! A tablet that cannot sync hands in a sealed export; the coordinator imports it (twice, by
//! mistake): everything arrives once.

use praatplaat_domain::export::ExportBundle;
use praatplaat_domain::model::{Company, Interview, Record};
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::Change;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use std::time::{Duration, Instant};

use crate::harness::{error, Db, Session, TestServer};

on_both_databases!(
    an_export_is_imported_once_however_often_it_is_sent,
    the_server_answers_while_an_import_decrypts,
    damaged_exports_are_refused_with_a_clear_error,
);

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
    let photo = crate::harness::jpeg(3, 2_000);
    // Not a JPEG: an export is no way around the upload's check.
    let html = b"<html><script>alert(1)</script></html>".to_vec();
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
        &[photo.clone(), html.clone()],
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
    let html_hash = praatplaat_domain::photo::content_hash(&html);
    let refused = first["photos_refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{first}");
    assert!(
        refused[0].as_str().unwrap().starts_with(&html_hash),
        "{first}"
    );
    let stored = office
        .get(&format!("/photos/{html_hash}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::NOT_FOUND);
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

const PASSPHRASE: &str = "paard batterij nietje";

fn sealed(plain: &[u8], iterations: u32) -> Vec<u8> {
    praatplaat_vault::seal(plain, PASSPHRASE, [3; 16], [4; 12], iterations).unwrap()
}

fn import(session: &Session, file: Vec<u8>, passphrase: &str) -> reqwest::RequestBuilder {
    session
        .post("/import")
        .header("x-export-passphrase", passphrase)
        .body(file)
}

/// The key derivation (600,000 PBKDF2 rounds in a real export) runs off the async workers: the
/// test's runtime has one thread, shared by the server and the client, so a derivation on it would
/// hold every other request until it ends. An empty export, so that after the derivation the
/// import has nothing left to wait for: were it on the runtime thread, its answer would come
/// first. No bound on any duration is asserted: when the opening was too quick to tell (a fast
/// machine), the test tries again with twice the rounds.
async fn the_server_answers_while_an_import_decrypts(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let tablet = Uuid::from_u128(0xCD);
    let plain = ExportBundle::new(tablet, 1, Vec::new(), &[])
        .to_json()
        .unwrap();
    // Rounds for an opening of about half a second on this machine, in this build.
    let started = Instant::now();
    sealed(&plain, 20_000);
    let per_round = started.elapsed().as_secs_f64() / 20_000.0;
    let mut iterations = ((0.5 / per_round) as u32).clamp(20_000, 2_000_000);
    for attempt in 1.. {
        let file = sealed(&plain, iterations);
        let importing = tokio::spawn(import(&office, file, PASSPHRASE).send());
        // Time for the request to reach the derivation.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let health = server
            .client
            .get(server.url("/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        let answered_meanwhile = !importing.is_finished();
        let imported = importing.await.unwrap().unwrap();
        assert_eq!(imported.status(), StatusCode::OK);
        let report: Value = imported.json().await.unwrap();
        assert_eq!(report["device_id"], tablet.to_string());
        assert_eq!(report["applied"], 0);
        if answered_meanwhile {
            break;
        }
        assert!(
            attempt < 4,
            "GET /health waited for an import's decryption ({iterations} rounds)"
        );
        iterations = iterations
            .saturating_mul(2)
            .min(praatplaat_vault::MAX_ITERATIONS);
    }
    server.stop().await;
}

async fn damaged_exports_are_refused_with_a_clear_error(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let company = Company {
        id: Uuid::from_u128(5),
        name: "Afgebroken Metaal".into(),
        municipality: "Gouda".into(),
        ..Company::default()
    };
    let plain = ExportBundle::new(
        Uuid::from_u128(0xEF),
        1,
        vec![Change {
            seq: 1,
            record: Record::Company(company),
        }],
        &[crate::harness::jpeg(5, 1_000)],
    )
    .to_json()
    .unwrap();
    let file = sealed(&plain, 1_000);
    let refused = |response: reqwest::Response| async move {
        let refused = error(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused.error, "invalid");
        refused.message
    };

    let wrong = refused(import(&office, file.clone(), "fout").send().await.unwrap()).await;
    assert!(wrong.contains("passphrase"), "{wrong}");
    // Cut off anywhere: in the ciphertext, in its tag, in the header, in the magic, nothing.
    for len in [file.len() - 1, file.len() / 2, 67, 51, 30, 19, 18, 5, 0] {
        let message = refused(
            import(&office, file[..len].to_vec(), PASSPHRASE)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            message.contains("damaged") || message.contains("not a Praatplaat export"),
            "{len} bytes: {message}"
        );
    }
    // Sealed right, but not an export inside.
    let message = refused(
        import(&office, sealed(b"{\"format\": 1", 1_000), PASSPHRASE)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(message.contains("unusable"), "{message}");
    // Nothing of it was applied; the whole file still is.
    assert!(office.pull_since_seed(0, 10).await.records.is_empty());
    let response = import(&office, file, PASSPHRASE).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        (report["applied"].as_u64(), report["photos_new"].as_u64()),
        (Some(1), Some(1))
    );
    server.stop().await;
}
