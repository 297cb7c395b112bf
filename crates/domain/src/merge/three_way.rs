//! Field-level three-way merge of concurrent edits, run by the server when a change arrives based
//! on an older revision than the one it stores.
//!
//! Several tablets edit the same interview offline. Each change carries the revision its edit
//! started from (`meta.rev`, the *base*). When the server stores a newer revision (*stored*), it
//! merges the change (*incoming*) with it against the base it kept ([`merge_records`]); the
//! server-side decision as a whole is [`apply_change`].
//!
//! # Rules
//!
//! The merge works on the JSON of the record body; `rev`, `updated_at`, `deleted` and `conflicts`
//! are handled apart (below). For every value, comparing each side with the base:
//!
//! - **Only one side changed it** (or both made the same change): that side's value. Stored
//!   equal to the base counts as unchanged only if no revision in between changed it
//!   ([`Touched`]): a tick another tablet set and took back again (A→B→A) is that tablet's
//!   decision, so a change that sets it again is a conflict, not a silent override. The same
//!   holds per item of keyed lists and per value of plain lists, and for what the changes behind
//!   those revisions set although the state already held it ([`History::asserted`]).
//! - **Both changed it differently**:
//!   - *objects* (including maps such as `answers` and `needs`) merge key by key, recursively. A
//!     key added on both sides merges against the type's default (`PracticeAnswer`, `ThemeNeed`,
//!     `GoodExample`, `PhotoRef`), so ticking *now* on one tablet and *ambition* on the other
//!     gives both ticks;
//!   - *lists of objects that all carry an `id`* (`examples`, …) *or all a `hash`* (`photos`) merge
//!     item by item, keyed by it: additions from both sides are kept (stored's order, then
//!     incoming's new items), an item removed on one side and unchanged on the other is removed,
//!     an item changed on both sides merges field by field;
//!   - *lists of plain values* (`segments`, an initiative's `themes`, …) merge as sets: additions
//!     of both sides, removals of both sides;
//!   - *other lists whose base is a prefix of both sides* (append-only logs such as a link's
//!     `history`) keep the base, then stored's new entries, then incoming's new entries that
//!     stored does not have;
//!   - anything else (two texts, an item changed on one side and removed on the other) is a
//!     **conflict**. An absent practice answer counts as the empty answer, so unticking on one
//!     side and a note on the other merge field by field.
//! - **A conflict keeps both**: the field takes the value of the later edit (`updated_at`; a tie
//!   goes to incoming) and a [`Conflict`] with the other value is added to
//!   the record, for someone to choose ([`resolve_conflict`]). Catalogue entries (initiatives) keep
//!   no conflicts: there the later edit simply wins per field.
//! - **Deletion**: `deleted` merges like a field, except that a deletion on one side against
//!   edits on the other keeps the record *not* deleted, with a conflict on `/deleted` whose
//!   `other` is `true`: deleting is easy to repeat, lost interview text is not.
//! - **Conflicts** already on the records merge as a keyed list by their `id` (derived from path
//!   and values, so the same conflict from two sides is kept once, and one resolved on one side
//!   stays resolved).
//! - `updated_at` becomes the later of the two edits; `rev` is stored's (the server assigns the
//!   next one).
//! - **No known base**: the server keeps only a record's newest revisions, so the one a stale
//!   change names can be gone. The empty record is then no base: a value one side set back to
//!   its default (an untick, a cleared note) would look unchanged there, and the other side's
//!   value would win silently. So nothing counts as unchanged: every value the two sides hold
//!   differently is a conflict (an item or a map entry on one side only too, a plain list as a
//!   whole), objects and keyed lists still merge part by part, append-only lists keep both
//!   tails. Revisions missing between a known base and stored (the device's own last push is
//!   older than what is kept) count as having changed everything ([`Touched::everything`]).
//!
//! Merging is idempotent: merging the same incoming change into the result again changes nothing
//! and adds no conflict. The result is not validated here: two valid sides can together exceed a
//! count limit (examples, photos); the server validates what it stores.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use thiserror::Error;
use uuid::Uuid;

use crate::model::{
    Conflict, GoodExample, PhotoRef, PracticeAnswer, Record, RecordKind, RecordMeta, ThemeNeed,
};
use crate::protocol::{canonical_json, hex, ChangeStatus};

/// Body keys the merge does not treat as data: the server's bookkeeping and the conflicts.
const META_KEYS: [&str; 4] = ["rev", "updated_at", "deleted", "conflicts"];

