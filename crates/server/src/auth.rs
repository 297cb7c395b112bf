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

/// Most keys (user names and addresses) the limiter tracks. Each holds at most
/// [`MAX_FAILURES_PER_ADDRESS`] instants, so the map stays under a few MiB even when many
/// addresses try many names.
pub const MAX_KEYS: usize = 10_000;

/// Counts failed sign-ins in memory (a restart forgets them; an attacker gains 5 guesses per
/// restart, which is acceptable for an office server). Keys whose failures are all older than
/// [`WINDOW`] are dropped (swept at most once a window, and whenever the map is full); when the
/// map is full of recent keys, the keys whose last failure is oldest make room.
#[derive(Clone, Default)]
pub struct SignInLimiter {
    inner: Arc<Mutex<Failures>>,
}

#[derive(Default)]
struct Failures {
    /// Per key the instants of its last failures within the window, oldest first.
    by_key: HashMap<String, Vec<Instant>>,
    last_sweep: Option<Instant>,
}

impl Failures {
    fn max_for(key: &str) -> usize {
        if key.starts_with("ip:") {
            MAX_FAILURES_PER_ADDRESS
        } else {
            MAX_FAILURES
        }
    }

    /// Drops every key without a failure in the window that ends at `now`.
    fn sweep(&mut self, now: Instant) {
        self.by_key.retain(|_, times| {
            times.retain(|t| now.saturating_duration_since(*t) < WINDOW);
            !times.is_empty()
        });
        self.last_sweep = Some(now);
    }

    /// Makes room for a new key: sweeps, then drops the tenth of the keys whose last failure is
    /// oldest if the map is still full.
    fn make_room(&mut self, now: Instant) {
        self.sweep(now);
        if self.by_key.len() < MAX_KEYS {
            return;
        }
        let mut last: Vec<(Instant, String)> = self
            .by_key
            .iter()
            .map(|(key, times)| (times.last().copied().unwrap_or(now), key.clone()))
            .collect();
        let drop = (MAX_KEYS / 10).max(1).min(last.len());
        last.select_nth_unstable(drop - 1);
        for (_, key) in &last[..drop] {
            self.by_key.remove(key);
        }
    }

    fn wait(&mut self, keys: &[String], now: Instant) -> Option<Duration> {
        keys.iter()
            .filter_map(|key| {
                let times = self.by_key.get_mut(key)?;
                times.retain(|t| now.saturating_duration_since(*t) < WINDOW);
                if times.is_empty() {
                    self.by_key.remove(key);
                    return None;
                }
                // `times` holds at most the last `max` failures, so the oldest one kept is the
                // one whose expiry lets the next attempt in.
                (times.len() >= Self::max_for(key))
                    .then(|| WINDOW.saturating_sub(now.saturating_duration_since(times[0])))
            })
            .max()
    }

    fn failed(&mut self, keys: Vec<String>, now: Instant) {
        if self
            .last_sweep
            .is_none_or(|at| now.saturating_duration_since(at) >= WINDOW)
        {
            self.sweep(now);
        }
        for key in keys {
            if !self.by_key.contains_key(&key) && self.by_key.len() >= MAX_KEYS {
                self.make_room(now);
            }
            let max = Self::max_for(&key);
            let times = self.by_key.entry(key).or_default();
            times.retain(|t| now.saturating_duration_since(*t) < WINDOW);
            times.push(now);
            // Concurrent attempts may all pass `wait` before any failure is counted.
            if times.len() > max {
                let excess = times.len() - max;
                times.drain(..excess);
            }
        }
    }
}

