//! Who is asking: password hashes (Argon2id), device session tokens, the sign-in limit's rules and
//! the bound on password checks at once, and the [`Auth`] extractor every protected route takes.
//!
//! A token is 32 random bytes (hex); the server stores only its SHA-256, so a copy of the database
//! does not sign anybody in. A session lives until it is revoked: an interviewer who signed in at
//! the office keeps syncing after weeks offline, and the coordinator revokes a lost tablet.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use praatplaat_domain::photo::content_hash;
use praatplaat_domain::protocol::auth::{Role, UserInfo};
use tokio::sync::Semaphore;
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

/// The sign-in limit, as pure rules over one key's counts; the counts live in the database
/// (`sign_in_limits`, [`crate::store::Store::reserve_sign_in`]), so every server process over one
/// PostgreSQL shares them, and an attempt is counted (reserved) *before* its password is checked:
/// concurrent attempts cannot all pass a check that sees none of the others.
///
/// Two keys per attempt:
/// - the pair of user name and client address: [`PAIR_FREE`] failures free, then growing delays
///   (30 s, 1 min, 2 min, ... up to 15 min), forgotten an hour after its last failure and on a
///   successful sign-in. A guesser from one address is slowed to a crawl, while the colleagues
///   behind the same office proxy (other names) and the person themself from another address
///   (the same name) are not locked out.
/// - the user name alone, over every address: at most [`NAME_MAX`] failures per
///   [`NAME_WINDOW`], so a guesser with many addresses still gets few guesses per account. Looser
///   than the pair's, so it takes a deliberate attack to lock a name.
pub mod limit {
    use std::time::Duration;

    /// Failures of one name from one address before the delays start.
    pub const PAIR_FREE: i64 = 5;
    /// The first delay, doubled with each further failure, up to [`PAIR_MAX_DELAY_MS`].
    pub const PAIR_FIRST_DELAY_MS: i64 = 30_000;
    pub const PAIR_MAX_DELAY_MS: i64 = 15 * 60 * 1000;
    /// A pair without a failure for this long starts again from zero.
    pub const PAIR_MEMORY_MS: i64 = 60 * 60 * 1000;
    /// Failures of one name (from any address) per [`NAME_WINDOW`].
    pub const NAME_MAX: i64 = 30;
    pub const NAME_WINDOW: i64 = 15 * 60 * 1000;
    /// Rows older than this (and no longer blocking) are swept.
    pub const FORGET_AFTER_MS: i64 = PAIR_MEMORY_MS;
    /// Most keys kept; beyond, the ones whose last failure is oldest go (a flood of made-up
    /// names must not grow the table without bound).
    pub const MAX_KEYS: i64 = 100_000;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Kind {
        Pair,
        Name,
    }

