//! A push is read and written in batches (`store/records.rs`), yet decides as if its changes came
//! one by one: the same script of changes, sent once as one batch and once change by change to a
//! server with the same history, gets the same verdicts and leaves the same records, revisions,
//! lineage and photo references. The script mixes what makes a batch's changes depend on each
//! other: a company made and used in the same batch, a company id reserved by an interview
//! before the company itself, the same record two and three times (stale, merged against the
//! device's own earlier change), refusals by rights and by validation, a number used twice, a
//! merge that reads the revisions in between, and photos.

use praatplaat_domain::model::{Company, GoodExample, Interview, PhotoRef, PracticeAnswer, Record};
use praatplaat_domain::photo::content_hash;
use praatplaat_domain::plate::Definition;
use praatplaat_domain::protocol::auth::{Assignees, Role};
use praatplaat_domain::protocol::{Change, ChangeResult, PushRequest};
use reqwest::StatusCode;
use sqlx::Row;
use uuid::Uuid;

use crate::harness::{Db, Session, TestServer};

on_both_databases!(a_batch_decides_as_its_changes_one_by_one);

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0xBA7C_0000 + n)
}

fn company(n: u128, name: &str, rev: u64, at: i64) -> Record {
    let mut c = Company {
        id: id(n),
        name: name.into(),
        municipality: "Gouda".into(),
        ..Company::default()
    };
    c.meta.rev = rev;
    c.meta.updated_at = at;
    Record::Company(c)
}

fn interview(n: u128, of: u128, rev: u64, at: i64, edit: impl FnOnce(&mut Interview)) -> Record {
    let mut i = Interview {
        id: id(n),
        company_id: id(of),
        date: "2026-12-02".into(),
        plate_version: Definition::current().unwrap().plate_key(),
        ..Interview::default()
    };
    i.meta.rev = rev;
    i.meta.updated_at = at;
    edit(&mut i);
    Record::Interview(i)
}

fn tick(i: &mut Interview, practice: &str, now: bool) {
    i.answers.insert(
        practice.into(),
        PracticeAnswer {
            now,
            ..PracticeAnswer::default()
        },
    );
}

fn photo(i: &mut Interview, hashes: &[&str]) {
    i.examples = vec![GoodExample {
        id: id(900),
        text: "Restmateriaal wordt hergebruikt".into(),
        photos: hashes
            .iter()
            .map(|h| PhotoRef {
                hash: content_hash(h.as_bytes()),
                width: 640,
                height: 480,
                bytes: 1000,
            })
            .collect(),
        ..GoodExample::default()
    }];
}

