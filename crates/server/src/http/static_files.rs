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
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
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

/// Whether a path names a file Trunk gave a content hash (`name-0123456789abcdef.ext`).
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    // wasm-bindgen names the module `<name>-<hash>_bg.wasm`.
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
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
    if response.status().is_success() && !response.headers().contains_key(CACHE_CONTROL) {
        let value = if hashed {
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
        assert!(is_hashed("/praatplaat-372c4290f21932eb_bg.wasm"));
        assert!(is_hashed("/praatplaat-372c4290f21932eb.js"));
        assert!(is_hashed("/main-e21517fe8971db64.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/sw.js"));
        assert!(!is_hashed("/icons/icon-192.png"));
    }
}
