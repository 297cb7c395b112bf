//! Holes a security test of the server found (issue 13), each tried as an attacker with an
//! interviewer's account would: device ids and change numbers, imports with the importer's
//! rights, company ids used by two accounts, and answers that said too much or failed.
//!
//! Verdicts are read as JSON (`status`, `refusal.code`), as a client of any version reads them.

use praatplaat_domain::export::ExportBundle;
use praatplaat_domain::model::{Company, Interview, Record};
use praatplaat_domain::protocol::auth::{Assignees, Role, SignInRequest};
use praatplaat_domain::protocol::{Change, PushRequest};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Connection;
use uuid::Uuid;

use crate::harness::{error, Db, Session, TestServer, PASSWORD};

on_both_databases!(
    each_account_numbers_its_own_changes_on_a_shared_tablet,
    a_change_number_may_not_jump_far_ahead,
    a_change_number_above_the_largest_is_refused_every_time,
    nobody_signs_in_on_the_seed_device,
    an_import_applies_each_change_with_the_rights_of_its_account,
    an_export_naming_another_accounts_tablet_is_refused,
    assigning_a_user_twice_assigns_once,
    revoking_another_accounts_session_answers_as_a_missing_one,
    a_company_id_belongs_to_whoever_used_it_first,
);

/// The server's own device id, which writes the seed catalogue (`store::SEED_DEVICE`).
const SEED_DEVICE: Uuid = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001);
const STEP: u64 = 100_000;
const PASSPHRASE: &str = "paard batterij nietje";

fn company(n: u128, name: &str) -> Record {
    let mut c = Company {
        id: Uuid::from_u128(n),
        name: name.into(),
        municipality: "Gouda".into(),
        ..Company::default()
    };
    c.meta.updated_at = 1;
    Record::Company(c)
}

fn interview(n: u128, company: u128) -> Record {
    Record::Interview(Interview {
        id: Uuid::from_u128(n),
        company_id: Uuid::from_u128(company),
        date: "2026-11-23".into(),
        ..Interview::default()
    })
}

fn changes(changes: Vec<(u64, Record)>) -> Vec<Change> {
    changes
        .into_iter()
        .map(|(seq, record)| Change { seq, record })
        .collect()
}

/// Pushes `changes` as `session`'s device; the verdicts as JSON, one per change.
async fn push(session: &Session, list: Vec<(u64, Record)>) -> Vec<Value> {
    let request = PushRequest {
        device_id: session.device_id,
        changes: changes(list),
    };
    let response = session.post("/push").json(&request).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["results"].as_array().unwrap().clone()
}