/// The same history on a fresh server: Piet's companies 1 and 3 with an interview each, Jan
/// assigned to company 1.
async fn history(db: &Db) -> (TestServer, Session, Session) {
    let server = TestServer::start(db).await;
    let jan_info = server.add_user("jan", Role::Interviewer).await;
    let piet = server.user("piet", Role::Interviewer).await;
    let office = server.user("kantoor", Role::Coordinator).await;
    let plate = Definition::current().unwrap();
    let p0 = plate.practices().next().unwrap().id.clone();
    piet.push(&push(vec![
        (1, company(1, "Piet BV", 0, 10)),
        (2, interview(2, 1, 0, 11, |i| tick(i, &p0, true))),
        (3, company(3, "Piet Twee BV", 0, 12)),
        (4, interview(4, 3, 0, 13, |_| {})),
    ]))
    .await;
    let assigned = office
        .put(&format!("/companies/{}/assignees", id(1)))
        .json(&Assignees {
            user_ids: vec![jan_info.id],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.status(), StatusCode::NO_CONTENT);
    let jan = server.sign_in_on("jan", id(77)).await;
    (server, jan, office)
}

fn push(list: Vec<(u64, Record)>) -> PushRequest {
    PushRequest {
        device_id: Uuid::nil(),
        changes: list
            .into_iter()
            .map(|(seq, record)| Change { seq, record })
            .collect(),
    }
}

/// Jan's script: (seq, record), in order; the second push starts at the retried number 7.
fn script() -> Vec<(u64, Record)> {
    let practices: Vec<String> = Definition::current()
        .unwrap()
        .practices()
        .map(|p| p.id.clone())
        .take(3)
        .collect();
    let (p0, p1, p2) = (
        practices[0].clone(),
        practices[1].clone(),
        practices[2].clone(),
    );
    let (q1, q2) = (p1.clone(), p2.clone());
    vec![
        // A company and an interview under it, in one batch.
        (1, company(10, "Jan BV", 0, 100)),
        (
            2,
            interview(11, 10, 0, 101, |i| {
                tick(i, &p1, true);
                photo(i, &["een", "twee"]);
            }),
        ),
        // Under Piet's other company: refused; that company itself: refused.
        (3, interview(12, 3, 0, 102, |_| {})),
        (4, company(3, "Piet Twee BV, van Jan", 1, 103)),
        // The company again, renamed on top of the first: a second change of one record.
        (5, company(10, "Jan BV, Gouda", 1, 104)),
        // An interview reserving a company id nobody used yet, then that company.
        (6, interview(13, 20, 0, 105, |_| {})),
        (7, company(20, "Later BV", 0, 106)),
        // Piet's interview of company 1 (Jan is assigned) moved to a company id nobody used:
        // allowed, and it stays Piet's record. Jan creating that company after it is refused
        // (a record of somebody else is under that id); the batch must see the move.
        (8, interview(2, 30, 1, 107, |i| tick(i, &p0, true))),
        (9, company(30, "Verhuisd BV", 0, 108)),
        // A third change of Jan's company, still on base 1 (stale: merged against his own).
        (10, company(10, "Jan BV, Waddinxveen", 1, 109)),
        // An invalid record (no name).
        (11, company(21, "", 0, 110)),
        // (The second push starts here.) A number used already: a retry.
        (7, company(20, "Later BV (again)", 0, 111)),
        // The interview once more on base 1: other photos, another tick.
        (
            12,
            interview(11, 10, 1, 112, |i| {
                tick(i, &q1, true);
                tick(i, &q2, true);
                photo(i, &["twee", "drie"]);
            }),
        ),
        // Piet's interview of company 3 on base 1: refused (not Jan's) after reading its
        // revisions.
        (13, interview(4, 3, 1, 113, |i| tick(i, &p2, false))),
        (14, company(22, "Laatste BV", 0, 114)),
        // The office's interview edit (below) makes this one stale: merged with the revisions.
        (15, interview(11, 10, 2, 115, |i| tick(i, &p0, true))),
    ]
}

fn verdict(r: &ChangeResult) -> String {
    format!(
        "#{} {:?} r{} {:?} {:?} {}",
        r.seq,
        r.status,
        r.rev,
        r.refusal,
        r.hash,
        r.record.is_some()
    )
}

/// What the database holds beyond the records: revisions, lineage, photo references.
async fn tables(db: &Db) -> Vec<String> {
    let mut conn = db.connect().await;
    let mut out = Vec::new();
    for sql in [
        "SELECT kind || ' ' || id || ' ' || CAST(rev AS TEXT) || ' ' || data || ' ' \
         || COALESCE(asserted, '-') AS line FROM revisions ORDER BY kind, id, rev",
        "SELECT device_id || ' ' || user_id || ' ' || kind || ' ' || id || ' ' \
         || CAST(rev AS TEXT) || ' ' || COALESCE(data, '-') || ' ' \
         || COALESCE(CAST(refused_seq AS TEXT), '-') || ' ' || COALESCE(refused_reason, '-') \
         AS line FROM lineage WHERE device_id = '00000000-0000-0000-0000-0000ba7c004d' \
         ORDER BY user_id, kind, id",
        "SELECT hash || ' ' || kind || ' ' || id AS line FROM photo_refs ORDER BY hash, kind, id",
        "SELECT device_id || ' ' || user_id || ' ' || CAST(last_seq AS TEXT) AS line FROM devices \
         WHERE device_id = '00000000-0000-0000-0000-0000ba7c004d' ORDER BY user_id",
        "SELECT kind || ' ' || id || ' ' || CAST(rev AS TEXT) || ' ' || CAST(server_seq AS TEXT) \
         || ' ' || COALESCE(company_id, '-') || ' ' || COALESCE(created_by, '-') || ' ' || data \
         AS line FROM records ORDER BY server_seq",
    ] {
        for row in sqlx::query(sql).fetch_all(&mut conn).await.unwrap() {
            out.push(row.try_get::<String, _>("line").unwrap());
        }
    }
    out
}

/// The office edits Jan's interview between the two halves of the script (so change 13 is
/// stale against a revision another device made).
async fn office_edit(office: &Session) {
    let practices: Vec<String> = Definition::current()
        .unwrap()
        .practices()
        .map(|p| p.id.clone())
        .take(3)
        .collect();
    let p2 = practices[2].clone();
    let edit = interview(11, 10, 2, 200, |i| {
        tick(i, &practices[1], true);
        tick(i, &p2, false);
        i.notes = "kantoor".into();
    });
    office.push(&push(vec![(50, edit)])).await;
}

async fn a_batch_decides_as_its_changes_one_by_one(db: Db) {
    let other = if db.is_sqlite() {
        Db::sqlite()
    } else {
        Db::postgres().await
    };
    let all = script();
    let (first, half) = all.split_at(11);
    let (first, half) = (first.to_vec(), half.to_vec());

    // As batches: the first eleven changes in one push, the rest in another.
    let (server, jan, office) = history(&db).await;
    let mut batched = Vec::new();
    for (n, part) in [first.clone(), half.clone()].into_iter().enumerate() {
        if n == 1 {
            office_edit(&office).await;
        }
        batched.extend(jan.push(&push(part)).await.results);
    }
    let batched_tables = tables(&db).await;
    server.stop().await;

    // One by one, on a server with the same history.
    let (server, jan, office) = history(&other).await;
    let mut single = Vec::new();
    for (n, part) in [first, half].into_iter().enumerate() {
        if n == 1 {
            office_edit(&office).await;
        }
        for change in part {
            single.extend(jan.push(&push(vec![change])).await.results);
        }
    }
    let single_tables = tables(&other).await;
    server.stop().await;

    let (b, s): (Vec<String>, Vec<String>) = (
        batched.iter().map(verdict).collect(),
        single.iter().map(verdict).collect(),
    );
    assert_eq!(b, s);
    // Everything the script means to cover happened.
    let statuses: Vec<String> = batched.iter().map(|r| format!("{:?}", r.status)).collect();
    for status in ["Applied", "Rejected", "Merged", "Duplicate"] {
        assert!(statuses.iter().any(|s| s == status), "{status}: {b:#?}");
    }
    // The move counted for the company created after it (seq 8, then 9).
    let moved = batched.iter().find(|r| r.seq == 9).unwrap();
    assert_eq!(
        moved.refusal,
        Some(praatplaat_domain::refusal::Refusal::CompanyNotAssigned),
        "{b:#?}"
    );
    // The same rows, but for the sessions' random user ids: compare them by their order of
    // appearance.
    let normalise = |lines: Vec<String>, users: &[Uuid]| -> Vec<String> {
        lines
            .into_iter()
            .map(|mut l| {
                for (n, u) in users.iter().enumerate() {
                    l = l.replace(&u.to_string(), &format!("user{n}"));
                }
                l
            })
            .collect()
    };
    let users_of = |lines: &[String]| -> Vec<Uuid> {
        let mut users = Vec::new();
        for line in lines {
            for word in line.split([' ', '"']) {
                if let Ok(u) = Uuid::parse_str(word) {
                    if !users.contains(&u) && !word.starts_with("00000000-0000-0000-0000-0000ba7c")
                    {
                        users.push(u);
                    }
                }
            }
        }
        users
    };
    let (bu, su) = (users_of(&batched_tables), users_of(&single_tables));
    assert_eq!(
        normalise(batched_tables, &bu),
        normalise(single_tables, &su)
    );
}
