//! The browser's clock and randomness, kept here so the domain crate stays pure.

use uuid::Uuid;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Today's local date as `YYYY-MM-DD`.
pub fn today() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// A new random id, made on the device.
pub fn new_id() -> Uuid {
    Uuid::new_v4()
}
