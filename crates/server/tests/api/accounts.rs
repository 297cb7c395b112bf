//! Accounts, sessions and roles: every route against every role (and no or a revoked token), what
//! an interviewer sees, revoking a lost tablet, and the sign-in limits.

use praatplaat_domain::model::{Company, Interview, Record};
use praatplaat_domain::photo::content_hash;
use praatplaat_domain::protocol::auth::{Assignees, Role, SessionInfo, SignInRequest};
use praatplaat_domain::protocol::{ChangeStatus, PushRequest};
use praatplaat_domain::refusal::Refusal;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::{Connection, Executor};
use uuid::Uuid;

use crate::harness::{error, Db, Session, TestServer, PASSWORD};
use crate::sync::push_of;

on_both_databases!(
    every_route_checks_the_role,
    an_interviewer_syncs_only_their_own_and_assigned_companies,
    a_revoked_tablet_is_refused_and_can_sign_in_again,
    sign_in_refuses_wrong_passwords_and_slows_down_guessing,
    a_partner_sees_anonymised_figures_only,
    user_names_are_unique_whatever_their_case,
    concurrent_creates_of_one_name_make_one_account,
    an_upgrade_renames_later_accounts_whose_names_differ_only_in_case,
);

/// Who calls in the matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Nobody,
    Revoked,
    As(Role),
}

struct Route {
    method: Method,
    path: String,
    body: Option<serde_json::Value>,
    /// The roles allowed; `None` = any signed-in role.
    allowed: Option<&'static [Role]>,
}

const RECORDS: &[Role] = &[Role::Interviewer, Role::Coordinator, Role::Admin];
const OFFICE: &[Role] = &[Role::Coordinator, Role::Admin];

