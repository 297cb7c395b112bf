//! Revision retention (`store::retention`): a record keeps its newest revisions (20 by default)
//! after every push, the sweep trims every record to what it is asked, the current revision
//! always stays, a database from before is trimmed when the server opens, and a tablet whose
//! base was deleted still loses nothing: what both sides hold survives, in the field or as a
//! conflict to choose from.
//!
//! These tests rely on the default of [`DEFAULT_KEEP_REVISIONS`] (the setting is per process and
//! the tests share one): none of them sets another.

use praatplaat_domain::merge::current_value;
use praatplaat_domain::model::{GoodExample, Interview, PracticeAnswer, Record};
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::{ChangeResult, ChangeStatus};
use praatplaat_domain::RecordKind;
use praatplaat_server::store::retention::DEFAULT_KEEP_REVISIONS;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::{Db, Session, TestServer, SEEDS};
use crate::sync::push_of;

on_both_databases!(
    a_record_keeps_its_newest_revisions_after_every_push,
    the_sweep_trims_every_record_and_the_current_revision_stays,
    a_database_from_before_is_trimmed_when_the_server_opens,
    a_stale_tablet_whose_base_was_deleted_loses_nothing,
    a_device_whose_own_last_push_is_older_than_the_kept_revisions_loses_nothing,
);

const ID: Uuid = Uuid::from_u128(0x7E7E_0000_0000_4000_8000_0000_0000_0001);

fn interview() -> Interview {
    Interview {
        id: ID,
        company_id: Uuid::from_u128(4),
        date: "2026-12-03".into(),
        ..Interview::default()
    }
}

fn ticked(now: bool, note: &str) -> PracticeAnswer {
    PracticeAnswer {
        now,
        ambition: false,
        note: note.into(),
    }
}

fn example(n: u128, text: &str) -> GoodExample {
    GoodExample {
        id: Uuid::from_u128(n),
        text: text.into(),
        ..GoodExample::default()
    }
}

fn as_interview(record: &Record) -> &Interview {
    match record {
        Record::Interview(i) => i,
        other => panic!("expected an interview, got {other:?}"),
    }
}

/// Pushes `record` as change `seq` of `session`'s device and returns the verdict.
async fn push(session: &Session, seq: u64, record: &Interview) -> ChangeResult {
    let response = session
        .push(&push_of(0, vec![(seq, Record::Interview(record.clone()))]))
        .await;
    response.results.into_iter().next().unwrap()
}

/// Edits `copy` `times` times, each change based on the revision the server gave the one
/// before (the tablet hears every answer), numbered on from `seq`: the ambition is rewritten.
async fn edit_often(session: &Session, copy: &mut Interview, seq: u64, times: u64) {
    for n in 0..times {
        copy.ambition = format!("versie {n}");
        copy.meta.updated_at += 1;
        let result = push(session, seq + n, copy).await;
        assert_eq!(result.status, ChangeStatus::Applied);
        copy.meta.rev = result.rev;
    }
}

/// The revisions the database holds of the interview, oldest first.
async fn revisions(db: &Db) -> Vec<u64> {
    let mut conn = db.connect().await;
    let revs: Vec<i64> =
        sqlx::query_scalar("SELECT rev FROM revisions WHERE kind = $1 AND id = $2 ORDER BY rev")
            .bind(RecordKind::Interview.as_str())
            .bind(ID.to_string())
            .fetch_all(&mut conn)
            .await
            .unwrap();
    revs.into_iter().map(|r| r as u64).collect()
}

