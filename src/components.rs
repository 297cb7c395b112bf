//! Small reusable pieces of UI.

pub mod account;
pub mod banner;
pub mod choice;
pub mod conflicts;
pub mod devices;
pub mod field;
pub mod header;
pub mod photo_thumb;
pub mod plate_drawing;
pub mod practice_card;
pub mod r_ladder;
pub mod server_safety;
pub mod sync_badge;
