//! The way out when sync is impossible: everything a device has not synced, in one file.
//!
//! An [`ExportBundle`] holds the device's waiting changes with their ORIGINAL `device_id` and
//! `seq` numbers, and the photos still to upload. It is imported on another device or at the
//! server through the ordinary push path ([`ExportBundle::push_requests`]), which applies each
//! `seq` of a device at most once: importing twice, or after the device synced part of it
//! after all, applies nothing twice. The app seals the bundle's JSON with a passphrase
//! (`praatplaat-vault`); this module knows nothing of encryption.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::photo;
use crate::protocol::{Change, PushRequest, MAX_PUSH_CHANGES};

/// The bundle layout this version writes and reads.
pub const EXPORT_FORMAT: u32 = 1;

/// A device's unsynced data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportBundle {
    pub format: u32,
    /// The device whose outbox this is; imports push under this id so its `seq`s keep meaning.
    pub device_id: Uuid,
    /// Unix milliseconds, for people ("export of 12 March").
    pub exported_at: i64,
    /// In increasing `seq` order.
    pub changes: Vec<Change>,
    pub photos: Vec<ExportPhoto>,
}

/// A photo by content hash, its JPEG bytes in base64 (a third larger than the bytes; a JSON array
/// of numbers would be three to four times larger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportPhoto {
    pub hash: String,
    pub bytes_base64: String,
}

/// Why an export cannot be read. The messages are shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExportError {
    #[error("this export has format {0}; this app version reads format {EXPORT_FORMAT}")]
    UnsupportedFormat(u32),
    #[error("the export is not readable: {0}")]
    Json(String),
    #[error("the export has no device id")]
    NilDevice,
    #[error("the changes are out of order: {seq} follows {previous}")]
    SeqOrder { previous: u64, seq: u64 },
    #[error("photo {0} is not valid base64")]
    BadBase64(String),
    #[error("photo {0} does not match its bytes")]
    PhotoHash(String),
    #[error("photo {0} is larger than {max} bytes", max = photo::MAX_BYTES)]
    PhotoTooLarge(String),
}

impl ExportPhoto {
    pub fn new(bytes: &[u8]) -> ExportPhoto {
        ExportPhoto {
            hash: photo::content_hash(bytes),
            bytes_base64: base64_encode(bytes),
        }
    }

    /// The photo's bytes, checked against its hash.
    pub fn bytes(&self) -> Result<Vec<u8>, ExportError> {
        let bytes = base64_decode(&self.bytes_base64)
            .ok_or_else(|| ExportError::BadBase64(self.hash.clone()))?;
        if bytes.len() > photo::MAX_BYTES {
            return Err(ExportError::PhotoTooLarge(self.hash.clone()));
        }
        if photo::content_hash(&bytes) != self.hash {
            return Err(ExportError::PhotoHash(self.hash.clone()));
        }
        Ok(bytes)
    }
}

impl ExportBundle {
    /// A bundle of `changes` (sorted by `seq` here) and photos (each once).
    pub fn new(
        device_id: Uuid,
        exported_at: i64,
        mut changes: Vec<Change>,
        photos: &[Vec<u8>],
    ) -> ExportBundle {
        changes.sort_by_key(|c| c.seq);
        let mut out: Vec<ExportPhoto> = Vec::new();
        for bytes in photos {
            let photo = ExportPhoto::new(bytes);
            if !out.iter().any(|p| p.hash == photo.hash) {
                out.push(photo);
            }
        }
        ExportBundle {
            format: EXPORT_FORMAT,
            device_id,
            exported_at,
            changes,
            photos: out,
        }
    }

    /// Checks what an import relies on: the format, a device id, strictly increasing `seq`s (the
    /// server's once-per-`seq` rule needs them), and every photo matching its hash. Records are
    /// not validated here: the server judges each one on import, like any push.
    pub fn validate(&self) -> Result<(), ExportError> {
        if self.format != EXPORT_FORMAT {
            return Err(ExportError::UnsupportedFormat(self.format));
        }
        if self.device_id.is_nil() {
            return Err(ExportError::NilDevice);
        }
        for pair in self.changes.windows(2) {
            if let [a, b] = pair {
                if b.seq <= a.seq {
                    return Err(ExportError::SeqOrder {
                        previous: a.seq,
                        seq: b.seq,
                    });
                }
            }
        }
        for photo in &self.photos {
            photo.bytes()?;
        }
        Ok(())
    }

    pub fn to_json(&self) -> Result<Vec<u8>, ExportError> {
        serde_json::to_vec(self).map_err(|e| ExportError::Json(e.to_string()))
    }