    /// One key's counts (Unix ms).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct Count {
        pub failures: i64,
        /// Start of the name's window.
        pub since: i64,
        pub blocked_until: i64,
        pub last_at: i64,
    }

    fn pair_delay(failures: i64) -> i64 {
        if failures < PAIR_FREE {
            return 0;
        }
        let doublings = u32::try_from(failures - PAIR_FREE)
            .unwrap_or(u32::MAX)
            .min(20);
        PAIR_FIRST_DELAY_MS
            .saturating_mul(1 << doublings)
            .min(PAIR_MAX_DELAY_MS)
    }

    impl Count {
        /// The counts as they stand at `now`: an expired pair or name window starts over.
        pub fn at(self, kind: Kind, now: i64) -> Count {
            let expired = match kind {
                Kind::Pair => now.saturating_sub(self.last_at) >= PAIR_MEMORY_MS,
                Kind::Name => now.saturating_sub(self.since) >= NAME_WINDOW,
            };
            if expired {
                Count {
                    failures: 0,
                    since: now,
                    blocked_until: 0,
                    last_at: self.last_at,
                }
            } else {
                self
            }
        }

        /// How long an attempt at `now` must wait, if it must.
        pub fn wait(self, now: i64) -> Option<Duration> {
            (self.blocked_until > now).then(|| {
                Duration::from_millis(u64::try_from(self.blocked_until - now).unwrap_or(0))
            })
        }

        fn blocked_after(self, kind: Kind, failures: i64, at: i64) -> i64 {
            match kind {
                Kind::Pair if failures >= PAIR_FREE => at.saturating_add(pair_delay(failures)),
                Kind::Name if failures >= NAME_MAX => self.since.saturating_add(NAME_WINDOW),
                _ => 0,
            }
        }

        /// One more failure at `now` (the attempt's reservation).
        pub fn failed(self, kind: Kind, now: i64) -> Count {
            let failures = self.failures.saturating_add(1);
            Count {
                failures,
                blocked_until: self.blocked_after(kind, failures, now),
                last_at: now,
                ..self
            }
        }

        /// A reservation taken back: the attempt turned out right, or was never checked.
        pub fn refunded(self, kind: Kind) -> Count {
            let failures = (self.failures - 1).max(0);
            Count {
                failures,
                blocked_until: self.blocked_after(kind, failures, self.last_at),
                ..self
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_pair_gets_free_attempts_then_growing_delays() {
            let mut count = Count::default().at(Kind::Pair, 1_000_000);
            let mut now = 1_000_000;
            for _ in 1..PAIR_FREE {
                count = count.at(Kind::Pair, now).failed(Kind::Pair, now);
                assert_eq!(count.wait(now), None);
            }
            let mut delays = Vec::new();
            for _ in 0..8 {
                count = count.at(Kind::Pair, now).failed(Kind::Pair, now);
                let wait = count.wait(now).unwrap();
                delays.push(wait.as_secs());
                now += i64::try_from(wait.as_millis()).unwrap();
                assert_eq!(count.at(Kind::Pair, now).wait(now), None);
            }
            assert_eq!(delays, [30, 60, 120, 240, 480, 900, 900, 900]);
            // An hour without failures: forgotten.
            let later = now + PAIR_MEMORY_MS;
            assert_eq!(count.at(Kind::Pair, later).failures, 0);
        }

        #[test]
        fn a_name_allows_a_number_of_failures_per_window() {
            let start = 5_000_000;
            let mut count = Count::default().at(Kind::Name, start);
            for n in 0..NAME_MAX {
                let now = start + n * 1000;
                assert_eq!(count.at(Kind::Name, now).wait(now), None);
                count = count.at(Kind::Name, now).failed(Kind::Name, now);
            }
            let now = start + NAME_MAX * 1000;
            let wait = count.at(Kind::Name, now).wait(now).unwrap();
            assert_eq!(
                i64::try_from(wait.as_millis()).unwrap(),
                start + NAME_WINDOW - now
            );
            // A refund (the last attempt was right) lifts the block again.
            assert_eq!(count.refunded(Kind::Name).wait(now), None);
            // A new window starts over.
            let next = start + NAME_WINDOW;
            assert_eq!(count.at(Kind::Name, next).wait(next), None);
        }
    }
}

/// What a sign-in attempt is counted under: its pair key and its name key (hashed, so a
/// password typed into the name field is not kept readable).
pub fn limit_keys(username: &str, address: &str) -> [(String, limit::Kind); 2] {
    let name = username.trim().to_lowercase();
    [
        (
            format!(
                "pair:{}",
                content_hash(format!("{name}\n{address}").as_bytes())
            ),
            limit::Kind::Pair,
        ),
        (
            format!("name:{}", content_hash(name.as_bytes())),
            limit::Kind::Name,
        ),
    ]
}

/// Password checks running at once and how long an attempt waits for one: Argon2 takes about
/// 19 MiB and tens of milliseconds of a core per check (120 at once took 1.55 GB).
#[derive(Clone)]
pub struct Verifications {
    permits: Arc<Semaphore>,
    wait: Duration,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

/// Checks at once by default: the server runs on a couple of cores.
pub const VERIFY_PERMITS: usize = 3;
/// How long an attempt waits for a check before it is answered 429 `busy`.
pub const VERIFY_WAIT: Duration = Duration::from_secs(2);

impl Default for Verifications {
    fn default() -> Self {
        Verifications::new(VERIFY_PERMITS, VERIFY_WAIT)
    }
}

impl Verifications {
    pub fn new(permits: usize, wait: Duration) -> Verifications {
        Verifications {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            wait,
            running: Arc::default(),
            peak: Arc::default(),
        }
    }

    /// Checks `password` against `hash` on the blocking pool once a permit is free within the
    /// wait; `None` when none was. The permit goes with the check, so a client that hangs up
    /// mid-check does not free its permit before the check ends.
    pub async fn verify(&self, password: String, hash: String) -> Option<bool> {
        let permit =
            match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                _ => return None,
            };
        let (running, peak) = (Arc::clone(&self.running), Arc::clone(&self.peak));
        let valid = tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let valid = verify_password(&password, &hash);
            running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            valid
        })
        .await
        .unwrap_or(false);
        Some(valid)
    }

    /// The most checks that ran at once so far.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
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
}