/// A merged record and how many new conflicts the merge found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub record: Record,
    pub conflicts_added: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MergeError {
    #[error("cannot merge a {0:?} with a {1:?}")]
    KindMismatch(RecordKind, RecordKind),
    #[error("cannot merge record {0} with record {1}")]
    IdMismatch(Uuid, Uuid),
    #[error("the record does not convert to or from JSON: {0}")]
    Json(String),
    #[error("this record has no conflict {0}")]
    NoSuchConflict(String),
    #[error("the field {0} is not in this record")]
    BadPath(String),
}

fn json_error(e: serde_json::Error) -> MergeError {
    MergeError::Json(e.to_string())
}

/// A record's body as JSON, split into the data and the parts merged apart.
struct Split {
    kind: RecordKind,
    body: Map<String, Value>,
    meta: RecordMeta,
    conflicts: Vec<Conflict>,
}

fn split(record: &Record) -> Result<Split, MergeError> {
    let mut wire = serde_json::to_value(record).map_err(json_error)?;
    let mut body = match wire.get_mut("record").map(Value::take) {
        Some(Value::Object(body)) => body,
        _ => return Err(MergeError::Json("a record is not a JSON object".into())),
    };
    for key in META_KEYS {
        body.remove(key);
    }
    Ok(Split {
        kind: record.kind(),
        body,
        meta: *record.meta(),
        conflicts: record.conflicts().to_vec(),
    })
}

fn join(
    kind: RecordKind,
    mut body: Map<String, Value>,
    meta: RecordMeta,
    conflicts: &[Conflict],
) -> Result<Record, MergeError> {
    body.insert("rev".into(), meta.rev.into());
    body.insert("updated_at".into(), meta.updated_at.into());
    body.insert("deleted".into(), meta.deleted.into());
    if !conflicts.is_empty() {
        body.insert(
            "conflicts".into(),
            serde_json::to_value(conflicts).map_err(json_error)?,
        );
    }
    let mut wire = Map::new();
    wire.insert("kind".into(), kind.as_str().into());
    wire.insert("record".into(), Value::Object(body));
    let mut record: Record = serde_json::from_value(Value::Object(wire)).map_err(json_error)?;
    if let Record::Interview(interview) = &mut record {
        // Two sides unticking different halves of one answer leave an empty one; the app keeps
        // only real answers in the map (`Interview::set_answer`).
        interview
            .answers
            .retain(|_, answer| *answer != PracticeAnswer::default());
    }
    Ok(record)
}

/// What the merge carries down the tree.
struct Ctx<'a> {
    /// What other devices changed between the base and the stored revision.
    touched: &'a Touched,
    /// False when the common base is unknown (the revision a change names is gone): then
    /// neither side's value is known to be unchanged, and every difference is a conflict.
    base_known: bool,
    incoming_wins: bool,
    stored_at: i64,
    incoming_at: i64,
    found: Vec<Conflict>,
}

impl Ctx<'_> {
    /// Records a conflict and returns the value the field keeps.
    fn conflict(
        &mut self,
        path: &[String],
        stored: Option<&Value>,
        incoming: Option<&Value>,
    ) -> Option<Value> {
        let (kept, other, kept_at, other_at) = if self.incoming_wins {
            (incoming, stored, self.incoming_at, self.stored_at)
        } else {
            (stored, incoming, self.stored_at, self.incoming_at)
        };
        self.found.push(new_conflict(
            &pointer(path),
            kept.cloned().unwrap_or(Value::Null),
            other.cloned().unwrap_or(Value::Null),
            kept_at,
            other_at,
        ));
        kept.cloned()
    }
}

/// A conflict with its content-derived id.
pub fn new_conflict(
    path: &str,
    kept: Value,
    other: Value,
    kept_updated_at: i64,
    other_updated_at: i64,
) -> Conflict {
    Conflict {
        id: conflict_id(path, &kept, &other),
        path: path.to_owned(),
        kept,
        other,
        kept_updated_at,
        other_updated_at,
    }
}

/// The same pair of values in either order gives the same id: device A may keep what B calls
/// the other.
fn conflict_id(path: &str, a: &Value, b: &Value) -> String {
    let (a, b) = (canonical_json(a), canonical_json(b));
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    let mut hasher = Sha256::new();
    for part in [path, &low, &high] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let mut id = hex(&hasher.finalize());
    id.truncate(16);
    id
}

