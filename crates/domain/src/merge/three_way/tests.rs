use serde_json::json;

use super::*;
use crate::initiative::{Initiative, Link, LinkEvent, LinkStatus};
use crate::model::{Company, GoodExample, Interview, PhotoRef, Sharing};

const T0: i64 = 1_000;

fn base_interview() -> Interview {
    let mut i = Interview {
        id: Uuid::from_u128(9),
        company_id: Uuid::from_u128(1),
        notes: "begin".into(),
        ..Interview::default()
    };
    i.meta = RecordMeta {
        rev: 3,
        updated_at: T0,
        deleted: false,
    };
    i
}

/// An edit of `base` made at `at` (the device keeps the base's rev).
fn edit(base: &Interview, at: i64, f: impl FnOnce(&mut Interview)) -> Record {
    let mut i = base.clone();
    f(&mut i);
    i.meta.updated_at = at;
    Record::Interview(i)
}

/// The stored side as the server holds it: a later revision.
fn stored(base: &Interview, at: i64, f: impl FnOnce(&mut Interview)) -> Record {
    let mut r = edit(base, at, f);
    r.meta_mut().rev = base.meta.rev + 1;
    r
}

fn merge(base: &Interview, s: &Record, i: &Record) -> Merged {
    merge_records(&Record::Interview(base.clone()), s, i).unwrap()
}

fn interview(r: &Record) -> &Interview {
    match r {
        Record::Interview(i) => i,
        other => panic!("not an interview: {other:?}"),
    }
}

fn tick(now: bool, ambition: bool, note: &str) -> PracticeAnswer {
    PracticeAnswer {
        now,
        ambition,
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

fn photo(c: char) -> PhotoRef {
    PhotoRef {
        hash: c.to_string().repeat(64),
        width: 1600,
        height: 1200,
        bytes: 200_000,
    }
}

#[test]
fn edits_of_different_fields_merge_without_conflict() {
    let base = base_interview();
    let s = stored(&base, 2_000, |i| i.notes = "notities van A".into());
    let i = edit(&base, 1_500, |i| i.ambition = "ambitie van B".into());
    let m = merge(&base, &s, &i);
    let r = interview(&m.record);
    assert_eq!(r.notes, "notities van A");
    assert_eq!(r.ambition, "ambitie van B");
    assert_eq!(m.conflicts_added, 0);
    assert!(r.conflicts.is_empty());
    assert_eq!(r.meta.rev, 4, "stored's rev; the server assigns the next");
    assert_eq!(r.meta.updated_at, 2_000);
}

#[test]
fn same_field_edited_twice_keeps_both_values() {
    let base = base_interview();
    let s = stored(&base, 2_000, |i| i.notes = "A".into());
    let i = edit(&base, 3_000, |i| i.notes = "B".into());
    let m = merge(&base, &s, &i);
    let r = interview(&m.record);
    assert_eq!(r.notes, "B", "the later edit holds the field");
    assert_eq!(m.conflicts_added, 1);
    let c = &r.conflicts[0];
    assert_eq!(c.path, "/notes");
    assert_eq!((c.kept.clone(), c.other.clone()), (json!("B"), json!("A")));
    assert_eq!((c.kept_updated_at, c.other_updated_at), (3_000, 2_000));
    assert_eq!(r.validate(), Ok(()), "a record with conflicts is valid");

    // The stored edit is later: it keeps the field; a tie goes to incoming.
    let i = edit(&base, 1_500, |i| i.notes = "B".into());
    let r = merge(&base, &s, &i).record;
    assert_eq!(interview(&r).notes, "A");
    assert_eq!(interview(&r).conflicts[0].other, json!("B"));
    let i = edit(&base, 2_000, |i| i.notes = "B".into());
    assert_eq!(interview(&merge(&base, &s, &i).record).notes, "B");
}

#[test]
fn same_change_on_both_sides_is_no_conflict() {
    let base = base_interview();
    let s = stored(&base, 2_000, |i| i.notes = "zelfde".into());
    let i = edit(&base, 3_000, |i| i.notes = "zelfde".into());
    let m = merge(&base, &s, &i);
    assert_eq!(interview(&m.record).notes, "zelfde");
    assert_eq!(m.conflicts_added, 0);
}

#[test]
fn ticks_on_different_practices_and_halves_merge() {
    let mut base = base_interview();
    base.set_answer("GR-09", tick(true, true, ""));
    let s = stored(&base, 2_000, |i| {
        i.set_answer("GR-01", tick(true, false, ""));
        i.set_answer("GR-03", tick(true, false, ""));
        i.set_answer("GR-09", tick(false, true, "")); // unticks now
    });
    let i = edit(&base, 3_000, |i| {
        i.set_answer("GR-02", tick(false, true, "later"));
        i.set_answer("GR-03", tick(false, true, ""));
        i.set_answer("GR-09", tick(true, false, "")); // unticks ambition
    });
    let m = merge(&base, &s, &i);
    let r = interview(&m.record);
    assert_eq!(m.conflicts_added, 0, "{:?}", r.conflicts);
    assert_eq!(r.answer("GR-01"), tick(true, false, ""));
    assert_eq!(r.answer("GR-02"), tick(false, true, "later"));
    assert_eq!(r.answer("GR-03"), tick(true, true, ""), "both halves kept");
    assert!(
        !r.answers.contains_key("GR-09"),
        "an answer emptied by the two sides together leaves the map"
    );
}

#[test]
fn practice_notes_edited_differently_conflict_with_a_label() {
    let mut base = base_interview();
    base.set_answer("GR-01", tick(true, false, "oud"));
    let s = stored(&base, 2_000, |i| {
        i.set_answer("GR-01", tick(true, true, "van A"))
    });
    let i = edit(&base, 3_000, |i| {
        i.set_answer("GR-01", tick(true, false, "van B"))
    });
    let m = merge(&base, &s, &i);
    let r = interview(&m.record);
    assert_eq!(r.answer("GR-01"), tick(true, true, "van B"));
    let items = list_conflicts(&m.record);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].conflict.path, "/answers/GR-01/note");
    assert_eq!(items[0].field, ConflictField::PracticeNote("GR-01".into()));
    assert_eq!(items[0].conflict.other, json!("van A"));
}

