//! How much of the device's storage the app uses, and asking the browser to keep it.
//!
//! Browsers may evict a site's data under storage pressure unless it is marked persistent; for
//! interviews that exist nowhere else until they sync, that must be asked for. Quota and usage
//! are shown on the settings screen and warned about when space runs low.

use wasm_bindgen_futures::JsFuture;

/// Less free space than this is worth a warning: a few dozen photos.
const LOW_FREE_BYTES: f64 = 50.0 * 1024.0 * 1024.0;
/// ... as is using more than this share of the quota.
const LOW_FREE_SHARE: f64 = 0.9;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageInfo {
    pub usage: f64,
    pub quota: f64,
    /// The browser promised not to evict this app's data.
    pub persisted: bool,
}

impl StorageInfo {
    pub fn free(&self) -> f64 {
        (self.quota - self.usage).max(0.0)
    }

    pub fn is_low(&self) -> bool {
        self.quota > 0.0
            && (self.free() < LOW_FREE_BYTES || self.usage / self.quota > LOW_FREE_SHARE)
    }
}

fn manager() -> Option<web_sys::StorageManager> {
    // Missing outside secure contexts and in old browsers; then there is nothing to show.
    let navigator = leptos::prelude::window().navigator();
    js_sys::Reflect::has(&navigator, &"storage".into())
        .unwrap_or(false)
        .then(|| navigator.storage())
}

async fn resolve_bool(promise: Result<js_sys::Promise, wasm_bindgen::JsValue>) -> bool {
    match promise {
        Ok(p) => JsFuture::from(p)
            .await
            .is_ok_and(|v| v.as_bool() == Some(true)),
        Err(_) => false,
    }
}

/// Asks for persistent storage once; browsers grant it silently (Chromium, for installed apps),
/// by prompt (Firefox) or not at all, so the answer is only reported.
pub async fn request_persistence() -> bool {
    let Some(manager) = manager() else {
        return false;
    };
    if resolve_bool(manager.persisted()).await {
        return true;
    }
    resolve_bool(manager.persist()).await
}

/// Usage, quota and persistence as the browser reports them now.
pub async fn estimate() -> Option<StorageInfo> {
    let manager = manager()?;
    let estimate = JsFuture::from(manager.estimate().ok()?).await.ok()?;
    let number = |key: &str| {
        js_sys::Reflect::get(&estimate, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
    };
    let persisted = resolve_bool(manager.persisted()).await;
    Some(StorageInfo {
        usage: number("usage")?,
        quota: number("quota")?,
        persisted,
    })
}

/// "1,4 MB", "2,1 GB": decimal units, as tablets' own storage settings show them.
pub fn human_bytes(bytes: f64, decimal_comma: bool) -> String {
    let (value, unit) = if bytes >= 1e9 {
        (bytes / 1e9, "GB")
    } else if bytes >= 1e6 {
        (bytes / 1e6, "MB")
    } else {
        (bytes / 1e3, "kB")
    };
    let text = format!("{value:.1} {unit}");
    if decimal_comma {
        text.replace('.', ",")
    } else {
        text
    }
}
