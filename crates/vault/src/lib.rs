//! Passphrase-sealed files: the way out when a device cannot sync. The app seals its export
//! bundle (see `praatplaat_domain::export`) with a passphrase the interviewer chooses; another
//! device or the server opens it with the same passphrase.
//!
//! Like the domain crate this crate does no I/O and draws no randomness: salt and nonce come in as
//! arguments (the app takes them from `crypto.getRandomValues`), so it compiles for wasm32 and is
//! tested natively.
//!
//! # File layout (version 1)
//!
//! ```text
//! offset  size  field
//!      0    18  magic "PRAATPLAAT-EXPORT\n" (a person opening the file in an editor sees what it is)
//!     18     1  format version (1)
//!     19     4  PBKDF2 iterations, big-endian u32
//!     23    16  salt
//!     39    12  nonce
//!     51     n  AES-256-GCM ciphertext followed by its 16-byte tag
//! ```
//!
//! Key = PBKDF2-HMAC-SHA256(passphrase, salt, iterations), 32 bytes. The whole header is the
//! cipher's associated data, so a header changed after sealing fails like a wrong passphrase
//! instead of being believed.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use thiserror::Error;

/// The first bytes of every sealed file.
pub const MAGIC: &[u8; 18] = b"PRAATPLAAT-EXPORT\n";
/// The layout [`seal`] writes.
pub const VERSION: u8 = 1;
/// PBKDF2-HMAC-SHA256 iterations for new files: OWASP's figure for this hash (Password Storage
/// Cheat Sheet, 2023: 600,000; its 210,000 is for HMAC-SHA512). Sealing and opening each cost one
/// derivation: measured 0.5 s natively (release, a shared build server core); expect a few
/// seconds in a tablet's wasm, so the app shows progress. An export is rare and the file may sit
/// on a lost USB stick, so the slow side is the right one.
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// Most iterations [`seal`] writes and [`open`] accepts: a crafted header must not make a tablet
/// (or the server, which opens imports) spin. Over three times [`DEFAULT_ITERATIONS`]; 10,000,000
/// took 2.3 s of a server core per opening, and four imports at once stalled it.
pub const MAX_ITERATIONS: u32 = 2_000_000;

const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = MAGIC.len() + 1 + 4 + SALT_LEN + NONCE_LEN;

/// Why a file could not be sealed or opened. The messages are shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VaultError {
    #[error("this is not a Praatplaat export file")]
    NotAnExport,
    #[error("this export file has format version {0}, which this app version cannot read")]
    UnsupportedVersion(u8),
    /// Authenticated decryption cannot tell these apart, so neither can we.
    #[error("wrong passphrase, or the file is damaged")]
    WrongPassphraseOrDamaged,
    #[error("iterations must be between 1 and {MAX_ITERATIONS}, got {0}")]
    BadIterations(u32),
    /// The header asks for more key-derivation work than [`open`] does (checked before any).
    #[error(
        "this export file asks for {0} key-derivation iterations; at most {MAX_ITERATIONS} are \
         accepted (the app writes {DEFAULT_ITERATIONS})"
    )]
    TooManyIterations(u32),
    #[error("the data is too large to seal")]
    TooLarge,
}

fn derive_key(passphrase: &str, salt: &[u8; SALT_LEN], iterations: u32) -> [u8; 32] {
    pbkdf2::pbkdf2_hmac_array::<sha2::Sha256, 32>(passphrase.as_bytes(), salt, iterations)
}

fn cipher(key: &[u8; 32]) -> Aes256Gcm {
    Aes256Gcm::new(key.into())
}

/// Seals `plaintext` with `passphrase` into a self-describing file (layout in the crate docs).
///
/// `salt` and `nonce` must be fresh random bytes for every file: a nonce repeated under the same
/// key and salt would expose both plaintexts.
pub fn seal(
    plaintext: &[u8],
    passphrase: &str,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    iterations: u32,
) -> Result<Vec<u8>, VaultError> {
    if !(1..=MAX_ITERATIONS).contains(&iterations) {
        return Err(VaultError::BadIterations(iterations));
    }
    let mut file = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    file.extend_from_slice(MAGIC);
    file.push(VERSION);
    file.extend_from_slice(&iterations.to_be_bytes());
    file.extend_from_slice(&salt);
    file.extend_from_slice(&nonce);
    let key = derive_key(passphrase, &salt, iterations);
    let sealed = cipher(&key)
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &file,
            },
        )
        // GCM refuses only messages beyond 64 GiB.
        .map_err(|_| VaultError::TooLarge)?;
    file.extend_from_slice(&sealed);
    Ok(file)
}

