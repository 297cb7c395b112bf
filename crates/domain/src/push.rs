//! The server's decision for one pushed change, in one place: the real server
//! (`Store::push`) and the engine's test server run exactly this.
//!
//! The server does the lookups (what it stores, the device's [`Lineage`], the base revision that
//! [`base_needed`] asks for) and the rights check; this module decides:
//!
//! ```text
//! seq <= device's last_seq ──────────────▶ Duplicate (or Rejected again, if it was refused)
//! seq beyond seq_limit ──────────────────▶ Rejected, not counted (the device's later changes
//!                                          still apply)
//! invalid record, or refused by rights ──▶ Rejected (nothing stored)
//! no stored record ──────────────────────▶ Applied as rev 1
//! based on the stored rev ───────────────▶ Applied as the next rev
//! stale base ─▶ three-way merge against the base:
//!               the device's own last push (Lineage) when it is newer than the named base,
//!               else the named revision, else the empty record (no common history; a
//!               named revision that is gone: no known base, every difference a conflict);
//!               a value changed and changed back in the revisions between counts as changed
//!               (everything does, when revisions between are gone)
//!             ─▶ Superseded (adds nothing; stored again as the next revision when it set
//!                values stored already holds, so a later change sees them) | Applied
//!                (result = sent) | Merged | Rejected
//!                (two valid sides merged into an invalid record)
//! ```
//!
//! Invariant: a device's own earlier changes are never the other side of a merge, so a field
//! only one device wrote never becomes a conflict and an untick never comes back.

use serde::{Deserialize, Serialize};

use crate::merge::{apply_change, base_needed, BaseRef, History, MergeError, Touched};
use crate::model::Record;
use crate::protocol::{record_hash, Change, ChangeResult, ChangeStatus, MAX_SEQ, MAX_SEQ_STEP};
use crate::refusal::{Reason, Refusal};

/// What the server keeps per record and device: the record as that device last sent it, once it
/// was stored (applied, merged) or found already contained (superseded), with the revision the
/// server held after it. Written in the same transaction as the change. A later change of the
/// device is merged against this when it names an older base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lineage {
    pub rev: u64,
    pub record: Record,
}

/// The refusal a device got for a change, kept so that a retry of it (whose first answer was
/// lost) is refused again rather than answered `duplicate` and dropped from the outbox, with
/// the same code. Kept as one text ([`Reason::to_stored`]); what older servers kept, a bare
/// sentence, reads as a reason without a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub seq: u64,
    pub reason: Reason,
}

/// Whether `seq` is new for a device whose last applied change is `last_seq` (exactly-once).
pub fn is_new(last_seq: u64, seq: u64) -> bool {
    seq > last_seq
}

/// The highest `seq` a new change may carry: [`MAX_SEQ_STEP`] beyond the highest number the
/// server applied from the device (`device_high`, under any account: a tablet's numbering is
/// shared by the colleagues who use it) or from this account (`last_seq`), never above
/// [`MAX_SEQ`]. A number past it is not one the device sent: counted, it would make the device's
/// real later changes look applied (`duplicate`), and they would be dropped.
pub fn seq_limit(device_high: u64, last_seq: u64) -> u64 {
    device_high
        .max(last_seq)
        .saturating_add(MAX_SEQ_STEP)
        .min(MAX_SEQ)
}

/// Where the base of `change` comes from, given what is stored and the device's lineage.
pub fn base_for(
    stored: Option<&Record>,
    lineage: Option<&Lineage>,
    change: &Change,
) -> Option<BaseRef> {
    base_needed(
        stored.map(Record::meta),
        change.record.meta(),
        lineage.map(|l| l.rev),
    )
}

/// The revisions a merge against `base` reads: from the base's revision (the device's lineage
/// revision or the one the change names) up to and including the stored one, each with what its
/// change asserted. `None` when no merge against a base happens.
pub fn history_range(
    base: Option<BaseRef>,
    lineage: Option<&Lineage>,
    stored: Option<&Record>,
) -> Option<std::ops::RangeInclusive<u64>> {
    let start = match base? {
        BaseRef::Lineage => lineage?.rev,
        BaseRef::Revision(rev) => rev,
    };
    Some(start..=stored?.meta().rev)
}

