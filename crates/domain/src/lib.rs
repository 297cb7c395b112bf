//! Pure domain logic of Praatplaat, shared by the Leptos app (wasm32) and the axum server (native).
//!
//! Architecture invariant: this crate does no I/O, reads no clock and makes no random ids. Time and
//! ids come in as arguments, storage and network come in through the traits in [`sync`]. It depends
//! on no browser, database or async runtime crate, so everything here is tested natively.

pub mod access;
pub mod demo;
pub mod export;
pub mod figures;
pub mod followup;
pub mod initiative;
pub mod limits;
pub mod merge;
pub mod model;
pub mod municipality;
pub mod photo;
pub mod plate;
pub mod protocol;
pub mod push;
pub mod refusal;
pub mod sync;

pub use model::{Company, Interview, InterviewStatus, Programme, Record, RecordKind, RecordMeta};
