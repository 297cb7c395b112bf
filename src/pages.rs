//! One module per screen.

pub mod companies;
pub mod follow_up;
pub mod follow_ups;
pub mod initiatives;
pub mod interview;
pub mod interview_list;
pub mod new_interview;
pub mod plate_preview;
pub mod settings_page;
pub mod sync_page;
pub mod transfer_page;
