//! The server under abuse by a signed-in interviewer or an anonymous client (issue 13, points 3-6):
//! raced and spread-out password guessing, photos of others, storage filled with unfinished
//! uploads and made-up photos and answers, half-sent requests, unknown API paths, cacheable or
//! sniffable answers, and an export demanding endless key derivation.

use std::time::{Duration, Instant};

use praatplaat_domain::model::{Company, GoodExample, Interview, PhotoRef, PracticeAnswer, Record};
use praatplaat_domain::photo::content_hash;
use praatplaat_domain::plate::Definition;
use praatplaat_domain::protocol::auth::{Role, SignInRequest};
use praatplaat_domain::protocol::ChangeStatus;
use praatplaat_domain::refusal::Refusal;
use praatplaat_server::auth::{limit, Verifications};
use praatplaat_server::store::{MAX_OPEN_UPLOADS, MAX_OPEN_UPLOAD_BYTES};
use praatplaat_server::ServeOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::harness::{error, jpeg, Db, Session, TestServer, MAX_BODY, PASSWORD};
use crate::sync::push_of;

on_both_databases!(
    simultaneous_wrong_passwords_for_one_name_are_not_all_checked,
    password_checks_at_once_are_bounded,
    guessing_locks_a_name_from_one_address_not_the_office,
    two_server_processes_share_the_sign_in_limit,
    the_sign_in_limit_forgets_and_stays_bounded,
    photos_are_served_only_to_who_may_see_a_record_of_them,
    unfinished_uploads_have_a_quota_per_account,
    only_jpegs_of_a_photos_size_are_stored,
    interviews_hold_their_plates_answers_only_and_records_are_bounded,
    unknown_api_paths_are_json_404s_and_api_answers_are_not_cached,
    half_sent_requests_are_closed_and_connections_are_limited,
    an_export_demanding_too_many_iterations_is_refused_at_once,
);

const FORWARDED: &str = "x-forwarded-for";

/// A server that takes the client address from `X-Forwarded-For` (as behind a proxy).
async fn behind_proxy(db: &Db) -> TestServer {
    TestServer::start_custom(db, None, MAX_BODY, ServeOptions::default(), |state| {
        state.client_ip_header = Some(FORWARDED.parse().unwrap());
    })
    .await
}

