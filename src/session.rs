//! The account this device syncs with: the session the server gave at sign-in, kept in
//! localStorage (gloo-storage) under its own key, apart from the settings.
//!
//! Signing in needs the network once; the token then lasts until the interviewer signs out or the
//! coordinator revokes the session (a lost tablet), so weeks offline in production halls are fine.
//! Records never depend on the session: capturing works signed out, and forgetting the token
//! (sign-out, revocation) leaves every record and the outbox on the device.

use gloo_storage::{LocalStorage, Storage};
use praatplaat_domain::protocol::auth::{SignInResponse, UserInfo};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const KEY: &str = "praatplaat.session";

/// A signed-in device session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Sent as `Authorization: Bearer <token>` on every API call.
    pub token: String,
    pub session_id: Uuid,
    pub user: UserInfo,
}

impl From<SignInResponse> for Session {
    fn from(r: SignInResponse) -> Self {
        Session {
            token: r.token,
            session_id: r.session_id,
            user: r.user,
        }
    }
}

/// What this device knows about its account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Account {
    pub session: Option<Session>,
    /// The server refused the session (revoked by the coordinator, or unknown): the device forgot
    /// it and says so on every screen until someone signs in again.
    pub signed_out_by_server: bool,
    /// The last user name that signed in here, to fill in the form next time.
    pub last_username: String,
}

impl Account {
    /// The stored account, or a signed-out one when none (or an unreadable one) is stored: a
    /// damaged entry must never keep the app from starting.
    pub fn load() -> Account {
        LocalStorage::get(KEY).unwrap_or_default()
    }

    pub fn save(&self) -> Result<(), String> {
        LocalStorage::set(KEY, self).map_err(|e| e.to_string())
    }

    pub fn token(&self) -> Option<String> {
        self.session.as_ref().map(|s| s.token.clone())
    }

    pub fn signed_in(&self) -> bool {
        self.session.is_some()
    }

    /// Whether this device may change the initiative catalogue: the office (coordinator, admin)
    /// does; the server refuses an interviewer's or partner's changes, so their screens show it
    /// read-only rather than letting edits pile up as set-aside. Signed out everything is local.
    pub fn edits_catalogue(&self) -> bool {
        self.session
            .as_ref()
            .is_none_or(|s| praatplaat_domain::access::may_edit_catalogue(s.user.role))
    }
}

/// The label the coordinator sees in the list of sessions when the interviewer leaves the field
/// empty: "Tablet Jan", or just "Tablet" before a name is known.
pub fn default_device_label(interviewer: &str) -> String {
    let name = interviewer.trim();
    if name.is_empty() {
        "Tablet".to_owned()
    } else {
        format!("Tablet {name}")
    }
}