/// RFC 6901 escaping of each step.
fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|step| format!("/{}", step.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn parse_pointer(path: &str) -> Option<Vec<String>> {
    if path.is_empty() {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// The value a map entry or keyed item starts from, so an entry added on both sides merges
/// field by field instead of colliding on every field.
fn default_at(path: &[String]) -> Option<Value> {
    let steps: Vec<&str> = path.iter().map(String::as_str).collect();
    match steps.as_slice() {
        ["answers", _] => serde_json::to_value(PracticeAnswer::default()).ok(),
        ["needs", _] => serde_json::to_value(ThemeNeed::default()).ok(),
        ["examples", _] => serde_json::to_value(GoodExample::default()).ok(),
        ["examples", _, "photos", _] => serde_json::to_value(PhotoRef::default()).ok(),
        _ => None,
    }
}

/// Three-way merge of one value; `None` is an absent key or item.
fn merge_value(
    path: &mut Vec<String>,
    base: Option<&Value>,
    stored: Option<&Value>,
    incoming: Option<&Value>,
    ctx: &mut Ctx<'_>,
) -> Option<Value> {
    // An absent answer is the empty answer (the app drops empty ones from the map): unticking
    // the last box on one tablet and writing a note on the other merge field by field instead
    // of clashing over the whole answer.
    let empty_answer = match path.as_slice() {
        [answers, _] if answers == "answers" => default_at(path),
        _ => None,
    };
    let (base, stored, incoming) = match &empty_answer {
        Some(empty) => (
            base.or(Some(empty)),
            stored.or(Some(empty)),
            incoming.or(Some(empty)),
        ),
        None => (base, stored, incoming),
    };
    if stored == incoming || (ctx.base_known && incoming == base) {
        return stored.cloned();
    }
    // Stored equal to the base is "unchanged" only if no revision in between changed it: a tick
    // that another tablet set and took back again is an edit too, and the incoming change does
    // not silently override the taking back (ABA).
    let untouched = ctx.base_known && stored == base && !ctx.touched.under(path);
    if untouched {
        return incoming.cloned();
    }
    let fallback = match base {
        None => default_at(path),
        Some(_) => None,
    };
    // Past here a value absent on both base and stored came and went again in between (an
    // example added and removed): adding it again is one conflict on the whole value, below.
    match (stored, incoming) {
        (Some(Value::Object(s)), Some(Value::Object(i))) => {
            let empty = Map::new();
            let b = match base.or(fallback.as_ref()) {
                Some(Value::Object(b)) => b,
                None => &empty,
                Some(_) => return ctx.conflict(path, stored, incoming),
            };
            let mut out = Map::new();
            let keys: BTreeSet<&String> = s.keys().chain(i.keys()).collect();
            for key in keys {
                path.push(key.clone());
                let merged = merge_value(path, b.get(key), s.get(key), i.get(key), ctx);
                path.pop();
                if let Some(value) = merged {
                    out.insert(key.clone(), value);
                }
            }
            Some(Value::Object(out))
        }
        (Some(Value::Array(s)), Some(Value::Array(i))) => {
            let b: &[Value] = match base {
                Some(Value::Array(b)) => b,
                None => &[],
                Some(_) => return ctx.conflict(path, stored, incoming),
            };
            if let Some(key) = item_key(b, s, i) {
                Some(merge_keyed(path, key, b, s, i, ctx))
            } else if [b, s, i].iter().all(|list| list.iter().all(is_scalar)) {
                if !ctx.base_known {
                    // A value on one side only was added there or removed on the other: unknown.
                    let same = s.iter().all(|x| i.contains(x)) && i.iter().all(|x| s.contains(x));
                    return if same {
                        stored.cloned()
                    } else {
                        ctx.conflict(path, stored, incoming)
                    };
                }
                if set_undoes_history(path, b, s, i, ctx.touched) {
                    return ctx.conflict(path, stored, incoming);
                }
                Some(merge_set(b, s, i))
            } else if s.starts_with(b) && i.starts_with(b) {
                let mut out = s.clone();
                out.extend(
                    i[b.len()..]
                        .iter()
                        .filter(|x| !s[b.len()..].contains(x))
                        .cloned(),
                );
                Some(Value::Array(out))
            } else {
                ctx.conflict(path, stored, incoming)
            }
        }
        _ => ctx.conflict(path, stored, incoming),
    }
}

/// Whether incoming adds or removes a value of a plain list whose membership stored shows
/// unchanged although a revision in between changed it (added and removed it again, or the
/// reverse): the same ABA as for a single field.
fn set_undoes_history(
    path: &mut Vec<String>,
    b: &[Value],
    s: &[Value],
    i: &[Value],
    touched: &Touched,
) -> bool {
    b.iter()
        .chain(i)
        .filter(|x| b.contains(x) != i.contains(x) && b.contains(x) == s.contains(x))
        .any(|x| {
            path.push(canonical_json(x));
            let hit = touched.under(path);
            path.pop();
            hit
        })
}

/// The places (paths of object keys, keyed list items and plain list values) that changed from
/// one revision to the next, over the revisions between a change's base and the stored record.
/// The merge uses it to tell "unchanged" from "changed and changed back".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched(BTreeSet<Vec<String>>);

impl Touched {
    /// What changed along `chain`: the base, the revisions after it in order, the stored record.
    pub fn along(chain: &[&Record]) -> Result<Self, MergeError> {
        let mut touched = Touched::default();
        let bodies = chain
            .iter()
            .map(|r| split(r).map(|s| Value::Object(s.body)))
            .collect::<Result<Vec<_>, _>>()?;
        for pair in bodies.windows(2) {
            touched.diff(&mut Vec::new(), Some(&pair[0]), Some(&pair[1]));
        }
        Ok(touched)
    }

    /// What a change sets relative to the base it was made on (`None`: the empty record). A
    /// stale change can set a value the stored record already holds (two tablets ticking the same
    /// box): the stored state then shows nothing, so the server keeps this with the revision.
    pub fn asserted(base: Option<&Record>, incoming: &Record) -> Result<Self, MergeError> {
        let mut touched = Touched::default();
        let base = base.map(split).transpose()?.map(|s| Value::Object(s.body));
        let incoming = Value::Object(split(incoming)?.body);
        touched.diff(
            &mut Vec::new(),
            Some(base.as_ref().unwrap_or(&Value::Object(Map::new()))),
            Some(&incoming),
        );
        Ok(touched)
    }

    /// Every place: what is known of revisions that are gone (the root pointer, `""`).
    pub fn everything() -> Self {
        Touched(BTreeSet::from([Vec::new()]))
    }

    /// Everything in `self` and in `other`.
    pub fn extend(&mut self, other: &Touched) {
        self.0.extend(other.0.iter().cloned());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As JSON pointers (RFC 6901), for storage.
    pub fn pointers(&self) -> Vec<String> {
        self.0.iter().map(|p| pointer(p)).collect()
    }

    /// From [`Touched::pointers`]; a malformed pointer is an error.
    pub fn from_pointers<'a>(
        pointers: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, MergeError> {
        pointers
            .into_iter()
            .map(|p| parse_pointer(p).ok_or_else(|| MergeError::BadPath(p.to_owned())))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Touched)
    }

    /// Whether anything at or below `path` changed (everything did, when the root did).
    fn under(&self, path: &[String]) -> bool {
        self.0.first().is_some_and(Vec::is_empty)
            || self
                .0
                .range(path.to_vec()..)
                .next()
                .is_some_and(|p| p.starts_with(path))
    }

    fn diff(&mut self, path: &mut Vec<String>, a: Option<&Value>, b: Option<&Value>) {
        if a == b {
            return;
        }
        // Absent entries of typed maps and lists are their default value, as in the merge, so a
        // tick marks the box that changed and not every field of the answer.
        let fallback = default_at(path);
        let (a, b) = (a.or(fallback.as_ref()), b.or(fallback.as_ref()));
        if a == b {
            return;
        }
        match (a, b) {
            (Some(Value::Object(x)), Some(Value::Object(y))) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for key in keys {
                    path.push(key.clone());
                    self.diff(path, x.get(key), y.get(key));
                    path.pop();
                }
            }
            (Some(Value::Object(x)), None) | (None, Some(Value::Object(x))) => {
                for (key, value) in x {
                    path.push(key.clone());
                    self.diff(path, Some(value), None);
                    path.pop();
                }
                self.0.insert(path.clone());
            }
            (Some(Value::Array(x)), Some(Value::Array(y))) => self.diff_lists(path, x, y),
            (Some(Value::Array(x)), None) | (None, Some(Value::Array(x))) => {
                self.diff_lists(path, x, &[]);
                self.0.insert(path.clone());
            }
            _ => {
                self.0.insert(path.clone());
            }
        }
    }

    fn diff_lists(&mut self, path: &mut Vec<String>, x: &[Value], y: &[Value]) {
        if let Some(key) = item_key(x, y, &[]) {
            let index = |list: &[Value]| -> BTreeMap<String, Value> {
                list.iter()
                    .filter_map(|item| Some((key_of(item, key)?.to_owned(), item.clone())))
                    .collect()
            };
            let (xm, ym) = (index(x), index(y));
            let keys: BTreeSet<&String> = xm.keys().chain(ym.keys()).collect();
            for k in keys {
                path.push(k.clone());
                self.diff(path, xm.get(k), ym.get(k));
                path.pop();
            }
        } else if x.iter().chain(y).all(is_scalar) {
            for v in x
                .iter()
                .filter(|v| !y.contains(v))
                .chain(y.iter().filter(|v| !x.contains(v)))
            {
                path.push(canonical_json(v));
                self.0.insert(path.clone());
                path.pop();
            }
        } else {
            self.0.insert(path.clone());
        }
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

fn key_of<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item.get(key).and_then(Value::as_str)
}

/// `id` or `hash` when every item of the three lists is an object with a distinct one.
fn item_key(b: &[Value], s: &[Value], i: &[Value]) -> Option<&'static str> {
    if b.is_empty() && s.is_empty() && i.is_empty() {
        return None;
    }
    ["id", "hash"].into_iter().find(|key| {
        [b, s, i].iter().all(|list| {
            let mut seen = BTreeSet::new();
            list.iter()
                .all(|item| key_of(item, key).is_some_and(|k| seen.insert(k)))
        })
    })
}

fn merge_keyed(
    path: &mut Vec<String>,
    key: &str,
    b: &[Value],
    s: &[Value],
    i: &[Value],
    ctx: &mut Ctx<'_>,
) -> Value {
    let index = |list: &[Value]| -> BTreeMap<String, Value> {
        list.iter()
            .filter_map(|item| Some((key_of(item, key)?.to_owned(), item.clone())))
            .collect()
    };
    let (bm, sm, im) = (index(b), index(s), index(i));
    let mut order: Vec<&str> = s.iter().filter_map(|x| key_of(x, key)).collect();
    order.extend(
        i.iter()
            .filter_map(|x| key_of(x, key))
            .filter(|k| !sm.contains_key(*k)),
    );
    let mut out = Vec::new();
    for k in order {
        path.push(k.to_owned());
        let merged = merge_value(path, bm.get(k), sm.get(k), im.get(k), ctx);
        path.pop();
        out.extend(merged);
    }
    Value::Array(out)
}

fn merge_set(b: &[Value], s: &[Value], i: &[Value]) -> Value {
    let removed_by_incoming = |x: &Value| b.contains(x) && !i.contains(x);
    let mut out: Vec<Value> = Vec::new();
    for x in s {
        if !removed_by_incoming(x) && !out.contains(x) {
            out.push(x.clone());
        }
    }
    for x in i {
        if !b.contains(x) && !out.contains(x) {
            out.push(x.clone());
        }
    }
    Value::Array(out)
}

/// Merges `incoming` into `stored`, both edits of `base` (rules in the module docs). The result
/// carries stored's `rev`; the caller stores it under the next one.
pub fn merge_records(
    base: &Record,
    stored: &Record,
    incoming: &Record,
) -> Result<Merged, MergeError> {
    if base.kind() != stored.kind() {
        return Err(MergeError::KindMismatch(base.kind(), stored.kind()));
    }
    if base.id() != stored.id() {
        return Err(MergeError::IdMismatch(base.id(), stored.id()));
    }
    merge_from(Some(base), stored, incoming)
}

/// [`merge_after`] with no revisions known between the base and the stored record.
pub fn merge_from(
    base: Option<&Record>,
    stored: &Record,
    incoming: &Record,
) -> Result<Merged, MergeError> {
    merge_after(base, &Touched::default(), stored, incoming)
}

/// [`merge_records`] where `None` is the empty record: the two sides have no common history
/// (two devices created the same id), so everything both sides set differently is a conflict
/// and nothing is dropped silently. `touched` is what changed in the revisions between base and
/// stored ([`Touched::along`]): a value there that stored shows as the base's is still an edit
/// of the other side.
pub fn merge_after(
    base: Option<&Record>,
    touched: &Touched,
    stored: &Record,
    incoming: &Record,
) -> Result<Merged, MergeError> {
    merge_with(base, touched, stored, incoming, true)
}

/// [`merge_after`]; `base_known` false: the common base is unknown (`base` is `None`), so no
/// value counts as unchanged on either side.
fn merge_with(
    base: Option<&Record>,
    touched: &Touched,
    stored: &Record,
    incoming: &Record,
    base_known: bool,
) -> Result<Merged, MergeError> {
    if incoming.kind() != stored.kind() {
        return Err(MergeError::KindMismatch(stored.kind(), incoming.kind()));
    }
    if incoming.id() != stored.id() {
        return Err(MergeError::IdMismatch(stored.id(), incoming.id()));
    }
    let b = match base {
        Some(base) => split(base)?,
        None => Split {
            kind: stored.kind(),
            body: Map::new(),
            meta: RecordMeta::default(),
            conflicts: Vec::new(),
        },
    };
    let (s, i) = (split(stored)?, split(incoming)?);
    let mut ctx = Ctx {
        touched,
        base_known,
        incoming_wins: i.meta.updated_at >= s.meta.updated_at,
        stored_at: s.meta.updated_at,
        incoming_at: i.meta.updated_at,
        found: Vec::new(),
    };
    let (bb, sb, ib) = (
        Value::Object(b.body),
        Value::Object(s.body),
        Value::Object(i.body),
    );
    let body = match merge_value(&mut Vec::new(), Some(&bb), Some(&sb), Some(&ib), &mut ctx) {
        Some(Value::Object(body)) => body,
        _ => {
            return Err(MergeError::Json(
                "the merged record is not an object".into(),
            ))
        }
    };

    let (bd, sd, id) = (b.meta.deleted, s.meta.deleted, i.meta.deleted);
    let deleted = if sd == id {
        sd
    } else {
        // Exactly one side changed the flag; the other side's edits, if any, save the record.
        let (deleter_deleted, editor_edited, deleter_at, editor_at) = if sd == bd {
            (id, sb != bb, i.meta.updated_at, s.meta.updated_at)
        } else {
            (sd, ib != bb, s.meta.updated_at, i.meta.updated_at)
        };
        if deleter_deleted && editor_edited {
            ctx.found.push(new_conflict(
                "/deleted",
                Value::Bool(false),
                Value::Bool(true),
                editor_at,
                deleter_at,
            ));
            false
        } else {
            deleter_deleted
        }
    };

    let known = |list: &[Conflict], id: &str| list.iter().any(|c| c.id == id);
    let mut conflicts: Vec<Conflict> = s
        .conflicts
        .iter()
        // One that was on the base and is gone from incoming was resolved there: it stays gone.
        .filter(|c| !known(&b.conflicts, &c.id) || known(&i.conflicts, &c.id))
        .cloned()
        .collect();
    for c in &i.conflicts {
        if !known(&b.conflicts, &c.id) && !known(&conflicts, &c.id) {
            conflicts.push(c.clone());
        }
    }
    let mut conflicts_added = 0;
    if s.kind != RecordKind::Initiative {
        for c in ctx.found {
            if !known(&conflicts, &c.id) {
                conflicts.push(c);
                conflicts_added += 1;
            }
        }
    }
    let meta = RecordMeta {
        rev: s.meta.rev,
        updated_at: s.meta.updated_at.max(i.meta.updated_at),
        deleted,
    };
    let record = join(s.kind, body, meta, &conflicts)?;
    Ok(Merged {
        record,
        conflicts_added,
    })
}

/// What the server does with one incoming change: the record to store (with its new `rev`) and
/// the verdict for the device.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `None` when nothing is stored (superseded).
    pub record: Option<Record>,
    pub status: ChangeStatus,
    pub rev: u64,
    pub conflicts_added: usize,
}

/// Where the base of a stale change comes from (see [`base_needed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseRef {
    /// The content this device itself last sent of the record, as the server kept it for the
    /// device ([`crate::push::Lineage`]): newer than the revision the change names.
    Lineage,
    /// The stored revision the change names as its base (`meta.rev`).
    Revision(u64),
}

