//! Where the interviewer was in each interview, so returning to it restores the exact step
//! (a small map in localStorage; the route itself is the place).

use std::collections::BTreeMap;

use gloo_storage::{LocalStorage, Storage};
use uuid::Uuid;

const KEY: &str = "praatplaat.places";

fn load() -> BTreeMap<Uuid, String> {
    LocalStorage::get(KEY).unwrap_or_default()
}

/// Remembers `path` as the place in interview `id`.
pub fn remember(id: Uuid, path: &str) {
    let mut places = load();
    if places.get(&id).map(String::as_str) != Some(path) {
        places.insert(id, path.to_owned());
        // Losing a remembered place only costs a tap: an error is not worth a banner.
        let _ = LocalStorage::set(KEY, &places);
    }
}

/// The path to open interview `id` at: where the interviewer left it, or its plate.
pub fn place(id: Uuid) -> String {
    let start = format!("/interviews/{id}");
    load()
        .remove(&id)
        .filter(|path| path.starts_with(&start))
        .unwrap_or(start)
}
