//! "Nothing lost under faults": a tablet's own earlier changes are never merged against it.
//! Each test is a fault the soak injects (or the defect it found, D1 and D2), replayed with plain
//! API calls; each failed before the server kept per-device lineage.

use praatplaat_domain::model::{Interview, PracticeAnswer, Record};
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::{ChangeResult, ChangeStatus};
use praatplaat_domain::refusal::{Field, Refusal};
use sqlx::Connection;
use uuid::Uuid;

use crate::harness::{Db, Session, TestServer};
use crate::sync::{company, push_of};

on_both_databases!(
    d1_a_base_of_zero_merges_against_the_devices_own_create,
    d2_one_tablet_with_a_stale_base_keeps_its_untick_and_gets_no_conflict,
    a_lost_answer_a_retry_and_an_edit_meanwhile_keep_everything,
    a_server_stopped_after_commit_loses_nothing_on_the_retry,
    a_retried_refusal_is_refused_again_not_dropped,
    a_tick_taken_back_on_one_tablet_conflicts_with_the_tick_of_another,
    a_tick_set_on_both_tablets_then_taken_back_on_one_is_a_conflict,
);

const ID: u128 = 70;

fn interview(at: i64) -> Interview {
    let mut i = Interview {
        id: Uuid::from_u128(ID),
        company_id: Uuid::from_u128(7),
        date: "2026-11-23".into(),
        ..Interview::default()
    };
    i.meta.updated_at = at;
    i
}

fn set_tick(i: &mut Interview, practice: &str, now: bool) {
    let mut answer = i.answer(practice);
    answer.now = now;
    i.set_answer(practice, answer);
}

async fn push(device: &Session, seq: u64, i: &Interview) -> ChangeResult {
    let response = device
        .push(&push_of(0, vec![(seq, Record::Interview(i.clone()))]))
        .await;
    response.results.into_iter().next().expect("one verdict")
}

async fn on_server(device: &Session) -> Interview {
    let page = device.pull(0, 500).await;
    page.records
        .into_iter()
        .find_map(|r| match r {
            Record::Interview(i) if i.id == Uuid::from_u128(ID) => Some(i),
            _ => None,
        })
        .expect("the interview is on the server")
}

async fn d1_a_base_of_zero_merges_against_the_devices_own_create(db: Db) {
    let server = TestServer::start(&db).await;
    let a = server.user("jan", Role::Coordinator).await;
    let b = server.user("piet", Role::Coordinator).await;
    let created = interview(1_000);
    assert_eq!(push(&a, 1, &created).await.rev, 1);
    let mut from_b = created.clone();
    from_b.meta.rev = 1;
    from_b.meta.updated_at = 3_000;
    from_b.ambition = "van B".into();
    assert_eq!(push(&b, 1, &from_b).await.status, ChangeStatus::Applied);
    // A never learnt its revision: two new ticks with base 0.
    let mut from_a = created;
    from_a.meta.updated_at = 2_000;
    set_tick(&mut from_a, "GR-01", true);
    set_tick(&mut from_a, "GR-06", true);
    let result = push(&a, 2, &from_a).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Merged, 3));
    let stored = on_server(&a).await;
    assert!(stored.answer("GR-01").now && stored.answer("GR-06").now);
    assert_eq!(stored.ambition, "van B");
    assert!(stored.conflicts.is_empty(), "{:?}", stored.conflicts);
    assert_eq!(result.record, Some(Record::Interview(stored)));
    server.stop().await;
}

async fn d2_one_tablet_with_a_stale_base_keeps_its_untick_and_gets_no_conflict(db: Db) {
    let server = TestServer::start(&db).await;
    let a = server.user("jan", Role::Coordinator).await;
    let mut i = interview(1_000);
    assert_eq!(push(&a, 1, &i).await.rev, 1);
    i.meta.rev = 1;
    i.meta.updated_at = 2_000;
    set_tick(&mut i, "GR-06", true);
    i.notes = "a".into();
    assert_eq!(push(&a, 2, &i).await.rev, 2);
    i.meta.updated_at = 3_000; // still names base 1
    set_tick(&mut i, "GR-06", false);
    i.notes = "ab".into();
    let result = push(&a, 3, &i).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Applied, 3));
    let stored = on_server(&a).await;
    assert!(!stored.answer("GR-06").now, "the untick is lost");
    assert_eq!(stored.notes, "ab");
    assert!(stored.conflicts.is_empty(), "{:?}", stored.conflicts);
    server.stop().await;
}

