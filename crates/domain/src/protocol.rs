//! The versioned JSON wire format between app and server (`/api/v1`).
//!
//! Push: a device sends its changes, each numbered by the device in increasing order (`seq`). The
//! server applies each change at most once per device (it remembers the last applied `seq` per
//! device in the same transaction), so a retried push is harmless. Pull: the server numbers every
//! stored change with a monotonic sequence; a device asks for everything after its cursor, in pages.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{Record, RecordKind};

pub mod auth;

/// Bumped on incompatible changes of this module; the path carries it too (`/api/v1`).
pub const PROTOCOL_VERSION: u32 = 1;
pub const API_PREFIX: &str = "/api/v1";
/// Most changes one push may carry; the client sends bigger outboxes in batches.
pub const MAX_PUSH_CHANGES: usize = 500;
/// Largest page a pull returns.
pub const MAX_PULL_LIMIT: u32 = 500;

/// One change: the full new state of a record, numbered by the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub seq: u64,
    #[serde(flatten)]
    pub record: Record,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device_id: Uuid,
    pub changes: Vec<Change>,
}

/// What became of one pushed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Stored; `rev` is the new server revision.
    Applied,
    /// This device's change with this `seq` was applied before; nothing changed now.
    Duplicate,
    /// The server holds a newer edit of the record; the device gets it on its next pull.
    Superseded,
    /// Permanently refused (see `reason`); the device sets the change aside, visibly.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeResult {
    pub seq: u64,
    pub kind: RecordKind,
    pub id: Uuid,
    pub status: ChangeStatus,
    /// The server's revision of the record after this change (0 when rejected).
    pub rev: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The highest `seq` of this device the server has applied (or seen) so far.
    pub last_seq: u64,
    pub results: Vec<ChangeResult>,
}

/// One page of a pull: the current state of every record changed after the cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub records: Vec<Record>,
    /// Pass this as `since` next time; it covers every record in this page.
    pub cursor: u64,
    /// More records are waiting after `cursor`.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub protocol: u32,
    pub version: String,
}

/// Every error response of the API: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

    #[test]
    fn unknown_kind_is_a_clear_error() {
        let err = serde_json::from_str::<Change>(r#"{"seq":1,"kind":"invoice","record":{}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("invoice"), "{err}");
    }
}
