//! Users and their device sessions. Password hashing and tokens are `crate::auth`'s business;
//! this module only stores what it is given (hashes, never secrets).

use praatplaat_domain::protocol::auth::{Role, SessionInfo, UserInfo};
use sqlx::any::AnyRow;
use sqlx::Row;
use uuid::Uuid;

use super::{now_ms, parse_uuid, Store, SEED_DEVICE};
use crate::error::AppError;

/// The user behind a presented token, and the state of that session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub session_id: Uuid,
    pub device_id: Uuid,
    pub user: UserInfo,
    pub last_seen_at: i64,
    pub revoked: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the user name {0:?} is taken (names ignore case)")]
    UsernameTaken(String),
    #[error(transparent)]
    App(#[from] AppError),
}

fn user_info(row: &AnyRow, prefix: &str) -> Result<UserInfo, AppError> {
    let role: String = row.try_get(format!("{prefix}role").as_str())?;
    Ok(UserInfo {
        id: parse_uuid(row, &format!("{prefix}id"))?,
        username: row.try_get(format!("{prefix}username").as_str())?,
        display_name: row.try_get(format!("{prefix}display_name").as_str())?,
        role: Role::parse(&role).ok_or_else(|| AppError::Corrupt(format!("role {role:?}")))?,
    })
}

const SESSION_COLUMNS: &str = "s.id, s.device_id, s.device_label, s.created_at, s.last_seen_at,
    s.revoked_at, u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name,
    u.role AS u_role";

fn session_info(row: &AnyRow) -> Result<SessionInfo, AppError> {
    Ok(SessionInfo {
        id: parse_uuid(row, "id")?,
        user: user_info(row, "u_")?,
        device_id: parse_uuid(row, "device_id")?,
        device_label: row.try_get("device_label")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

impl Store {
    /// Adds a user. The name is free when no user has it in any case: the database's unique
    /// index on `lower(username)` decides (migrations sqlite/0005, postgres/0003), so of two
    /// concurrent creates of one name exactly one succeeds and the other gets `UsernameTaken`.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<UserInfo, AccountError> {
        let user = UserInfo {
            id: Uuid::new_v4(),
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            role,
        };
        let inserted = sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user.id.to_string())
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now_ms())
        .execute(&self.writer)
        .await;
        match inserted {
            Ok(_) => Ok(user),
            // The id is a fresh random UUID: a unique violation is the name.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(AccountError::UsernameTaken(username.to_owned()))
            }
            Err(e) => Err(AccountError::App(e.into())),
        }
    }

    /// The user named `username` (case does not matter) and their password hash.
    pub async fn user_for_sign_in(
        &self,
        username: &str,
    ) -> Result<Option<(UserInfo, String)>, AppError> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, password_hash FROM users
             WHERE lower(username) = lower($1)",
        )
        .bind(username)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| Ok((user_info(&row, "")?, row.try_get("password_hash")?)))
            .transpose()
    }

    /// The user named `username` (case does not matter).
    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserInfo>, AppError> {
        Ok(self.user_for_sign_in(username).await?.map(|(user, _)| user))
    }

    pub async fn user_by_id(&self, id: Uuid) -> Result<Option<UserInfo>, AppError> {
        sqlx::query("SELECT id, username, display_name, role FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?
            .map(|row| user_info(&row, ""))
            .transpose()
    }

    /// The accounts that used `device`: signed in on it, or had changes applied in their own
    /// numbering on it (an import named them).
    pub async fn device_accounts(&self, device: Uuid) -> Result<Vec<UserInfo>, AppError> {
        sqlx::query(
            "SELECT id, username, display_name, role FROM users
             WHERE id IN (SELECT user_id FROM sessions WHERE device_id = $1)
                OR id IN (SELECT user_id FROM devices WHERE device_id = $1)
             ORDER BY username",
        )
        .bind(device.to_string())
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| user_info(row, ""))
        .collect()
    }

    pub async fn users(&self) -> Result<Vec<UserInfo>, AppError> {
        sqlx::query("SELECT id, username, display_name, role FROM users ORDER BY username")
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| user_info(row, ""))
            .collect()
    }

    /// Which of `ids` are not users.
    pub async fn unknown_users(&self, ids: &[Uuid]) -> Result<Vec<Uuid>, AppError> {
        let mut unknown = Vec::new();
        for id in ids {
            let found: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.reader)
                .await?;
            if found.is_none() {
                unknown.push(*id);
            }
        }
        Ok(unknown)
    }

    pub async fn create_session(
        &self,
        user: Uuid,
        token_hash: &str,
        device_id: Uuid,
        device_label: &str,
    ) -> Result<Uuid, AppError> {
        // A session on the seed device could push in its numbering.
        if device_id == SEED_DEVICE {
            return Err(AppError::DeviceReserved);
        }
        let id = Uuid::new_v4();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions
                (id, token_hash, user_id, device_id, device_label, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(id.to_string())
        .bind(token_hash)
        .bind(user.to_string())
        .bind(device_id.to_string())
        .bind(device_label)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(id)
    }

    pub async fn session_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionUser>, AppError> {
        let row = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| {
            let info = session_info(&row)?;
            Ok(SessionUser {
                session_id: info.id,
                device_id: info.device_id,
                user: info.user,
                last_seen_at: info.last_seen_at,
                revoked: info.revoked_at.is_some(),
            })
        })
        .transpose()
    }

    pub async fn mark_seen(&self, session: Uuid) -> Result<(), AppError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(session.to_string())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Every session, newest first; only those of `user` when given.
    pub async fn sessions(&self, user: Option<Uuid>) -> Result<Vec<SessionInfo>, AppError> {
        let rows = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE $1 = '' OR s.user_id = $1 ORDER BY s.created_at DESC"
        ))
        .bind(user.map(|u| u.to_string()).unwrap_or_default())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(session_info).collect()
    }

    /// Revokes a session; false when there is no such session. Revoking twice keeps the first time.
    pub async fn revoke_session(&self, session: Uuid) -> Result<bool, AppError> {
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM sessions WHERE id = $1")
            .bind(session.to_string())
            .fetch_optional(&self.writer)
            .await?;
        if exists.is_none() {
            return Ok(false);
        }
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(session.to_string())
            .execute(&self.writer)
            .await?;
        Ok(true)
    }

    pub async fn session_owner(&self, session: Uuid) -> Result<Option<Uuid>, AppError> {
        let row = sqlx::query("SELECT user_id FROM sessions WHERE id = $1")
            .bind(session.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.map(|row| parse_uuid(&row, "user_id")).transpose()
    }
}
