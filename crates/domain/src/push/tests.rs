use uuid::Uuid;

use super::*;

static EMPTY: std::sync::LazyLock<History> = std::sync::LazyLock::new(History::default);
use crate::model::{Company, RecordMeta};

fn company(name: &str, rev: u64, at: i64) -> Record {
    Record::Company(Company {
        id: Uuid::from_u128(1),
        name: name.into(),
        meta: RecordMeta {
            rev,
            updated_at: at,
            deleted: false,
        },
        ..Company::default()
    })
}

fn change(seq: u64, record: Record) -> Change {
    Change { seq, record }
}

fn facts(last_seq: u64, stored: Option<&Record>) -> Facts<'_> {
    Facts {
        last_seq,
        seq_limit: seq_limit(last_seq, last_seq),
        stored,
        base: None,
        history: &EMPTY,
        refused_before: None,
        refusal: None,
    }
}

#[test]
fn a_new_record_is_applied_as_rev_one_with_lineage() {
    let c = change(1, company("Smit", 0, 10));
    let d = decide_change(facts(0, None), &c).unwrap();
    assert_eq!((d.result.status, d.result.rev), (ChangeStatus::Applied, 1));
    assert_eq!(d.store.as_ref().map(|r| r.meta().rev), Some(1));
    assert_eq!(
        d.lineage,
        Some(Lineage {
            rev: 1,
            record: c.record.clone()
        })
    );
    // The device has what it sent: no copy in the answer.
    assert_eq!(d.result.record, None);
    assert_eq!(d.result.hash, d.store.as_ref().map(record_hash));
}

#[test]
fn a_seen_seq_is_a_duplicate_with_the_servers_copy() {
    let stored = company("Smit en Zn", 4, 20);
    let d = decide_change(facts(7, Some(&stored)), &change(7, company("Smit", 1, 10))).unwrap();
    assert_eq!(
        (d.result.status, d.result.rev),
        (ChangeStatus::Duplicate, 4)
    );
    assert_eq!(d.result.record.as_ref(), Some(&stored));
    assert_eq!((d.store, d.lineage), (None, None));
}

#[test]
fn a_refusal_is_remembered_and_repeated_for_the_same_seq() {
    let c = change(3, company("Smit", 0, 10));
    let mut f = facts(2, None);
    f.refusal = Some(&Refusal::CompanyNotAssigned);
    let d = decide_change(f, &c).unwrap();
    assert_eq!(d.result.status, ChangeStatus::Rejected);
    assert_eq!(d.result.refusal, Some(Refusal::CompanyNotAssigned));
    assert_eq!(
        d.result.reason.as_deref(),
        Some("this company is not assigned to you; ask the coordinator")
    );
    let refused = d.refused.unwrap();
    assert_eq!(
        refused,
        Refused {
            seq: 3,
            reason: Reason::of(Refusal::CompanyNotAssigned)
        }
    );
    // The answer was lost; the retry is refused again, with the same code, not dropped as a
    // duplicate.
    let mut f = facts(3, None);
    f.refused_before = Some(&refused);
    let again = decide_change(f, &c).unwrap();
    assert_eq!(again.result.status, ChangeStatus::Rejected);
    assert_eq!(again.result.refusal, Some(Refusal::CompanyNotAssigned));
    assert_eq!(again.result.reason, d.result.reason);
    // A refusal an older server remembered (a bare sentence) is repeated as it was.
    let old = Refused {
        seq: 3,
        reason: Reason::from_stored("not yours"),
    };
    f.refused_before = Some(&old);
    let again = decide_change(f, &c).unwrap();
    assert_eq!(again.result.status, ChangeStatus::Rejected);
    assert_eq!(again.result.reason.as_deref(), Some("not yours"));
    assert_eq!(again.result.refusal, None);
    // A later change of the same record is judged on its own.
    let d = decide_change(f, &change(4, company("Smit", 0, 11))).unwrap();
    assert_eq!(d.result.status, ChangeStatus::Applied);
}

#[test]
fn a_seq_far_beyond_the_devices_last_is_refused_and_not_counted() {
    use crate::protocol::{MAX_SEQ, MAX_SEQ_STEP};
    assert_eq!(seq_limit(7, 3), 7 + MAX_SEQ_STEP);
    assert_eq!(seq_limit(3, 7), 7 + MAX_SEQ_STEP);
    assert_eq!(seq_limit(MAX_SEQ - 1, 0), MAX_SEQ);
    assert_eq!(seq_limit(u64::MAX, 0), MAX_SEQ);
    let far = change(5 + MAX_SEQ_STEP + 1, company("Smit", 0, 10));
    let d = decide_change(facts(5, None), &far).unwrap();
    assert_eq!(d.result.status, ChangeStatus::Rejected);
    assert_eq!(
        d.result.refusal,
        Some(Refusal::SeqOutOfRange {
            seq: 5 + MAX_SEQ_STEP + 1,
            max: 5 + MAX_SEQ_STEP
        })
    );
    // Not counted and not remembered: the device's next real change still applies.
    assert_eq!(d.last_seq, 5);
    assert_eq!((d.store, d.lineage, d.refused), (None, None, None));
    let edge = decide_change(
        facts(5, None),
        &change(5 + MAX_SEQ_STEP, company("Smit", 0, 10)),
    )
    .unwrap();
    assert_eq!(edge.result.status, ChangeStatus::Applied);
    assert_eq!(edge.last_seq, 5 + MAX_SEQ_STEP);
    // Above the largest number the server stores: refused however close the last one is.
    let mut f = facts(MAX_SEQ - 1, None);
    f.seq_limit = seq_limit(MAX_SEQ - 1, MAX_SEQ - 1);
    let over = decide_change(f, &change(MAX_SEQ + 1, company("Smit", 0, 10))).unwrap();
    assert_eq!(over.result.status, ChangeStatus::Rejected);
    assert_eq!(over.last_seq, MAX_SEQ - 1);
    let top = decide_change(f, &change(MAX_SEQ, company("Smit", 0, 10))).unwrap();
    assert_eq!(
        (top.result.status, top.last_seq),
        (ChangeStatus::Applied, MAX_SEQ)
    );
}