#[test]
fn examples_added_and_edited_on_both_sides_merge_by_id() {
    let mut base = base_interview();
    base.examples = vec![example(10, "oud")];
    let s = stored(&base, 2_000, |i| {
        i.examples.push(example(11, "van A"));
        i.examples[0].text = "tekst van A".into();
    });
    let i = edit(&base, 3_000, |i| {
        i.examples.push(example(12, "van B"));
        i.examples[0].sharing = Sharing::Yes;
    });
    let m = merge(&base, &s, &i);
    let r = interview(&m.record);
    assert_eq!(m.conflicts_added, 0);
    let ids: Vec<u128> = r.examples.iter().map(|e| e.id.as_u128()).collect();
    assert_eq!(ids, [10, 11, 12]);
    assert_eq!(r.examples[0].text, "tekst van A");
    assert_eq!(r.examples[0].sharing, Sharing::Yes);
}

#[test]
fn removed_example_goes_unless_the_other_side_edited_it() {
    let mut base = base_interview();
    base.examples = vec![example(10, "a"), example(11, "b")];
    let s = stored(&base, 2_000, |i| {
        i.examples.retain(|e| e.id.as_u128() != 10)
    });
    let i = edit(&base, 3_000, |i| i.examples[1].text = "b2".into());
    let m = merge(&base, &s, &i);
    let r = interview(&m.record);
    assert_eq!(r.examples.len(), 1);
    assert_eq!(r.examples[0].text, "b2");
    assert_eq!(m.conflicts_added, 0);

    // Removed on one side, edited on the other (later): kept, with a conflict to remove it.
    let i = edit(&base, 3_000, |i| i.examples[0].text = "a2".into());
    let m = merge(&base, &s, &i);
    let r = interview(&m.record);
    assert_eq!(r.examples.len(), 2);
    let c = &r.conflicts[0];
    assert_eq!(c.path, format!("/examples/{}", Uuid::from_u128(10)));
    assert_eq!(c.other, Value::Null);
    assert!(matches!(
        ConflictField::from_path(RecordKind::Interview, &c.path),
        ConflictField::Example { field: None, .. }
    ));
    let mut record = m.record.clone();
    resolve_conflict(&mut record, &c.id, Choice::Other).unwrap();
    let r = interview(&record);
    assert_eq!(r.examples.len(), 1, "choosing the removal removes the item");
    assert!(r.conflicts.is_empty());
}