/// How many revisions the database holds of all records.
async fn all_revisions(db: &Db) -> i64 {
    let mut conn = db.connect().await;
    sqlx::query_scalar("SELECT COUNT(*) FROM revisions")
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

/// The interview as the server holds it.
async fn held(office: &Session) -> Interview {
    let pulled = office.pull_since_seed(0, 10).await.records;
    let record = pulled.iter().find(|r| r.id() == ID).expect("the interview");
    as_interview(record).clone()
}

/// Every value `record` holds for the field `pointer`: what is in the field now (`null` when
/// absent), and each side of a conflict about it or about a value around it.
fn seen(record: &Interview, pointer: &str) -> Vec<Value> {
    let wrapped = Record::Interview(record.clone());
    let mut values = vec![current_value(&wrapped, pointer).unwrap()];
    for conflict in &record.conflicts {
        if let Some(rest) = pointer.strip_prefix(conflict.path.as_str()) {
            if rest.is_empty() || rest.starts_with('/') {
                for side in [&conflict.kept, &conflict.other] {
                    values.push(side.pointer(rest).cloned().unwrap_or(Value::Null));
                }
            }
        }
    }
    values
}

/// Whether `record` holds `value` for the field `pointer` (now or as a side of a conflict);
/// `null` stands for an absent field and `alike` for values that mean the same as it (an absent
/// answer is an unticked box).
fn holds(record: &Interview, pointer: &str, value: Value, alike: &[Value]) -> bool {
    seen(record, pointer)
        .into_iter()
        .any(|v| v == value || (alike.contains(&value) && alike.contains(&v)))
}

async fn a_record_keeps_its_newest_revisions_after_every_push(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let mut copy = interview();
    edit_often(&office, &mut copy, 1, 30).await;
    assert_eq!(copy.meta.rev, 30);
    let kept = DEFAULT_KEEP_REVISIONS;
    assert_eq!(kept, 20);
    assert_eq!(revisions(&db).await, (11..=30).collect::<Vec<u64>>());
    // All of one push: 30 changes of the record in one batch (each its own segment) leave the
    // newest 20 as well.
    let changes = (31..=60)
        .map(|seq| {
            copy.ambition = format!("batch {seq}");
            copy.meta.updated_at += 1;
            let change = (seq, Record::Interview(copy.clone()));
            copy.meta.rev += 1;
            change
        })
        .collect();
    let response = office.push(&push_of(0, changes)).await;
    assert!(response
        .results
        .iter()
        .all(|r| r.status == ChangeStatus::Applied));
    assert_eq!(revisions(&db).await, (41..=60).collect::<Vec<u64>>());
    // The seeds' single revisions are untouched.
    assert_eq!(all_revisions(&db).await, SEEDS as i64 + 20);
    server.stop().await;
}

async fn the_sweep_trims_every_record_and_the_current_revision_stays(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let mut copy = interview();
    edit_often(&office, &mut copy, 1, 12).await;
    let before = revisions(&db).await.len() as u64;
    let store = &server.state.store;
    assert_eq!(store.sweep_revisions(5).await.unwrap(), before - 5);
    assert_eq!(revisions(&db).await, (8..=12).collect::<Vec<u64>>());
    assert_eq!(
        store.sweep_revisions(5).await.unwrap(),
        0,
        "nothing left to do"
    );
    // Fewer than two is not kept: the current revision and the one before it stay.
    for keep in [1, 0] {
        store.sweep_revisions(keep).await.unwrap();
        assert_eq!(revisions(&db).await, [11, 12]);
    }
    // Records with one revision (the seed catalogue) keep it.
    assert_eq!(all_revisions(&db).await, SEEDS as i64 + 2);
    // The record is whole: pulled at its revision, and changes go on as ever.
    assert_eq!(held(&office).await.meta.rev, 12);
    let result = push(&office, 13, &copy).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Applied, 13));
    let mut stale = copy.clone();
    stale.notes = "van de vorige versie".into();
    stale.meta.updated_at += 10;
    let result = push(&office, 14, &stale).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Applied, 14));
    server.stop().await;
}

async fn a_database_from_before_is_trimmed_when_the_server_opens(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let mut copy = interview();
    edit_often(&office, &mut copy, 1, 1).await;
    server.stop().await;
    // As a server from before retention left it: 30 revisions of the record.
    let mut conn = db.connect().await;
    for rev in 2..=30_u64 {
        copy.meta.rev = rev;
        let data = serde_json::to_string(&Record::Interview(copy.clone())).unwrap();
        sqlx::query("INSERT INTO revisions (kind, id, rev, data) VALUES ($1, $2, $3, $4)")
            .bind(RecordKind::Interview.as_str())
            .bind(ID.to_string())
            .bind(rev as i64)
            .bind(data.as_str())
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE records SET rev = $1, data = $2 WHERE kind = $3 AND id = $4")
            .bind(rev as i64)
            .bind(data.as_str())
            .bind(RecordKind::Interview.as_str())
            .bind(ID.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
    }
    drop(conn);
    assert_eq!(revisions(&db).await.len(), 30);
    let server = TestServer::start(&db).await;
    assert_eq!(revisions(&db).await, (11..=30).collect::<Vec<u64>>());
    assert_eq!(held(&office.at(&server)).await.meta.rev, 30);
    server.stop().await;
}

async fn a_stale_tablet_whose_base_was_deleted_loses_nothing(db: Db) {
    let server = TestServer::start(&db).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let a = server.user("jan", Role::Coordinator).await;
    let b = server.user("piet", Role::Coordinator).await;
    let mut start = interview();
    start.notes = "begin".into();
    start.answers.insert("GR-01".into(), ticked(true, ""));
    start.answers.insert("GR-02".into(), ticked(true, ""));
    start.examples = vec![example(1, "Restmateriaal gaat terug")];
    start.meta.updated_at = 10;
    let created = push(&office, 1, &start).await;
    assert_eq!(created.rev, 1);
    // Both tablets hold revision 1. B goes offline; A unticks GR-01, writes notes, adds an
    // example, then edits on until revision 30.
    start.meta.rev = 1;
    let mut on_a = start.clone();
    on_a.answers.remove("GR-01");
    on_a.notes = "A: afzuiging bij de lasplek".into();
    on_a.examples.push(example(2, "A: zonnepanelen"));
    on_a.meta.updated_at = 20;
    let result = push(&a, 1, &on_a).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Applied, 2));
    on_a.meta.rev = 2;
    edit_often(&a, &mut on_a, 2, 28).await;
    assert_eq!(on_a.meta.rev, 30);
    // Whatever the push kept, the sweep leaves 5: B's base, revision 1, is gone.
    server.state.store.sweep_revisions(5).await.unwrap();
    assert_eq!(revisions(&db).await, (26..=30).collect::<Vec<u64>>());

    // B, on revision 1, unticks GR-02, ticks GR-03, writes notes, adds an example; later than
    // all of A's edits.
    let mut on_b = start.clone();
    on_b.answers.remove("GR-02");
    on_b.answers.insert("GR-03".into(), ticked(true, "B: ja"));
    on_b.notes = "B: afzuiging in de hele hal".into();
    on_b.examples.push(example(3, "B: warmtepomp"));
    on_b.meta.updated_at = 1_000;
    let result = push(&b, 1, &on_b).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Merged, 31));
    let now = held(&office).await;
    assert_eq!(now.meta.rev, 31);
    let unticked = [Value::Null, json!(false)];
    // A's edits: the untick, the notes, the example, the last ambition.
    assert!(
        holds(&now, "/answers/GR-01/now", json!(false), &unticked),
        "A's untick: {:?}",
        seen(&now, "/answers/GR-01/now")
    );
    assert!(holds(&now, "/notes", json!(on_a.notes), &[]));
    let text_of = |n: u128| format!("/examples/{}/text", Uuid::from_u128(n));
    assert!(holds(&now, &text_of(2), json!("A: zonnepanelen"), &[]));
    assert!(holds(&now, "/ambition", json!(on_a.ambition), &[]));
    // B's edits: the untick, the tick, the notes, the example.
    assert!(
        holds(&now, "/answers/GR-02/now", json!(false), &unticked),
        "B's untick: {:?}",
        seen(&now, "/answers/GR-02/now")
    );
    assert!(holds(&now, "/answers/GR-03/now", json!(true), &[]));
    assert!(holds(&now, "/answers/GR-03/note", json!("B: ja"), &[]));
    assert!(holds(&now, "/notes", json!(on_b.notes), &[]));
    assert!(holds(&now, &text_of(3), json!("B: warmtepomp"), &[]));
    // What neither changed stays as it was.
    assert!(now
        .examples
        .iter()
        .any(|e| e.text == "Restmateriaal gaat terug"));
    server.stop().await;
}