/// The [`History`] from the revisions in [`history_range`] (any order, gaps allowed), each with
/// what its change asserted: the base's own revision counts only by its state (what it asserted
/// is the device's own or already in the base). A revision after the base missing (the server
/// keeps only the newest few) could have changed anything: then everything counts as changed
/// ([`Touched::everything`]), so no value is taken as untouched on a guess.
pub fn history_of(
    range: std::ops::RangeInclusive<u64>,
    revisions: Vec<(Record, Touched)>,
) -> History {
    let (start, end) = (*range.start(), *range.end());
    let mut revisions: Vec<(Record, Touched)> = revisions
        .into_iter()
        .filter(|(r, _)| range.contains(&r.meta().rev))
        .collect();
    revisions.sort_by_key(|(r, _)| r.meta().rev);
    revisions.dedup_by_key(|(r, _)| r.meta().rev);
    let after_base = revisions
        .iter()
        .filter(|(r, _)| r.meta().rev > start)
        .count();
    let mut history = History::default();
    if u64::try_from(after_base).unwrap_or(u64::MAX) < end.saturating_sub(start) {
        history.asserted = Touched::everything();
    }
    for (record, asserted) in revisions {
        let rev = record.meta().rev;
        if rev > start {
            history.asserted.extend(&asserted);
        }
        if rev < end {
            history.between.push(record);
        }
    }
    history
}

/// The server's decision on one change: the verdict for the device and what to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub result: ChangeResult,
    /// The record to store under `result.rev` (and to keep as that revision).
    pub store: Option<Record>,
    /// The device's new lineage for this record, to write with the change.
    pub lineage: Option<Lineage>,
    /// A refusal to remember for this device and record.
    pub refused: Option<Refused>,
    /// What the change asserted, kept with the stored revision ([`Touched::asserted`]): set for a
    /// stale change, whose values the stored state may not show as changes.
    pub asserted: Touched,
    /// The device's last applied `seq` after this change: the change's own when it counted, the
    /// one before when it did not (a duplicate, a number out of range).
    pub last_seq: u64,
}

impl Decision {
    /// Whether the device that sent the change holds exactly the record stored once it takes the
    /// verdict: `applied` stores what it sent, at the revision the verdict names, which is what
    /// [`crate::sync::on_verdict`] writes on the device. A pull by that device may leave such a
    /// record out (`skip_own`): sending it back would only be applied as nothing new.
    pub fn sender_holds_stored(&self) -> bool {
        self.store.is_some() && self.result.status == ChangeStatus::Applied
    }
}

/// What the server knows when it decides on `change`.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The device's last applied `seq` before this change.
    pub last_seq: u64,
    /// The highest `seq` a new change may carry ([`seq_limit`]).
    pub seq_limit: u64,
    pub stored: Option<&'a Record>,
    /// The base looked up as [`base_for`] asked (`None`: the empty record, or, when the change
    /// names a revision, that revision is gone: an unknown base).
    pub base: Option<&'a Record>,
    /// The revisions between the base and the stored record ([`history_range`], [`history_of`]);
    /// empty when there is no base.
    pub history: &'a History,
    /// The refusal remembered for this device and record, if any.
    pub refused_before: Option<&'a Refused>,
    /// Why the pushing account may not make this change (the rights check), if it may not.
    pub refusal: Option<&'a Refusal>,
}