#[test]
fn photos_merge_as_a_set_by_hash() {
    let mut base = base_interview();
    let mut ex = example(10, "a");
    ex.photos = vec![photo('c')];
    base.examples = vec![ex];
    let s = stored(&base, 2_000, |i| i.examples[0].photos.push(photo('a')));
    let i = edit(&base, 3_000, |i| {
        i.examples[0].photos.push(photo('b'));
        i.examples[0].photos.retain(|p| p.hash != photo('c').hash);
    });
    let m = merge(&base, &s, &i);
    let hashes: Vec<char> = interview(&m.record).examples[0]
        .photos
        .iter()
        .map(|p| p.hash.chars().next().unwrap_or(' '))
        .collect();
    assert_eq!(hashes, ['a', 'b']);
    assert_eq!(m.conflicts_added, 0);
}

#[test]
fn segments_merge_as_a_set() {
    let base = Company {
        id: Uuid::from_u128(1),
        name: "Smit".into(),
        segments: vec!["constructie".into(), "smeden".into()],
        meta: RecordMeta {
            rev: 1,
            updated_at: T0,
            deleted: false,
        },
        ..Company::default()
    };
    let mut s = base.clone();
    s.segments = vec!["constructie".into(), "verspaning".into()];
    s.meta.rev = 2;
    let mut i = base.clone();
    i.segments.push("montage".into());
    i.name = "Smit Staalbouw".into();
    let m = merge_records(
        &Record::Company(base),
        &Record::Company(s),
        &Record::Company(i),
    )
    .unwrap();
    let Record::Company(c) = m.record else {
        panic!("not a company")
    };
    assert_eq!(c.segments, ["constructie", "verspaning", "montage"]);
    assert_eq!(c.name, "Smit Staalbouw");
}

#[test]
fn a_link_history_appends_from_both_sides() {
    let mut base = Link::new(
        Uuid::from_u128(5),
        Uuid::from_u128(1),
        None,
        Uuid::from_u128(2),
        "",
        "2025-03-01",
    );
    base.meta.rev = 1;
    let event = |date: &str, note: &str| LinkEvent {
        status: LinkStatus::Proposed,
        date: date.into(),
        note: note.into(),
    };
    let mut s = base.clone();
    s.history.push(event("2025-04-01", "A"));
    s.meta.rev = 2;
    s.meta.updated_at = 10;
    let mut i = base.clone();
    i.history.push(event("2025-04-02", "B"));
    i.meta.updated_at = 20;
    let m = merge_records(&Record::Link(base), &Record::Link(s), &Record::Link(i)).unwrap();
    let Record::Link(l) = m.record else {
        panic!("not a link")
    };
    let notes: Vec<&str> = l.history.iter().map(|e| e.note.as_str()).collect();
    assert_eq!(notes, ["", "A", "B"]);
    assert_eq!(m.conflicts_added, 0);
}

#[test]
fn deletion_against_edits_keeps_the_record_with_a_conflict() {
    let base = base_interview();
    let s = stored(&base, 2_000, |i| i.meta.deleted = true);
    let i = edit(&base, 1_500, |i| i.notes = "nog bezig".into());
    let m = merge(&base, &s, &i);
    let r = interview(&m.record);
    assert!(!r.meta.deleted);
    assert_eq!(r.notes, "nog bezig");
    let c = &r.conflicts[0];
    assert_eq!(
        (c.path.as_str(), &c.kept, &c.other),
        ("/deleted", &json!(false), &json!(true))
    );
    assert_eq!((c.kept_updated_at, c.other_updated_at), (1_500, 2_000));
    assert_eq!(
        ConflictField::from_path(RecordKind::Interview, &c.path),
        ConflictField::Deleted
    );
    let mut record = m.record.clone();
    resolve_conflict(&mut record, &c.id, Choice::Other).unwrap();
    assert!(record.meta().deleted);

    // Deleted on one side, untouched on the other: deleted.
    let i = edit(&base, 1_500, |_| {});
    assert!(merge(&base, &s, &i).record.meta().deleted);
    let i = edit(&base, 2_500, |i| i.meta.deleted = true);
    let s = stored(&base, 2_000, |i| i.notes = "x".into());
    let m = merge(&base, &s, &i);
    assert!(!m.record.meta().deleted);
    assert_eq!(m.conflicts_added, 1);
}

