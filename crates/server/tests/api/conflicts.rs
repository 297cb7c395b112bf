//! Two tablets edit the same interview offline: changes on different fields merge, the same field
//! keeps both values as a conflict; receipts say what the server holds; a pull interrupted
//! mid-way resumes from its cursor without losing or repeating a record.

use praatplaat_domain::model::{Interview, PracticeAnswer, Record};
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::{receipt_matches, ChangeStatus, Receipt};
use uuid::Uuid;

use crate::harness::{Db, TestServer, SEEDS};
use crate::sync::push_of;

on_both_databases!(
    stale_base_revisions_merge_by_field_and_keep_both_sides_of_a_clash,
    a_paged_pull_interrupted_mid_way_resumes_from_its_cursor,
);

fn tick(interview: &mut Interview, practice: &str, note: &str) {
    interview.answers.insert(
        practice.into(),
        PracticeAnswer {
            now: true,
            ambition: false,
            note: note.into(),
        },
    );
}

fn as_interview(record: &Record) -> &Interview {
    match record {
        Record::Interview(i) => i,
        other => panic!("expected an interview, got {other:?}"),
    }
}

async fn stale_base_revisions_merge_by_field_and_keep_both_sides_of_a_clash(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let first = server.user("jan", Role::Coordinator).await;
    let second = server.user("piet", Role::Coordinator).await;
    let mut interview = Interview {
        id: Uuid::from_u128(40),
        company_id: Uuid::from_u128(4),
        date: "2026-11-23".into(),
        ..Interview::default()
    };
    interview.meta.updated_at = 10;
    let created = office
        .push(&push_of(0, vec![(1, Record::Interview(interview.clone()))]))
        .await;
    assert_eq!(created.results[0].rev, 1);
    // Both tablets hold revision 1 and go offline.
    interview.meta.rev = 1;

    // Different fields: ticks on different practices, and the notes.
    let mut a = interview.clone();
    tick(&mut a, "GR-01", "");
    a.meta.updated_at = 20;
    let mut b = interview.clone();
    tick(&mut b, "PR-02", "");
    b.notes = "Lasrook wordt afgezogen".into();
    b.meta.updated_at = 30;
    let ra = first
        .push(&push_of(0, vec![(1, Record::Interview(a))]))
        .await;
    assert_eq!(
        (ra.results[0].status, ra.results[0].rev),
        (ChangeStatus::Applied, 2)
    );
    let rb = second
        .push(&push_of(0, vec![(1, Record::Interview(b))]))
        .await;
    assert_eq!(
        (rb.results[0].status, rb.results[0].rev),
        (ChangeStatus::Merged, 3)
    );
    let merged = office.pull_since_seed(0, 10).await.records.remove(0);
    let held = as_interview(&merged);
    assert_eq!(held.meta.rev, 3);
    assert!(held.answers.contains_key("GR-01") && held.answers.contains_key("PR-02"));
    assert_eq!(held.notes, "Lasrook wordt afgezogen");
    assert!(held.conflicts.is_empty());
    // The receipt of the merge is the record the server holds: what the tablet pulls matches it.
    let receipt = rb.results[0].receipt().expect("a receipt");
    assert!(receipt_matches(&receipt, &merged));
    assert_eq!(receipt, Receipt::for_record(&merged));

    // The same field, from revision 3, differently on both tablets: both texts survive.
    let mut c = held.clone();
    c.notes = "Afzuiging bij de lasplek".into();
    c.meta.updated_at = 40;
    let mut d = held.clone();
    d.notes = "Afzuiging in de hele hal".into();
    d.meta.updated_at = 50;
    let rc = first
        .push(&push_of(0, vec![(2, Record::Interview(c))]))
        .await;
    assert_eq!(rc.results[0].status, ChangeStatus::Applied);
    let rd = second
        .push(&push_of(0, vec![(2, Record::Interview(d))]))
        .await;
    assert_eq!(rd.results[0].status, ChangeStatus::Merged);
    let records = office.pull_since_seed(0, 10).await.records;
    let clash = as_interview(&records[0]);
    assert_eq!(
        clash.notes, "Afzuiging in de hele hal",
        "the later edit holds the field"
    );
    assert_eq!(clash.conflicts.len(), 1);
    assert_eq!(clash.conflicts[0].path, "/notes");
    assert_eq!(clash.conflicts[0].other, "Afzuiging bij de lasplek");
    // The same change again (a retry) is a duplicate with the same receipt.
    let retry = second
        .push(&push_of(0, vec![(2, records[0].clone())]))
        .await;
    assert_eq!(retry.results[0].status, ChangeStatus::Duplicate);
    assert_eq!(retry.results[0].hash, rd.results[0].hash);
    server.stop().await;
}

async fn a_paged_pull_interrupted_mid_way_resumes_from_its_cursor(db: Db) {
    let server = TestServer::start(&db).await;
    let writer = server.user("kantoor", Role::Coordinator).await;
    let reader = server.user("jan", Role::Coordinator).await;
    let interviews = |from: u128, to: u128| {
        (from..=to)
            .map(|n| {
                (
                    n as u64,
                    Record::Interview(Interview {
                        id: Uuid::from_u128(n),
                        company_id: Uuid::from_u128(1),
                        date: "2026-11-23".into(),
                        ..Interview::default()
                    }),
                )
            })
            .collect()
    };
    writer.push(&push_of(0, interviews(1, 25))).await;
    // Two pages arrive, then the connection drops (the device kept the cursor of the last page
    // it stored).
    let mut seen = Vec::new();
    let mut cursor = SEEDS;
    for _ in 0..2 {
        let page = reader.pull(cursor, 10).await;
        assert!(page.more);
        seen.extend(page.records.iter().map(|r| r.id().as_u128()));
        cursor = page.cursor;
    }
    // Meanwhile more changes arrive, one of them to a record already pulled.
    let mut changes = interviews(26, 30);
    let mut edited = interviews(3, 3).remove(0).1;
    if let Record::Interview(i) = &mut edited {
        i.notes = "later bewerkt".into();
    }
    changes.push((31, edited));
    writer.push(&push_of(0, changes)).await;
    loop {
        let page = reader.pull(cursor, 10).await;
        seen.extend(page.records.iter().map(|r| r.id().as_u128()));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    let mut expected: Vec<u128> = (1..=30).collect();
    expected.push(3);
    assert_eq!(
        seen, expected,
        "every record once, the edited one again at the end"
    );
    assert_eq!(cursor, SEEDS + 31);
    server.stop().await;
}
