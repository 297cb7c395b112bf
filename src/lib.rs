//! The Praatplaat app: Leptos client-side rendering, compiled to WebAssembly by Trunk.
//!
//! Data flow of one edit: a component calls [`state::AppState`]'s `save_*`, which updates the
//! signals at once and writes the record plus an outbox entry in one IndexedDB transaction
//! ([`idb`]); [`sync_driver`] then pushes the outbox and pulls news through [`net`], using the sync
//! engine of the domain crate.
#![cfg(target_arch = "wasm32")]

pub mod app;
pub mod clock;
pub mod components;
pub mod i18n;
pub mod idb;
pub mod net;
pub mod pages;
pub mod photos;
pub mod places;
pub mod plate_data;
pub mod records;
pub mod service_worker;
pub mod session;
pub mod settings;
pub mod state;
pub mod storage;
pub mod sync_driver;
pub mod transfer;

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
