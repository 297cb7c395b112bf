//! Push and pull: exactly-once application, last-writer and validation rules, paging, restarts,
//! malformed requests, the seed catalogue, and the app's static files.

use praatplaat_domain::model::{Company, Interview, Record};
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::{Change, ChangeStatus, Health, PushRequest, MAX_PUSH_CHANGES};
use praatplaat_domain::refusal::{Field, Refusal};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::harness::{error, Db, TestServer, MAX_BODY, SEEDS};

on_both_databases!(
    health_answers,
    push_then_pull_returns_the_records_with_revisions,
    duplicate_push_is_stored_once,
    older_edit_is_superseded_and_invalid_record_rejected_without_blocking_the_batch,
    pull_pages_through_a_cursor,
    restart_keeps_the_data,
    malformed_requests_get_clear_4xx_errors,
    serves_the_app_with_a_fallback_to_index_html,
    the_initiative_catalogue_is_seeded_once,
    a_pull_skipping_its_own_leaves_out_what_the_device_pushed_as_sent,
    a_follow_up_syncs_to_whom_sees_its_company_and_no_one_else,
);

pub fn company(n: u128, name: &str, updated_at: i64) -> Record {
    let mut c = Company {
        id: Uuid::from_u128(n),
        name: name.into(),
        municipality: "Waddinxveen".into(),
        ..Company::default()
    };
    c.meta.updated_at = updated_at;
    Record::Company(c)
}

pub fn push_of(device: u128, changes: Vec<(u64, Record)>) -> PushRequest {
    PushRequest {
        device_id: Uuid::from_u128(device),
        changes: changes
            .into_iter()
            .map(|(seq, record)| Change { seq, record })
            .collect(),
    }
}

