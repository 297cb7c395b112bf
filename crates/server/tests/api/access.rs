//! The server's two forms of the access rule agree with the domain's one statement of it
//! (`praatplaat_domain::access`): what a pull shows an account (`VISIBLE_TO_USER`) is
//! `may_see`, and what a push lets it change (the rights check) is `may_change`, for every way
//! an account can stand to a record.

use praatplaat_domain::access::{may_change, may_see, Standing};
use praatplaat_domain::model::{Company, Interview, Record, RecordKind};
use praatplaat_domain::protocol::auth::{Assignees, Role};
use praatplaat_domain::protocol::{Change, ChangeStatus, PushRequest, MAX_PULL_LIMIT};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::harness::{Db, Session, TestServer};

on_both_databases!(pull_and_push_follow_the_one_access_rule);

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

fn interview(n: u128, company: u128) -> Record {
    let mut i = Interview {
        id: Uuid::from_u128(n),
        company_id: Uuid::from_u128(company),
        date: "2026-11-23".into(),
        ..Interview::default()
    };
    i.meta.updated_at = 1;
    Record::Interview(i)
}

async fn push(session: &Session, seq: &mut u64, records: Vec<Record>) -> Vec<ChangeStatus> {
    let changes = records
        .into_iter()
        .map(|record| {
            *seq += 1;
            Change { seq: *seq, record }
        })
        .collect();
    let request = PushRequest {
        device_id: session.device_id,
        changes,
    };
    session
        .push(&request)
        .await
        .results
        .into_iter()
        .map(|r| r.status)
        .collect()
}

async fn assign(office: &Session, company: u128, users: Vec<Uuid>) {
    let response = office
        .put(&format!(
            "/companies/{}/assignees",
            Uuid::from_u128(company)
        ))
        .json(&Assignees { user_ids: users })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

/// The server's current copy of every record, as the office pulls it.
async fn everything(office: &Session) -> Vec<Record> {
    office.pull(0, MAX_PULL_LIMIT).await.records
}

async fn pull_and_push_follow_the_one_access_rule(db: Db) {
    let server = TestServer::start(&db).await;
    let jan = server.user("jan", Role::Interviewer).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let (mut jan_seq, mut office_seq) = (0, 0);

    // Company 1 is Jan's own, with an interview of his and one the office added.
    push(&jan, &mut jan_seq, vec![company(1), interview(11, 1)]).await;
    push(&office, &mut office_seq, vec![interview(12, 1)]).await;
    // Company 2 is the office's, Jan is assigned to it.
    push(&office, &mut office_seq, vec![company(2), interview(21, 2)]).await;
    assign(&office, 2, vec![jan.user.id]).await;
    // Company 3 is the office's; Jan was assigned, made an interview, and was taken off.
    push(&office, &mut office_seq, vec![company(3), interview(31, 3)]).await;
    assign(&office, 3, vec![jan.user.id]).await;
    push(&jan, &mut jan_seq, vec![interview(32, 3)]).await;
    assign(&office, 3, vec![]).await;

    let standing = |kind, created_by_me, company_mine, assigned| Standing {
        kind,
        created_by_me,
        company_mine,
        assigned,
    };
    use RecordKind::{Company as C, Interview as I};
    let cases: Vec<(u128, Standing)> = vec![
        (1, standing(C, true, true, false)),
        (11, standing(I, true, true, false)),
        (12, standing(I, false, true, false)),
        (2, standing(C, false, false, true)),
        (21, standing(I, false, false, true)),
        (3, standing(C, false, false, false)),
        (31, standing(I, false, false, false)),
        (32, standing(I, true, false, false)),
    ];
    let stored = everything(&office).await;
    let seed = stored
        .iter()
        .find(|r| r.kind() == RecordKind::Initiative)
        .expect("the seed catalogue")
        .clone();
    let mut all: Vec<(Record, Standing)> = cases
        .into_iter()
        .map(|(n, s)| {
            let record = stored
                .iter()
                .find(|r| r.id() == Uuid::from_u128(n))
                .unwrap_or_else(|| panic!("record {n} stored"))
                .clone();
            (record, s)
        })
        .collect();
    all.push((seed, standing(RecordKind::Initiative, false, false, false)));

    let seen = jan.pull(0, MAX_PULL_LIMIT).await.records;
    for (record, s) in &all {
        let shown = seen.iter().any(|r| r.id() == record.id());
        assert_eq!(shown, may_see(Role::Interviewer, *s), "pull of {s:?}");
    }
    // Each change is an edit of the server's current copy, so only the rights decide.
    for (record, s) in &all {
        let mut edit = record.clone();
        edit.meta_mut().updated_at += 1_000;
        let status = push(&jan, &mut jan_seq, vec![edit]).await[0];
        let changed = status != ChangeStatus::Rejected;
        assert_eq!(
            changed,
            may_change(Role::Interviewer, *s),
            "push of {s:?}: {status:?}"
        );
    }
    // The office may everything, by the same rule.
    let stored = everything(&office).await;
    for (record, s) in &all {
        assert!(may_see(Role::Coordinator, *s) && may_change(Role::Coordinator, *s));
        let mut edit = stored
            .iter()
            .find(|r| r.id() == record.id())
            .unwrap()
            .clone();
        edit.meta_mut().updated_at += 2_000;
        let status = push(&office, &mut office_seq, vec![edit]).await[0];
        assert_ne!(status, ChangeStatus::Rejected, "office push of {s:?}");
    }
    server.stop().await;
}
