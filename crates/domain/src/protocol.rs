//! The versioned JSON wire format between app and server (`/api/v1`).
//!
//! Push: a device sends its changes, each numbered by the device in increasing order (`seq`). The
//! server applies each change at most once per device (it remembers the last applied `seq` per
//! device in the same transaction), so a retried push is harmless. Pull: the server numbers every
//! stored change with a monotonic sequence; a device asks for everything after its cursor, in pages.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::model::{Record, RecordKind, SyncedRecord};
use crate::refusal::{Reason, Refusal};

pub mod auth;

/// Bumped on incompatible changes of this module; the path carries it too (`/api/v1`).
pub const PROTOCOL_VERSION: u32 = 1;
pub const API_PREFIX: &str = "/api/v1";
/// Most changes one push may carry; the client sends bigger outboxes in batches.
pub const MAX_PUSH_CHANGES: usize = 500;
/// Largest page a pull returns.
pub const MAX_PULL_LIMIT: u32 = 500;
/// The largest change number (`seq`) the server takes: it stores them as signed 64-bit numbers.
pub const MAX_SEQ: u64 = i64::MAX as u64;
/// How far a change number may run ahead of the highest one the server applied from that device
/// ([`crate::push::seq_limit`]). A device numbers 1, 2, 3, …; a far larger number is not one it
/// sent, and taken as its last it would make the device's real later changes look applied.
pub const MAX_SEQ_STEP: u64 = 100_000;

/// One change: the full new state of a record, numbered by the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub seq: u64,
    #[serde(flatten)]
    pub record: Record,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub device_id: Uuid,
    /// In increasing `seq` order, at most [`MAX_PUSH_CHANGES`].
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub changes: Vec<Change>,
}

/// What became of one pushed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Stored as sent; `rev` is the new server revision, which the device takes as its base.
    Applied,
    /// This device's change with this `seq` was applied before; nothing changed now. `rev`,
    /// `hash` and `record` describe what the server stores now.
    Duplicate,
    /// The stored record already holds everything this change brings; `record` is it.
    Superseded,
    /// The server merged this change with a concurrent one ([`crate::merge::three_way`]): the
    /// stored record (`record`, revision `rev`) differs from what the device sent. A device that
    /// edited the record again meanwhile keeps its own copy and its older `rev`: the server
    /// merges its next change against what it sent ([`crate::push::Lineage`]).
    Merged,
    /// Permanently refused (see `reason`); the device sets the change aside, visibly.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeResult {
    pub seq: u64,
    pub kind: RecordKind,
    pub id: Uuid,
    pub status: ChangeStatus,
    /// The server's revision of the record after this change (0 when rejected).
    pub rev: u64,
    /// Why a change was rejected, in English: for logs and for app versions that predate
    /// `refusal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why a change was rejected, as a code with parameters the app words in its language
    /// (absent from older servers; a code this version does not know reads as
    /// [`Refusal::Unknown`], never as an unreadable answer).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::refusal::lenient"
    )]
    pub refusal: Option<Refusal>,
    /// [`record_hash`] of the record the server stores after this change (every status but
    /// `rejected`); the device keeps it as a [`Receipt`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// The record the server stores after this change, when it differs from what the device
    /// sent (`merged`, `superseded`, `duplicate`): a device with no newer edit of it takes this
    /// copy at once, so its next edit builds on the server's revision and the pull need not
    /// bring it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Record>,
}

impl ChangeResult {
    /// Why the change was rejected, as a device keeps it: the code when the server sent one,
    /// else the sentence alone (an older server); `None` unless rejected.
    pub fn rejection(&self) -> Option<Reason> {
        if self.status != ChangeStatus::Rejected {
            return None;
        }
        Some(Reason {
            text: self.reason.clone().unwrap_or_else(|| "rejected".into()),
            refusal: self.refusal.clone(),
        })
    }