async fn health_answers(db: Db) {
    let server = TestServer::start(&db).await;
    let health: Health = reqwest::get(format!("{}/health", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.protocol, 1);
    server.stop().await;
}

async fn push_then_pull_returns_the_records_with_revisions(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("kantoor", Role::Coordinator).await;
    let interview = Record::Interview(Interview {
        id: Uuid::from_u128(10),
        company_id: Uuid::from_u128(1),
        date: "2025-02-03".into(),
        notes: "Restplaat wordt al hergebruikt".into(),
        ..Interview::default()
    });
    let response = device
        .push(&push_of(
            1,
            vec![
                (1, company(1, "Van Dijk Metaal", 100)),
                (2, interview.clone()),
            ],
        ))
        .await;
    assert_eq!(response.last_seq, 2);
    assert!(response
        .results
        .iter()
        .all(|r| r.status == ChangeStatus::Applied && r.rev == 1));

    let page = device.pull_since_seed(0, 100).await;
    assert_eq!(page.records.len(), 2);
    assert!(!page.more);
    assert_eq!(page.cursor, SEEDS + 2);
    let Record::Interview(pulled) = &page.records[1] else {
        panic!("expected the interview second")
    };
    assert_eq!(pulled.notes, "Restplaat wordt al hergebruikt");
    assert_eq!(pulled.meta.rev, 1);
    server.stop().await;
}

async fn duplicate_push_is_stored_once(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("kantoor", Role::Coordinator).await;
    let request = push_of(
        7,
        vec![(1, company(1, "Eén", 100)), (2, company(2, "Twee", 100))],
    );
    device.push(&request).await;
    let again = device.push(&request).await;
    assert!(again
        .results
        .iter()
        .all(|r| r.status == ChangeStatus::Duplicate && r.rev == 1));
    let page = device.pull_since_seed(0, 100).await;
    assert_eq!(page.records.len(), 2);
    assert_eq!(
        page.cursor,
        SEEDS + 2,
        "a duplicate must not take a new server sequence"
    );

    // The same seq from another device is a different change. It shares no history with the
    // stored record (both name rev 0), so it is merged against the empty record: the later name
    // stays and the other is kept as a conflict, never dropped.
    let other = push_of(8, vec![(1, company(1, "Eén, later", 200))]);
    let second = server.sign_in("kantoor").await;
    let result = second.push(&other).await.results.remove(0);
    assert_eq!((result.status, result.rev), (ChangeStatus::Merged, 2));
    let Some(Record::Company(merged)) = result.record else {
        panic!("a merge answers with the merged record");
    };
    assert_eq!(merged.name, "Eén, later");
    assert_eq!(merged.conflicts.len(), 1);
    assert_eq!(merged.conflicts[0].other, serde_json::json!("Eén"));
    server.stop().await;
}

async fn older_edit_is_superseded_and_invalid_record_rejected_without_blocking_the_batch(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("kantoor", Role::Coordinator).await;
    device
        .push(&push_of(1, vec![(1, company(1, "Nieuw", 500))]))
        .await;
    let second = server.sign_in("kantoor").await;
    let response = second
        .push(&push_of(
            2,
            vec![
                (1, company(1, "Ouder", 400)),
                (2, company(2, "", 400)),
                (3, company(3, "Goed", 400)),
            ],
        ))
        .await;
    let statuses: Vec<ChangeStatus> = response.results.iter().map(|r| r.status).collect();
    // "Ouder" shares no history with "Nieuw": the later name stays, the older one is kept as a
    // conflict (a silent last-writer-wins would drop it).
    assert_eq!(
        statuses,
        [
            ChangeStatus::Merged,
            ChangeStatus::Rejected,
            ChangeStatus::Applied
        ]
    );
    // A third device sends what is stored already: superseded, nothing stored.
    let third = server.sign_in("kantoor").await;
    let same = third
        .push(&push_of(3, vec![(1, company(1, "Nieuw", 450))]))
        .await;
    assert_eq!(same.results[0].status, ChangeStatus::Superseded);
    assert_eq!(same.results[0].rev, 2);
    assert_eq!(
        response.results[1].reason.as_deref(),
        Some("name must not be empty")
    );
    assert_eq!(
        response.results[1].refusal,
        Some(Refusal::Empty { field: Field::Name })
    );
    assert_eq!(response.last_seq, 3);
    let names: Vec<String> = device
        .pull_since_seed(0, 100)
        .await
        .records
        .into_iter()
        .map(|r| match r {
            Record::Company(c) => c.name,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(names, ["Nieuw", "Goed"]);
    server.stop().await;
}

async fn pull_pages_through_a_cursor(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("kantoor", Role::Coordinator).await;
    let changes = (1..=7)
        .map(|n| (n as u64, company(n, &format!("Bedrijf {n}"), 1)))
        .collect();
    device.push(&push_of(1, changes)).await;
    // Editing company 2 moves it to the end of the change order.
    device
        .push(&push_of(1, vec![(8, company(2, "Bedrijf 2 bis", 2))]))
        .await;

    let mut cursor = SEEDS;
    let mut seen = Vec::new();
    loop {
        let page = device.pull(cursor, 3).await;
        assert!(page.records.len() <= 3);
        seen.extend(page.records.iter().map(|r| r.id().as_u128()));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, [1, 3, 4, 5, 6, 7, 2]);
    assert_eq!(cursor, SEEDS + 8);
    assert!(device.pull(cursor, 3).await.records.is_empty());
    server.stop().await;
}

async fn restart_keeps_the_data(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("kantoor", Role::Coordinator).await;
    device
        .push(&push_of(1, vec![(1, company(1, "Blijft Bestaan BV", 1))]))
        .await;
    server.stop().await;

    let server = TestServer::start(&db).await;
    // The session survived the restart too.
    let device = device.at(&server);
    let page = device.pull_since_seed(0, 10).await;
    assert_eq!(page.records.len(), 1);
    // The device's counter survived too: its old change is still a duplicate.
    let again = device
        .push(&push_of(1, vec![(1, company(1, "Blijft Bestaan BV", 1))]))
        .await;
    assert_eq!(again.results[0].status, ChangeStatus::Duplicate);
    server.stop().await;
}

async fn malformed_requests_get_clear_4xx_errors(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("kantoor", Role::Coordinator).await;
    let post_json = |body: String| {
        device
            .post("/push")
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let err = error(
        post_json("{not json".into()).await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(err.error, "bad_json");

    let body = json!({"device_id": device.device_id, "changes": [{"seq": 1, "kind": "invoice", "record": {}}]});
    let err = error(
        post_json(body.to_string()).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(err.message.contains("invoice"), "{}", err.message);

    let err = error(
        device.post("/push").body("{}").send().await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    assert_eq!(err.error, "unsupported_media_type");

    let huge = format!(
        r#"{{"device_id":"{}","changes":[],"pad":"{}"}}"#,
        device.device_id,
        "x".repeat(MAX_BODY + 1)
    );
    let err = error(
        post_json(huge).await.unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(err.error, "too_large");

    let nil = push_of(0, vec![(1, company(1, "x", 1))]);
    let response = device.post("/push").json(&nil).send().await.unwrap();
    assert!(error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("device_id"));

    let mut unordered = push_of(1, vec![(2, company(1, "a", 1)), (1, company(2, "b", 1))]);
    unordered.device_id = device.device_id;
    let response = device.post("/push").json(&unordered).send().await.unwrap();
    assert!(error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("order"));

    let mut too_many = push_of(
        1,
        (1..=MAX_PUSH_CHANGES as u64 + 1)
            .map(|n| (n, company(1, "a", 1)))
            .collect(),
    );
    too_many.device_id = device.device_id;
    let bytes = serde_json::to_vec(&too_many).unwrap();
    assert!(bytes.len() < MAX_BODY);
    let response = post_json(String::from_utf8(bytes).unwrap()).await.unwrap();
    assert!(error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("batches"));

    let response = device.get("/pull?since=-1").send().await.unwrap();
    assert_eq!(
        error(response, StatusCode::BAD_REQUEST).await.error,
        "bad_query"
    );
    let response = device.get("/pull?limit=100000").send().await.unwrap();
    error(response, StatusCode::UNPROCESSABLE_ENTITY).await;

    let response = device.get("/nothing-here").send().await.unwrap();
    assert_eq!(
        error(response, StatusCode::NOT_FOUND).await.error,
        "not_found"
    );

    // Nothing of the above was stored.
    assert!(device.pull_since_seed(0, 10).await.records.is_empty());
    server.stop().await;
}

async fn serves_the_app_with_a_fallback_to_index_html(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let static_dir = dir.path().join("dist");
    std::fs::create_dir_all(&static_dir).unwrap();
    std::fs::write(static_dir.join("index.html"), "<html>praatplaat</html>").unwrap();
    std::fs::write(static_dir.join("app.js"), "console.log(1)").unwrap();
    let static_dir_path = static_dir.clone();
    let server = TestServer::start_with(&db, Some(static_dir)).await;
    let root = server.base.trim_end_matches("/api/v1");
    for path in ["/", "/interviews/123", "/app.js"] {
        let response = reqwest::get(format!("{root}{path}")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let deep = reqwest::get(format!("{root}/interviews/123"))
        .await
        .unwrap();
    assert_eq!(deep.headers()["cache-control"], "no-cache");
    let csp = deep.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(deep.headers()["x-content-type-options"], "nosniff");
    assert!(deep.text().await.unwrap().contains("praatplaat"));

    // Hashed build files are immutable; a precompressed copy goes to a browser that takes it.
    std::fs::write(
        static_dir_path.join("app-0123456789abcdef.js"),
        "console.log('app')",
    )
    .unwrap();
    std::fs::write(
        static_dir_path.join("app-0123456789abcdef.js.br"),
        b"precompressed",
    )
    .unwrap();
    let client = reqwest::Client::new();
    let url = format!("{root}/app-0123456789abcdef.js");
    let hashed = client
        .get(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(hashed.headers()["content-encoding"], "br");
    assert_eq!(hashed.bytes().await.unwrap().as_ref(), b"precompressed");
    let plain = client.get(&url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "console.log('app')");
    // Trunk drops a hash's leading zeros: a 15-digit one is as immutable as any.
    std::fs::write(static_dir_path.join("plate-655b3eb04a92607.css"), "p {}").unwrap();
    let short = reqwest::get(format!("{root}/plate-655b3eb04a92607.css"))
        .await
        .unwrap();
    assert_eq!(
        short.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(short.text().await.unwrap(), "p {}");
    // A hashed name that is not there (the last release's) gets index.html, never kept a year;
    // nor is a deep link that ends in a UUID.
    for path in [
        "/plate-0000000000000001.css",
        "/interviews/0b6c2f1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b",
    ] {
        let response = reqwest::get(format!("{root}{path}")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert!(response.text().await.unwrap().contains("praatplaat"));
    }
    // API answers are not app files: never cached.
    let api = reqwest::get(format!("{root}/api/v1/health")).await.unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    server.stop().await;
}

async fn the_initiative_catalogue_is_seeded_once(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("kantoor", Role::Coordinator).await;
    let page = device.pull(0, 100).await;
    assert_eq!(page.records.len() as u64, SEEDS);
    let names: Vec<String> = page
        .records
        .iter()
        .map(|r| match r {
            Record::Initiative(i) => i.name.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert!(
        names.iter().any(|n| n == "Versnellingsteam Metaal"),
        "{names:?}"
    );
    server.stop().await;

    // A restart seeds nothing twice.
    let server = TestServer::start(&db).await;
    let device = device.at(&server);
    let page = device.pull(0, 100).await;
    assert_eq!(page.records.len() as u64, SEEDS);
    assert_eq!(page.cursor, SEEDS);
    server.stop().await;
}

/// `skip_own`: what a device pushed and the server stored as sent does not come back to it (it
/// holds that revision once it takes the verdicts), yet moves its cursor; another device's
/// change, and a merge of the device's own, do come back.
async fn a_pull_skipping_its_own_leaves_out_what_the_device_pushed_as_sent(db: Db) {
    let server = TestServer::start(&db).await;
    let tablet = server.user("kantoor", Role::Coordinator).await;
    let office = server.sign_in("kantoor").await;
    assert_ne!(tablet.device_id, office.device_id);
    let pushed = tablet
        .push(&push_of(
            1,
            vec![(1, company(1, "Eén", 100)), (2, company(2, "Twee", 100))],
        ))
        .await;
    assert!(pushed
        .results
        .iter()
        .all(|r| r.status == ChangeStatus::Applied));
    let page = tablet.pull_skipping_own(SEEDS, 100).await;
    assert!(page.records.is_empty(), "{:?}", page.records);
    assert_eq!((page.cursor, page.more), (SEEDS + 2, false));
    // Skipped rows move the cursor page by page too.
    let page = tablet.pull_skipping_own(SEEDS, 1).await;
    assert!(page.records.is_empty());
    assert_eq!((page.cursor, page.more), (SEEDS + 1, true));
    // Without it, everything as before; another device gets them either way.
    assert_eq!(tablet.pull(SEEDS, 100).await.records.len(), 2);
    let page = office.pull_skipping_own(SEEDS, 100).await;
    assert_eq!(page.records.len(), 2);
    assert_eq!(page.hashes.len(), 2);

    // The office renames company 2 (based on rev 1): the tablet pulls it.
    let mut renamed = company(2, "Twee (kantoor)", 200);
    renamed.meta_mut().rev = 1;
    let result = office.push(&push_of(2, vec![(1, renamed)])).await.results;
    assert_eq!(result[0].status, ChangeStatus::Applied);
    let page = tablet.pull_skipping_own(SEEDS + 2, 100).await;
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].meta().rev, 2);
    let cursor = page.cursor;

    // The tablet renames it too, still on rev 1: merged with a conflict, which it must be sent.
    let mut own = company(2, "Twee (tablet)", 300);
    own.meta_mut().rev = 1;
    let result = tablet.push(&push_of(1, vec![(3, own)])).await.results;
    assert_eq!(result[0].status, ChangeStatus::Merged);
    let page = tablet.pull_skipping_own(cursor, 100).await;
    assert_eq!(page.records.len(), 1);
    let Record::Company(merged) = &page.records[0] else {
        panic!("expected company 2")
    };
    assert_eq!(merged.meta.rev, 3);
    assert_eq!(merged.conflicts.len(), 1);
    let cursor = page.cursor;

    // A writer that leaves `written_by` as it was (a server process of an older version, during
    // a rolling update) stores another revision of company 1: the mark names the revision the
    // tablet holds, so the new one is sent.
    let mut newer = company(1, "Eén (elders)", 500);
    newer.meta_mut().rev = 2;
    let mut conn = db.connect().await;
    sqlx::query(
        "UPDATE records SET rev = 2, server_seq = 1000000, data = $1 WHERE kind = 'company' AND id = $2",
    )
    .bind(serde_json::to_string(&newer).unwrap())
    .bind(Uuid::from_u128(1).to_string())
    .execute(&mut conn)
    .await
    .unwrap();
    let page = tablet.pull_skipping_own(cursor, 100).await;
    assert_eq!(page.records, [newer]);
    server.stop().await;
}

/// The follow-up, a kind added with one line in the domain's kind list: stored, pulled and
/// guarded by its company like the others, with nothing of its own on the server.
async fn a_follow_up_syncs_to_whom_sees_its_company_and_no_one_else(db: Db) {
    use praatplaat_domain::followup::FollowUp;
    use praatplaat_domain::refusal::Refusal;

    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let jan = server.user("jan", Role::Interviewer).await;
    let piet = server.user("piet", Role::Interviewer).await;
    let follow_up = |id: u128| {
        Record::FollowUp(FollowUp {
            id: Uuid::from_u128(id),
            company_id: Uuid::from_u128(1),
            interview_id: Uuid::from_u128(10),
            planned_on: "2025-08-03".into(),
            next_steps: "Offerte lasrobot opvragen".into(),
            ..FollowUp::default()
        })
    };
    let interview = Record::Interview(Interview {
        id: Uuid::from_u128(10),
        company_id: Uuid::from_u128(1),
        date: "2025-02-03".into(),
        ..Interview::default()
    });
    let results = jan
        .push(&push_of(
            1,
            vec![
                (1, company(1, "Van Dijk Metaal", 100)),
                (2, interview),
                (3, follow_up(20)),
            ],
        ))
        .await
        .results;
    assert!(
        results.iter().all(|r| r.status == ChangeStatus::Applied),
        "{results:?}"
    );
    let kinds = |page: &praatplaat_domain::protocol::PullResponse| {
        page.records
            .iter()
            .filter(|r| matches!(r, Record::FollowUp(_)))
            .count()
    };
    assert_eq!(kinds(&office.pull(0, 100).await), 1);
    assert_eq!(kinds(&jan.pull(0, 100).await), 1);
    assert_eq!(kinds(&piet.pull(0, 100).await), 0);
    // Piet may not add one to a company that is not his.
    let results = piet
        .push(&push_of(2, vec![(1, follow_up(21))]))
        .await
        .results;
    assert_eq!(results[0].status, ChangeStatus::Rejected);
    assert_eq!(results[0].refusal, Some(Refusal::CompanyNotAssigned));
    let Some(Record::FollowUp(stored)) = office
        .pull(0, 100)
        .await
        .records
        .into_iter()
        .find(|r| matches!(r, Record::FollowUp(_)))
    else {
        panic!("the follow-up is stored");
    };
    assert_eq!(stored.next_steps, "Offerte lasrobot opvragen");
    server.stop().await;
}