/// Decides on one change (see the module docs). `refusal` is only consulted for a new, valid
/// change, so the caller may compute it lazily by checking [`needs_rights_check`] first.
pub fn decide_change(facts: Facts<'_>, change: &Change) -> Result<Decision, MergeError> {
    let kind = change.record.kind();
    let id = change.record.id();
    let stored_result = |status| ChangeResult {
        seq: change.seq,
        kind,
        id,
        status,
        rev: facts.stored.map_or(0, |s| s.meta().rev),
        reason: None,
        refusal: None,
        hash: facts.stored.map(record_hash),
        record: facts.stored.cloned(),
    };
    let rejected = |reason: Reason| Decision {
        result: ChangeResult {
            seq: change.seq,
            kind,
            id,
            status: ChangeStatus::Rejected,
            rev: 0,
            reason: Some(reason.text.clone()),
            refusal: reason.refusal.clone(),
            hash: None,
            record: None,
        },
        store: None,
        lineage: None,
        refused: Some(Refused {
            seq: change.seq,
            reason,
        }),
        asserted: Touched::default(),
        last_seq: facts.last_seq.max(change.seq),
    };
    if !is_new(facts.last_seq, change.seq) {
        if let Some(refused) = facts.refused_before.filter(|r| r.seq == change.seq) {
            let mut again = rejected(refused.reason.clone());
            again.refused = None;
            return Ok(again);
        }
        return Ok(Decision {
            result: stored_result(ChangeStatus::Duplicate),
            store: None,
            lineage: None,
            refused: None,
            asserted: Touched::default(),
            last_seq: facts.last_seq,
        });
    }
    if change.seq > facts.seq_limit {
        // Not remembered as a refusal either: the number was never counted, so a retry is judged
        // afresh (and refused again while it is out of range).
        let mut out_of_range = rejected(Reason::of(Refusal::SeqOutOfRange {
            seq: change.seq,
            max: facts.seq_limit,
        }));
        out_of_range.refused = None;
        out_of_range.last_seq = facts.last_seq;
        return Ok(out_of_range);
    }
    // Validation and the record's bounds (answers of its plate version, size).
    if let Err(refusal) = crate::limits::check(&change.record) {
        return Ok(rejected(Reason::of(refusal)));
    }
    if let Some(refusal) = facts.refusal {
        return Ok(rejected(Reason::of(refusal.clone())));
    }
    let outcome = apply_change(facts.stored, facts.base, facts.history, &change.record)?;
    // What a stale change made on a known base set is kept with the revision it leads to.
    let stale = facts
        .stored
        .is_some_and(|s| change.record.meta().rev < s.meta().rev);
    let asserted = match facts.base {
        Some(base) if stale => Touched::asserted(Some(base), &change.record)?,
        _ => Touched::default(),
    };
    let lineage = Lineage {
        rev: outcome.rev,
        record: change.record.clone(),
    };
    let Some(record) = outcome.record else {
        // Superseded: the stored record already holds everything the change brings.
        let mut result = stored_result(ChangeStatus::Superseded);
        result.rev = outcome.rev;
        return Ok(Decision {
            result,
            store: None,
            lineage: Some(lineage),
            refused: None,
            asserted,
            last_seq: change.seq,
        });
    };
    // Two valid sides can merge into an invalid record (e.g. too many photos together): then the
    // incoming change is refused and both versions stay where they are.
    if let Err(problem) = crate::limits::check(&record) {
        return Ok(rejected(Reason::of(Refusal::MergedInvalid {
            problem: Box::new(problem),
        })));
    }
    let result = ChangeResult {
        seq: change.seq,
        kind,
        id,
        status: outcome.status,
        rev: outcome.rev,
        reason: None,
        refusal: None,
        hash: Some(record_hash(&record)),
        // The device holds what it sent; a merge (or a superseded change, stored again to keep
        // what it asserted) gives it the server's copy.
        record: (outcome.status != ChangeStatus::Applied).then(|| record.clone()),
    };
    Ok(Decision {
        result,
        store: Some(record),
        lineage: Some(lineage),
        refused: None,
        asserted,
        last_seq: change.seq,
    })
}

/// Whether the rights check matters for this change: only new, valid changes are checked.
pub fn needs_rights_check(last_seq: u64, change: &Change) -> bool {
    is_new(last_seq, change.seq) && crate::limits::check(&change.record).is_ok()
}

#[cfg(test)]
mod tests;