async fn a_device_whose_own_last_push_is_older_than_the_kept_revisions_loses_nothing(db: Db) {
    let server = TestServer::start(&db).await;
    let a = server.user("jan", Role::Coordinator).await;
    let b = server.user("piet", Role::Coordinator).await;
    let mut start = interview();
    start.meta.updated_at = 10;
    push(&a, 1, &start).await;
    start.meta.rev = 1;
    // B writes notes (revision 2) but never hears the answer: its copy stays on revision 1,
    // and the server keeps B's push as the base of B's next change.
    let mut on_b = start.clone();
    on_b.notes = "B: eerste bezoek".into();
    on_b.meta.updated_at = 20;
    let result = push(&b, 1, &on_b).await;
    assert_eq!((result.status, result.rev), (ChangeStatus::Applied, 2));
    // A, on revision 2, ticks GR-06 and takes the tick back, then edits on until revision 29.
    let mut on_a = on_b.clone();
    on_a.meta.rev = 2;
    on_a.answers.insert("GR-06".into(), ticked(true, ""));
    on_a.meta.updated_at = 30;
    assert_eq!(push(&a, 2, &on_a).await.rev, 3);
    on_a.meta.rev = 3;
    on_a.answers.clear();
    on_a.meta.updated_at = 40;
    assert_eq!(push(&a, 3, &on_a).await.rev, 4);
    on_a.meta.rev = 4;
    edit_often(&a, &mut on_a, 4, 25).await;
    assert_eq!(on_a.meta.rev, 29);
    server.state.store.sweep_revisions(5).await.unwrap();
    assert_eq!(revisions(&db).await, (25..=29).collect::<Vec<u64>>());

    // B, which never saw the tick, ticks GR-06 on its copy. A's untick was a decision: with all
    // revisions kept the merge sees the tick come and go; with them gone it must not take the
    // stored "unticked" for "never touched".
    on_b.answers.insert("GR-06".into(), ticked(true, ""));
    on_b.meta.updated_at = 1_000;
    let result = push(&b, 2, &on_b).await;
    assert_eq!(result.status, ChangeStatus::Merged, "{result:?}");
    let now = held(&a).await;
    let unticked = [Value::Null, json!(false)];
    assert!(
        holds(&now, "/answers/GR-06/now", json!(false), &unticked),
        "A's untick: {:?}",
        seen(&now, "/answers/GR-06/now")
    );
    assert!(holds(&now, "/answers/GR-06/now", json!(true), &[]));
    assert!(holds(&now, "/ambition", json!(on_a.ambition), &[]));
    assert!(holds(&now, "/notes", json!("B: eerste bezoek"), &[]));
    server.stop().await;
}
