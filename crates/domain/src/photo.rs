//! Photos are content-addressed: a photo's name is the SHA-256 of its bytes, so the same photo is
//! stored and sent once, and a receiver can check it got what was meant.

use sha2::{Digest, Sha256};

/// Longest side of a photo after downscaling on the device, in pixels.
pub const MAX_SIDE: u32 = 1600;
/// Size a downscaled JPEG should stay under, in bytes.
pub const TARGET_BYTES: usize = 300 * 1024;
/// Largest photo the server accepts, in bytes (a margin above the target).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// Why bytes are not taken as a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("a photo must be a JPEG file (it starts with FF D8 FF)")]
    NotJpeg,
    #[error("the JPEG has no readable frame header (SOF) with its size")]
    NoFrame,
    #[error("the JPEG is {width} x {height} pixels; photos are at most {MAX_SIDE} pixels on their longest side and at least 1 x 1")]
    BadSize { width: u32, height: u32 },
}

/// The width and height of a JPEG, read from its frame header (the first SOF marker), or why it
/// is not a photo the app could have made: not a JPEG, no frame header, or a size outside 1 x 1
/// to [`MAX_SIDE`] on the longest side (the app downscales with [`fit`] before sending, and a
/// viewer decodes `width * height` pixels whatever the file's byte size). Only the headers are
/// read: the bytes after the frame header are not decoded.
pub fn jpeg_size(bytes: &[u8]) -> Result<(u32, u32), PhotoError> {
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(PhotoError::NotJpeg);
    }
    let mut at = 2;
    loop {
        // A marker: 0xFF, optional fill bytes 0xFF, then the marker code.
        if bytes.get(at) != Some(&0xFF) {
            return Err(PhotoError::NoFrame);
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let marker = *bytes.get(at).ok_or(PhotoError::NoFrame)?;
        at += 1;
        match marker {
            // Markers without a segment: SOI, RST0-7, TEM.
            0xD8 | 0xD0..=0xD7 | 0x01 => continue,
            // End of image or start of scan before any frame header.
            0xD9 | 0xDA => return Err(PhotoError::NoFrame),
            _ => {}
        }
        let length = bytes
            .get(at..at + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
            .filter(|&l| l >= 2)
            .ok_or(PhotoError::NoFrame)?;
        let segment = bytes.get(at + 2..at + length).ok_or(PhotoError::NoFrame)?;
        // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width, ...
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let field = |i: usize| {
                segment
                    .get(i..i + 2)
                    .map(|v| u32::from(u16::from_be_bytes([v[0], v[1]])))
            };
            let (Some(height), Some(width)) = (field(1), field(3)) else {
                return Err(PhotoError::NoFrame);
            };
            if width == 0 || height == 0 || width.max(height) > MAX_SIDE {
                return Err(PhotoError::BadSize { width, height });
            }
            return Ok((width, height));
        }
        at += length;
    }
}

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

    /// A JPEG's headers (SOI, APP0, SOF0 of `width` x `height`) followed by `body` as the scan.
    fn jpeg(width: u16, height: u16, body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        bytes.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        bytes.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        bytes.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02]);
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(&[0xFF, 0xD9]);
        bytes
    }

    #[test]
    fn jpeg_size_reads_the_frame_header() {
        assert_eq!(jpeg_size(&jpeg(1600, 1200, b"scan")), Ok((1600, 1200)));
        assert_eq!(jpeg_size(&jpeg(1, 1, b"")), Ok((1, 1)));
        // Fill bytes before a marker are allowed.
        let mut filled = jpeg(640, 480, b"");
        filled.insert(2, 0xFF);
        assert_eq!(jpeg_size(&filled), Ok((640, 480)));
        // A progressive frame (SOF2) counts too.
        let mut progressive = jpeg(800, 600, b"");
        let sof = progressive
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .unwrap();
        progressive[sof + 1] = 0xC2;
        assert_eq!(jpeg_size(&progressive), Ok((800, 600)));
    }

    #[test]
    fn jpeg_size_refuses_what_the_app_never_sends() {
        assert_eq!(jpeg_size(b""), Err(PhotoError::NotJpeg));
        assert_eq!(
            jpeg_size(b"<html><script>alert(1)</script></html>"),
            Err(PhotoError::NotJpeg)
        );
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0xFF]), Err(PhotoError::NoFrame));
        assert_eq!(
            jpeg_size(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 1, 2]),
            Err(PhotoError::NoFrame)
        );
        // A segment length running past the end, or too short to be one.
        assert_eq!(
            jpeg_size(&[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0]),
            Err(PhotoError::NoFrame)
        );
        assert_eq!(
            jpeg_size(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 0]),
            Err(PhotoError::NoFrame)
        );
        assert_eq!(
            jpeg_size(&jpeg(MAX_SIDE as u16 + 1, 10, b"")),
            Err(PhotoError::BadSize {
                width: MAX_SIDE + 1,
                height: 10
            })
        );
        assert_eq!(
            jpeg_size(&jpeg(65_535, 65_535, b"")),
            Err(PhotoError::BadSize {
                width: 65_535,
                height: 65_535
            })
        );
        assert!(matches!(
            jpeg_size(&jpeg(100, 0, b"")),
            Err(PhotoError::BadSize { .. })
        ));
        // A frame header cut short.
        let whole = jpeg(100, 100, b"");
        let sof = whole.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        assert_eq!(jpeg_size(&whole[..sof + 6]), Err(PhotoError::NoFrame));
        // Any prefix of a valid header: refused, never a panic.
        for len in 0..whole.len() {
            let _ = jpeg_size(&whole[..len]);
        }
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