/// A pushes (the answer is lost), is delivered twice, edits meanwhile (base still old) while B
/// edits another field; A's retry, its edit and B's edit all survive, without a conflict.
async fn a_lost_answer_a_retry_and_an_edit_meanwhile_keep_everything(db: Db) {
    let server = TestServer::start(&db).await;
    let a = server.user("jan", Role::Coordinator).await;
    let b = server.user("piet", Role::Coordinator).await;
    let mut i = interview(1_000);
    push(&a, 1, &i).await;
    i.meta.rev = 1;
    let mut from_b = i.clone();
    from_b.meta.updated_at = 1_500;
    from_b.ambition = "van B".into();
    push(&b, 1, &from_b).await;
    i.meta.updated_at = 2_000;
    set_tick(&mut i, "GR-06", true);
    i.notes = "a".into();
    let first = push(&a, 2, &i).await; // its answer is "lost": A does not learn rev 3
    assert_eq!(first.status, ChangeStatus::Merged);
    // Delivered a second time: a duplicate with the server's copy.
    let again = push(&a, 2, &i).await;
    assert_eq!((again.status, again.rev), (ChangeStatus::Duplicate, 3));
    assert_eq!(again.record, first.record);
    // The edit made meanwhile (typed on, unticked), still on base 1.
    i.meta.updated_at = 3_000;
    set_tick(&mut i, "GR-06", false);
    i.set_answer(
        "GR-01",
        PracticeAnswer {
            now: true,
            ..PracticeAnswer::default()
        },
    );
    i.notes = "ab".into();
    let result = push(&a, 3, &i).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Merged, 4));
    let stored = on_server(&a).await;
    assert!(!stored.answer("GR-06").now, "the untick is lost");
    assert!(stored.answer("GR-01").now);
    assert_eq!(stored.notes, "ab");
    assert_eq!(stored.ambition, "van B");
    assert!(stored.conflicts.is_empty(), "{:?}", stored.conflicts);
    server.stop().await;
}

async fn a_server_stopped_after_commit_loses_nothing_on_the_retry(db: Db) {
    let server = TestServer::start(&db).await;
    let a = server.user("jan", Role::Coordinator).await;
    let mut i = interview(1_000);
    push(&a, 1, &i).await; // committed; the device never hears the answer
    server.stop().await;
    let server = TestServer::start(&db).await;
    let a = a.at(&server);
    // The device retries the same change, then its next edit, both still on base 0.
    assert_eq!(push(&a, 1, &i).await.status, ChangeStatus::Duplicate);
    i.meta.updated_at = 2_000;
    i.notes = "na de herstart".into();
    set_tick(&mut i, "EN-01", true);
    let result = push(&a, 2, &i).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Applied, 2));
    let stored = on_server(&a).await;
    assert_eq!(stored.notes, "na de herstart");
    assert!(stored.conflicts.is_empty());
    server.stop().await;
}

async fn a_retried_refusal_is_refused_again_not_dropped(db: Db) {
    let server = TestServer::start(&db).await;
    let a = server.user("jan", Role::Coordinator).await;
    let request = push_of(0, vec![(1, company(1, " ", 10))]);
    let first = a.push(&request).await;
    assert_eq!(first.results[0].status, ChangeStatus::Rejected);
    assert_eq!(
        first.results[0].refusal,
        Some(Refusal::Empty { field: Field::Name })
    );
    let again = a.push(&request).await;
    assert_eq!(again.results[0].status, ChangeStatus::Rejected);
    assert_eq!(again.results[0].reason, first.results[0].reason);
    assert_eq!(again.results[0].refusal, first.results[0].refusal);
    server.stop().await;

    // A refusal an older server remembered is a bare sentence: still refused again, with it.
    let mut conn = db.connect().await;
    let updated = sqlx::query("UPDATE lineage SET refused_reason = $1 WHERE device_id = $2")
        .bind("name must not be empty")
        .bind(a.device_id.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 1);
    conn.close().await.unwrap();
    let server = TestServer::start(&db).await;
    let a = a.at(&server);
    let old = a.push(&request).await;
    assert_eq!(old.results[0].status, ChangeStatus::Rejected);
    assert_eq!(
        old.results[0].reason.as_deref(),
        Some("name must not be empty")
    );
    assert_eq!(old.results[0].refusal, None);
    server.stop().await;
}