    /// The receipt this verdict gives, if the server sent a hash.
    pub fn receipt(&self) -> Option<Receipt> {
        if self.status == ChangeStatus::Rejected {
            return None;
        }
        Some(Receipt {
            kind: self.kind,
            id: self.id,
            rev: self.rev,
            hash: self.hash.clone()?,
        })
    }
}

/// The server's word that it stores revision `rev` of a record with content [`record_hash`] =
/// `hash`. A device calls a record safe only when no change of it is waiting and the receipt
/// matches its local copy ([`receipt_matches`]): then what the interviewer sees is on the server,
/// byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub kind: RecordKind,
    pub id: Uuid,
    pub rev: u64,
    pub hash: String,
}

impl Receipt {
    /// The receipt for a record as the server sent it in a pull.
    pub fn for_record(record: &Record) -> Receipt {
        Receipt {
            kind: record.kind(),
            id: record.id(),
            rev: record.meta().rev,
            hash: record_hash(record),
        }
    }
}

/// Whether `receipt` vouches for `local`: same record, same revision, same content.
pub fn receipt_matches(receipt: &Receipt, local: &Record) -> bool {
    receipt.kind == local.kind()
        && receipt.id == local.id()
        && receipt.rev == local.meta().rev
        && receipt.hash == record_hash(local)
}

/// [`receipt_matches`] for a record whose hash is already known ([`hash_of`]): a device that
/// shows many records hashes each once per change, not at every look.
pub fn receipt_matches_hash<T: SyncedRecord>(receipt: &Receipt, local: &T, hash: &str) -> bool {
    receipt.kind == T::KIND
        && receipt.id == local.id()
        && receipt.rev == local.meta().rev
        && receipt.hash == hash
}

/// [`record_hash`] of a record of a known kind, without wrapping it in a [`Record`] (a clone).
pub fn hash_of<T: SyncedRecord>(record: &T) -> String {
    #[derive(Serialize)]
    struct Wire<'a, T> {
        kind: RecordKind,
        record: &'a T,
    }
    let value = serde_json::to_value(Wire {
        kind: T::KIND,
        record,
    })
    .unwrap_or(Value::Null);
    hex(&Sha256::digest(canonical_json(&value).as_bytes()))
}

/// Lower-case hex SHA-256 of the record's canonical JSON (the wire form `{"kind", "record"}`,
/// `meta` included so the hash covers the revision). Device and server compute it alike.
pub fn record_hash(record: &Record) -> String {
    // A record always serialises (string keys, no non-finite floats); `Null` would still give a
    // stable, non-matching hash rather than a panic.
    let value = serde_json::to_value(record).unwrap_or(Value::Null);
    hex(&Sha256::digest(canonical_json(&value).as_bytes()))
}

/// JSON with object keys sorted and no whitespace. Hashes must not depend on whether some crate
/// in a build turns on serde_json's `preserve_order`, which changes the order of `Value` maps.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (n, (key, value)) in entries.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        s.push(char::from(DIGITS[usize::from(byte >> 4)]));
        s.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    s
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// The highest `seq` of this device the server has applied (or seen) so far.
    pub last_seq: u64,
    pub results: Vec<ChangeResult>,
}

/// One page of a pull: the current state of every record changed after the cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub records: Vec<Record>,
    /// Pass this as `since` next time; it covers every record in this page.
    pub cursor: u64,
    /// More records are waiting after `cursor`.
    pub more: bool,
    /// [`record_hash`] of each record as the server stores it, in the order of `records`: the
    /// device keeps it as the record's [`Receipt`] instead of hashing what the server already
    /// hashed. Absent from older servers (and ignored unless there is one per record): the device
    /// then hashes the records itself ([`PullResponse::receipts`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<String>,
}

impl PullResponse {
    /// A page of `records` with their hashes, as a server answers.
    pub fn new(records: Vec<Record>, cursor: u64, more: bool) -> PullResponse {
        let hashes = records.iter().map(record_hash).collect();
        PullResponse {
            records,
            cursor,
            more,
            hashes,
        }
    }

