//! The built app: files from the static folder, and index.html for any other path so the app's
//! router can handle deep links.

use std::path::Path;

use tower_http::services::{ServeDir, ServeFile};

pub fn service(dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))
}
