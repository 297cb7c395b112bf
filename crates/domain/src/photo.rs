//! Photos are content-addressed: a photo's name is the SHA-256 of its bytes, so the same photo is
//! stored and sent once, and a receiver can check it got what was meant.

use sha2::{Digest, Sha256};

/// Longest side of a photo after downscaling on the device, in pixels.
pub const MAX_SIDE: u32 = 1600;
/// Size a downscaled JPEG should stay under, in bytes.
pub const TARGET_BYTES: usize = 300 * 1024;
/// Largest photo the server accepts, in bytes (a margin above the target).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// Lower-case hex SHA-256 of `bytes`.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    hex
}

/// Whether `s` has the form of a [`content_hash`].
pub fn is_content_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The size to scale a `width` x `height` image to so its longest side is at most [`MAX_SIDE`],
/// keeping the aspect ratio; never upscales, never returns 0.
pub fn fit(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= MAX_SIDE || longest == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(MAX_SIDE) + u64::from(longest) / 2) / u64::from(longest))
            .max(1) as u32
    };
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_content_hash(&content_hash(b"")));
        assert!(!is_content_hash("xyz"));
        assert!(!is_content_hash(&"A".repeat(64)));
    }

    #[test]
    fn fit_keeps_aspect_and_never_upscales() {
        assert_eq!(fit(4000, 3000), (1600, 1200));
        assert_eq!(fit(3000, 4000), (1200, 1600));
        assert_eq!(fit(800, 600), (800, 600));
        assert_eq!(fit(10_000, 10), (1600, 2));
        assert_eq!(fit(0, 0), (1, 1));
    }
}