/// Opens a file made by [`seal`].
pub fn open(file: &[u8], passphrase: &str) -> Result<Vec<u8>, VaultError> {
    let Some(rest) = file.strip_prefix(MAGIC.as_slice()) else {
        return Err(VaultError::NotAnExport);
    };
    let Some((&version, rest)) = rest.split_first() else {
        return Err(VaultError::WrongPassphraseOrDamaged);
    };
    if version != VERSION {
        return Err(VaultError::UnsupportedVersion(version));
    }
    if file.len() < HEADER_LEN + TAG_LEN {
        return Err(VaultError::WrongPassphraseOrDamaged);
    }
    let (iterations, rest) = rest.split_at(4);
    let (salt, rest) = rest.split_at(SALT_LEN);
    let (nonce, _) = rest.split_at(NONCE_LEN);
    let damaged = |_| VaultError::WrongPassphraseOrDamaged;
    let iterations = u32::from_be_bytes(iterations.try_into().map_err(damaged)?);
    let salt: [u8; SALT_LEN] = salt.try_into().map_err(damaged)?;
    if iterations == 0 {
        return Err(VaultError::WrongPassphraseOrDamaged);
    }
    if iterations > MAX_ITERATIONS {
        return Err(VaultError::TooManyIterations(iterations));
    }
    let (header, sealed) = file.split_at(HEADER_LEN);
    let key = derive_key(passphrase, &salt, iterations);
    cipher(&key)
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: header,
            },
        )
        .map_err(|_| VaultError::WrongPassphraseOrDamaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Few iterations keep the tests fast; the format does not depend on the count.
    const ITER: u32 = 1_000;
    const SALT: [u8; 16] = [7; 16];
    const NONCE: [u8; 12] = [9; 12];

    fn sealed(text: &[u8]) -> Vec<u8> {
        seal(text, "correct horse battery", SALT, NONCE, ITER).unwrap()
    }

    #[test]
    fn round_trip() {
        let text = br#"{"format":1,"changes":[]}"#;
        let file = sealed(text);
        assert!(file.starts_with(MAGIC));
        assert_eq!(file.len(), HEADER_LEN + text.len() + TAG_LEN);
        assert_eq!(open(&file, "correct horse battery").unwrap(), text);
        // Empty plaintext is a valid file too.
        assert_eq!(open(&sealed(b""), "correct horse battery").unwrap(), b"");
    }

    #[test]
    fn the_header_says_how_to_derive_the_key() {
        let file = seal(b"x", "pw", SALT, NONCE, 3).unwrap();
        assert_eq!(file[18], VERSION);
        assert_eq!(&file[19..23], &3u32.to_be_bytes());
        assert_eq!(&file[23..39], &SALT);
        assert_eq!(&file[39..51], &NONCE);
        assert_eq!(open(&file, "pw").unwrap(), b"x");
    }

    #[test]
    fn known_answer() {
        // Pins the format: a change in derivation or layout breaks files already on USB sticks.
        let file = seal(b"praatplaat", "wachtwoord", [1; 16], [2; 12], 1).unwrap();
        let hex: String = file[HEADER_LEN..]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        // Computed independently with Python's hashlib.pbkdf2_hmac and cryptography's AESGCM.
        assert_eq!(hex, "a72f2a6ce23235c6871ca16e8685ce3e3d824f7549629b265b06");
        assert_eq!(open(&file, "wachtwoord").unwrap(), b"praatplaat");
        let again = seal(b"praatplaat", "wachtwoord", [1; 16], [2; 12], 1).unwrap();
        assert_eq!(file, again, "sealing is deterministic given salt and nonce");
    }

    #[test]
    fn wrong_passphrase() {
        let file = sealed(b"geheim");
        assert_eq!(
            open(&file, "Correct horse battery"),
            Err(VaultError::WrongPassphraseOrDamaged)
        );
        assert_eq!(open(&file, ""), Err(VaultError::WrongPassphraseOrDamaged));
    }

    #[test]
    fn truncated_file() {
        let file = sealed(b"een lange tekst die wordt afgekapt");
        for len in [
            MAGIC.len(),
            MAGIC.len() + 1,
            HEADER_LEN,
            HEADER_LEN + 5,
            file.len() - 1,
        ] {
            assert_eq!(
                open(&file[..len], "correct horse battery"),
                Err(VaultError::WrongPassphraseOrDamaged),
                "cut at {len}"
            );
        }
    }

    #[test]
    fn flipped_byte_anywhere_after_the_version_is_caught() {
        let file = sealed(b"tekst");
        for i in MAGIC.len() + 1..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x01;
            let opened = open(&bad, "correct horse battery");
            // A flip in the iteration count's high byte asks for more than is accepted: refused
            // before the derivation, as such.
            let too_many = matches!(opened, Err(VaultError::TooManyIterations(_))) && i == 19;
            assert!(
                opened == Err(VaultError::WrongPassphraseOrDamaged) || too_many,
                "byte {i}: {opened:?}"
            );
        }
    }

    #[test]
    fn bad_magic_and_version() {
        assert_eq!(open(b"", "x"), Err(VaultError::NotAnExport));
        assert_eq!(
            open(b"PK\x03\x04zipfile", "x"),
            Err(VaultError::NotAnExport)
        );
        let mut file = sealed(b"tekst");
        file[0] = b'p';
        assert_eq!(open(&file, "x"), Err(VaultError::NotAnExport));
        let mut file = sealed(b"tekst");
        file[MAGIC.len()] = 2;
        assert_eq!(
            open(&file, "correct horse battery"),
            Err(VaultError::UnsupportedVersion(2))
        );
    }

    #[test]
    fn iterations_are_bounded() {
        assert_eq!(
            seal(b"x", "pw", SALT, NONCE, 0),
            Err(VaultError::BadIterations(0))
        );
        assert_eq!(
            seal(b"x", "pw", SALT, NONCE, MAX_ITERATIONS + 1),
            Err(VaultError::BadIterations(MAX_ITERATIONS + 1))
        );
        // A header claiming billions of iterations is refused before any work, saying so.
        let mut file = sealed(b"x");
        file[19..23].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            open(&file, "x"),
            Err(VaultError::TooManyIterations(u32::MAX))
        );
        file[19..23].copy_from_slice(&(MAX_ITERATIONS + 1).to_be_bytes());
        assert_eq!(
            open(&file, "x"),
            Err(VaultError::TooManyIterations(MAX_ITERATIONS + 1))
        );
        file[19..23].copy_from_slice(&0u32.to_be_bytes());
        assert_eq!(open(&file, "x"), Err(VaultError::WrongPassphraseOrDamaged));
    }
}
