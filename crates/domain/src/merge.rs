//! The rules that decide which version of a record wins, applied by the server (authoritatively)
//! and by the device (when a pulled record meets local state).
//!
//! A change based on the revision the server stores replaces it. Concurrent edits (a change based
//! on an older revision) are merged field by field, keeping both values of a field edited on both
//! sides as a [`crate::model::Conflict`]: [`three_way`] (its docs hold the rules). Where the two
//! sides share no history the merge runs against the empty record, so every clash is kept as a
//! conflict; where the base revision is gone (the server keeps the newest few) every difference
//! is. Which base a change is merged against, and the verdict, are [`crate::push`]'s.

use std::collections::BTreeMap;

pub mod three_way;

pub use three_way::{
    apply_change, base_needed, current_value, list_conflicts, merge_after, merge_from,
    merge_records, resolve_conflict, BaseRef, Choice, ConflictField, ConflictItem, History,
    MergeError, Merged, Outcome, Touched,
};

use uuid::Uuid;

use crate::model::RecordMeta;

/// Whether a device takes a pulled record over its local copy. A record with a change still
/// waiting in the outbox keeps the local version: that change will reach the server, which decides.
pub fn accept_remote(
    local: Option<&RecordMeta>,
    has_pending_change: bool,
    remote: &RecordMeta,
) -> bool {
    if has_pending_change {
        return false;
    }
    match local {
        None => true,
        Some(local) => remote.rev > local.rev,
    }
}

/// Marks a record as edited at `now_ms`. The stamp never goes backwards for one record, so a device
/// whose clock was set back still orders its own edits.
pub fn touch(meta: &mut RecordMeta, now_ms: i64) {
    meta.updated_at = now_ms.max(meta.updated_at + 1);
}

/// A device's records after a fresh read of its store (`stored`), given what the screen holds
/// (`shown`): an edit whose write was still in flight when the read began is kept. Records are
/// never removed from the store (deletion is a flag), so a record missing from the read is such an
/// edit; of two versions the later edit wins, as on the server. `key` gives id and `updated_at`.
pub fn overlay_unwritten<T: Clone>(
    shown: &BTreeMap<Uuid, T>,
    stored: Vec<T>,
    key: impl Fn(&T) -> (Uuid, i64),
) -> BTreeMap<Uuid, T> {
    let mut next: BTreeMap<Uuid, T> = stored.into_iter().map(|r| (key(&r).0, r)).collect();
    for (id, record) in shown {
        let keep = next.get(id).is_none_or(|read| key(record).1 > key(read).1);
        if keep {
            next.insert(*id, record.clone());
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(rev: u64, updated_at: i64) -> RecordMeta {
        RecordMeta {
            rev,
            updated_at,
            deleted: false,
        }
    }

    #[test]
    fn a_fresh_read_keeps_edits_it_could_not_see() {
        let id = |n: u128| Uuid::from_u128(n);
        let key = |r: &(Uuid, i64, &str)| (r.0, r.1);
        // On screen: 1 edited at 200 (write in flight), 2 new at 150 (write in flight), 3 at 50.
        let shown: BTreeMap<_, _> = [
            (id(1), 200, "edit"),
            (id(2), 150, "new"),
            (id(3), 50, "old"),
        ]
        .into_iter()
        .map(|r| (r.0, r))
        .collect();
        // The read: 1 before the edit, 3 updated by a pull at 300, 4 pulled new.
        let stored = vec![
            (id(1), 100, "before"),
            (id(3), 300, "pulled"),
            (id(4), 10, "other"),
        ];
        let next = overlay_unwritten(&shown, stored, key);
        let texts: Vec<&str> = next.values().map(|r| r.2).collect();
        assert_eq!(texts, ["edit", "new", "pulled", "other"]);
        // Nothing on screen (the first load): the read as it is.
        let first = overlay_unwritten(&BTreeMap::new(), vec![(id(4), 10, "other")], key);
        assert_eq!(first.len(), 1);
    }

    #[test]
    fn pending_local_change_keeps_local_version() {
        assert!(!accept_remote(Some(&meta(1, 0)), true, &meta(9, 0)));
        assert!(accept_remote(Some(&meta(1, 0)), false, &meta(2, 0)));
        assert!(!accept_remote(Some(&meta(2, 0)), false, &meta(2, 0)));
        assert!(accept_remote(None, false, &meta(1, 0)));
    }

    #[test]
    fn touch_never_goes_backwards() {
        let mut m = meta(0, 1_000);
        touch(&mut m, 2_000);
        assert_eq!(m.updated_at, 2_000);
        touch(&mut m, 500); // clock set back
        assert_eq!(m.updated_at, 2_001);
    }
}