/// A sign-in of `username` with `password`, from `address` when given (the proxy's header).
async fn attempt(
    server: &TestServer,
    username: &str,
    password: &str,
    address: Option<&str>,
) -> reqwest::Response {
    let mut request = server
        .client
        .post(server.url("/auth/sign-in"))
        .json(&SignInRequest {
            username: username.into(),
            password: password.into(),
            device_id: Uuid::new_v4(),
            device_label: String::new(),
        });
    if let Some(address) = address {
        request = request.header(FORWARDED, address);
    }
    request.send().await.unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn simultaneous_wrong_passwords_for_one_name_are_not_all_checked(db: Db) {
    let server = TestServer::start(&db).await;
    server.add_user("jan", Role::Interviewer).await;
    // Sixty guesses at once: each is counted before its password is checked, so only the free
    // attempts of the pair are checked; the others are refused unchecked.
    let guesses = (0..60).map(|n| {
        let server = &server;
        async move { attempt(server, "jan", &format!("gok nummer {n}"), None).await }
    });
    let answers = futures_join_all(guesses).await;
    let mut checked = 0;
    let mut refused = 0;
    for answer in answers {
        match answer.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(retry_after(&answer) >= 1);
                let code = error(answer, StatusCode::TOO_MANY_REQUESTS).await.error;
                assert!(code == "too_many_attempts" || code == "busy", "{code}");
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        checked <= limit::PAIR_FREE as usize,
        "{checked} of 60 passwords were checked"
    );
    assert_eq!(checked + refused, 60);
    // And the right password waits too now.
    let right = attempt(&server, "jan", PASSWORD, None).await;
    assert_eq!(
        error(right, StatusCode::TOO_MANY_REQUESTS).await.error,
        "too_many_attempts"
    );
    server.stop().await;
}

async fn password_checks_at_once_are_bounded(db: Db) {
    // One check at a time and no waiting for one: simultaneous sign-ins beyond it are answered
    // 429 `busy` at once instead of each taking its 19 MiB.
    let server = TestServer::start_custom(&db, None, MAX_BODY, ServeOptions::default(), |state| {
        state.verifications = Verifications::new(1, Duration::ZERO);
    })
    .await;
    server.add_user("jan", Role::Interviewer).await;
    let names: Vec<String> = (0..16).map(|n| format!("naam{n}")).collect();
    let answers = futures_join_all(
        names
            .iter()
            .map(|name| attempt(&server, name, "fout wachtwoord", None)),
    )
    .await;
    let mut busy = 0;
    for answer in answers {
        match answer.status() {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(retry_after(&answer), 1);
                assert_eq!(
                    error(answer, StatusCode::TOO_MANY_REQUESTS).await.error,
                    "busy"
                );
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0, "sixteen simultaneous checks all ran");
    assert_eq!(server.state.verifications.peak(), 1);
    // And nobody is locked out by it.
    let right = attempt(&server, "jan", PASSWORD, None).await;
    assert_eq!(right.status(), StatusCode::OK);
    server.stop().await;
}

async fn guessing_locks_a_name_from_one_address_not_the_office(db: Db) {
    let server = behind_proxy(&db).await;
    for name in ["jan", "piet", "kees"] {
        server.add_user(name, Role::Interviewer).await;
    }
    let guesser = Some("203.0.113.66");
    for _ in 0..limit::PAIR_FREE {
        let wrong = attempt(&server, "jan", "fout wachtwoord", guesser).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = attempt(&server, "jan", PASSWORD, guesser).await;
    let wait = retry_after(&blocked);
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(
        error(blocked, StatusCode::TOO_MANY_REQUESTS).await.error,
        "too_many_attempts"
    );
    // A colleague from the same address, and Jan himself from another, are not locked out.
    let colleague = attempt(&server, "piet", PASSWORD, guesser).await;
    assert_eq!(colleague.status(), StatusCode::OK);
    let jan = attempt(&server, "jan", PASSWORD, Some("198.51.100.7")).await;
    assert_eq!(jan.status(), StatusCode::OK);
    // The proxy appends the address it saw: earlier entries, written by the client, prove
    // nothing, so forging one does not give a new pair.
    let forged = attempt(&server, "jan", PASSWORD, Some("192.0.2.1, 203.0.113.66")).await;
    assert_eq!(forged.status(), StatusCode::TOO_MANY_REQUESTS);

    // Guesses spread over many addresses: the name's own, looser limit.
    for n in 0..limit::NAME_MAX {
        let address = format!("10.0.{}.{}", n / 200, n % 200 + 1);
        let wrong = attempt(&server, "kees", "fout wachtwoord", Some(&address)).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let locked = attempt(&server, "kees", PASSWORD, Some("198.51.100.8")).await;
    assert!(retry_after(&locked) > 30);
    assert_eq!(
        error(locked, StatusCode::TOO_MANY_REQUESTS).await.error,
        "too_many_attempts"
    );
    server.stop().await;

    // Without the proxy setting the header is the client's word and ignored: the socket's
    // address (loopback here) is the client's.
    let server = TestServer::start(&db).await;
    for n in 0..limit::PAIR_FREE {
        let address = format!("192.0.2.{}", n + 1);
        let wrong = attempt(&server, "piet", "fout wachtwoord", Some(&address)).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = attempt(&server, "piet", PASSWORD, Some("192.0.2.99")).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    server.stop().await;
}

async fn two_server_processes_share_the_sign_in_limit(db: Db) {
    // Two servers over one database, as two processes behind a load balancer would be.
    let first = TestServer::start(&db).await;
    let second = TestServer::start(&db).await;
    first.add_user("jan", Role::Interviewer).await;
    for n in 0..limit::PAIR_FREE {
        let server = if n % 2 == 0 { &first } else { &second };
        let wrong = attempt(server, "jan", "fout wachtwoord", None).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    for server in [&first, &second] {
        let blocked = attempt(server, "jan", PASSWORD, None).await;
        assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    second.stop().await;
    first.stop().await;
}

async fn the_sign_in_limit_forgets_and_stays_bounded(db: Db) {
    let server = TestServer::start(&db).await;
    let store = &server.state.store;
    for name in ["a", "b", "c"] {
        let wrong = attempt(&server, name, "fout wachtwoord", None).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    // A pair and a name key per attempt, forgotten an hour after their last failure.
    assert_eq!(store.sign_in_limit_keys().await.unwrap(), 6);
    let now = now_ms();
    assert_eq!(store.sweep_sign_in_limits(now).await.unwrap(), 0);
    assert_eq!(
        store
            .sweep_sign_in_limits(now + limit::FORGET_AFTER_MS + 1_000)
            .await
            .unwrap(),
        6
    );
    assert_eq!(store.sign_in_limit_keys().await.unwrap(), 0);
    // A flood of made-up names within the hour: the oldest go beyond the cap.
    let mut conn = db.connect().await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO sign_in_limits (key, failures, since, blocked_until, last_at)
         SELECT 'name:' || CAST(i AS TEXT), 1, $2, 0, $2 + i FROM n",
    )
    .bind(limit::MAX_KEYS + 10)
    .bind(now)
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    assert_eq!(store.sweep_sign_in_limits(now).await.unwrap(), 10);
    assert_eq!(store.sign_in_limit_keys().await.unwrap(), limit::MAX_KEYS);
    server.stop().await;
}

fn now_ms() -> i64 {
    i64::try_from(std::time::UNIX_EPOCH.elapsed().unwrap().as_millis()).unwrap()
}

/// `futures::future::join_all` without the crate: every future polled concurrently on the test's
/// runtime (the server runs on it too).
async fn futures_join_all<F: std::future::Future<Output = reqwest::Response> + Send>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<reqwest::Response> {
    let mut set = Vec::new();
    for future in futures {
        set.push(Box::pin(future));
    }
    let mut results: Vec<Option<reqwest::Response>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, future) in results.iter_mut().zip(set.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *slot = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(Option::unwrap).collect()
}

fn company(id: u128) -> Company {
    Company {
        id: Uuid::from_u128(id),
        name: format!("Metaal {id}"),
        municipality: "Gouda".into(),
        ..Company::default()
    }
}

/// An interview of `company` with one good example showing `photos`.
fn interview_with_photos(id: u128, company: u128, photos: &[&[u8]]) -> Interview {
    Interview {
        id: Uuid::from_u128(id),
        company_id: Uuid::from_u128(company),
        plate_version: Definition::current().unwrap().plate_key(),
        examples: vec![GoodExample {
            id: Uuid::from_u128(id + 1000),
            text: "Restmateriaal wordt hergebruikt".into(),
            photos: photos
                .iter()
                .map(|bytes| PhotoRef {
                    hash: content_hash(bytes),
                    width: 640,
                    height: 480,
                    bytes: bytes.len() as u32,
                })
                .collect(),
            ..GoodExample::default()
        }],
        ..Interview::default()
    }
}

async fn get_photo(session: &Session, photo: &[u8]) -> StatusCode {
    session
        .get(&format!("/photos/{}", content_hash(photo)))
        .send()
        .await
        .unwrap()
        .status()
}

async fn upload_status(session: &Session, photo: &[u8]) -> (u64, bool) {
    let status: Value = session
        .get(&format!("/photos/{}/upload", content_hash(photo)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        status["received"].as_u64().unwrap(),
        status["complete"].as_bool().unwrap(),
    )
}

async fn put_photo(session: &Session, photo: &[u8]) -> reqwest::Response {
    session
        .put(&format!("/photos/{}", content_hash(photo)))
        .body(photo.to_vec())
        .send()
        .await
        .unwrap()
}

/// The first `len` bytes of `photo` as the start of its resumable upload.
async fn start_upload(session: &Session, photo: &[u8], len: usize) -> reqwest::Response {
    session
        .patch(&format!(
            "/photos/{}/upload?offset=0&size={}",
            content_hash(photo),
            photo.len()
        ))
        .body(photo[..len.min(photo.len())].to_vec())
        .send()
        .await
        .unwrap()
}

async fn photos_are_served_only_to_who_may_see_a_record_of_them(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let jan = server.user("jan", Role::Interviewer).await;
    let piet = server.user("piet", Role::Interviewer).await;
    let kees = server.user("kees", Role::Interviewer).await;
    let shown = jpeg(1, 20_000);
    let unreferenced = jpeg(2, 20_000);
    // Jan's interview shows a photo; he sends it, and one no record refers to yet.
    let pushed = jan
        .push(&push_of(
            0,
            vec![
                (1, Record::Company(company(7))),
                (
                    2,
                    Record::Interview(interview_with_photos(70, 7, &[&shown])),
                ),
            ],
        ))
        .await;
    assert!(pushed
        .results
        .iter()
        .all(|r| r.status == ChangeStatus::Applied));
    assert_eq!(put_photo(&jan, &shown).await.status(), StatusCode::CREATED);
    assert_eq!(
        put_photo(&jan, &unreferenced).await.status(),
        StatusCode::CREATED
    );
    // Jan reads both back; the office reads every photo.
    assert_eq!(get_photo(&jan, &shown).await, StatusCode::OK);
    assert_eq!(get_photo(&jan, &unreferenced).await, StatusCode::OK);
    assert_eq!(upload_status(&jan, &shown).await, (20_000, true));
    assert_eq!(get_photo(&office, &shown).await, StatusCode::OK);
    assert_eq!(get_photo(&office, &unreferenced).await, StatusCode::OK);
    // Piet knows the hashes but holds neither the company nor the bytes: to him the photos are
    // not there, and the upload status does not say they are.
    assert_eq!(get_photo(&piet, &shown).await, StatusCode::NOT_FOUND);
    assert_eq!(get_photo(&piet, &unreferenced).await, StatusCode::NOT_FOUND);
    assert_eq!(upload_status(&piet, &shown).await, (0, false));
    assert_eq!(upload_status(&piet, &unreferenced).await, (0, false));
    // Assigned to the company, Piet sees its interview and so its photo (not the other one).
    let assigned = office
        .put(&format!("/companies/{}/assignees", Uuid::from_u128(7)))
        .json(&json!({"user_ids": [piet.user.id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), StatusCode::NO_CONTENT);
    assert_eq!(get_photo(&piet, &shown).await, StatusCode::OK);
    assert_eq!(upload_status(&piet, &shown).await, (20_000, true));
    assert_eq!(get_photo(&piet, &unreferenced).await, StatusCode::NOT_FOUND);
    // Sending the bytes proves holding them: Kees uploads the stored photo in chunks (he heard
    // 0), it is not stored twice, and from then on he may read it.
    assert_eq!(upload_status(&kees, &shown).await, (0, false));
    let done: Value = start_upload(&kees, &shown, shown.len())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["complete"], true);
    assert_eq!(get_photo(&kees, &shown).await, StatusCode::OK);
    let whole = put_photo(&kees, &unreferenced).await;
    assert_eq!(whole.status(), StatusCode::OK, "stored already");
    assert_eq!(get_photo(&kees, &unreferenced).await, StatusCode::OK);
    // A partner reads no photo at all.
    let partner = server.user("gemeente", Role::Partner).await;
    assert_eq!(get_photo(&partner, &shown).await, StatusCode::FORBIDDEN);
    server.stop().await;
}

async fn unfinished_uploads_have_a_quota_per_account(db: Db) {
    const CHUNK: usize = 16 * 1024;
    let server = TestServer::start(&db).await;
    let jan = server.user("jan", Role::Interviewer).await;
    let piet = server.user("piet", Role::Interviewer).await;
    let photos: Vec<Vec<u8>> = (0..=MAX_OPEN_UPLOADS as u32)
        .map(|n| jpeg(100 + n, 100_000))
        .collect();
    for photo in &photos[..MAX_OPEN_UPLOADS as usize] {
        assert_eq!(
            start_upload(&jan, photo, CHUNK).await.status(),
            StatusCode::OK
        );
    }
    // One more unfinished upload is refused; chunks of the ones begun still go on.
    let last = &photos[MAX_OPEN_UPLOADS as usize];
    let refused = start_upload(&jan, last, CHUNK).await;
    assert!(retry_after(&refused) > 0);
    let refused = error(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(refused.error, "too_many_uploads");
    assert_eq!(upload_status(&jan, last).await, (0, false));
    // Another account has its own quota.
    assert_eq!(
        start_upload(&piet, last, CHUNK).await.status(),
        StatusCode::OK
    );
    // Finishing one makes room.
    let first = &photos[0];
    let finished = jan
        .patch(&format!(
            "/photos/{}/upload?offset={CHUNK}&size={}",
            content_hash(first),
            first.len()
        ))
        .body(first[CHUNK..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), StatusCode::OK);
    assert_eq!(
        start_upload(&jan, last, CHUNK).await.status(),
        StatusCode::OK
    );
    // Expiry: a day without a chunk and they are swept, quota and all.
    let mut conn = db.connect().await;
    sqlx::query("UPDATE photo_uploads SET updated_at = updated_at - $1")
        .bind(praatplaat_server::store::ABANDONED_UPLOAD_MS + 60_000)
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let fresh = jpeg(999, 100_000);
    assert_eq!(
        start_upload(&jan, &fresh, CHUNK).await.status(),
        StatusCode::OK
    );
    assert_eq!(upload_status(&jan, &photos[1]).await, (0, false));

    // The bytes announced count too: a few uploads at the size limit fill the quota.
    let kees = server.user("kees", Role::Interviewer).await;
    let big = praatplaat_domain::photo::MAX_BYTES;
    let fits = (MAX_OPEN_UPLOAD_BYTES as usize / big) as u32;
    for n in 0..=fits {
        let photo = jpeg(500 + n, big);
        let started = start_upload(&kees, &photo, CHUNK).await;
        let expected = if n < fits {
            StatusCode::OK
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(started.status(), expected, "upload {n} of {big} bytes");
    }
    server.stop().await;
}

async fn only_jpegs_of_a_photos_size_are_stored(db: Db) {
    let server = TestServer::start(&db).await;
    let jan = server.user("jan", Role::Interviewer).await;
    // A page of HTML named by its own hash: not a photo, whole or in chunks.
    let html = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let refused = error(
        put_photo(&jan, &html).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(refused.message.contains("JPEG"), "{}", refused.message);
    assert_eq!(get_photo(&jan, &html).await, StatusCode::NOT_FOUND);
    let refused = error(
        start_upload(&jan, &html, 10).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(refused.message.contains("JPEG"), "{}", refused.message);
    assert_eq!(upload_status(&jan, &html).await, (0, false));
    // A JPEG header claiming 65,535 x 65,535 pixels (a decompression bomb): refused whole, and
    // at the end of an upload (whose first bytes looked like a JPEG), which is then dropped.
    let mut bomb = jpeg(3, 5_000);
    let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bomb[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let refused = error(
        put_photo(&jan, &bomb).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(refused.message.contains("65535"), "{}", refused.message);
    let refused = error(
        start_upload(&jan, &bomb, bomb.len()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(refused.message.contains("dropped"), "{}", refused.message);
    assert_eq!(upload_status(&jan, &bomb).await, (0, false));
    // A real one is stored and comes back as a JPEG that no browser sniffs into anything else.
    let photo = jpeg(4, 5_000);
    assert_eq!(put_photo(&jan, &photo).await.status(), StatusCode::CREATED);
    let back = jan
        .get(&format!("/photos/{}", content_hash(&photo)))
        .send()
        .await
        .unwrap();
    assert_eq!(back.headers()["content-type"], "image/jpeg");
    assert_eq!(back.headers()["x-content-type-options"], "nosniff");
    assert_eq!(back.headers()["cache-control"], "no-store");
    assert_eq!(back.bytes().await.unwrap().to_vec(), photo);
    server.stop().await;
}

fn refusal_of(response: &praatplaat_domain::protocol::PushResponse) -> Refusal {
    let result = &response.results[0];
    assert_eq!(result.status, ChangeStatus::Rejected, "{result:?}");
    result.refusal.clone().unwrap()
}

async fn interviews_hold_their_plates_answers_only_and_records_are_bounded(db: Db) {
    // A body limit above the record limit, so the record's own bound is what refuses.
    let server =
        TestServer::start_custom(&db, None, 2 * 1024 * 1024, ServeOptions::default(), |_| {}).await;
    let jan = server.user("jan", Role::Interviewer).await;
    jan.push(&push_of(0, vec![(1, Record::Company(company(8)))]))
        .await;
    let tick = PracticeAnswer {
        now: true,
        ..PracticeAnswer::default()
    };
    let mut interview = interview_with_photos(80, 8, &[]);
    for practice in Definition::current().unwrap().practices() {
        interview.answers.insert(practice.id.clone(), tick.clone());
    }
    // Thousands of made-up practices (7,000 once made one interview 7 MiB).
    let mut made_up = interview.clone();
    for n in 0..3_000 {
        made_up.answers.insert(format!("XX-{n:04}"), tick.clone());
    }
    let refused = jan
        .push(&push_of(0, vec![(2, Record::Interview(made_up.clone()))]))
        .await;
    assert!(
        matches!(refusal_of(&refused), Refusal::UnknownPractice { practice } if practice.starts_with("XX-")),
        "{refused:?}"
    );
    // A plate version the server does not know: only the number is bounded.
    made_up.plate_version = "praatplaat-metaal@99".into();
    let refused = jan
        .push(&push_of(0, vec![(3, Record::Interview(made_up))]))
        .await;
    assert!(
        matches!(
            refusal_of(&refused),
            Refusal::TooMany {
                max: praatplaat_domain::limits::MAX_ANSWERS_UNKNOWN_PLATE,
                ..
            }
        ),
        "{refused:?}"
    );
    // Every field within its own limit, the whole over the record's.
    let mut large = interview.clone();
    for answer in large.answers.values_mut().take(30) {
        answer.note = "lange aantekening ".repeat(1_100);
    }
    let refused = jan
        .push(&push_of(0, vec![(4, Record::Interview(large))]))
        .await;
    assert!(
        matches!(refusal_of(&refused), Refusal::RecordTooLarge { max, .. } if max == praatplaat_domain::limits::MAX_RECORD_BYTES),
        "{refused:?}"
    );
    // The interview with the plate's own practices is taken.
    let taken = jan
        .push(&push_of(0, vec![(5, Record::Interview(interview))]))
        .await;
    assert_eq!(taken.results[0].status, ChangeStatus::Applied);
    server.stop().await;
}

async fn unknown_api_paths_are_json_404s_and_api_answers_are_not_cached(db: Db) {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>app</title>",
    )
    .unwrap();
    std::fs::write(
        dist.path().join("app-0123456789abcdef.js"),
        "console.log(1)",
    )
    .unwrap();
    let server = TestServer::start_with(&db, Some(dist.path().to_owned())).await;
    let root = format!("http://{}", server.addr());
    let get = |path: &str| server.client.get(format!("{root}{path}")).send();
    for path in [
        "/api",
        "/api/",
        "/api/v2/push",
        "/api/v2",
        "/api/v0/health",
        "/api/v1/nothing-here",
        "/api/anything/else",
    ] {
        let response = get(path).await.unwrap();
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        assert_eq!(
            error(response, StatusCode::NOT_FOUND).await.error,
            "not_found",
            "{path}"
        );
    }
    // API answers, good and bad, are never sniffed or cached.
    for path in ["/api/v1/health", "/api/v1/auth/me", "/api/v1/openapi.json"] {
        let response = get(path).await.unwrap();
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    // The app keeps its own caching: deep links get index.html, hashed files are immutable.
    let deep = get("/interviews/123").await.unwrap();
    assert_eq!(deep.status(), StatusCode::OK);
    assert_eq!(deep.headers()["cache-control"], "no-cache");
    assert!(deep.text().await.unwrap().contains("<title>app</title>"));
    let hashed = get("/app-0123456789abcdef.js").await.unwrap();
    assert_eq!(hashed.status(), StatusCode::OK);
    assert!(
        hashed.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"),
        "{:?}",
        hashed.headers()
    );
    server.stop().await;
}

async fn half_sent_requests_are_closed_and_connections_are_limited(db: Db) {
    const HALF_SENT: usize = 300;
    let options = ServeOptions {
        header_read_timeout: Duration::from_secs(1),
        max_connections: 50,
    };
    let server = TestServer::start_custom(&db, None, MAX_BODY, options, |_| {}).await;
    let addr = server.addr();
    let mut sockets = Vec::with_capacity(HALF_SENT);
    for _ in 0..HALF_SENT {
        let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
        // The request line and one header, never the blank line that ends the headers.
        socket
            .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: praatplaat\r\n")
            .await
            .unwrap();
        sockets.push(socket);
    }
    let started = Instant::now();
    // A real client still gets its answer: the slots of the half-sent ones come free as their
    // time runs out.
    let health = tokio::time::timeout(
        Duration::from_secs(30),
        reqwest::Client::new().get(server.url("/health")).send(),
    )
    .await
    .expect("health answered while 300 half-sent requests wait")
    .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    // Every half-sent request is closed by the server (in batches of the connection limit),
    // long before minutes pass.
    for (n, socket) in sockets.iter_mut().enumerate() {
        let mut buf = [0u8; 1024];
        let closed = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "half-sent request {n} still open");
    }
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    server.stop().await;
}

async fn an_export_demanding_too_many_iterations_is_refused_at_once(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let mut file = praatplaat_vault::seal(b"{}", "wachtwoord", [1; 16], [2; 12], 1_000).unwrap();
    // The header asks for 10,000,000 iterations: seconds of a core for each attempt.
    file[19..23].copy_from_slice(&10_000_000u32.to_be_bytes());
    let started = Instant::now();
    let response = office
        .post("/import")
        .header("x-export-passphrase", "wachtwoord")
        .body(file)
        .send()
        .await
        .unwrap();
    let refused = error(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(refused.error, "too_many_iterations");
    assert!(refused.message.contains("2000000"), "{}", refused.message);
    assert!(started.elapsed() < Duration::from_secs(2));
    server.stop().await;
}
