//! The `LocalStore` contract (praatplaat_domain::sync::contract) against the app's IndexedDB
//! store, in a real Chromium: `make test-wasm` (wasm-bindgen-test-runner with chromedriver).
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;

use praatplaat::idb::{self, IdbStore};
use praatplaat_domain::sync::contract::{check_all, CASES};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    static NEXT: Cell<u32> = const { Cell::new(0) };
}

#[wasm_bindgen_test]
async fn the_indexeddb_store_keeps_the_local_store_contract() {
    let run = js_sys::Date::now() as u64;
    let failures = check_all(|| async move {
        // A fresh, empty database per case (IdbStore works on the one opened last).
        let n = NEXT.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        idb::open_as(&format!("praatplaat-contract-{run}-{n}"))
            .await
            .expect("IndexedDB opens");
        IdbStore::ALL
    })
    .await;
    assert!(
        failures.is_empty(),
        "{} of {CASES} cases failed: {failures:#?}",
        failures.len()
    );
}

/// Typing updates the outbox summary in memory (`OutboxSummary::note_saved`) instead of reading
/// the outbox and the photos at every keystroke: it must end where a fresh read of IndexedDB does.
#[wasm_bindgen_test]
async fn the_summary_kept_in_memory_matches_a_fresh_read() {
    use praatplaat_domain::model::{Company, Record, RecordKind};
    use praatplaat_domain::protocol::PushRequest;
    use praatplaat_domain::sync::fake_server::FakeServer;
    use praatplaat_domain::sync::{LocalStore, Transport};
    use uuid::Uuid;

    idb::open_as(&format!(
        "praatplaat-summary-{}",
        js_sys::Date::now() as u64
    ))
    .await
    .expect("IndexedDB opens");
    let company = |n: u128, name: &str| {
        Record::Company(Company {
            id: Uuid::from_u128(n),
            name: name.into(),
            municipality: "Gouda".into(),
            ..Company::default()
        })
    };
    let jan = idb::Owner {
        id: Uuid::from_u128(0x7a),
        username: "jan".into(),
    };
    let mut summary = idb::outbox_summary().await.unwrap();
    let mut save = async |record: Record, owner: Option<&idb::Owner>| {
        idb::save(&record, owner).await.unwrap();
        summary.note_saved(record.kind(), record.id(), owner);
        assert_eq!(
            summary,
            idb::outbox_summary().await.unwrap(),
            "after saving {record:?}"
        );
    };
    save(company(1, "Een"), Some(&jan)).await;
    save(company(1, "Een bv"), Some(&jan)).await; // one record waits once
    save(company(2, "Twee"), None).await;
    save(company(3, "   "), Some(&jan)).await;
    // The server refuses company 3 (no name): set aside; editing it queues it again.
    let server = FakeServer::new(100);
    let request = PushRequest {
        device_id: IdbStore::ALL.device_id().await.unwrap(),
        changes: IdbStore::ALL.pending(10).await.unwrap(),
    };
    let response = server.push(&request).await.unwrap();
    // What the verdicts settled, noted in memory, ends where a fresh read does; so do a pull's
    // receipts.
    let mut kept = idb::outbox_summary().await.unwrap();
    drop(idb::take_settled());
    IdbStore::ALL
        .acknowledge(&request.changes, &response.results)
        .await
        .unwrap();
    // Company 2 is edited again after its verdict, before the screen takes the round's notes:
    // its new change waits, whatever the verdict on the old one said.
    idb::save(&company(2, "Twee bv"), None).await.unwrap();
    kept.note_saved(RecordKind::Company, Uuid::from_u128(2), None);
    kept.note_settled(idb::take_settled());
    let summary = idb::outbox_summary().await.unwrap();
    assert_eq!(kept, summary, "after the verdicts and an edit");
    assert_eq!(summary.set_aside.len(), 1);
    assert_eq!(summary.waiting, 1);
    // That change goes up too; then nothing waits.
    let request = PushRequest {
        device_id: IdbStore::ALL.device_id().await.unwrap(),
        changes: IdbStore::ALL.pending(10).await.unwrap(),
    };
    let response = server.push(&request).await.unwrap();
    IdbStore::ALL
        .acknowledge(&request.changes, &response.results)
        .await
        .unwrap();
    kept.note_settled(idb::take_settled());
    let mut summary = idb::outbox_summary().await.unwrap();
    assert_eq!(kept, summary, "after the second verdicts");
    assert_eq!(summary.waiting, 0);
    let other = FakeServer::new(100);
    let page = other.pull(0, 100).await.unwrap();
    assert!(page.records.is_empty());
    let request = PushRequest {
        device_id: Uuid::from_u128(0xd2),
        changes: vec![praatplaat_domain::protocol::Change {
            seq: 1,
            record: company(4, "Vier"),
        }],
    };
    other.push(&request).await.unwrap();
    let page = other.pull(0, 100).await.unwrap();
    IdbStore::ALL
        .apply_pulled(praatplaat_domain::sync::Pulled::page(page), 1)
        .await
        .unwrap();
    summary.note_settled(idb::take_settled());
    assert_eq!(
        summary,
        idb::outbox_summary().await.unwrap(),
        "after a pull"
    );
    let mut summary = idb::outbox_summary().await.unwrap();
    idb::save(&company(3, "Drie"), Some(&jan)).await.unwrap();
    summary.note_saved(RecordKind::Company, Uuid::from_u128(3), Some(&jan));
    assert_eq!(summary, idb::outbox_summary().await.unwrap());
}