/// The base the server must look up before [`apply_change`]: `None` when no merge is needed (a
/// new record, or a change based on the stored revision) or when the two sides share no history
/// (rev 0 and no lineage: merged against the empty record).
///
/// A device's edit builds on what it holds, which is its own last push whenever it has not taken
/// a newer copy from the server since. It does not always learn the revision its push got (an
/// answer lost, an edit made while the push was in flight), so the revision it names can be
/// older than its own last push: the server then merges against that push (`lineage_rev`, the
/// revision stored after the device's last change of the record), so the device's own earlier
/// edits are never "the other side".
pub fn base_needed(
    stored: Option<&RecordMeta>,
    incoming: &RecordMeta,
    lineage_rev: Option<u64>,
) -> Option<BaseRef> {
    let stored = stored?;
    if incoming.rev >= stored.rev {
        return None;
    }
    match lineage_rev {
        Some(own) if own > incoming.rev => Some(BaseRef::Lineage),
        _ if incoming.rev > 0 => Some(BaseRef::Revision(incoming.rev)),
        _ => None,
    }
}

/// The server's rule for an incoming change (already validated, not a duplicate):
///
/// - a new record is stored as revision 1;
/// - a change based on the stored revision (or a later one) replaces it;
/// - a change based on an older revision is merged with the stored one against `base` (see
///   [`base_needed`]; `None` is the empty record when the sides share no history, `rev` 0, and
///   an unknown base when the revision the change names is gone: then no value counts as
///   unchanged on either side, and every difference is a conflict): `Applied` when the result
///   is what the device sent, `Superseded` when the change adds nothing to what is stored, else
///   `Merged`. `history` holds the revisions between base and stored ([`History`]), so a value
///   changed and changed back in between is not taken as unchanged (with revisions missing
///   there, everything counts as changed). A `Superseded` change that set values stored
///   already holds is still stored, as the next revision with the same content, so what it
///   asserted is on record.
pub fn apply_change(
    stored: Option<&Record>,
    base: Option<&Record>,
    history: &History,
    incoming: &Record,
) -> Result<Outcome, MergeError> {
    let applied = |rev: u64, record: &Record| {
        let mut record = record.clone();
        record.meta_mut().rev = rev;
        Outcome {
            record: Some(record),
            status: ChangeStatus::Applied,
            rev,
            conflicts_added: 0,
        }
    };
    let Some(stored) = stored else {
        return Ok(applied(1, incoming));
    };
    let (stored_rev, next) = (stored.meta().rev, stored.meta().rev + 1);
    if incoming.meta().rev >= stored_rev {
        return Ok(applied(next, incoming));
    }
    let touched = match base {
        Some(base) => {
            let chain: Vec<&Record> = std::iter::once(base)
                .chain(&history.between)
                .chain(std::iter::once(stored))
                .collect();
            let mut touched = Touched::along(&chain)?;
            touched.extend(&history.asserted);
            touched
        }
        // Against the empty record every clash is a conflict already.
        None => Touched::default(),
    };
    // A change based on a revision names it (`rev` > 0); without it here, that revision is
    // gone (the server keeps the newest few): the base is unknown, not the empty record. Against
    // the empty record a value one side set back to its default (an untick, a cleared note in
    // an answer) would look unchanged and the other side's would silently win.
    let base_known = base.is_some() || incoming.meta().rev == 0;
    let merged = merge_with(base, &touched, stored, incoming, base_known)?;
    let same_as = |other: &Record| {
        let mut candidate = merged.record.clone();
        *candidate.meta_mut() = *other.meta();
        candidate == *other
    };
    if same_as(stored) {
        // Nothing new in the state, but if the change set values (that stored happens to hold
        // already), that is an edit a later change must see: it becomes a revision of its own.
        // Without a common base (the same id made twice, an old export sent again) it asserts
        // nothing a later merge could weigh: superseded as before.
        let asserted = match base {
            Some(_) => Touched::asserted(base, incoming)?,
            None => Touched::default(),
        };
        if asserted.is_empty() {
            return Ok(Outcome {
                record: None,
                status: ChangeStatus::Superseded,
                rev: stored_rev,
                conflicts_added: 0,
            });
        }
        let mut record = stored.clone();
        record.meta_mut().rev = next;
        return Ok(Outcome {
            record: Some(record),
            status: ChangeStatus::Superseded,
            rev: next,
            conflicts_added: 0,
        });
    }
    if same_as(incoming) {
        return Ok(applied(next, incoming));
    }
    let mut record = merged.record;
    record.meta_mut().rev = next;
    Ok(Outcome {
        record: Some(record),
        status: ChangeStatus::Merged,
        rev: next,
        conflicts_added: merged.conflicts_added,
    })
}

