//! Small reusable pieces of UI.

pub mod banner;
pub mod field;
pub mod header;
pub mod sync_badge;