    /// The receipt of each record, in the order of `records`: from the server's `hashes` when it
    /// sent one per record, else hashed here ([`Receipt::for_record`]).
    pub fn receipts(&self) -> Vec<Receipt> {
        if self.hashes.len() != self.records.len() {
            return self.records.iter().map(Receipt::for_record).collect();
        }
        self.records
            .iter()
            .zip(&self.hashes)
            .map(|(record, hash)| Receipt {
                kind: record.kind(),
                id: record.id(),
                rev: record.meta().rev,
                hash: hash.clone(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub protocol: u32,
    pub version: String,
}

/// Every error response of the API: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub error: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Company;

    #[test]
    fn change_is_flat_on_the_wire() {
        let change = Change {
            seq: 7,
            record: Record::Company(Company {
                id: Uuid::from_u128(1),
                name: "Smit Staalbouw".into(),
                ..Company::default()
            }),
        };
        let json = serde_json::to_value(&change).unwrap();
        assert_eq!(json["seq"], 7);
        assert_eq!(json["kind"], "company");
        assert_eq!(json["record"]["name"], "Smit Staalbouw");
        assert_eq!(serde_json::from_value::<Change>(json).unwrap(), change);
    }

    fn company() -> Record {
        Record::Company(Company {
            id: Uuid::from_u128(1),
            name: "Smit Staalbouw".into(),
            ..Company::default()
        })
    }

    #[test]
    fn record_hash_covers_content_and_revision() {
        let a = company();
        let h = record_hash(&a);
        assert_eq!(h.len(), 64);
        assert!(crate::photo::is_content_hash(&h));
        assert_eq!(h, record_hash(&a.clone()));
        let mut b = a.clone();
        b.meta_mut().rev = 1;
        assert_ne!(record_hash(&b), h);
        let mut c = a.clone();
        if let Record::Company(c) = &mut c {
            c.name.push('!');
        }
        assert_ne!(record_hash(&c), h);
        // Pinned: the hash is part of the wire contract between app and server versions.
        let expected = crate::photo::content_hash(
            br#"{"kind":"company","record":{"address":"","association_member":null,"contact_person":"","deleted":false,"id":"00000000-0000-0000-0000-000000000001","municipality":"","name":"Smit Staalbouw","programme_id":"mkb-deal-metaal-zh","rev":0,"segments":[],"size_class":null,"updated_at":0}}"#,
        );
        assert_eq!(h, expected);
    }

    #[test]
    fn canonical_json_sorts_keys_and_escapes() {
        let v = serde_json::json!({"b": [1, {"z": null, "a": "\"x\""}], "a": true});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":true,"b":[1,{"a":"\"x\"","z":null}]}"#
        );
    }

    #[test]
    fn receipts_match_only_the_same_revision_and_content() {
        let mut local = company();
        local.meta_mut().rev = 3;
        let receipt = Receipt::for_record(&local);
        assert!(receipt_matches(&receipt, &local));
        let mut edited = local.clone();
        if let Record::Company(c) = &mut edited {
            c.address = "Dorpsstraat 1".into();
        }
        assert!(!receipt_matches(&receipt, &edited));
        let mut older = local.clone();
        older.meta_mut().rev = 2;
        assert!(!receipt_matches(&receipt, &older));
        let result = ChangeResult {
            seq: 1,
            kind: RecordKind::Company,
            id: local.id(),
            status: ChangeStatus::Merged,
            rev: 3,
            reason: None,
            refusal: None,
            hash: Some(record_hash(&local)),
            record: None,
        };
        assert_eq!(result.receipt(), Some(receipt));
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(json["status"], "merged");
        let rejected = ChangeResult {
            status: ChangeStatus::Rejected,
            hash: None,
            ..result
        };
        assert_eq!(rejected.receipt(), None);
        // Old servers send no hash: still readable.
        let old: ChangeResult = serde_json::from_str(
            r#"{"seq":1,"kind":"company","id":"00000000-0000-0000-0000-000000000001","status":"applied","rev":1}"#,
        )
        .unwrap();
        assert_eq!(old.hash, None);
        assert_eq!(old.rejection(), None);
    }

    #[test]
    fn a_rejection_carries_its_code_and_old_servers_only_the_sentence() {
        let id = "00000000-0000-0000-0000-000000000001";
        let new: ChangeResult = serde_json::from_str(&format!(
            r#"{{"seq":1,"kind":"company","id":"{id}","status":"rejected","rev":0,
                "reason":"name must not be empty","refusal":{{"code":"empty","field":"name"}}}}"#
        ))
        .unwrap();
        assert_eq!(
            new.rejection(),
            Some(Reason::of(Refusal::Empty {
                field: crate::model::Field::Name
            }))
        );
        let json = serde_json::to_value(&new).unwrap();
        assert_eq!(json["refusal"]["code"], "empty");
        assert_eq!(json["reason"], "name must not be empty");
        let old: ChangeResult = serde_json::from_str(&format!(
            r#"{{"seq":1,"kind":"company","id":"{id}","status":"rejected","rev":0,
                "reason":"name must not be empty"}}"#
        ))
        .unwrap();
        assert_eq!(
            old.rejection(),
            Some(Reason::text("name must not be empty"))
        );
        // A newer server's code: the answer still reads, the sentence is shown.
        let newer: ChangeResult = serde_json::from_str(&format!(
            r#"{{"seq":1,"kind":"company","id":"{id}","status":"rejected","rev":0,
                "reason":"too late","refusal":{{"code":"too_late","by":{{"days":3}}}}}}"#
        ))
        .unwrap();
        let reason = newer.rejection().unwrap();
        assert_eq!((reason.known(), reason.text.as_str()), (None, "too late"));
        // Unrejected answers omit it.
        let applied = ChangeResult {
            status: ChangeStatus::Applied,
            reason: None,
            refusal: None,
            ..new
        };
        assert!(serde_json::to_value(&applied)
            .unwrap()
            .get("refusal")
            .is_none());
    }

    #[test]
    fn a_pull_carries_the_servers_hashes_and_older_ones_still_read() {
        let mut second = company();
        if let Record::Company(c) = &mut second {
            c.id = Uuid::from_u128(2);
        }
        let page = PullResponse::new(vec![company(), second.clone()], 9, false);
        assert_eq!(
            page.receipts(),
            vec![
                Receipt::for_record(&company()),
                Receipt::for_record(&second)
            ]
        );
        let json = serde_json::to_value(&page).unwrap();
        assert_eq!(json["hashes"][1], record_hash(&second));
        // The device keeps what the server says it stores, not its own hash of the copy.
        let told = PullResponse {
            hashes: vec!["a".into(), "b".into()],
            ..page.clone()
        };
        assert_eq!(told.receipts()[1].hash, "b");
        // An older server sends no hashes; a count that does not match is not trusted either.
        let old: PullResponse = serde_json::from_value(serde_json::json!({
            "records": json["records"], "cursor": 9, "more": false
        }))
        .unwrap();
        assert!(old.hashes.is_empty());
        assert_eq!(old.receipts(), page.receipts());
        let short = PullResponse {
            hashes: vec!["a".into()],
            ..page.clone()
        };
        assert_eq!(short.receipts(), page.receipts());
        assert!(serde_json::to_value(&old).unwrap().get("hashes").is_none());
    }

    #[test]
    fn unknown_kind_is_a_clear_error() {
        let err = serde_json::from_str::<Change>(r#"{"seq":1,"kind":"invoice","record":{}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("invoice"), "{err}");
    }

    #[test]
    fn the_hash_of_a_kind_is_the_hash_of_its_record() {
        let company = crate::model::Company {
            id: Uuid::from_u128(7),
            name: "Staal & Zo".into(),
            ..crate::model::Company::default()
        };
        let hash = hash_of(&company);
        let record = Record::Company(company.clone());
        assert_eq!(hash, record_hash(&record));
        let receipt = Receipt::for_record(&record);
        assert!(receipt_matches_hash(&receipt, &company, &hash));
        assert!(!receipt_matches_hash(&receipt, &company, "0"));
    }
}