#[test]
fn merging_the_same_change_twice_changes_nothing() {
    let mut base = base_interview();
    base.set_answer("GR-01", tick(true, false, "oud"));
    base.examples = vec![example(10, "a")];
    let s = stored(&base, 2_000, |i| {
        i.notes = "A".into();
        i.set_answer("GR-01", tick(true, false, "van A"));
        i.examples.push(example(11, "b"));
    });
    let i = edit(&base, 3_000, |i| {
        i.notes = "B".into();
        i.set_answer("GR-02", tick(true, false, ""));
        i.set_answer("GR-01", tick(true, false, "van B"));
        i.examples[0].photos.push(photo('a'));
    });
    let once = merge(&base, &s, &i);
    assert_eq!(once.conflicts_added, 2);
    let twice = merge(&base, &once.record, &i);
    assert_eq!(twice.record, once.record);
    assert_eq!(twice.conflicts_added, 0);
    // The other way round, too (the stored edit being the later one).
    let i_early = edit(&base, 1_500, |i| i.notes = "B".into());
    let once = merge(&base, &s, &i_early);
    let twice = merge(&base, &once.record, &i_early);
    assert_eq!(twice.record, once.record);
}

#[test]
fn resolving_a_conflict_either_way() {
    let mut base = base_interview();
    base.set_answer("GR-01", tick(true, false, "oud"));
    let s = stored(&base, 2_000, |i| {
        i.set_answer("GR-01", tick(true, false, "van A"))
    });
    let i = edit(&base, 3_000, |i| {
        i.set_answer("GR-01", tick(true, false, "van B"))
    });
    let merged = merge(&base, &s, &i).record;
    let id = merged.conflicts()[0].id.clone();

    let mut kept = merged.clone();
    resolve_conflict(&mut kept, &id, Choice::Kept).unwrap();
    assert_eq!(interview(&kept).answer("GR-01").note, "van B");
    assert!(kept.conflicts().is_empty());

    let mut other = merged.clone();
    resolve_conflict(&mut other, &id, Choice::Other).unwrap();
    assert_eq!(interview(&other).answer("GR-01").note, "van A");
    assert!(other.conflicts().is_empty());
    assert_eq!(other.validate(), Ok(()));

    assert_eq!(
        resolve_conflict(&mut other, &id, Choice::Kept),
        Err(MergeError::NoSuchConflict(id))
    );
}

#[test]
fn a_field_typed_in_after_the_merge_can_be_kept_as_it_is_now() {
    let base = base_interview();
    let s = stored(&base, 2_000, |i| i.notes = "van A".into());
    let i = edit(&base, 3_000, |i| i.notes = "van B".into());
    let mut record = merge(&base, &s, &i).record;
    let id = record.conflicts()[0].id.clone();
    assert_eq!(current_value(&record, "/notes").unwrap(), json!("van B"));
    // Someone types on before choosing: neither old value may overwrite that unasked.
    if let Record::Interview(i) = &mut record {
        i.notes = "van B, aangevuld".into();
    }
    assert_eq!(
        current_value(&record, "/notes").unwrap(),
        json!("van B, aangevuld")
    );
    resolve_conflict(&mut record, &id, Choice::Current).unwrap();
    assert_eq!(interview(&record).notes, "van B, aangevuld");
    assert!(record.conflicts().is_empty());
    // A path to nothing reads as null; a malformed one is an error.
    assert_eq!(
        current_value(&record, "/answers/XX-99/note").unwrap(),
        Value::Null
    );
    assert!(current_value(&record, "notes").is_err());
}

#[test]
fn an_answer_cleared_on_one_side_and_edited_on_the_other_merges_by_field() {
    let mut base = base_interview();
    base.set_answer("GR-01", tick(true, false, ""));
    let s = stored(&base, 2_000, |i| {
        i.set_answer("GR-01", PracticeAnswer::default())
    });
    let i = edit(&base, 1_500, |i| {
        i.set_answer("GR-01", tick(true, false, "toelichting"))
    });
    // The untick (stored) and the note (incoming) both stay; nothing clashes.
    let m = merge(&base, &s, &i);
    assert_eq!(
        interview(&m.record).answer("GR-01"),
        tick(false, false, "toelichting")
    );
    assert!(m.record.conflicts().is_empty());
    // Both clear it: it is gone from the map.
    let m = merge(&base, &s, &s);
    assert!(!interview(&m.record).answers.contains_key("GR-01"));
    assert_eq!(
        ConflictField::from_path(RecordKind::Interview, "/answers/GR-01"),
        ConflictField::PracticeAnswer("GR-01".into())
    );
}