impl SignInLimiter {
    fn keys(username: &str, ip: Option<IpAddr>) -> Vec<String> {
        let mut keys = vec![format!("user:{}", username.to_lowercase())];
        if let Some(ip) = ip {
            keys.push(format!("ip:{ip}"));
        }
        keys
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long to wait before another attempt is allowed, if it is not allowed now.
    pub fn wait(&self, username: &str, ip: Option<IpAddr>) -> Option<Duration> {
        self.wait_at(username, ip, Instant::now())
    }

    fn wait_at(&self, username: &str, ip: Option<IpAddr>, now: Instant) -> Option<Duration> {
        self.lock().wait(&Self::keys(username, ip), now)
    }

    pub fn failed(&self, username: &str, ip: Option<IpAddr>) {
        self.failed_at(username, ip, Instant::now());
    }

    fn failed_at(&self, username: &str, ip: Option<IpAddr>, now: Instant) {
        self.lock().failed(Self::keys(username, ip), now);
    }

    pub fn succeeded(&self, username: &str) {
        self.lock()
            .by_key
            .remove(&format!("user:{}", username.to_lowercase()));
    }

    /// How many user names and addresses are tracked.
    pub fn tracked_keys(&self) -> usize {
        self.lock().by_key.len()
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

    fn tracks(limiter: &SignInLimiter, key: &str) -> bool {
        limiter.lock().by_key.contains_key(key)
    }

    #[test]
    fn limiter_drops_keys_whose_window_has_passed() {
        let limiter = SignInLimiter::default();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let t0 = Instant::now();
        limiter.failed_at("Jan", Some(ip), t0);
        limiter.failed_at("piet", None, t0 + Duration::from_secs(60));
        for n in 0..MAX_FAILURES {
            limiter.failed_at("kees", None, t0 + Duration::from_secs(120 + n as u64));
        }
        assert_eq!(limiter.tracked_keys(), 4);
        // Past Jan's window, inside piet's and kees's: a failure elsewhere sweeps Jan and the
        // address out, and keeps the others (kees stays blocked).
        let later = t0 + WINDOW + Duration::from_secs(1);
        limiter.failed_at("anna", None, later);
        assert!(!tracks(&limiter, "user:jan"));
        assert!(!tracks(&limiter, "ip:192.0.2.7"));
        assert!(tracks(&limiter, "user:piet"));
        assert!(limiter.wait_at("kees", None, later).is_some());
        assert_eq!(limiter.tracked_keys(), 3);
        // Asking about a key whose failures all passed drops it too.
        let much_later = later + WINDOW;
        assert!(limiter.wait_at("kees", None, much_later).is_none());
        assert!(!tracks(&limiter, "user:kees"));
        // A window after the last sweep, the next failure sweeps everything old.
        limiter.failed_at("bob", None, much_later);
        assert_eq!(limiter.tracked_keys(), 1);
        assert!(tracks(&limiter, "user:bob"));
    }

    #[test]
    fn limiter_stays_bounded_when_many_names_fail() {
        let limiter = SignInLimiter::default();
        let t0 = Instant::now();
        let at = |n: usize| t0 + Duration::from_millis(n as u64);
        for n in 0..MAX_KEYS + 2_500 {
            limiter.failed_at(&format!("naam{n}"), None, at(n));
        }
        assert!(
            limiter.tracked_keys() <= MAX_KEYS,
            "{}",
            limiter.tracked_keys()
        );
        // The keys that failed longest ago made room; the latest are kept.
        assert!(!tracks(&limiter, "user:naam0"));
        assert!(tracks(&limiter, &format!("user:naam{}", MAX_KEYS + 2_499)));
        // A name being guessed right now is still blocked after the flood.
        let now = at(MAX_KEYS + 2_500);
        for _ in 0..MAX_FAILURES {
            limiter.failed_at("jan", None, now);
        }
        for n in 0..MAX_KEYS {
            limiter.failed_at(&format!("ander{n}"), None, now);
        }
        assert!(limiter.tracked_keys() <= MAX_KEYS);
        assert!(limiter.wait_at("jan", None, now).is_some());
    }

    #[test]
    fn limiter_keeps_the_wait_right_after_concurrent_failures() {
        // Forty attempts passed `wait` before any failure was counted: the address stays blocked
        // until the 30th-last failure is a window old.
        let limiter = SignInLimiter::default();
        let ip: IpAddr = "192.0.2.8".parse().unwrap();
        let t0 = Instant::now();
        for n in 0..40 {
            limiter.failed_at(&format!("user{n}"), Some(ip), t0 + Duration::from_secs(n));
        }
        let key = format!("ip:{ip}");
        assert_eq!(limiter.lock().by_key[&key].len(), MAX_FAILURES_PER_ADDRESS);
        let now = t0 + Duration::from_secs(40);
        assert_eq!(
            limiter.wait_at("someone", Some(ip), now),
            Some(WINDOW - Duration::from_secs(30))
        );
    }
}