#[test]
fn an_invalid_record_is_rejected_before_rights() {
    let d = decide_change(facts(0, None), &change(1, company(" ", 0, 1))).unwrap();
    assert_eq!(d.result.status, ChangeStatus::Rejected);
    assert_eq!(
        d.result.refusal,
        Some(Refusal::Empty {
            field: crate::model::Field::Name
        })
    );
    assert_eq!(d.result.reason.as_deref(), Some("name must not be empty"));
    assert!(!needs_rights_check(0, &change(1, company(" ", 0, 1))));
    assert!(!needs_rights_check(1, &change(1, company("Smit", 0, 1))));
    assert!(needs_rights_check(0, &change(1, company("Smit", 0, 1))));
}

#[test]
fn the_base_is_the_devices_own_push_when_that_is_newer_than_the_named_one() {
    let stored = company("x", 5, 0);
    let own = |rev| Lineage {
        rev,
        record: company("y", 0, 0),
    };
    let named = |rev| change(9, company("z", rev, 0));
    assert_eq!(base_for(None, None, &named(0)), None);
    assert_eq!(base_for(Some(&stored), None, &named(5)), None);
    assert_eq!(
        base_for(Some(&stored), None, &named(2)),
        Some(BaseRef::Revision(2))
    );
    assert_eq!(
        base_for(Some(&stored), Some(&own(4)), &named(2)),
        Some(BaseRef::Lineage)
    );
    assert_eq!(base_for(Some(&stored), Some(&own(0)), &named(0)), None);
    assert_eq!(
        base_for(Some(&stored), Some(&own(3)), &named(0)),
        Some(BaseRef::Lineage)
    );
    // The device took a newer copy since its push: the named revision is its base.
    assert_eq!(
        base_for(Some(&stored), Some(&own(3)), &named(4)),
        Some(BaseRef::Revision(4))
    );
    // Rev 0 with no lineage: no common history, the empty record.
    assert_eq!(base_for(Some(&stored), None, &named(0)), None);
}

#[test]
fn a_change_that_adds_nothing_is_superseded_and_still_becomes_the_lineage() {
    let base = company("Smit", 1, 10);
    let stored = company("Smit BV", 2, 30);
    // The device's change is its base unchanged (only the clock moved).
    let c = change(2, company("Smit", 1, 20));
    let mut f = facts(1, Some(&stored));
    f.base = Some(&base);
    let d = decide_change(f, &c).unwrap();
    assert_eq!(
        (d.result.status, d.result.rev),
        (ChangeStatus::Superseded, 2)
    );
    assert_eq!(d.result.record.as_ref(), Some(&stored));
    assert_eq!(d.lineage.map(|l| l.rev), Some(2));
    assert_eq!(d.store, None);
}

#[test]
fn a_merge_sends_the_merged_record_back() {
    let base = Record::Company(Company {
        id: Uuid::from_u128(1),
        name: "Smit".into(),
        meta: RecordMeta {
            rev: 1,
            updated_at: 10,
            deleted: false,
        },
        ..Company::default()
    });
    let mut stored = base.clone();
    if let Record::Company(c) = &mut stored {
        c.address = "Dorpsstraat 1".into();
        c.meta.rev = 2;
    }
    let mut incoming = base.clone();
    if let Record::Company(c) = &mut incoming {
        c.municipality = "Nieuwkoop".into();
        c.meta.updated_at = 20;
    }
    let mut f = facts(0, Some(&stored));
    f.base = Some(&base);
    let d = decide_change(f, &change(1, incoming.clone())).unwrap();
    assert_eq!((d.result.status, d.result.rev), (ChangeStatus::Merged, 3));
    let Some(Record::Company(merged)) = &d.result.record else {
        panic!("no merged copy in the answer");
    };
    assert_eq!(
        (merged.address.as_str(), merged.municipality.as_str()),
        ("Dorpsstraat 1", "Nieuwkoop")
    );
    assert_eq!(d.store, d.result.record);
    assert_eq!(
        d.lineage,
        Some(Lineage {
            rev: 3,
            record: incoming
        })
    );
}
