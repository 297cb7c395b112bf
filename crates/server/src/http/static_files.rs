//! The built app: files from the static folder, and index.html for any other path so the app's
//! router can handle deep links. Brotli/gzip copies made at build time are sent to browsers that
//! accept them. Cache headers: files whose name carries a content hash never change (cached for a
//! year); everything else (index.html, sw.js, the manifest, icons) is revalidated on each use, so
//! an update reaches the tablet at its next start. Every app response carries a strict
//! Content-Security-Policy: the app runs only its own scripts (the wasm module needs
//! 'wasm-unsafe-eval'), styles and images, and talks only to the server it came from.

use std::path::Path;

use axum::extract::Request;
use axum::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

pub fn service(dir: &Path) -> ServeDir<ServeFile> {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index)
}

/// Shortest hash [`is_hashed`] accepts. Trunk writes its 64-bit seahash with `{:x}`, without
/// leading zeros: a hash has 16 hex digits, but one in 16 has 15 or fewer
/// (`plate-655b3eb04a92607.css`), one in 256 has 14 or fewer. One in 65,536 has 12 or fewer and
/// is taken as unhashed: sent `no-cache`, which only costs a revalidation, whereas taking a name
/// like `icon-192.png` (or a UUID's last group, 12 digits) as hashed would pin a changed file for
/// a year.
const MIN_HASH_DIGITS: usize = 13;
/// A 64-bit hash in hex.
const MAX_HASH_DIGITS: usize = 16;

/// Whether a path names a file that carries a content hash: Trunk's `name-<hex>.ext` (css, js,
/// copied files), wasm-bindgen's `<name>-<hex>_bg.wasm` beside `<name>-<hex>.js`, and the
/// post-build hook's `boot-<16 hex>.js`. Every one has an extension; the app's deep links
/// (`/interviews/<uuid>`) have none.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _extension)) = file.split_once('.') else {
        return false;
    };
    let stem = ["_bg", "_loader"]
        .iter()
        .find_map(|suffix| stem.strip_suffix(suffix))
        .unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(name, hash)| {
        !name.is_empty()
            && (MIN_HASH_DIGITS..=MAX_HASH_DIGITS).contains(&hash.len())
            && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// What the app may load. `blob:` images are photos shown from IndexedDB before they sync.
/// Trunk's inline start-up script is moved to a file at build time (scripts/post-build.mjs), so
/// no inline script needs allowing.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob:; \
     connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Sets `Cache-Control` and the security headers on static responses (middleware around the
/// static service).
pub async fn app_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // A hashed name that is not there (a stale tablet asking for the last release's file) gets
    // the index.html fallback: that answer must not be kept for a year under the file's name.
    let fallback = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if response.status().is_success() && !response.headers().contains_key(CACHE_CONTROL) {
        let value = if hashed && !fallback {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn recognises_trunk_hashed_names() {
        // Names from a real build (dist/): Trunk drops a hash's leading zeros.
        for name in [
            "/praatplaat-372c4290f21932eb_bg.wasm",
            "/praatplaat-372c4290f21932eb.js",
            "/main-e21517fe8971db64.css",
            "/main-97621d65c057f220.css",
            "/boot-d210b6847580f154.js",
            "/plate-655b3eb04a92607.css",
            "/praatplaat-bf7eb94fbcf6c4a.js",
            "/praatplaat-bf7eb94fbcf6c4a_bg.wasm",
            "/praatplaat-bf7eb94fbcf6c4a_loader.js",
            "/plate-55b3eb04a92607.css",
            "/plate-5b3eb04a92607.css",
        ] {
            assert!(is_hashed(name), "{name}");
        }
        for name in [
            "/",
            "/index.html",
            "/sw.js",
            "/manifest.webmanifest",
            "/icons/icon-192.png",
            "/icons/icon-512.png",
            "/icons/icon-maskable-512.png",
            "/icons/icon.svg",
            "/screenshots/plate-narrow.png",
            "/screenshots/plate-wide.png",
            // Deep links of the app fall back to index.html.
            "/interviews/0b6c2f1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b/theme/grondstoffen",
            "/interviews/new",
            "/interviews/0b6c2f1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b",
            "/initiatives/0b6c2f1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b9",
            // Too short, too long, upper case, or no name before the hash.
            "/plate-b3eb04a92607.css",
            "/plate-655b3eb04a926070a.css",
            "/plate-655B3EB04A92607.css",
            "/-655b3eb04a92607.css",
        ] {
            assert!(!is_hashed(name), "{name}");
        }
    }
}