/// What the server knows of the revisions between a stale change's base and the stored record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The stored revisions from the base's revision on, oldest first, the stored one excluded.
    pub between: Vec<Record>,
    /// What the changes behind the revisions after the base's asserted ([`Touched::asserted`]),
    /// the stored one included: values set that the state does not show as changes.
    pub asserted: Touched,
}

/// Which value a conflict settles on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The value the merge put in the field (the later edit).
    Kept,
    /// The other edit's value.
    Other,
    /// What the field holds now: someone typed in it after the merge, and choosing either old
    /// value would silently overwrite that.
    Current,
}

/// What the field of `path` holds now in `record` (`Null` when it is absent).
pub fn current_value(record: &Record, path: &str) -> Result<Value, MergeError> {
    let steps = parse_pointer(path).ok_or_else(|| MergeError::BadPath(path.to_owned()))?;
    let wire = serde_json::to_value(record).map_err(json_error)?;
    let mut node = wire
        .get("record")
        .ok_or_else(|| MergeError::Json("a record is not a JSON object".into()))?;
    for step in &steps {
        let next = match node {
            Value::Object(map) => map.get(step),
            Value::Array(list) => list.iter().find(|item| is_item(item, step)),
            _ => None,
        };
        match next {
            Some(value) => node = value,
            None => return Ok(Value::Null),
        }
    }
    Ok(node.clone())
}

