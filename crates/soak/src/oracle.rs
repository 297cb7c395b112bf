//! The soak's bookkeeping: every write of every tracked field, and the verdict on what the server
//! holds at the end.
//!
//! A field is a JSON pointer into a record's body (`/answers/GR-01/now`, `/notes`). A *write* is
//! a local save that changed the field's value on one device; it remembers the value the device's
//! copy held just before (`prior`). The record as first created is each field's *initial* value,
//! not a write. After the run, with `server` the server's copy:
//!
//! - nobody wrote the field: `server` must hold the initial value;
//! - one device wrote it: `server` must hold that device's last write;
//! - several devices wrote it: each device's last write must be `server`'s value, or be kept as
//!   `kept`/`other` of a conflict covering the field, or have been overwritten by a later write of
//!   another device whose copy held exactly that value (it saw it and replaced it);
//! - a conflict whose fields were written by at most one device is a *phantom*: no concurrent
//!   edit can explain it.
//!
//! One refinement keeps the several-writers rule honest: a device that ticks and unticks a box
//! before anything of it reaches the server has changed nothing the server could see. So the
//! oracle follows, per device and field, the *bases* its next push is built on: the value last
//! received from outside ([`Oracle::observe`]) or last pushed for sure ([`Oracle::pushed`] with
//! [`Delivery::Delivered`]); a push that may or may not have reached the server (the server was
//! killed meanwhile) adds its value as a second possible base. A last write that equals one of
//! the bases at the time it was made brings no change and is not required on the server.

use std::collections::{BTreeMap, BTreeSet};

use praatplaat_domain::model::{Record, RecordKind};
use serde_json::Value;
use uuid::Uuid;

pub type Key = (RecordKind, Uuid);

#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    pub device: usize,
    pub value: Value,
    /// What the writing device's copy held just before.
    pub prior: Value,
    /// Global order of the write within the run.
    pub order: u64,
    /// The bases the device's push of this write would be built on (see the module docs).
    pub bases: Vec<Value>,
}

/// Whether a push reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// It answered, or the proxy forwarded it to a server that stayed up.
    Delivered,
    /// Unknown (the server was killed meanwhile, the answer timed out).
    Ambiguous,
    /// Refused before it reached the server, or rejected unparsed.
    NotDelivered,
}

/// What one device's copy of one field held when last looked at, and its possible bases.
#[derive(Debug, Clone)]
struct Seen {
    known: Value,
    bases: Vec<Value>,
}

#[derive(Debug, Clone)]
struct Field {
    /// The value when the field is absent (an answer not given yet).
    default: Value,
    initial: Value,
    writes: Vec<Write>,
}

#[derive(Debug, Default)]
pub struct Oracle {
    fields: BTreeMap<Key, BTreeMap<String, Field>>,
    seen: BTreeMap<(Key, usize), BTreeMap<String, Seen>>,
    order: u64,
}

/// The verdict on one record.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldCheck {
    pub checked: usize,
    /// One line per lost write.
    pub lost: Vec<String>,
    /// One line per phantom conflict.
    pub phantom: Vec<String>,
}

/// The record's body as JSON (the wire form's `record` part).
pub fn body(record: &Record) -> Value {
    serde_json::to_value(record)
        .ok()
        .and_then(|mut v| v.get_mut("record").map(Value::take))
        .unwrap_or(Value::Null)
}

fn steps(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
}

/// The value at `pointer` (relative), or `default` when it is missing or null.
fn at(value: &Value, pointer: &str, default: &Value) -> Value {
    let mut here = value;
    for step in steps(pointer) {
        match here.get(step.as_str()) {
            Some(next) => here = next,
            None => return default.clone(),
        }
    }
    if here.is_null() {
        default.clone()
    } else {
        here.clone()
    }
}

/// Whether a conflict at `conflict_path` covers `field`: the same field or an ancestor.
fn covers(conflict_path: &str, field: &str) -> bool {
    field == conflict_path
        || (field.starts_with(conflict_path) && field[conflict_path.len()..].starts_with('/'))
}