fn statuses(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

fn codes(results: &[Value]) -> Vec<Option<&str>> {
    results
        .iter()
        .map(|r| r["refusal"]["code"].as_str())
        .collect()
}

fn name_of(records: &[Record], n: u128) -> Option<String> {
    records.iter().find_map(|r| match r {
        Record::Company(c) if c.id == Uuid::from_u128(n) => Some(c.name.clone()),
        _ => None,
    })
}

fn has(records: &[Record], n: u128) -> bool {
    records.iter().any(|r| r.id() == Uuid::from_u128(n))
}

/// A signed-in user on the shared tablet `device`.
async fn on(server: &TestServer, username: &str, device: Uuid) -> Session {
    server.sign_in_on(username, device).await
}

async fn each_account_numbers_its_own_changes_on_a_shared_tablet(db: Db) {
    let server = TestServer::start(&db).await;
    for name in ["jan", "anna", "mallory"] {
        server.add_user(name, Role::Interviewer).await;
    }
    let tablet = Uuid::from_u128(0x7AB1E7);
    let jan = on(&server, "jan", tablet).await;
    assert_eq!(
        statuses(&push(&jan, vec![(1, company(1, "Jan BV"))]).await),
        ["applied"]
    );
    // Jan's changes 2 and 3 wait on the tablet (not his turn: he signed out). His colleague
    // signs in on the same tablet and sends hers, numbered after his.
    let anna = on(&server, "anna", tablet).await;
    assert_eq!(
        statuses(&push(&anna, vec![(4, company(2, "Anna BV"))]).await),
        ["applied"]
    );
    // Jan again: his waiting changes are new, not "already applied" (the tablet would drop them).
    let jan = on(&server, "jan", tablet).await;
    let mut renamed = company(1, "Jan BV, Gouda");
    if let Record::Company(c) = &mut renamed {
        // Edited on the tablet after the first push was applied: based on revision 1.
        c.meta.rev = 1;
    }
    let results = push(&jan, vec![(2, interview(11, 1)), (3, renamed)]).await;
    assert_eq!(statuses(&results), ["applied", "applied"]);

    // Someone who learned the tablet's id signs in on it elsewhere and sends a number far ahead:
    // counted for them, not for Jan, whose next change still goes.
    let mallory = on(&server, "mallory", tablet).await;
    assert_eq!(
        statuses(&push(&mallory, vec![(90_000, company(3, "Mallory BV"))]).await),
        ["applied"]
    );
    let results = push(&jan, vec![(5, company(4, "Tweede van Jan"))]).await;
    assert_eq!(statuses(&results), ["applied"]);
    let records = jan.pull_since_seed(0, 100).await.records;
    assert!(has(&records, 11));
    assert_eq!(name_of(&records, 1).as_deref(), Some("Jan BV, Gouda"));
    assert!(has(&records, 4));
    server.stop().await;
}

async fn a_change_number_may_not_jump_far_ahead(db: Db) {
    let server = TestServer::start(&db).await;
    server.add_user("jan", Role::Interviewer).await;
    server.add_user("anna", Role::Interviewer).await;
    let tablet = Uuid::from_u128(0x7AB1E8);
    let jan = on(&server, "jan", tablet).await;
    push(&jan, vec![(1, company(1, "Jan BV"))]).await;

    // A number the tablet cannot have sent: refused, and not counted.
    let results = push(&jan, vec![(1 + STEP + 1, company(2, "Sprong"))]).await;
    assert_eq!(statuses(&results), ["rejected"]);
    assert_eq!(codes(&results), [Some("seq_out_of_range")]);
    assert_eq!(results[0]["refusal"]["max"], 1 + STEP);
    assert!(results[0]["reason"].as_str().unwrap().contains("numbering"));
    let results = push(&jan, vec![(2, company(3, "Gewoon verder"))]).await;
    assert_eq!(statuses(&results), ["applied"], "{results:?}");
    // The step itself is fine.
    let results = push(&jan, vec![(2 + STEP, company(4, "Lang offline"))]).await;
    assert_eq!(statuses(&results), ["applied"]);
    // A colleague new on the tablet continues its numbering, far past 1.
    let anna = on(&server, "anna", tablet).await;
    let results = push(&anna, vec![(2 + STEP + 500, company(5, "Anna BV"))]).await;
    assert_eq!(statuses(&results), ["applied"]);
    let records = jan.pull_since_seed(0, 100).await.records;
    assert!(!has(&records, 2));
    server.stop().await;
}

async fn a_change_number_above_the_largest_is_refused_every_time(db: Db) {
    let server = TestServer::start(&db).await;
    server.add_user("jan", Role::Interviewer).await;
    let tablet = Uuid::from_u128(0x7AB1EC);
    let jan = on(&server, "jan", tablet).await;
    push(&jan, vec![(1, company(1, "Jan BV"))]).await;

    // Near the largest number the server stores (a signed 64-bit one): one above it is refused
    // every time, instead of being stored as the largest and applied again.
    server.stop().await;
    let mut conn = db.connect().await;
    sqlx::query("UPDATE devices SET last_seq = $1 WHERE device_id = $2")
        .bind(i64::MAX - 10)
        .bind(tablet.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let server = TestServer::start(&db).await;
    let jan = jan.at(&server);
    let over = i64::MAX as u64 + 1;
    for attempt in 0..2 {
        let results = push(&jan, vec![(over, company(6, "Te ver"))]).await;
        assert_eq!(statuses(&results), ["rejected"], "attempt {attempt}");
        assert_eq!(codes(&results), [Some("seq_out_of_range")]);
        assert_eq!(results[0]["refusal"]["max"], i64::MAX);
    }
    let top = i64::MAX as u64;
    let results = push(&jan, vec![(top, company(7, "Het laatste"))]).await;
    assert_eq!(statuses(&results), ["applied"]);
    let results = push(&jan, vec![(top, company(7, "Het laatste"))]).await;
    assert_eq!(statuses(&results), ["duplicate"]);
    let records = jan.pull_since_seed(0, 100).await.records;
    assert!(!has(&records, 6) && has(&records, 7));
    server.stop().await;
}

async fn nobody_signs_in_on_the_seed_device(db: Db) {
    let server = TestServer::start(&db).await;
    server.add_user("beheer", Role::Admin).await;
    let response = server
        .client
        .post(server.url("/auth/sign-in"))
        .json(&SignInRequest {
            username: "beheer".into(),
            password: PASSWORD.into(),
            device_id: SEED_DEVICE,
            device_label: "namaak".into(),
        })
        .send()
        .await
        .unwrap();
    let refused = error(response, StatusCode::FORBIDDEN).await;
    assert_eq!(refused.error, "device_reserved");
    // The catalogue is as seeded.
    let admin = server.sign_in("beheer").await;
    assert_eq!(admin.pull(0, 100).await.records.len(), 12);
    server.stop().await;
}

fn sealed(device: Uuid, list: Vec<(u64, Record)>) -> Vec<u8> {
    let bundle = ExportBundle::new(device, 1, changes(list), &[]);
    praatplaat_vault::seal(
        &bundle.to_json().unwrap(),
        PASSPHRASE,
        [7; 16],
        [9; 12],
        1_000,
    )
    .unwrap()
}

/// Imports `file` as `office`, handed in by `from` (the `x-export-user` header) when given.
async fn import(office: &Session, file: &[u8], from: Option<&str>) -> reqwest::Response {
    let mut request = office
        .post("/import")
        .header("x-export-passphrase", PASSPHRASE)
        .body(file.to_vec());
    if let Some(name) = from {
        request = request.header("x-export-user", name);
    }
    request.send().await.unwrap()
}

async fn report(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn an_import_applies_each_change_with_the_rights_of_its_account(db: Db) {
    let server = TestServer::start(&db).await;
    server.add_user("jan", Role::Interviewer).await;
    let piet = server.user("piet", Role::Interviewer).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let tablet = Uuid::from_u128(0x7AB1E9);
    let jan = on(&server, "jan", tablet).await;
    push(&jan, vec![(1, company(1, "Jan BV"))]).await;
    push(
        &piet,
        vec![(1, company(2, "Piet BV")), (2, interview(12, 2))],
    )
    .await;
    let initiative = office.pull(0, 1).await.records.remove(0);

    // Jan's tablet could not sync; he hands in its export. Besides his own interview it holds
    // what Jan may not push: Piet's company, an interview under it, a catalogue entry.
    let file = sealed(
        tablet,
        vec![
            (2, interview(11, 1)),
            (3, company(2, "Piet BV, overgenomen")),
            (4, interview(13, 2)),
            (5, initiative),
        ],
    );
    let first = report(import(&office, &file, Some("jan")).await).await;
    assert_eq!(first["applied"], 1, "{first}");
    assert_eq!(first["applied_as"]["username"], "jan");
    let rejected = first["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 3, "{first}");
    assert!(rejected[0].as_str().unwrap().contains("not assigned"));
    assert!(rejected[2].as_str().unwrap().contains("catalogue"));
    let records = office.pull_since_seed(0, 100).await.records;
    assert_eq!(name_of(&records, 2).as_deref(), Some("Piet BV"));
    assert!(has(&records, 11) && !has(&records, 13));
    // Jan sees his imported interview (it is his).
    assert!(has(&jan.pull_since_seed(0, 100).await.records, 11));

    // Again: nothing twice, and what was refused is refused again.
    let again = report(import(&office, &file, Some("jan")).await).await;
    assert_eq!(
        (again["applied"].as_u64(), again["duplicate"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(again["rejected"].as_array().unwrap().len(), 3);
    // The tablet syncs after all: what the import applied is already there.
    let results = push(&jan, vec![(2, interview(11, 1))]).await;
    assert_eq!(statuses(&results), ["duplicate"]);
    // Unnamed, the file would be the coordinator's own: not theirs, Jan's tablet.
    let refused = error(import(&office, &file, None).await, StatusCode::FORBIDDEN).await;
    assert_eq!(refused.error, "device_of_another_user");
    assert!(refused.message.contains("jan"), "{}", refused.message);
    server.stop().await;
}

async fn an_export_naming_another_accounts_tablet_is_refused(db: Db) {
    let server = TestServer::start(&db).await;
    server.add_user("jan", Role::Interviewer).await;
    server.add_user("mallory", Role::Interviewer).await;
    server.add_user("piet", Role::Interviewer).await;
    server.add_user("gemeente", Role::Partner).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let tablet = Uuid::from_u128(0x7AB1EA);
    let jan = on(&server, "jan", tablet).await;
    push(&jan, vec![(1, company(1, "Jan BV"))]).await;

    // Mallory seals a file under Jan's tablet id with numbers far ahead, and hands it in.
    let forged = sealed(
        tablet,
        vec![(50_000, company(1, "Gekaapt")), (50_001, interview(21, 1))],
    );
    for from in [Some("mallory"), None] {
        let refused = error(import(&office, &forged, from).await, StatusCode::FORBIDDEN).await;
        assert_eq!(refused.error, "device_of_another_user", "{from:?}");
    }
    // Nothing of it applied, and Jan's next change goes.
    let results = push(&jan, vec![(2, interview(11, 1))]).await;
    assert_eq!(statuses(&results), ["applied"]);
    let records = office.pull_since_seed(0, 100).await.records;
    assert_eq!(name_of(&records, 1).as_deref(), Some("Jan BV"));
    assert!(!has(&records, 21));

    // The server's own device; an account that does not exist; one that holds no records.
    let seed = sealed(SEED_DEVICE, vec![(13, company(5, "Zaad"))]);
    let refused = error(import(&office, &seed, None).await, StatusCode::FORBIDDEN).await;
    assert_eq!(refused.error, "device_reserved");
    let loose = Uuid::from_u128(0x7AB1EB);
    let file = sealed(
        loose,
        vec![
            (1, company(6, "Piet Twee")),
            (2, company(1, "Jan BV, van Piet")),
        ],
    );
    for (from, word) in [("niemand", "no account"), ("gemeente", "partner")] {
        let refused = error(
            import(&office, &file, Some(from)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(refused.message.contains(word), "{}", refused.message);
    }
    // A tablet no account used, handed in by Piet: applied with Piet's rights (Jan's company is
    // not his), and the tablet is Piet's from then on.
    let first = report(import(&office, &file, Some("Piet")).await).await;
    assert_eq!(first["applied_as"]["username"], "piet");
    assert_eq!(first["applied"], 1);
    assert_eq!(first["rejected"].as_array().unwrap().len(), 1);
    let refused = error(
        import(&office, &file, Some("mallory")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(refused.error, "device_of_another_user");
    assert!(refused.message.contains("piet"), "{}", refused.message);
    server.stop().await;
}

async fn assigning_a_user_twice_assigns_once(db: Db) {
    let server = TestServer::start(&db).await;
    let jan = server.user("jan", Role::Interviewer).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    push(&office, vec![(1, company(1, "Kantoor BV"))]).await;
    let response = office
        .put(&format!("/companies/{}/assignees", Uuid::from_u128(1)))
        .json(&Assignees {
            user_ids: vec![jan.user.id, jan.user.id],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(has(&jan.pull_since_seed(0, 100).await.records, 1));
    server.stop().await;
}

async fn revoking_another_accounts_session_answers_as_a_missing_one(db: Db) {
    let server = TestServer::start(&db).await;
    let jan = server.user("jan", Role::Interviewer).await;
    let piet = server.user("piet", Role::Interviewer).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let revoke = |session: &Session, id: Uuid| session.delete(&format!("/sessions/{id}")).send();

    let theirs = error(
        revoke(&jan, piet.session_id).await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let missing = error(
        revoke(&jan, Uuid::new_v4()).await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        (theirs.error, theirs.message),
        (missing.error, missing.message)
    );
    assert_eq!(
        piet.get("/auth/me").send().await.unwrap().status(),
        StatusCode::OK
    );
    // The office revokes anyone's; everyone their own.
    let response = revoke(&office, piet.session_id).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = revoke(&jan, jan.session_id).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let missing = error(
        revoke(&office, Uuid::new_v4()).await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(missing.error, "not_found");
    server.stop().await;
}

async fn a_company_id_belongs_to_whoever_used_it_first(db: Db) {
    let server = TestServer::start(&db).await;
    let jan = server.user("jan", Role::Interviewer).await;
    let piet = server.user("piet", Role::Interviewer).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    // Jan's tablet sends the interview before its company (the company was edited last).
    assert_eq!(
        statuses(&push(&jan, vec![(1, interview(11, 1))]).await),
        ["applied"]
    );
    // Piet creates a company under that id, and an interview under it: neither is his.
    let results = push(
        &piet,
        vec![(1, company(1, "Piet BV")), (2, interview(12, 1))],
    )
    .await;
    assert_eq!(statuses(&results), ["rejected", "rejected"]);
    assert_eq!(
        codes(&results),
        [Some("company_not_assigned"), Some("company_not_assigned")]
    );
    let seen = piet.pull_since_seed(0, 100).await.records;
    assert!(!has(&seen, 11), "Jan's interview under Piet's company");
    // Jan's company arrives and is his, with his interview.
    let results = push(&jan, vec![(2, company(1, "Jan BV"))]).await;
    assert_eq!(statuses(&results), ["applied"]);
    let seen = jan.pull_since_seed(0, 100).await.records;
    assert_eq!(name_of(&seen, 1).as_deref(), Some("Jan BV"));
    assert!(has(&seen, 11));
    // Nor is a record id Jan created Piet's to take over under his own company.
    let results = push(
        &piet,
        vec![(3, company(2, "Piet BV")), (4, interview(11, 2))],
    )
    .await;
    assert_eq!(statuses(&results), ["applied", "rejected"]);
    assert_eq!(codes(&results)[1], Some("record_not_assigned"));
    let all = office.pull_since_seed(0, 100).await.records;
    assert!(all.iter().any(|r| matches!(r, Record::Interview(i)
        if i.id == Uuid::from_u128(11) && i.company_id == Uuid::from_u128(1))));
    // Once the office assigns Piet, he may add to the company.
    let response = office
        .put(&format!("/companies/{}/assignees", Uuid::from_u128(1)))
        .json(&json!({"user_ids": [piet.user.id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let results = push(&piet, vec![(5, interview(12, 1))]).await;
    assert_eq!(statuses(&results), ["applied"]);
    server.stop().await;
}