#[test]
fn conflicts_already_on_the_records_are_unioned_and_resolutions_stick() {
    let base = base_interview();
    let c1 = new_conflict("/notes", json!("x"), json!("y"), 1, 2);
    let c2 = new_conflict("/ambition", json!("p"), json!("q"), 1, 2);
    // Swapped values are the same conflict.
    assert_eq!(
        c1.id,
        new_conflict("/notes", json!("y"), json!("x"), 2, 1).id
    );
    let s = stored(&base, 2_000, |i| i.conflicts = vec![c1.clone()]);
    let i = edit(&base, 3_000, |i| i.conflicts = vec![c2.clone(), c1.clone()]);
    let m = merge(&base, &s, &i);
    let ids: Vec<&str> = m.record.conflicts().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [c1.id.as_str(), c2.id.as_str()]);
    assert_eq!(m.conflicts_added, 0);

    // c1 was on the base and incoming resolved it: it stays resolved.
    let mut with_c1 = base.clone();
    with_c1.conflicts = vec![c1.clone()];
    let s = stored(&with_c1, 2_000, |i| i.ambition = "nieuw".into());
    let i = edit(&with_c1, 3_000, |i| {
        i.conflicts.clear();
        i.notes = "x".into();
    });
    let m = merge(&with_c1, &s, &i);
    assert!(m.record.conflicts().is_empty());
}

#[test]
fn catalogue_entries_take_the_later_edit_without_conflicts() {
    let base = Initiative {
        id: Uuid::from_u128(3),
        name: "Versnellingsteam".into(),
        ..Initiative::default()
    };
    let mut s = base.clone();
    s.name = "A".into();
    s.meta.updated_at = 10;
    s.meta.rev = 1;
    let mut i = base.clone();
    i.name = "B".into();
    i.meta.updated_at = 20;
    let m = merge_records(
        &Record::Initiative(base),
        &Record::Initiative(s),
        &Record::Initiative(i),
    )
    .unwrap();
    assert!(matches!(&m.record, Record::Initiative(x) if x.name == "B"));
    assert_eq!(m.conflicts_added, 0);
}

#[test]
fn records_of_different_kind_or_id_do_not_merge() {
    let base = Record::Interview(base_interview());
    let company = Record::Company(Company {
        id: Uuid::from_u128(9),
        name: "x".into(),
        ..Company::default()
    });
    assert!(matches!(
        merge_records(&base, &company, &base),
        Err(MergeError::KindMismatch(..))
    ));
    let mut other = base_interview();
    other.id = Uuid::from_u128(10);
    assert!(matches!(
        merge_records(&base, &base, &Record::Interview(other)),
        Err(MergeError::IdMismatch(..))
    ));
}

#[test]
fn apply_change_gives_the_servers_verdict() {
    let base = base_interview();
    let base_record = Record::Interview(base.clone());
    // New record.
    let out = apply_change(None, None, &History::default(), &edit(&base, 2_000, |_| {})).unwrap();
    assert_eq!((out.status, out.rev), (ChangeStatus::Applied, 1));
    // Based on the stored revision: replaces it, whatever the clocks say.
    let out = apply_change(
        Some(&base_record),
        None,
        &History::default(),
        &edit(&base, 500, |i| i.notes = "x".into()),
    )
    .unwrap();
    assert_eq!((out.status, out.rev), (ChangeStatus::Applied, 4));
    assert_eq!(out.record.map(|r| r.meta().rev), Some(4));

    // Concurrent edits of different fields: merged.
    let s = stored(&base, 2_000, |i| i.notes = "A".into());
    let i = edit(&base, 3_000, |i| i.ambition = "B".into());
    assert_eq!(
        base_needed(Some(s.meta()), i.meta(), None),
        Some(BaseRef::Revision(base.meta.rev))
    );
    let out = apply_change(Some(&s), Some(&base_record), &History::default(), &i).unwrap();
    assert_eq!((out.status, out.rev), (ChangeStatus::Merged, 5));
    let record = out.record.unwrap();
    assert_eq!(record.meta().rev, 5);
    assert_eq!(interview(&record).notes, "A");
    assert_eq!(interview(&record).ambition, "B");

    // The change sets nothing (a retry of the base): superseded, nothing stored.
    let i = edit(&base, 1_500, |_| {});
    let out = apply_change(Some(&s), Some(&base_record), &History::default(), &i).unwrap();
    assert_eq!(
        (out.status, out.rev, out.record),
        (ChangeStatus::Superseded, 4, None)
    );
    // It sets what stored already holds (both typed "A"): superseded, but kept as the next
    // revision with the same content, so a later change against rev 4 sees that "A" was set.
    let i = edit(&base, 1_500, |i| i.notes = "A".into());
    let out = apply_change(Some(&s), Some(&base_record), &History::default(), &i).unwrap();
    assert_eq!((out.status, out.rev), (ChangeStatus::Superseded, 5));
    let mut again = out.record.unwrap();
    again.meta_mut().rev = s.meta().rev;
    assert_eq!(again, s);

    // The stored edit is contained in the change: applied as sent.
    let i = edit(&base, 3_000, |i| {
        i.notes = "A".into();
        i.ambition = "B".into();
    });
    let out = apply_change(Some(&s), Some(&base_record), &History::default(), &i).unwrap();
    assert_eq!(out.status, ChangeStatus::Applied);

    // No base known: merged against the empty record, so nothing is dropped: every field the
    // two sides hold differently keeps the later edit and a conflict with the other value.
    let i = edit(&base, 1_500, |i| i.ambition = "B".into());
    let out = apply_change(Some(&s), None, &History::default(), &i).unwrap();
    assert_eq!(out.status, ChangeStatus::Merged);
    let record = out.record.unwrap();
    assert_eq!(interview(&record).notes, "A");
    let others: Vec<(&str, &Value)> = interview(&record)
        .conflicts
        .iter()
        .map(|c| (c.path.as_str(), &c.other))
        .collect();
    assert_eq!(
        others,
        [("/ambition", &json!("B")), ("/notes", &json!("begin"))]
    );
    assert_eq!(base_needed(None, i.meta(), None), None);
}