/// Every kind goes through the one record layer: stored per kind in IndexedDB, read back by
/// `load_all`, handed on by a pull (`take_touched`), shown in its map; the "safe on the server" hash is kept per
/// record and forgotten when that record changes.
#[wasm_bindgen_test]
async fn every_kind_goes_through_the_one_record_layer() {
    use leptos::prelude::Owner;
    use praatplaat::records::{Arrival, Records};
    use praatplaat_domain::model::{Company, Record, RecordKind};
    use praatplaat_domain::protocol::Receipt;
    use praatplaat_domain::sync::{LocalStore, Pulled};
    use std::collections::BTreeSet;
    use uuid::Uuid;

    idb::open_as(&format!("praatplaat-kinds-{}", js_sys::Date::now() as u64))
        .await
        .expect("IndexedDB opens");
    let id = Uuid::from_u128;
    let company = Company {
        id: id(1),
        name: "Een".into(),
        municipality: "Gouda".into(),
        ..Company::default()
    };
    // One record of every kind, the company a named one and the others as their defaults (each
    // kind's JSON reads with every field missing), so a new kind needs nothing here.
    let one_of_each: Vec<Record> = RecordKind::ALL
        .into_iter()
        .enumerate()
        .map(|(n, kind)| match kind {
            RecordKind::Company => Record::Company(company.clone()),
            _ => {
                let json = serde_json::json!({ "id": id(n as u128 + 2) }).to_string();
                Record::from_body_json(kind, &json).unwrap()
            }
        })
        .collect();
    for record in &one_of_each {
        idb::save(record, None).await.unwrap();
    }
    let snapshot = idb::load_all().await.unwrap();
    assert_eq!(snapshot.records, one_of_each);
    // Pulled copies of every kind (other ids: the saved ones wait) are handed to the screen as
    // written, without a read back (`take_touched`).
    let pulled: Vec<Record> = one_of_each
        .iter()
        .map(|record| {
            let mut json = serde_json::to_value(record).unwrap();
            let n = record.id().as_u128() + 10;
            json["record"]["id"] = serde_json::json!(Uuid::from_u128(n));
            json["record"]["rev"] = serde_json::json!(1);
            serde_json::from_value(json).unwrap()
        })
        .collect();
    idb::take_touched();
    let changed = IdbStore::ALL
        .apply_pulled(
            pulled
                .iter()
                .map(|record| Pulled {
                    receipt: Receipt::for_record(record),
                    record: record.clone(),
                })
                .collect(),
            1,
        )
        .await
        .unwrap();
    assert_eq!(changed, pulled.len());
    let mut touched = idb::take_touched();
    touched.sort_by_key(|r| (r.kind(), r.id()));
    let mut expected = pulled.clone();
    expected.sort_by_key(|r| (r.kind(), r.id()));
    assert_eq!(touched, expected);
    let keys: BTreeSet<_> = pulled.iter().map(|r| (r.kind(), r.id())).collect();
    let stored: Vec<Record> = idb::load_all()
        .await
        .unwrap()
        .records
        .into_iter()
        .filter(|r| keys.contains(&(r.kind(), r.id())))
        .collect();
    assert_eq!(stored, expected);

    let owner = Owner::new();
    owner.with(|| {
        let records = Records::new();
        records.arrive(snapshot.records, Arrival::Everything);
        for record in &one_of_each {
            assert_eq!(
                records.get_untracked(record.kind(), record.id()).as_ref(),
                Some(record)
            );
        }
        // A record edited on screen after the read keeps its edit when an older copy arrives.
        let mut edited = company.clone();
        edited.name = "Een bv".into();
        edited.meta.updated_at = 10;
        records.insert(Record::Company(edited.clone()));
        records.arrive(vec![Record::Company(company.clone())], Arrival::Some);
        assert_eq!(records.companies.get_untracked(id(1)), Some(edited.clone()));
        records.arrive(vec![Record::Company(company.clone())], Arrival::Everything);
        assert_eq!(records.companies.get_untracked(id(1)), Some(edited.clone()));

        let receipt = Receipt::for_record(&Record::Company(edited.clone()));
        assert!(records.companies.is_safe(id(1), false, Some(&receipt)));
        assert!(!records.companies.is_safe(id(1), true, Some(&receipt)));
        // The kept hash is forgotten when the record changes.
        let mut later = edited.clone();
        later.name = "Een en twee".into();
        records.insert(Record::Company(later.clone()));
        assert!(!records.companies.is_safe(id(1), false, Some(&receipt)));
        let receipt = Receipt::for_record(&Record::Company(later));
        assert!(records.companies.is_safe(id(1), false, Some(&receipt)));
    });
}

