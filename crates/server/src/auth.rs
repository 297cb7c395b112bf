//! Who is asking: password hashes (Argon2id), device session tokens, the sign-in rate limit, and
//! the [`Auth`] extractor every protected route takes.
//!
//! A token is 32 random bytes (hex); the server stores only its SHA-256, so a copy of the database
//! does not sign anybody in. A session lives until it is revoked: an interviewer who signed in at
//! the office keeps syncing after weeks offline, and the coordinator revokes a lost tablet.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use praatplaat_domain::photo::content_hash;
use praatplaat_domain::protocol::auth::{Role, UserInfo};
use uuid::Uuid;

use crate::error::AppError;
use crate::store::{now_ms, Actor};
use crate::AppState;

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Corrupt(format!("cannot hash a password: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A verification against this hash costs what a real one does, so a sign-in with an unknown
/// user name takes as long as one with a wrong password (no user-name probing by timing).
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a password of anybody").unwrap_or_default())
}

/// A new session token: 32 random bytes as lower-case hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn token_hash(token: &str) -> String {
    content_hash(token.as_bytes())
}

/// Failed sign-ins allowed per user name within [`WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// Failed sign-ins allowed per client address: higher, because behind a reverse proxy every
/// client has the proxy's address and one guesser must not lock the whole office out.
pub const MAX_FAILURES_PER_ADDRESS: usize = 30;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed sign-ins in memory (a restart forgets them; an attacker gains 5 guesses per
/// restart, which is acceptable for an office server).
#[derive(Clone, Default)]
pub struct SignInLimiter {
    failures: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

impl SignInLimiter {
    fn keys(username: &str, ip: Option<IpAddr>) -> Vec<String> {
        let mut keys = vec![format!("user:{}", username.to_lowercase())];
        if let Some(ip) = ip {
            keys.push(format!("ip:{ip}"));
        }
        keys
    }

    /// How long to wait before another attempt is allowed, if it is not allowed now.
    pub fn wait(&self, username: &str, ip: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        Self::keys(username, ip)
            .iter()
            .filter_map(|key| {
                let times = failures.get_mut(key)?;
                times.retain(|t| now.duration_since(*t) < WINDOW);
                let max = if key.starts_with("ip:") {
                    MAX_FAILURES_PER_ADDRESS
                } else {
                    MAX_FAILURES
                };
                (times.len() >= max).then(|| WINDOW - now.duration_since(times[0]))
            })
            .max()
    }

    pub fn failed(&self, username: &str, ip: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in Self::keys(username, ip) {
            failures.entry(key).or_default().push(Instant::now());
        }
    }

    pub fn succeeded(&self, username: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("user:{}", username.to_lowercase()));
    }
}

/// A signed-in request. Taking it as an argument makes a route refuse requests without a valid,
/// unrevoked session; [`Auth::require`] then checks the role.
#[derive(Debug, Clone)]
pub struct Auth {
    pub session_id: Uuid,
    pub device_id: Uuid,
    pub user: UserInfo,
}

/// A session's `last_seen_at` is written at most this often (not on every request).
const SEEN_EVERY_MS: i64 = 60_000;

impl Auth {
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user: Some(self.user.id),
            role: self.user.role,
        }
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let session = state
            .store
            .session_by_token(&token_hash(token))
            .await?
            .ok_or(AppError::Unauthorized)?;
        if session.revoked {
            return Err(AppError::SessionRevoked);
        }
        if now_ms() - session.last_seen_at > SEEN_EVERY_MS {
            state.store.mark_seen(session.session_id).await?;
        }
        Ok(Auth {
            session_id: session.session_id,
            device_id: session.device_id,
            user: session.user,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn limiter_blocks_a_name_after_five_failures_and_an_address_after_thirty() {
        let limiter = SignInLimiter::default();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert!(limiter.wait("Jan", Some(ip)).is_none());
            limiter.failed("Jan", Some(ip));
        }
        assert!(limiter.wait("jan", None).is_some(), "names ignore case");
        assert!(limiter.wait("piet", Some(ip)).is_none());
        for n in 0..MAX_FAILURES_PER_ADDRESS - MAX_FAILURES {
            limiter.failed(&format!("user{n}"), Some(ip));
        }
        assert!(limiter.wait("piet", Some(ip)).is_some(), "same address");
        assert!(limiter.wait("piet", None).is_none());
    }
}