/// The history of plain revisions in between (no asserted values beyond their states).
fn between(revisions: &[Record]) -> History {
    History {
        between: revisions.to_vec(),
        asserted: Touched::default(),
    }
}

/// A revision of `base` stored at `rev`.
fn revision(base: &Interview, rev: u64, at: i64, f: impl FnOnce(&mut Interview)) -> Record {
    let mut r = edit(base, at, f);
    r.meta_mut().rev = rev;
    r
}

#[test]
fn a_tick_set_and_taken_back_in_between_is_an_edit_not_unchanged() {
    // Tablet A ticks GR-06 (rev 4), then unticks it (rev 5); tablet B, which never saw the
    // tick, ticks it from rev 3. Stored equals the base, but A's untick is a decision too.
    let base = base_interview();
    let ticked = revision(&base, 4, 2_000, |i| {
        i.answers.insert("GR-06".into(), tick(true, false, ""));
    });
    let stored = revision(&base, 5, 3_000, |_| {});
    let incoming = edit(&base, 4_000, |i| {
        i.answers.insert("GR-06".into(), tick(true, false, ""));
        i.notes = "van B".into();
    });
    let base_record = Record::Interview(base.clone());
    let out = apply_change(
        Some(&stored),
        Some(&base_record),
        &between(std::slice::from_ref(&ticked)),
        &incoming,
    )
    .unwrap();
    assert_eq!(out.status, ChangeStatus::Merged);
    let record = out.record.unwrap();
    let merged = interview(&record);
    // B's other edit goes through; the tick is kept as a conflict with A's untick.
    assert_eq!(merged.notes, "van B");
    let conflicts = &merged.conflicts;
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].path, "/answers/GR-06/now");
    assert_eq!(
        (&conflicts[0].kept, &conflicts[0].other),
        (&json!(true), &json!(false))
    );
    // Without the revision in between it merges silently, as before.
    let blind = apply_change(
        Some(&stored),
        Some(&base_record),
        &History::default(),
        &incoming,
    )
    .unwrap();
    assert_eq!(blind.status, ChangeStatus::Applied);
}

#[test]
fn history_only_matters_where_both_sides_touched() {
    // A ticked and unticked GR-06 "now"; B ticks GR-06 "ambition" and GR-07: no conflict.
    let base = base_interview();
    let ticked = revision(&base, 4, 2_000, |i| {
        i.answers.insert("GR-06".into(), tick(true, false, ""));
    });
    let stored = revision(&base, 5, 3_000, |_| {});
    let incoming = edit(&base, 4_000, |i| {
        i.answers.insert("GR-06".into(), tick(false, true, ""));
        i.answers.insert("GR-07".into(), tick(true, false, ""));
    });
    let base_record = Record::Interview(base.clone());
    let out = apply_change(
        Some(&stored),
        Some(&base_record),
        &between(&[ticked]),
        &incoming,
    )
    .unwrap();
    assert_eq!(out.status, ChangeStatus::Applied, "{out:?}");
    assert_eq!(out.conflicts_added, 0);
}