/// ABA: A ticks GR-06 and takes it back (revisions 2 and 3); B, from rev 1, ticks GR-06 and writes
/// a note. Stored equals B's base at GR-06, but A's untick was a decision: the merge keeps both
/// as a conflict and B's note goes through. Before, B's tick replaced the untick silently.
async fn a_tick_taken_back_on_one_tablet_conflicts_with_the_tick_of_another(db: Db) {
    let server = TestServer::start(&db).await;
    let a = server.user("jan", Role::Coordinator).await;
    let b = server.user("piet", Role::Coordinator).await;
    let mut i = interview(1_000);
    assert_eq!(push(&a, 1, &i).await.rev, 1);
    i.meta.rev = 1;
    let mut from_b = i.clone();
    i.meta.updated_at = 2_000;
    set_tick(&mut i, "GR-06", true);
    assert_eq!(push(&a, 2, &i).await.rev, 2);
    i.meta.rev = 2;
    i.meta.updated_at = 3_000;
    set_tick(&mut i, "GR-06", false);
    assert_eq!(push(&a, 3, &i).await.rev, 3);
    from_b.meta.updated_at = 4_000;
    set_tick(&mut from_b, "GR-06", true);
    from_b.notes = "van B".into();
    let result = push(&b, 1, &from_b).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Merged, 4));
    let stored = on_server(&a).await;
    assert_eq!(stored.notes, "van B");
    assert_eq!(stored.conflicts.len(), 1, "{:?}", stored.conflicts);
    let conflict = &stored.conflicts[0];
    assert_eq!(conflict.path, "/answers/GR-06/now");
    assert_eq!(
        (conflict.kept.as_bool(), conflict.other.as_bool()),
        (Some(true), Some(false))
    );
    // A's own later edit of another field, named from its own rev 3, adds no conflict.
    let mut again = i.clone();
    again.meta.updated_at = 5_000;
    again.ambition = "meer hergebruik".into();
    let result = push(&a, 4, &again).await;
    assert_eq!(result.status, ChangeStatus::Merged);
    let stored = on_server(&a).await;
    assert_eq!(stored.conflicts.len(), 1, "{:?}", stored.conflicts);
    assert_eq!(stored.ambition, "meer hergebruik");
    server.stop().await;
}

/// A ticks GR-06 (rev 2); B, from rev 1, ticks it too: superseded, yet stored again as rev 3 with
/// what B asserted; A, which never saw B's tick, unticks from its rev 2. The state went F, T, T,
/// so only the asserted tick shows that B wanted it: A's untick is a conflict, not a silent win.
async fn a_tick_set_on_both_tablets_then_taken_back_on_one_is_a_conflict(db: Db) {
    let server = TestServer::start(&db).await;
    let a = server.user("jan", Role::Coordinator).await;
    let b = server.user("piet", Role::Coordinator).await;
    let mut i = interview(1_000);
    assert_eq!(push(&a, 1, &i).await.rev, 1);
    i.meta.rev = 1;
    let mut from_b = i.clone();
    i.meta.updated_at = 2_000;
    set_tick(&mut i, "GR-06", true);
    assert_eq!(push(&a, 2, &i).await.rev, 2);
    from_b.meta.updated_at = 2_500;
    set_tick(&mut from_b, "GR-06", true);
    let result = push(&b, 1, &from_b).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Superseded, 3));
    i.meta.rev = 2;
    i.meta.updated_at = 3_000;
    set_tick(&mut i, "GR-06", false);
    let result = push(&a, 3, &i).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Merged, 4));
    let stored = on_server(&a).await;
    assert_eq!(stored.conflicts.len(), 1, "{:?}", stored.conflicts);
    assert_eq!(stored.conflicts[0].path, "/answers/GR-06/now");
    server.stop().await;
}