/// Receipts kept one per row by schema 4 are moved into their shards when the database opens,
/// and a newer one already in its shard is not undone by them.
#[wasm_bindgen_test]
async fn receipts_of_schema_4_move_into_their_shards() {
    use indexed_db_futures::database::Database;
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;
    use praatplaat_domain::model::RecordKind;
    use praatplaat_domain::protocol::Receipt;
    use praatplaat_domain::sync::LocalStore;
    use uuid::Uuid;

    let name = format!("praatplaat-shards-{}", js_sys::Date::now() as u64);
    idb::open_as(&name).await.expect("IndexedDB opens");
    let receipt = |n: u128, rev: u64| Receipt {
        kind: RecordKind::Company,
        id: Uuid::from_u128(n << 124 | n),
        rev,
        hash: format!("hash {n} {rev}"),
    };
    IdbStore::ALL
        .save_receipts(vec![receipt(1, 5)])
        .await
        .unwrap();
    // Rows as schema 4 kept them, written behind the app's back.
    let db = Database::open(name.as_str()).await.unwrap();
    let tx = db
        .transaction("receipts")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let store = tx.object_store("receipts").unwrap();
    for old in [receipt(1, 4), receipt(2, 1), receipt(3, 7)] {
        store
            .put(serde_json::to_string(&old).unwrap())
            .with_key(format!("company:{}", old.id))
            .primitive()
            .unwrap()
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    db.close();
    idb::open_as(&name).await.expect("IndexedDB opens again");
    for (n, rev) in [(1, 5), (2, 1), (3, 7)] {
        let held = IdbStore::ALL
            .receipt(RecordKind::Company, receipt(n, rev).id)
            .await
            .unwrap();
        assert_eq!(held, Some(receipt(n, rev)));
    }
    let summary = idb::outbox_summary().await.unwrap();
    assert_eq!(summary.receipts.len(), 3);
}

/// Records kept one per row (schemas 1 to 5) move into their buckets when the database opens; a
/// row that is no record stays where it was and keeps nothing from opening.
#[wasm_bindgen_test]
async fn records_of_one_row_each_move_into_their_buckets() {
    use indexed_db_futures::database::Database;
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;
    use praatplaat_domain::model::{Company, Record, RecordKind};
    use praatplaat_domain::sync::contract::EditableStore;
    use uuid::Uuid;

    let name = format!("praatplaat-buckets-{}", js_sys::Date::now() as u64);
    idb::open_as(&name).await.expect("IndexedDB opens");
    let company = |n: u128, name: &str| Company {
        id: Uuid::from_u128(n << 120 | n),
        name: name.into(),
        municipality: "Gouda".into(),
        ..Company::default()
    };
    IdbStore::ALL
        .save(Record::Company(company(1, "Al in een bucket")), 1_000)
        .await
        .unwrap();
    // Rows as schema 5 kept them, written behind the app's back.
    let db = Database::open(name.as_str()).await.unwrap();
    let tx = db
        .transaction("companies")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let store = tx.object_store("companies").unwrap();
    for old in [company(2, "Oud twee"), company(200, "Oud tweehonderd")] {
        store
            .put(serde_json::to_string(&old).unwrap())
            .with_key(old.id.to_string())
            .primitive()
            .unwrap()
            .await
            .unwrap();
    }
    store
        .put("{not json".to_owned())
        .with_key(Uuid::from_u128(9).to_string())
        .primitive()
        .unwrap()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close();

    idb::open_as(&name).await.expect("IndexedDB opens again");
    let snapshot = idb::load_all().await.unwrap();
    let mut names: Vec<String> = snapshot
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Company(c) => Some(c.name.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    assert_eq!(names, ["Al in een bucket", "Oud twee", "Oud tweehonderd"]);
    let held = idb::get(RecordKind::Company, company(200, "").id)
        .await
        .unwrap();
    assert!(matches!(held, Some(Record::Company(c)) if c.name == "Oud tweehonderd"));
    // The moved rows are gone; the garbled one is left, beside the buckets.
    let db = Database::open(name.as_str()).await.unwrap();
    let tx = db.transaction("companies").build().unwrap();
    let keys: Vec<String> = tx
        .object_store("companies")
        .unwrap()
        .get_all_keys::<String>()
        .primitive()
        .unwrap()
        .await
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tx.commit().await.unwrap();
    db.close();
    assert_eq!(
        keys.iter()
            .filter(|k| !k.starts_with('b'))
            .collect::<Vec<_>>(),
        [&Uuid::from_u128(9).to_string()]
    );
    assert!(keys.iter().filter(|k| k.starts_with('b')).count() >= 2);
}