#[test]
fn an_example_added_and_removed_in_between_leaves_the_others_alone() {
    // A added example 5 and removed it again; B adds example 6 and edits the notes.
    let base = base_interview();
    let added = revision(&base, 4, 2_000, |i| i.examples.push(example(5, "lasrobot")));
    let stored = revision(&base, 5, 3_000, |_| {});
    let incoming = edit(&base, 4_000, |i| i.examples.push(example(6, "restafval")));
    let base_record = Record::Interview(base.clone());
    let out = apply_change(
        Some(&stored),
        Some(&base_record),
        &between(&[added]),
        &incoming,
    )
    .unwrap();
    assert_eq!(out.status, ChangeStatus::Applied, "{out:?}");
    // B re-adding the very example A removed is a conflict.
    let removed_again = edit(&base, 4_000, |i| i.examples.push(example(5, "lasrobot")));
    let added = revision(&base, 4, 2_000, |i| i.examples.push(example(5, "lasrobot")));
    let out = apply_change(
        Some(&stored),
        Some(&base_record),
        &between(&[added]),
        &removed_again,
    )
    .unwrap();
    assert_eq!(out.status, ChangeStatus::Merged);
    assert_eq!(out.conflicts_added, 1);
}

#[test]
fn a_set_value_removed_and_added_back_in_between_conflicts_with_its_removal() {
    let company = |rev: u64, segments: &[&str]| {
        Record::Company(Company {
            id: Uuid::from_u128(1),
            name: "Smit".into(),
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            meta: RecordMeta {
                rev,
                updated_at: T0 + rev as i64,
                deleted: false,
            },
            ..Company::default()
        })
    };
    let base = company(1, &["constructie", "smeden"]);
    let history = between(&[company(2, &["constructie"])]);
    let stored = company(3, &["constructie", "smeden"]);
    // B drops "smeden", which A dropped and deliberately put back: a conflict.
    let drop = company(1, &["constructie"]);
    let out = apply_change(Some(&stored), Some(&base), &history, &drop).unwrap();
    assert_eq!((out.status, out.conflicts_added), (ChangeStatus::Merged, 1));
    // B adds "montage", which nobody touched: merged silently.
    let add = company(1, &["constructie", "smeden", "montage"]);
    let out = apply_change(Some(&stored), Some(&base), &history, &add).unwrap();
    assert_eq!(
        (out.status, out.conflicts_added),
        (ChangeStatus::Applied, 0)
    );
}

#[test]
fn touched_marks_the_box_that_changed_not_the_whole_answer() {
    let base = base_interview();
    let ticked = revision(&base, 4, 2_000, |i| {
        i.answers.insert("GR-06".into(), tick(true, false, ""));
        i.examples.push(example(5, "x"));
    });
    let b = Record::Interview(base.clone());
    let touched = Touched::along(&[&b, &ticked]).unwrap();
    let path = |p: &str| parse_pointer(p).unwrap();
    assert!(touched.under(&path("/answers/GR-06/now")));
    assert!(touched.under(&path("/answers/GR-06")));
    assert!(!touched.under(&path("/answers/GR-06/ambition")));
    assert!(!touched.under(&path("/answers/GR-07")));
    assert!(touched.under(&path(&format!("/examples/{}", Uuid::from_u128(5)))));
    assert!(!touched.under(&path("/notes")));
}

#[test]
fn a_value_set_twice_concurrently_then_taken_back_by_one_is_a_conflict() {
    // A ticks GR-06 (rev 4); B ticks it too from rev 3 (superseded, stored again as rev 5 with
    // what it asserted); A, which never saw B's tick, unticks from rev 4. The state went
    // F, T, T: only what B asserted shows that B wanted the tick too.
    let base = base_interview();
    let ticked = |rev| {
        revision(&base, rev, 2_000, |i| {
            i.answers.insert("GR-06".into(), tick(true, false, ""));
        })
    };
    let from_b = edit(&base, 2_500, |i| {
        i.answers.insert("GR-06".into(), tick(true, false, ""));
    });
    let base_record = Record::Interview(base.clone());
    let out = apply_change(
        Some(&ticked(4)),
        Some(&base_record),
        &History::default(),
        &from_b,
    )
    .unwrap();
    assert_eq!((out.status, out.rev), (ChangeStatus::Superseded, 5));
    let asserted = Touched::asserted(Some(&base_record), &from_b).unwrap();
    assert_eq!(asserted.pointers(), ["/answers/GR-06/now"]);
    assert_eq!(
        Touched::from_pointers(["/answers/GR-06/now"]).unwrap(),
        asserted
    );

    let untick = {
        let mut r = ticked(4);
        if let Record::Interview(i) = &mut r {
            i.answers.clear();
            i.meta.updated_at = 3_000;
        }
        r
    };
    let history = History {
        between: vec![ticked(4)],
        asserted,
    };
    let out = apply_change(Some(&ticked(5)), Some(&ticked(4)), &history, &untick).unwrap();
    assert_eq!((out.status, out.conflicts_added), (ChangeStatus::Merged, 1));
    // Without what B asserted, A's untick would silently undo B's tick.
    let blind = History {
        between: vec![ticked(4)],
        asserted: Touched::default(),
    };
    let out = apply_change(Some(&ticked(5)), Some(&ticked(4)), &blind, &untick).unwrap();
    assert_eq!(out.status, ChangeStatus::Applied);
}

