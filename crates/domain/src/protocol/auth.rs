//! Accounts on the wire: sign-in gives a device session, a bearer token the device keeps so an
//! interviewer who signed in once at the office can sync after weeks offline. The coordinator can
//! revoke a session (a lost tablet); the token is then refused with `session_revoked`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a signed-in person may do. Checked by the server on every route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Holds interviews: pushes and pulls the companies and interviews they created or are
    /// assigned to, and reads the initiative catalogue.
    Interviewer,
    /// Runs the programme at the office: every record, links, assignments, sessions.
    Coordinator,
    /// A municipality or partner organisation: anonymised figures only, never a record.
    Partner,
    /// Manages accounts; everything a coordinator may do.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Interviewer,
        Role::Coordinator,
        Role::Partner,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Interviewer => "interviewer",
            Role::Coordinator => "coordinator",
            Role::Partner => "partner",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Sees and changes every record of the programme.
    pub fn sees_all_records(self) -> bool {
        matches!(self, Role::Coordinator | Role::Admin)
    }

    /// Syncs records at all (partners see figures only).
    pub fn syncs_records(self) -> bool {
        !matches!(self, Role::Partner)
    }
}

/// `POST /api/v1/auth/sign-in`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    /// At most 200 characters, not only blanks (those around it are dropped), no control
    /// characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\u0000-\\u001F\\u007F-\\u009F \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub password: String,
    /// The device's id (the same one its pushes carry); not the nil UUID.
    pub device_id: Uuid,
    /// Shown to the coordinator in the list of sessions ("tablet Jan").
    /// At most 200 characters, no control characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")
    )]
    pub device_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInResponse {
    /// Sent as `Authorization: Bearer <token>`; the server keeps only its hash.
    pub token: String,
    pub session_id: Uuid,
    pub user: UserInfo,
}

/// `GET /api/v1/auth/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub session_id: Uuid,
    pub user: UserInfo,
}

/// `POST /api/v1/users` (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    /// At most 100 characters, not only blanks (those around it are dropped), no control
    /// characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\u0000-\\u001F\\u007F-\\u009F \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub username: String,
    /// The name shown (blank: the user name); no control characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")
    )]
    pub display_name: String,
    pub role: Role,
    /// At least [`MIN_PASSWORD_CHARS`] characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 10))]
    pub password: String,
}

/// One device session, as the coordinator sees it (`GET /api/v1/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: Uuid,
    pub user: UserInfo,
    pub device_id: Uuid,
    pub device_label: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub last_seen_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

/// `PUT /api/v1/companies/{id}/assignees` (coordinator): who holds the interviews of a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignees {
    pub user_ids: Vec<Uuid>,
}

/// Shortest password accepted for a new account.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a new password; the message is shown to the person choosing it.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_by_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(!Role::Partner.syncs_records());
        assert!(Role::Admin.sees_all_records() && !Role::Interviewer.sees_all_records());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password("kort").unwrap_err().contains("10"));
        assert!(check_password("lang genoeg wachtwoord").is_ok());
    }
}
