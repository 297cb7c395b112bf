//! Small reusable pieces of UI.

pub mod banner;
pub mod field;
pub mod header;
pub mod plate_drawing;
pub mod r_ladder;
pub mod sync_badge;
