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
    use praatplaat_domain::model::{Company, Record};
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
    IdbStore::ALL.acknowledge(&response.results).await.unwrap();
    let mut summary = idb::outbox_summary().await.unwrap();
    assert_eq!(summary.set_aside.len(), 1);
    idb::save(&company(3, "Drie"), Some(&jan)).await.unwrap();
    summary.note_saved(
        praatplaat_domain::model::RecordKind::Company,
        Uuid::from_u128(3),
        Some(&jan),
    );
    assert_eq!(summary, idb::outbox_summary().await.unwrap());
}