async fn every_route_checks_the_role(db: Db) {
    let server = TestServer::start(&db).await;
    let mut sessions = Vec::new();
    for role in praatplaat_domain::protocol::auth::Role::ALL {
        sessions.push((role, server.user(role.as_str(), role).await));
    }
    let revoked = server.user("verloren", Role::Interviewer).await;
    server
        .state
        .store
        .revoke_session(revoked.session_id)
        .await
        .unwrap();
    server.add_user("doel", Role::Interviewer).await;
    let photo = content_hash(b"photo");
    let company = Uuid::from_u128(77);
    let routes = |session: &Session, target_session: Uuid| {
        let push = json!({"device_id": session.device_id, "changes": []});
        vec![
            Route {
                method: Method::GET,
                path: "/auth/me".into(),
                body: None,
                allowed: None,
            },
            Route {
                method: Method::GET,
                path: "/sessions".into(),
                body: None,
                allowed: None,
            },
            Route {
                method: Method::GET,
                path: "/figures".into(),
                body: None,
                allowed: None,
            },
            Route {
                method: Method::POST,
                path: "/push".into(),
                body: Some(push),
                allowed: Some(RECORDS),
            },
            Route {
                method: Method::GET,
                path: "/pull?since=0&limit=10".into(),
                body: None,
                allowed: Some(RECORDS),
            },
            Route {
                method: Method::PUT,
                path: format!("/photos/{photo}"),
                body: None,
                allowed: Some(RECORDS),
            },
            Route {
                method: Method::GET,
                path: format!("/photos/{photo}"),
                body: None,
                allowed: Some(RECORDS),
            },
            Route {
                method: Method::GET,
                path: format!("/photos/{photo}/upload"),
                body: None,
                allowed: Some(RECORDS),
            },
            Route {
                method: Method::PATCH,
                path: format!("/photos/{photo}/upload?offset=0&size=5"),
                body: None,
                allowed: Some(RECORDS),
            },
            Route {
                method: Method::GET,
                path: "/users".into(),
                body: None,
                allowed: Some(OFFICE),
            },
            Route {
                method: Method::POST,
                path: "/users".into(),
                body: Some(
                    json!({"username": format!("nieuw-{}", Uuid::new_v4()), "role": "interviewer", "password": PASSWORD}),
                ),
                allowed: Some(&[Role::Admin]),
            },
            Route {
                method: Method::DELETE,
                path: format!("/sessions/{target_session}"),
                body: None,
                allowed: Some(OFFICE),
            },
            Route {
                method: Method::PUT,
                path: format!("/companies/{company}/assignees"),
                body: Some(json!({"user_ids": []})),
                allowed: Some(OFFICE),
            },
            Route {
                method: Method::POST,
                path: "/import".into(),
                body: None,
                allowed: Some(OFFICE),
            },
            Route {
                method: Method::POST,
                path: "/auth/sign-out".into(),
                body: None,
                allowed: None,
            },
        ]
    };
    let callers = [Caller::Nobody, Caller::Revoked]
        .into_iter()
        .chain(Role::ALL.into_iter().map(Caller::As));
    let mut checked = 0;
    for caller in callers {
        let n_routes = routes(&revoked, Uuid::nil()).len();
        for index in 0..n_routes {
            // A fresh session per cell: sign-out and revocation must not spoil the next cell.
            let session = match caller {
                Caller::Nobody | Caller::Revoked => revoked.clone(),
                Caller::As(role) => server.sign_in(role.as_str()).await,
            };
            let target = server.sign_in("doel").await.session_id;
            let route = routes(&session, target).swap_remove(index);
            let url = server.url(&route.path);
            let mut request = server.client.request(route.method.clone(), &url);
            if caller != Caller::Nobody {
                request = request.bearer_auth(&session.token);
            }
            request = match &route.body {
                Some(body) => request.json(body),
                None => request.body("photo"),
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            let cell = format!("{caller:?} {} {}", route.method, route.path);
            match caller {
                Caller::Nobody => {
                    assert_eq!(
                        error(response, StatusCode::UNAUTHORIZED).await.error,
                        "unauthorized",
                        "{cell}"
                    )
                }
                Caller::Revoked => assert_eq!(
                    error(response, StatusCode::UNAUTHORIZED).await.error,
                    "session_revoked",
                    "{cell}"
                ),
                Caller::As(role) if route.allowed.is_none_or(|r| r.contains(&role)) => {
                    assert!(
                        status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                        "{cell}: {status} {:?}",
                        response.text().await
                    );
                }
                // Someone else's session answers as a missing one (no probing of session ids).
                Caller::As(_) if route.method == Method::DELETE => {
                    assert_eq!(
                        error(response, StatusCode::NOT_FOUND).await.error,
                        "not_found",
                        "{cell}"
                    )
                }
                Caller::As(_) => {
                    assert_eq!(
                        error(response, StatusCode::FORBIDDEN).await.error,
                        "forbidden",
                        "{cell}"
                    )
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 6 * 15);
    // The OpenAPI document (public) lists exactly the routes of this matrix plus the public ones:
    // a new route cannot be added without being described and checked here.
    let document: serde_json::Value = server
        .client
        .get(server.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut documented: Vec<String> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    documented.sort();
    let template = |path: &str| {
        let path = path.split('?').next().unwrap();
        path.replace(&photo, "{hash}")
            .replace(&company.to_string(), "{id}")
            .replace(&Uuid::nil().to_string(), "{id}")
    };
    let mut tested: Vec<String> = routes(&revoked, Uuid::nil())
        .iter()
        .map(|r| format!("{} {}", r.method, template(&r.path)))
        .chain(["GET /health".to_owned(), "POST /auth/sign-in".to_owned()])
        .collect();
    tested.sort();
    assert_eq!(documented, tested);
    for schema in [
        "PushRequest",
        "PullResponse",
        "Record",
        "Interview",
        "ApiError",
        "Figures",
        "Refusal",
    ] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "schema {schema} is described"
        );
    }
    // The public routes need no token.
    for path in ["/health"] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    server.stop().await;
}

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

fn ids(records: &[Record]) -> Vec<u128> {
    records.iter().map(|r| r.id().as_u128()).collect()
}

async fn an_interviewer_syncs_only_their_own_and_assigned_companies(db: Db) {
    let server = TestServer::start(&db).await;
    let jan = server.user("jan", Role::Interviewer).await;
    let piet = server.user("piet", Role::Interviewer).await;
    let office = server.user("kantoor", Role::Coordinator).await;

    jan.push(&push_of(
        1,
        vec![(1, company(1, "Jan BV")), (2, interview(11, 1))],
    ))
    .await;
    piet.push(&push_of(
        2,
        vec![(1, company(2, "Piet BV")), (2, interview(12, 2))],
    ))
    .await;
    // The office registered a company nobody holds yet.
    office
        .push(&push_of(3, vec![(1, company(3, "Kantoor BV"))]))
        .await;

    assert_eq!(ids(&jan.pull_since_seed(0, 100).await.records), [1, 11]);
    assert_eq!(ids(&piet.pull_since_seed(0, 100).await.records), [2, 12]);
    assert_eq!(
        ids(&office.pull_since_seed(0, 100).await.records),
        [1, 11, 2, 12, 3]
    );
    // Interviewers get the initiative catalogue too.
    assert_eq!(jan.pull(0, 100).await.records.len(), 12 + 2);

    // Jan may not change Piet's interview, nor add one to Piet's company, nor the catalogue;
    // each refusal names its reason and the rest of the batch goes on.
    let initiative = office.pull(0, 1).await.records.remove(0);
    let response = jan
        .push(&push_of(
            1,
            vec![
                (3, interview(12, 2)),
                (4, interview(13, 2)),
                (5, initiative),
                (6, interview(14, 1)),
            ],
        ))
        .await;
    let statuses: Vec<_> = response.results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            ChangeStatus::Rejected,
            ChangeStatus::Rejected,
            ChangeStatus::Rejected,
            ChangeStatus::Applied
        ]
    );
    assert!(response.results[0]
        .reason
        .as_ref()
        .unwrap()
        .contains("coordinator"));
    assert!(response.results[2]
        .reason
        .as_ref()
        .unwrap()
        .contains("catalogue"));
    // … and as codes the app words in its language.
    let codes: Vec<_> = response.results.iter().map(|r| r.refusal.clone()).collect();
    assert_eq!(
        codes,
        [
            Some(Refusal::RecordNotAssigned),
            Some(Refusal::CompanyNotAssigned),
            Some(Refusal::CatalogueReadOnly),
            None
        ]
    );

    // Jan's cursor is past everything; assigning him company 3 brings it on his next pull.
    let cursor = jan.pull(0, 100).await.cursor;
    let response = office
        .put(&format!("/companies/{}/assignees", Uuid::from_u128(3)))
        .json(&Assignees {
            user_ids: vec![jan.user.id],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(ids(&jan.pull(cursor, 100).await.records), [3]);
    let response = jan.push(&push_of(1, vec![(7, interview(15, 3))])).await;
    assert_eq!(response.results[0].status, ChangeStatus::Applied);
    // Unknown users cannot be assigned.
    let response = office
        .put(&format!("/companies/{}/assignees", Uuid::from_u128(3)))
        .json(&json!({"user_ids": [Uuid::from_u128(404)]}))
        .send()
        .await
        .unwrap();
    error(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    // A partner never gets records.
    let partner = server.user("gemeente", Role::Partner).await;
    let response = partner.get("/pull?since=0").send().await.unwrap();
    error(response, StatusCode::FORBIDDEN).await;
    // A session pushes only for its own device.
    let response = jan
        .post("/push")
        .json(&PushRequest {
            device_id: piet.device_id,
            changes: vec![],
        })
        .send()
        .await
        .unwrap();
    assert!(error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("device"));
    server.stop().await;
}

async fn a_revoked_tablet_is_refused_and_can_sign_in_again(db: Db) {
    let server = TestServer::start(&db).await;
    let tablet = server.user("jan", Role::Interviewer).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    tablet
        .push(&push_of(1, vec![(1, company(1, "Jan BV"))]))
        .await;

    let sessions: Vec<SessionInfo> = office
        .get("/sessions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lost = sessions
        .iter()
        .find(|s| s.user.username == "jan")
        .expect("jan's session is listed");
    assert_eq!(lost.device_label, "tablet van jan");
    let response = office
        .delete(&format!("/sessions/{}", lost.id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let response = tablet.get("/pull?since=0").send().await.unwrap();
    assert_eq!(
        error(response, StatusCode::UNAUTHORIZED).await.error,
        "session_revoked"
    );
    let sessions: Vec<SessionInfo> = office
        .get("/sessions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(sessions
        .iter()
        .any(|s| s.id == lost.id && s.revoked_at.is_some()));
    // An interviewer sees only their own sessions, and may not revoke others'.
    let again = server.sign_in("jan").await;
    let own: Vec<SessionInfo> = again
        .get("/sessions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(own.iter().all(|s| s.user.username == "jan"));
    // Someone else's session answers as a missing one: nobody learns which ids are sessions.
    let response = again
        .delete(&format!("/sessions/{}", office.session_id))
        .send()
        .await
        .unwrap();
    error(response, StatusCode::NOT_FOUND).await;
    let response = again
        .delete(&format!("/sessions/{}", Uuid::from_u128(5)))
        .send()
        .await
        .unwrap();
    error(response, StatusCode::NOT_FOUND).await;
    // Signed in again, the data is all there; signing out ends that session only.
    assert_eq!(ids(&again.pull_since_seed(0, 10).await.records), [1]);
    let response = again.post("/auth/sign-out").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = again.get("/auth/me").send().await.unwrap();
    error(response, StatusCode::UNAUTHORIZED).await;
    let response = office.get("/auth/me").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.stop().await;
}

async fn sign_in_refuses_wrong_passwords_and_slows_down_guessing(db: Db) {
    let server = TestServer::start(&db).await;
    server.add_user("Jan", Role::Interviewer).await;
    let attempt = |username: &str, password: &str| {
        server
            .client
            .post(server.url("/auth/sign-in"))
            .json(&SignInRequest {
                username: username.into(),
                password: password.into(),
                device_id: Uuid::new_v4(),
                device_label: String::new(),
            })
            .send()
    };
    // Names ignore case.
    assert_eq!(
        attempt("jan", PASSWORD).await.unwrap().status(),
        StatusCode::OK
    );
    let wrong = attempt("jan", "fout wachtwoord").await.unwrap();
    assert_eq!(
        error(wrong, StatusCode::UNAUTHORIZED).await.error,
        "bad_credentials"
    );
    let unknown = attempt("niemand", PASSWORD).await.unwrap();
    assert_eq!(
        error(unknown, StatusCode::UNAUTHORIZED).await.error,
        "bad_credentials"
    );
    for _ in 0..4 {
        attempt("jan", "fout wachtwoord").await.unwrap();
    }
    // Five failures: even the right password waits now.
    let blocked = attempt("jan", PASSWORD).await.unwrap();
    let retry: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert_eq!(
        error(blocked, StatusCode::TOO_MANY_REQUESTS).await.error,
        "too_many_attempts"
    );
    // Taken names, short passwords and unknown roles are refused clearly.
    let admin = server.user("beheer", Role::Admin).await;
    let taken = admin
        .post("/users")
        .json(&json!({"username": "JAN", "role": "interviewer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(error(taken, StatusCode::CONFLICT).await.error, "conflict");
    let short = admin
        .post("/users")
        .json(&json!({"username": "kees", "role": "interviewer", "password": "kort"}))
        .send()
        .await
        .unwrap();
    assert!(error(short, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("10"));
    let role = admin
        .post("/users")
        .json(&json!({"username": "kees", "role": "root", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    error(role, StatusCode::UNPROCESSABLE_ENTITY).await;
    let empty = attempt("", "").await.unwrap();
    error(empty, StatusCode::UNPROCESSABLE_ENTITY).await;
    server.stop().await;
}

async fn a_partner_sees_anonymised_figures_only(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let partner = server.user("gemeente-gouda", Role::Partner).await;
    let mut changes = Vec::new();
    for n in 1..=11u128 {
        let place = match n {
            1..=5 => "Gouda",
            6..=10 => "Waddinxveen",
            _ => "Leiden",
        };
        let mut c = Company {
            id: Uuid::from_u128(n),
            name: format!("Geheim Metaal {n}"),
            municipality: place.into(),
            ..Company::default()
        };
        c.meta.updated_at = 1;
        changes.push((2 * n as u64 - 1, Record::Company(c)));
        let interview = Interview {
            id: Uuid::from_u128(100 + n),
            company_id: Uuid::from_u128(n),
            date: "2026-11-23".into(),
            status: praatplaat_domain::InterviewStatus::Completed,
            ..Interview::default()
        };
        changes.push((2 * n as u64, Record::Interview(interview)));
    }
    let pushed = office.push(&push_of(0, changes)).await;
    assert!(pushed
        .results
        .iter()
        .all(|r| r.status == ChangeStatus::Applied));
    let response = partner.get("/figures").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(!text.contains("Geheim"), "no company names: {text}");
    let figures: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(figures["province"]["companies"], 11);
    assert_eq!(figures["target_interviews"], 200);
    let cell = |name: &str| {
        figures["municipalities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == name)
            .unwrap()["cell"]
            .clone()
    };
    assert_eq!(cell("Gouda")["companies"], 5);
    assert_eq!(cell("Waddinxveen")["companies"], 5);
    assert_eq!(cell("Leiden")["shown"], "too_few");
    server.stop().await;
}

async fn user_names_are_unique_whatever_their_case(db: Db) {
    let server = TestServer::start(&db).await;
    let admin = server.user("beheer", Role::Admin).await;
    let create = |username: &str| {
        admin
            .post("/users")
            .json(&json!({"username": username, "role": "interviewer", "password": PASSWORD}))
            .send()
    };
    assert_eq!(create("Jan").await.unwrap().status(), StatusCode::CREATED);
    for again in ["jan", "JAN", " jAn "] {
        let taken = error(create(again).await.unwrap(), StatusCode::CONFLICT).await;
        assert_eq!(taken.error, "conflict", "{again}");
        assert!(taken.message.contains("taken"), "{}", taken.message);
    }
    assert_eq!(
        create("Jannie").await.unwrap().status(),
        StatusCode::CREATED
    );
    // The `user add` command says so too, and nothing was added.
    let taken = praatplaat_server::http::accounts::create_user(
        &server.state,
        praatplaat_domain::protocol::auth::NewUser {
            username: "jAN".into(),
            display_name: String::new(),
            role: Role::Coordinator,
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap_err();
    assert!(taken.to_string().contains("taken"), "{taken}");
    let mut names: Vec<String> = server
        .state
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    names.sort();
    assert_eq!(names, ["Jan", "Jannie", "beheer"]);
    server.stop().await;
}

async fn concurrent_creates_of_one_name_make_one_account(db: Db) {
    const N: usize = 8;
    let server = TestServer::start(&db).await;
    let admin = server.user("beheer", Role::Admin).await;
    // Over HTTP: the same name in several spellings at once.
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..N {
        let admin = admin.clone();
        let username = if n % 2 == 0 { "Piet" } else { "piet" };
        requests.spawn(async move {
            admin
                .post("/users")
                .json(&json!({"username": username, "role": "interviewer", "password": PASSWORD}))
                .send()
                .await
                .unwrap()
        });
    }
    let (mut created, mut taken) = (0, 0);
    while let Some(response) = requests.join_next().await {
        let response = response.unwrap();
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(
                    error(response, StatusCode::CONFLICT).await.error,
                    "conflict"
                );
                taken += 1;
            }
            other => panic!("{other}: {:?}", response.text().await),
        }
    }
    assert_eq!((created, taken), (1, N - 1));
    // Straight at the store, without the password hashing between the calls.
    let hash = praatplaat_server::auth::hash_password(PASSWORD).unwrap();
    let mut creates = tokio::task::JoinSet::new();
    for n in 0..N {
        let store = server.state.store.clone();
        let hash = hash.clone();
        creates.spawn(async move {
            let name = if n % 2 == 0 { "Kees" } else { "KEES" };
            store.create_user(name, "", Role::Interviewer, &hash).await
        });
    }
    let (mut created, mut taken) = (0, 0);
    while let Some(result) = creates.join_next().await {
        match result.unwrap() {
            Ok(_) => created += 1,
            Err(praatplaat_server::store::AccountError::UsernameTaken(_)) => taken += 1,
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!((created, taken), (1, N - 1));
    let users = server.state.store.users().await.unwrap();
    for name in ["piet", "kees"] {
        let same: Vec<_> = users
            .iter()
            .filter(|u| u.username.to_lowercase() == name)
            .collect();
        assert_eq!(same.len(), 1, "{name}: {same:?}");
    }
    // The one account signs in.
    server.sign_in("PIET").await;
    server.sign_in("kees").await;
    server.stop().await;
}

/// A database from before the case-blind index (sqlite/0005, postgres/0003) may hold names that
/// differ only in case (the race the index closes): the upgrade keeps the oldest account's name
/// and renames the later ones to `<name>#<id>`, which still sign in.
async fn an_upgrade_renames_later_accounts_whose_names_differ_only_in_case(db: Db) {
    let server = TestServer::start(&db).await;
    server.stop().await;
    // Back to the schema before that migration, with the names the race could leave.
    let mut conn = db.connect().await;
    let version: i64 = if db.is_sqlite() { 5 } else { 3 };
    conn.execute("DROP INDEX users_by_lower_username")
        .await
        .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(version)
        .execute(&mut conn)
        .await
        .unwrap();
    let hash = praatplaat_server::auth::hash_password(PASSWORD).unwrap();
    let ids = [1u128, 2, 3, 4, 5, 6].map(Uuid::from_u128);
    for (id, name, created_at) in [
        (ids[2], "Jan", 1_000),
        (ids[1], "jan", 2_000),
        (ids[0], "JAN", 2_000),
        (ids[3], "piet", 500),
        // Created in the same millisecond: the smaller id counts as the older.
        (ids[5], "kees", 3_000),
        (ids[4], "Kees", 3_000),
    ] {
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at)
             VALUES ($1, $2, $2, 'interviewer', $3, $4)",
        )
        .bind(id.to_string())
        .bind(name)
        .bind(&hash)
        .bind(created_at as i64)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    conn.close().await.unwrap();

    let server = TestServer::start(&db).await;
    let mut names: Vec<String> = server
        .state
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    names.sort();
    let mut expected = vec![
        "Jan".to_owned(),
        format!("JAN#{}", ids[0]),
        format!("jan#{}", ids[1]),
        "piet".to_owned(),
        "Kees".to_owned(),
        format!("kees#{}", ids[5]),
    ];
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(server.sign_in("jan").await.user.id, ids[2]);
    assert_eq!(server.sign_in("kees").await.user.id, ids[4]);
    // The renamed accounts sign in under their new names (case still does not matter).
    for (name, id) in [("jan", ids[0]), ("Jan", ids[1]), ("KEES", ids[5])] {
        let signed = server.sign_in(&format!("{name}#{id}")).await;
        assert_eq!(signed.user.id, id);
    }
    // And from now on the database refuses another spelling.
    let admin = server.user("beheer", Role::Admin).await;
    let taken = admin
        .post("/users")
        .json(&json!({"username": "pIEt", "role": "interviewer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    error(taken, StatusCode::CONFLICT).await;
    server.stop().await;
}