/// Settles the conflict `conflict_id`: the field at its path takes the chosen value and the
/// conflict leaves the record. This is an edit: the caller `touch`es and saves the record.
pub fn resolve_conflict(
    record: &mut Record,
    conflict_id: &str,
    choice: Choice,
) -> Result<(), MergeError> {
    let Some(conflict) = record
        .conflicts()
        .iter()
        .find(|c| c.id == conflict_id)
        .cloned()
    else {
        return Err(MergeError::NoSuchConflict(conflict_id.to_owned()));
    };
    let value = match choice {
        Choice::Kept => Some(conflict.kept.clone()),
        Choice::Other => Some(conflict.other.clone()),
        Choice::Current => None,
    };
    let steps =
        parse_pointer(&conflict.path).ok_or_else(|| MergeError::BadPath(conflict.path.clone()))?;
    let mut wire = serde_json::to_value(&*record).map_err(json_error)?;
    let body = wire
        .get_mut("record")
        .ok_or_else(|| MergeError::Json("a record is not a JSON object".into()))?;
    if let Some(value) = value {
        set_at(body, &steps, value).ok_or_else(|| MergeError::BadPath(conflict.path.clone()))?;
    }
    if let Some(Value::Array(list)) = body.get_mut("conflicts") {
        list.retain(|c| key_of(c, "id") != Some(conflict_id));
    }
    *record = serde_json::from_value(wire).map_err(json_error)?;
    Ok(())
}

