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
