//! Two server processes over one database (issue 13, "Scale past one machine"): what one
//! process decides, the other sees, because nothing that matters is kept in a process's memory.
//! (The sign-in limit's share is in `abuse.rs`; the soak runs two processes behind an
//! alternating proxy: `praatplaat-soak native --servers 2`.)

use praatplaat_domain::model::{Company, Record};
use praatplaat_domain::photo::content_hash;
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::ChangeStatus;
use praatplaat_server::store::MAX_OPEN_UPLOADS;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::harness::{jpeg, Db, Session, TestServer};
use crate::sync::push_of;

on_both_databases!(
    one_push_sent_to_both_processes_at_once_is_applied_once,
    two_processes_keep_one_upload_quota_per_account,
);

fn company(n: u128) -> Record {
    let mut c = Company {
        id: Uuid::from_u128(n),
        name: format!("Bedrijf {n}"),
        municipality: "Gouda".into(),
        ..Company::default()
    };
    c.meta.updated_at = 1;
    Record::Company(c)
}

/// A retried push that a load balancer delivered to both processes at the same moment (the first
/// answer was lost): one applies it, the other answers `duplicate`.
async fn one_push_sent_to_both_processes_at_once_is_applied_once(db: Db) {
    let first = TestServer::start(&db).await;
    let second = TestServer::start(&db).await;
    first.add_user("kantoor", Role::Coordinator).await;
    let office = first.sign_in("kantoor").await;
    let there = office.at(&second);
    for round in 0..5u128 {
        let request = push_of(
            0,
            (0..20)
                .map(|n| {
                    (
                        round as u64 * 20 + n as u64 + 1,
                        company(round * 100 + n + 1),
                    )
                })
                .collect(),
        );
        let (a, b) = tokio::join!(office.push(&request), there.push(&request));
        let statuses = |r: &praatplaat_domain::protocol::PushResponse| {
            r.results.iter().map(|r| r.status).collect::<Vec<_>>()
        };
        let (a, b) = (statuses(&a), statuses(&b));
        let applied = vec![ChangeStatus::Applied; 20];
        let duplicate = vec![ChangeStatus::Duplicate; 20];
        assert!(
            (a == applied && b == duplicate) || (a == duplicate && b == applied),
            "round {round}: {a:?} / {b:?}"
        );
    }
    // Each process pulls the same 100 records, each once, in the same order.
    let here = office.pull_since_seed(0, 500).await;
    let yonder = there.pull_since_seed(0, 500).await;
    assert_eq!(here.records.len(), 100);
    assert_eq!(here.records, yonder.records);
    assert_eq!(here.cursor, yonder.cursor);
    second.stop().await;
    first.stop().await;
}

async fn first_chunk(session: &Session, photo: &[u8]) -> StatusCode {
    session
        .patch(&format!(
            "/photos/{}/upload?offset=0&size={}",
            content_hash(photo),
            photo.len()
        ))
        .body(photo[..4096].to_vec())
        .send()
        .await
        .unwrap()
        .status()
}

/// Unfinished uploads started at once through both processes still fit one quota, and one chunk
/// sent to both at once is taken once (the other hears where the upload stands), never a 500.
async fn two_processes_keep_one_upload_quota_per_account(db: Db) {
    let first = TestServer::start(&db).await;
    let second = TestServer::start(&db).await;
    first.add_user("jan", Role::Interviewer).await;
    let jan = first.sign_in("jan").await;
    let there = jan.at(&second);
    let photos: Vec<Vec<u8>> = (0..2 * MAX_OPEN_UPLOADS as u32)
        .map(|n| jpeg(300 + n, 50_000))
        .collect();
    let starts = photos.iter().enumerate().map(|(n, photo)| {
        let session = if n % 2 == 0 {
            jan.clone()
        } else {
            there.clone()
        };
        let photo = photo.clone();
        async move { first_chunk(&session, &photo).await }
    });
    let statuses = futures_join_all(starts).await;
    let taken = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (taken, refused),
        (MAX_OPEN_UPLOADS as usize, MAX_OPEN_UPLOADS as usize),
        "{statuses:?}"
    );

    // The same first chunk through both at once (a retry that overtook the first try).
    let piet = {
        first.add_user("piet", Role::Interviewer).await;
        first.sign_in("piet").await
    };
    let piet_there = piet.at(&second);
    for n in 0..5 {
        let photo = jpeg(900 + n, 50_000);
        let (a, b) = tokio::join!(first_chunk(&piet, &photo), first_chunk(&piet_there, &photo));
        let mut both = [a, b];
        both.sort();
        assert_eq!(both, [StatusCode::OK, StatusCode::CONFLICT], "photo {n}");
    }
    second.stop().await;
    first.stop().await;
}

/// Runs the futures at once and returns their outputs in order.
async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<StatusCode>
where
    F: std::future::Future<Output = StatusCode> + Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