/// Sets (or, with `null`, removes) the value at `steps`; list items are found by `id`/`hash`.
/// Objects missing on the way are created (the item the conflict was about may have been
/// emptied since); a missing list item is not.
fn set_at(target: &mut Value, steps: &[String], value: Value) -> Option<()> {
    let (last, parents) = steps.split_last()?;
    let mut node = target;
    for step in parents {
        node = match node {
            Value::Object(map) => map
                .entry(step.clone())
                .or_insert_with(|| Value::Object(Map::new())),
            Value::Array(list) => list.iter_mut().find(|item| is_item(item, step))?,
            _ => return None,
        };
    }
    match node {
        Value::Object(map) => {
            if value.is_null() {
                map.remove(last);
            } else {
                map.insert(last.clone(), value);
            }
        }
        Value::Array(list) => {
            let at = list.iter().position(|item| is_item(item, last));
            match (at, value.is_null()) {
                (Some(at), true) => {
                    list.remove(at);
                }
                (Some(at), false) => list[at] = value,
                (None, true) => {}
                (None, false) => list.push(value),
            }
        }
        _ => return None,
    }
    Some(())
}

fn is_item(item: &Value, key: &str) -> bool {
    key_of(item, "id") == Some(key) || key_of(item, "hash") == Some(key)
}