    /// Reads and [validates](Self::validate) a bundle. The format is checked before the rest is
    /// parsed, so a newer format says so instead of failing on some field.
    pub fn from_json(bytes: &[u8]) -> Result<ExportBundle, ExportError> {
        #[derive(Deserialize)]
        struct Head {
            format: u32,
        }
        let head: Head =
            serde_json::from_slice(bytes).map_err(|e| ExportError::Json(e.to_string()))?;
        if head.format != EXPORT_FORMAT {
            return Err(ExportError::UnsupportedFormat(head.format));
        }
        let bundle: ExportBundle =
            serde_json::from_slice(bytes).map_err(|e| ExportError::Json(e.to_string()))?;
        bundle.validate()?;
        Ok(bundle)
    }

    /// All changes as one push of the original device.
    pub fn to_push_request(&self) -> PushRequest {
        PushRequest {
            device_id: self.device_id,
            changes: self.changes.clone(),
        }
    }

    /// The changes as pushes of at most [`MAX_PUSH_CHANGES`], in `seq` order; send them in turn.
    pub fn push_requests(&self) -> Vec<PushRequest> {
        self.changes
            .chunks(MAX_PUSH_CHANGES)
            .map(|chunk| PushRequest {
                device_id: self.device_id,
                changes: chunk.to_vec(),
            })
            .collect()
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648) with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes [`base64_encode`]'s output; `None` for anything else (wrong length, stray characters,
/// misplaced padding).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        Some(u32::from(v))
    };
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let quads = bytes.len() / 4;
    for (index, quad) in bytes.chunks(4).enumerate() {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && index + 1 != quads) {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Company, Record};

    fn change(seq: u64, n: u128) -> Change {
        Change {
            seq,
            record: Record::Company(Company {
                id: Uuid::from_u128(n),
                name: format!("Bedrijf {n}"),
                ..Company::default()
            }),
        }
    }

    #[test]
    fn base64_matches_rfc_4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&all)), Some(all));
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "====", "Zm 9"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn bundle_round_trips_through_json() {
        let bundle = ExportBundle::new(
            Uuid::from_u128(7),
            1_700_000_000_000,
            vec![change(5, 2), change(3, 1)],
            &[b"jpeg a".to_vec(), b"jpeg b".to_vec(), b"jpeg a".to_vec()],
        );
        assert_eq!(
            bundle.changes.iter().map(|c| c.seq).collect::<Vec<_>>(),
            [3, 5]
        );
        assert_eq!(bundle.photos.len(), 2, "each photo once");
        let json = bundle.to_json().unwrap();
        let back = ExportBundle::from_json(&json).unwrap();
        assert_eq!(back, bundle);
        assert_eq!(back.photos[1].bytes().unwrap(), b"jpeg b");
    }

    #[test]
    fn import_checks_format_order_and_photos() {
        let good = ExportBundle::new(Uuid::from_u128(7), 0, vec![change(1, 1)], &[]);
        assert_eq!(good.validate(), Ok(()));

        let mut newer = serde_json::to_value(&good).unwrap();
        newer["format"] = 2.into();
        newer["changes"] = "something else".into();
        assert_eq!(
            ExportBundle::from_json(newer.to_string().as_bytes()),
            Err(ExportError::UnsupportedFormat(2))
        );
        assert!(matches!(
            ExportBundle::from_json(b"not json"),
            Err(ExportError::Json(_))
        ));

        let mut unordered = good.clone();
        unordered.changes = vec![change(2, 1), change(2, 2)];
        assert_eq!(
            unordered.validate(),
            Err(ExportError::SeqOrder {
                previous: 2,
                seq: 2
            })
        );

        let mut nil = good.clone();
        nil.device_id = Uuid::nil();
        assert_eq!(nil.validate(), Err(ExportError::NilDevice));

        let mut swapped = good.clone();
        swapped.photos = vec![ExportPhoto {
            hash: photo::content_hash(b"a"),
            bytes_base64: base64_encode(b"b"),
        }];
        assert!(matches!(swapped.validate(), Err(ExportError::PhotoHash(_))));
        swapped.photos[0].bytes_base64 = "@@@@".into();
        assert!(matches!(swapped.validate(), Err(ExportError::BadBase64(_))));
    }

    #[test]
    fn pushes_keep_the_original_device_and_batch() {
        let device = Uuid::from_u128(7);
        let changes: Vec<Change> = (1..=1_201).map(|seq| change(seq, 1)).collect();
        let bundle = ExportBundle::new(device, 0, changes, &[]);
        let pushes = bundle.push_requests();
        let sizes: Vec<usize> = pushes.iter().map(|p| p.changes.len()).collect();
        assert_eq!(sizes, [500, 500, 201]);
        assert!(pushes.iter().all(|p| p.device_id == device));
        assert_eq!(pushes[1].changes[0].seq, 501);
        assert_eq!(bundle.to_push_request().changes.len(), 1_201);
        assert!(ExportBundle::new(device, 0, Vec::new(), &[])
            .push_requests()
            .is_empty());
    }
}