/// `field`'s value within a conflict value recorded at `conflict_path` (which covers it).
fn within(conflict_value: &Value, conflict_path: &str, field: &str, default: &Value) -> Value {
    at(conflict_value, &field[conflict_path.len()..], default)
}

/// The write history of a field, oldest first: `d0 false→true #5`.
fn history(writes: &[Write]) -> String {
    writes
        .iter()
        .map(|w| {
            let bases: Vec<String> = w.bases.iter().map(short).collect();
            format!(
                "d{} {}→{} #{} (base {})",
                w.device,
                short(&w.prior),
                short(&w.value),
                w.order,
                bases.join("|")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn short(value: &Value) -> String {
    let s = value.to_string();
    if s.chars().count() > 60 {
        let head: String = s.chars().take(57).collect();
        format!("{head}...")
    } else {
        s
    }
}

impl Oracle {
    /// Starts tracking `fields` (pointer, value when absent) of a record as first created.
    pub fn track(&mut self, initial: &Record, fields: &[(String, Value)]) {
        let body = body(initial);
        let map = self
            .fields
            .entry((initial.kind(), initial.id()))
            .or_default();
        for (path, default) in fields {
            map.insert(
                path.clone(),
                Field {
                    default: default.clone(),
                    initial: at(&body, path, default),
                    writes: Vec::new(),
                },
            );
        }
    }

    /// `device`'s copy of a record as it is now: a field that differs from what the device last
    /// held came from outside (a pull, a verdict) and is the new base.
    pub fn observe(&mut self, device: usize, copy: &Record) {
        let key = (copy.kind(), copy.id());
        let Some(map) = self.fields.get(&key) else {
            return;
        };
        let body = body(copy);
        let seen = self.seen.entry((key, device)).or_default();
        for (path, field) in map {
            let value = at(&body, path, &field.default);
            match seen.get_mut(path) {
                Some(s) if s.known == value => {}
                Some(s) => {
                    s.known = value.clone();
                    s.bases = vec![value];
                }
                None => {
                    seen.insert(
                        path.clone(),
                        Seen {
                            known: value.clone(),
                            bases: vec![value],
                        },
                    );
                }
            }
        }
    }

    /// `device` pushed `sent` (its copy as it was then).
    pub fn pushed(&mut self, device: usize, sent: &Record, delivery: Delivery) {
        let key = (sent.kind(), sent.id());
        let (Some(map), Some(seen)) = (self.fields.get(&key), self.seen.get_mut(&(key, device)))
        else {
            return;
        };
        let body = body(sent);
        for (path, field) in map {
            let value = at(&body, path, &field.default);
            let Some(s) = seen.get_mut(path) else {
                continue;
            };
            match delivery {
                Delivery::Delivered => s.bases = vec![value],
                Delivery::Ambiguous if !s.bases.contains(&value) => s.bases.push(value),
                Delivery::Ambiguous | Delivery::NotDelivered => {}
            }
        }
    }

    /// A local save on `device`: its copy went from `before` to `after`.
    pub fn record(&mut self, device: usize, before: &Record, after: &Record) {
        let key = (after.kind(), after.id());
        self.observe(device, before);
        let (Some(map), Some(seen)) =
            (self.fields.get_mut(&key), self.seen.get_mut(&(key, device)))
        else {
            return;
        };
        let (old, new) = (body(before), body(after));
        self.order += 1;
        for (path, field) in map.iter_mut() {
            let prior = at(&old, path, &field.default);
            let value = at(&new, path, &field.default);
            if prior != value {
                let s = seen.get_mut(path).expect("observed just now");
                s.known = value.clone();
                field.writes.push(Write {
                    device,
                    value,
                    prior,
                    order: self.order,
                    bases: s.bases.clone(),
                });
            }
        }
    }

    /// The order number of the last booked save.
    pub fn order(&self) -> u64 {
        self.order
    }

    /// How many tracked fields more than one device wrote (for the summary).
    pub fn contended(&self) -> usize {
        self.fields
            .values()
            .flat_map(|m| m.values())
            .filter(|f| {
                f.writes
                    .iter()
                    .map(|w| w.device)
                    .collect::<BTreeSet<_>>()
                    .len()
                    > 1
            })
            .count()
    }

    /// Writes of one field (for reports and tests).
    pub fn writes(&self, key: Key, path: &str) -> &[Write] {
        self.fields
            .get(&key)
            .and_then(|m| m.get(path))
            .map_or(&[], |f| f.writes.as_slice())
    }

    /// Paths of a record's fields no device wrote.
    pub fn unwritten(&self, key: Key) -> Vec<String> {
        self.fields.get(&key).map_or_else(Vec::new, |m| {
            m.iter()
                .filter(|(_, f)| f.writes.is_empty())
                .map(|(p, _)| p.clone())
                .collect()
        })
    }

    /// The verdict on the server's copy of a tracked record.
    pub fn check(&self, server: &Record) -> FieldCheck {
        let mut out = FieldCheck::default();
        let Some(map) = self.fields.get(&(server.kind(), server.id())) else {
            return out;
        };
        let body = body(server);
        let conflicts = server.conflicts();
        for (path, field) in map {
            out.checked += 1;
            let stored = at(&body, path, &field.default);
            let devices: BTreeSet<usize> = field.writes.iter().map(|w| w.device).collect();
            let in_conflict = |value: &Value| {
                conflicts.iter().filter(|c| covers(&c.path, path)).any(|c| {
                    within(&c.kept, &c.path, path, &field.default) == *value
                        || within(&c.other, &c.path, path, &field.default) == *value
                })
            };
            match devices.len() {
                0 => {
                    if stored != field.initial {
                        out.lost.push(format!(
                            "{path}: nobody wrote it, server holds {} instead of the initial {}",
                            short(&stored),
                            short(&field.initial)
                        ));
                    }
                }
                1 => {
                    let last = field.writes.last().expect("a writer has a write");
                    if stored != last.value {
                        out.lost.push(format!(
                            "{path}: only device {} wrote it, its last write {} (#{}) but server holds {} \
                             [writes: {}]",
                            last.device,
                            short(&last.value),
                            last.order,
                            short(&stored),
                            history(&field.writes)
                        ));
                    }
                }
                _ => {
                    for device in devices {
                        let last = field
                            .writes
                            .iter()
                            .rev()
                            .find(|w| w.device == device)
                            .expect("a writer has a write");
                        let overwritten = field.writes.iter().any(|w| {
                            w.device != device && w.order > last.order && w.prior == last.value
                        });
                        let no_change = last.bases.contains(&last.value);
                        if stored != last.value
                            && !in_conflict(&last.value)
                            && !overwritten
                            && !no_change
                        {
                            // The usual story: a write made before this one, without seeing it,
                            // reached the server after it and replaced it silently.
                            let overtaken = field
                                .writes
                                .iter()
                                .rev()
                                .find(|w| w.device != device && w.order < last.order && w.value == stored)
                                .map(|w| {
                                    format!(
                                        " (d{}'s earlier write #{} of that value, made without seeing \
                                         this one, won)",
                                        w.device, w.order
                                    )
                                })
                                .unwrap_or_default();
                            out.lost.push(format!(
                                "{path}: device {device}'s last write {} (#{}) is gone: server holds {}{overtaken}, \
                                 no conflict keeps it, no later write replaced it [writes: {}]",
                                short(&last.value),
                                last.order,
                                short(&stored),
                                history(&field.writes)
                            ));
                        }
                    }
                }
            }
        }
        for conflict in conflicts {
            let writers: BTreeSet<usize> = map
                .iter()
                .filter(|(path, _)| covers(&conflict.path, path))
                .flat_map(|(_, f)| f.writes.iter().map(|w| w.device))
                .collect();
            if writers.len() <= 1 {
                out.phantom.push(format!(
                    "conflict on {} (kept {}, other {}) but {}",
                    conflict.path,
                    short(&conflict.kept),
                    short(&conflict.other),
                    match writers.iter().next() {
                        Some(d) => format!("only device {d} wrote it"),
                        None => "no device wrote it".to_owned(),
                    }
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use praatplaat_domain::model::{Conflict, Interview, PracticeAnswer};
    use serde_json::json;

    fn interview(notes: &str, now: bool) -> Interview {
        let mut i = Interview {
            id: Uuid::from_u128(2),
            company_id: Uuid::from_u128(1),
            notes: notes.into(),
            ..Interview::default()
        };
        i.set_answer(
            "GR-01",
            PracticeAnswer {
                now,
                ..PracticeAnswer::default()
            },
        );
        i
    }

    fn fields() -> Vec<(String, Value)> {
        vec![
            ("/notes".into(), json!("")),
            ("/answers/GR-01/now".into(), json!(false)),
            ("/answers/GR-01/note".into(), json!("")),
        ]
    }

    fn rec(i: &Interview) -> Record {
        Record::Interview(i.clone())
    }

    fn conflict(path: &str, kept: Value, other: Value) -> Conflict {
        Conflict {
            id: format!("{path}{kept}{other}"),
            path: path.into(),
            kept,
            other,
            ..Conflict::default()
        }
    }

    /// Device 0 creates; the run's writes go through `edits` as (device, before, after).
    fn oracle(edits: &[(usize, Interview, Interview)]) -> Oracle {
        let mut oracle = Oracle::default();
        oracle.track(&rec(&interview("start", false)), &fields());
        for (device, before, after) in edits {
            oracle.record(*device, &rec(before), &rec(after));
        }
        oracle
    }

    #[test]
    fn a_single_writer_must_win() {
        let start = interview("start", false);
        let ticked = interview("start", true);
        let o = oracle(&[(1, start.clone(), ticked.clone())]);
        let good = o.check(&rec(&ticked));
        assert_eq!(good.checked, 3);
        assert!(good.lost.is_empty() && good.phantom.is_empty(), "{good:?}");
        // The tick came back unticked: lost.
        let bad = o.check(&rec(&start));
        assert_eq!(bad.lost.len(), 1, "{bad:?}");
        assert!(bad.lost[0].contains("only device 1"), "{bad:?}");
        // Unwritten fields must keep their initial value.
        let mut changed = ticked.clone();
        changed.notes = "stray".into();
        assert_eq!(o.check(&rec(&changed)).lost.len(), 1);
    }

    #[test]
    fn concurrent_texts_need_a_conflict_unless_seen() {
        let start = interview("start", false);
        let a = interview("d0-e1", false);
        let b = interview("d1-e2", false);
        // Concurrent: both edited "start".
        let o = oracle(&[(0, start.clone(), a.clone()), (1, start.clone(), b.clone())]);
        let lost = o.check(&rec(&b));
        assert_eq!(lost.lost.len(), 1, "{lost:?}");
        assert!(lost.lost[0].contains("device 0"), "{lost:?}");
        let mut kept = b.clone();
        kept.conflicts = vec![conflict("/notes", json!("d1-e2"), json!("d0-e1"))];
        let fine = o.check(&rec(&kept));
        assert!(fine.lost.is_empty() && fine.phantom.is_empty(), "{fine:?}");
        // Sequential: device 1 saw device 0's text and replaced it.
        let seq = oracle(&[(0, start.clone(), a.clone()), (1, a.clone(), b.clone())]);
        let fine = seq.check(&rec(&b));
        assert!(fine.lost.is_empty(), "{fine:?}");
    }

    #[test]
    fn a_tick_undone_before_it_was_pushed_changes_nothing() {
        let start = interview("start", false);
        let ticked = interview("start", true);
        let key = (RecordKind::Interview, start.id);
        let path = "/answers/GR-01/now";
        // Device 1 ticks and pushes; device 0, which never saw it, ticks and unticks offline.
        let mut o = oracle(&[]);
        o.observe(0, &rec(&start));
        o.record(1, &rec(&start), &rec(&ticked));
        o.pushed(1, &rec(&ticked), Delivery::Delivered);
        o.record(0, &rec(&start), &rec(&ticked));
        o.record(0, &rec(&ticked), &rec(&start));
        o.pushed(0, &rec(&start), Delivery::Delivered);
        let check = o.check(&rec(&ticked));
        assert!(check.lost.is_empty(), "{check:?}");
        assert_eq!(o.writes(key, path).len(), 3);
        // But once the tick reached the server, the untick is a change of its own.
        let mut o = oracle(&[]);
        o.record(1, &rec(&start), &rec(&ticked));
        o.pushed(1, &rec(&ticked), Delivery::Delivered);
        o.record(0, &rec(&start), &rec(&ticked));
        o.pushed(0, &rec(&ticked), Delivery::Delivered);
        o.record(0, &rec(&ticked), &rec(&start));
        let check = o.check(&rec(&ticked));
        assert_eq!(check.lost.len(), 1, "{check:?}");
        // Unless that push may not have arrived (the server was killed): then both are bases.
        let mut o = oracle(&[]);
        o.record(1, &rec(&start), &rec(&ticked));
        o.record(0, &rec(&start), &rec(&ticked));
        o.pushed(0, &rec(&ticked), Delivery::Ambiguous);
        o.record(0, &rec(&ticked), &rec(&start));
        assert!(o.check(&rec(&ticked)).lost.is_empty());
        // A refused push changes no base.
        let mut o = oracle(&[]);
        o.record(1, &rec(&start), &rec(&ticked));
        o.record(0, &rec(&start), &rec(&ticked));
        o.pushed(0, &rec(&ticked), Delivery::NotDelivered);
        o.record(0, &rec(&ticked), &rec(&start));
        assert!(o.check(&rec(&ticked)).lost.is_empty());
        // A value received from outside is the new base.
        let mut o = oracle(&[]);
        o.record(1, &rec(&start), &rec(&ticked));
        o.observe(0, &rec(&start));
        o.observe(0, &rec(&ticked));
        o.record(0, &rec(&ticked), &rec(&start));
        assert!(o.check(&rec(&start)).lost.is_empty());
        assert_eq!(o.check(&rec(&ticked)).lost.len(), 1);
    }

    #[test]
    fn a_conflict_only_one_device_explains_is_a_phantom() {
        let start = interview("start", false);
        let typed = interview("start a", false);
        let more = interview("start ab", false);
        let o = oracle(&[
            (0, start.clone(), typed.clone()),
            (0, typed.clone(), more.clone()),
        ]);
        let mut server = more.clone();
        server.conflicts = vec![conflict("/notes", json!("start ab"), json!("start a"))];
        let check = o.check(&rec(&server));
        assert!(check.lost.is_empty(), "{check:?}");
        assert_eq!(check.phantom.len(), 1, "{check:?}");
        // A conflict on a field nobody wrote.
        server.conflicts = vec![conflict("/answers/GR-01/note", json!(""), json!("x"))];
        assert_eq!(o.check(&rec(&server)).phantom.len(), 1);
    }

    #[test]
    fn a_conflict_on_the_whole_answer_covers_its_fields() {
        let start = interview("start", true);
        let mut o = Oracle::default();
        o.track(&rec(&start), &fields());
        let note = |text: &str| {
            let mut i = start.clone();
            i.answers.get_mut("GR-01").unwrap().note = text.into();
            i
        };
        o.record(0, &rec(&start), &rec(&note("d0-e1")));
        o.record(1, &rec(&start), &rec(&note("d1-e2")));
        let mut server = note("d1-e2");
        server.conflicts = vec![conflict(
            "/answers/GR-01",
            json!({"now": true, "ambition": false, "note": "d1-e2"}),
            json!({"now": true, "note": "d0-e1"}),
        )];
        let check = o.check(&rec(&server));
        assert!(check.lost.is_empty(), "{check:?}");
        assert!(check.phantom.is_empty(), "{check:?}");
        let key = (RecordKind::Interview, start.id);
        assert_eq!(o.writes(key, "/answers/GR-01/note").len(), 2);
        assert_eq!(o.unwritten(key), vec!["/answers/GR-01/now", "/notes"]);
        // Without the conflict device 0's note is lost; `other: null` (the item removed) holds
        // the field's default, not the note.
        server.conflicts.clear();
        assert_eq!(o.check(&rec(&server)).lost.len(), 1);
        server.conflicts = vec![conflict("/answers/GR-01", Value::Null, Value::Null)];
        assert_eq!(o.check(&rec(&server)).lost.len(), 1);
    }
}