/// The field a conflict is about; the app words it (its catalogue, `conflict_field`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictField {
    /// The note on a practice (`/answers/GR-01/note`).
    PracticeNote(String),
    PracticeNow(String),
    PracticeAmbition(String),
    /// A whole answer (ticked on one side, cleared on the other).
    PracticeAnswer(String),
    Notes,
    Ambition,
    CompanyName,
    /// A good example, or one of its fields (`text`, `sharing`, …).
    Example {
        id: String,
        field: Option<String>,
    },
    /// The need on a theme, or one of its fields.
    Need {
        theme: String,
        field: Option<String>,
    },
    Deleted,
    /// Any other field: its pointer.
    Other(String),
}

impl ConflictField {
    pub fn from_path(kind: RecordKind, path: &str) -> ConflictField {
        let steps = parse_pointer(path).unwrap_or_default();
        let steps: Vec<&str> = steps.iter().map(String::as_str).collect();
        match (kind, steps.as_slice()) {
            (_, ["deleted"]) => ConflictField::Deleted,
            (RecordKind::Interview, ["answers", p, "note"]) => {
                ConflictField::PracticeNote(p.to_string())
            }
            (RecordKind::Interview, ["answers", p, "now"]) => {
                ConflictField::PracticeNow(p.to_string())
            }
            (RecordKind::Interview, ["answers", p, "ambition"]) => {
                ConflictField::PracticeAmbition(p.to_string())
            }
            (RecordKind::Interview, ["answers", p]) => ConflictField::PracticeAnswer(p.to_string()),
            (RecordKind::Interview, ["notes"]) => ConflictField::Notes,
            (RecordKind::Interview, ["ambition"]) => ConflictField::Ambition,
            (RecordKind::Company, ["name"]) => ConflictField::CompanyName,
            (RecordKind::Interview, ["examples", id, rest @ ..]) => ConflictField::Example {
                id: id.to_string(),
                field: rest.first().map(|f| f.to_string()),
            },
            (RecordKind::Interview, ["needs", theme, rest @ ..]) => ConflictField::Need {
                theme: theme.to_string(),
                field: rest.first().map(|f| f.to_string()),
            },
            _ => ConflictField::Other(path.to_owned()),
        }
    }
}

/// One conflict as the app lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictItem<'a> {
    pub conflict: &'a Conflict,
    pub field: ConflictField,
}

/// The record's conflicts with the field each is about.
pub fn list_conflicts(record: &Record) -> Vec<ConflictItem<'_>> {
    record
        .conflicts()
        .iter()
        .map(|conflict| ConflictItem {
            conflict,
            field: ConflictField::from_path(record.kind(), &conflict.path),
        })
        .collect()
}

#[cfg(test)]
mod tests;