#[test]
fn without_the_named_base_an_untick_on_either_side_is_kept() {
    // Both tablets held revision 3 with GR-01 and GR-02 ticked and segment "a". A unticked
    // GR-01, cleared the segments and wrote notes (stored, rev 9); B, still on revision 3,
    // unticks GR-02. Revision 3 is gone: against the empty record each untick looked like no
    // edit and the other side's tick won silently.
    let mut base = base_interview();
    base.answers.insert("GR-01".into(), tick(true, false, ""));
    base.answers.insert("GR-02".into(), tick(true, false, ""));
    let s = revision(&base, 9, 2_000, |i| {
        i.answers.remove("GR-01");
        i.notes = "A".into();
    });
    let i = edit(&base, 3_000, |i| {
        i.answers.remove("GR-02");
    });
    let out = apply_change(Some(&s), None, &History::default(), &i).unwrap();
    assert_eq!((out.status, out.rev), (ChangeStatus::Merged, 10));
    let record = out.record.unwrap();
    let paths: Vec<(&str, &Value, &Value)> = interview(&record)
        .conflicts
        .iter()
        .map(|c| (c.path.as_str(), &c.kept, &c.other))
        .collect();
    assert_eq!(
        paths,
        [
            ("/answers/GR-01/now", &json!(true), &json!(false)),
            ("/answers/GR-02/now", &json!(false), &json!(true)),
            ("/notes", &json!("begin"), &json!("A")),
        ]
    );
    // Two sides that created the same id (rev 0) share the empty record: their answers join.
    let mut fresh = base.clone();
    fresh.meta.rev = 0;
    fresh.answers.clear();
    fresh.answers.insert("GR-03".into(), tick(true, false, ""));
    let out = apply_change(
        Some(&s),
        None,
        &History::default(),
        &Record::Interview(fresh),
    )
    .unwrap();
    let answers = &interview(out.record.as_ref().unwrap()).answers;
    assert!(answers.contains_key("GR-02") && answers.contains_key("GR-03"));
}

#[test]
fn revisions_gone_between_base_and_stored_count_as_changing_everything() {
    // A ticked GR-06 (rev 4) and took it back (rev 5); revisions 4 and 5 are gone, 6 and 7
    // kept. B ticks it from revision 3: not a silent override of A's untick.
    let base = base_interview();
    let later = |rev| revision(&base, rev, 2_000 + rev as i64, |i| i.notes = "A".into());
    let stored = later(7);
    let history = crate::push::history_of(
        3..=7,
        vec![
            (later(6), Touched::default()),
            (stored.clone(), Touched::default()),
        ],
    );
    let from_b = edit(&base, 3_000, |i| {
        i.answers.insert("GR-06".into(), tick(true, false, ""));
    });
    let base_record = Record::Interview(base.clone());
    let out = apply_change(Some(&stored), Some(&base_record), &history, &from_b).unwrap();
    assert_eq!((out.status, out.conflicts_added), (ChangeStatus::Merged, 1));
    assert_eq!(
        interview(out.record.as_ref().unwrap()).conflicts[0].path,
        "/answers/GR-06/now"
    );
    // All revisions there: B's tick goes in (A's notes too).
    let history = crate::push::history_of(
        3..=7,
        (4..=7)
            .map(|rev| (later(rev), Touched::default()))
            .collect(),
    );
    let out = apply_change(Some(&stored), Some(&base_record), &history, &from_b).unwrap();
    assert_eq!((out.status, out.conflicts_added), (ChangeStatus::Merged, 0));
}
