//! The way out when sync is impossible: the device's waiting changes and unsent photos in one
//! passphrase-sealed file, and reading such a file into this device.
//!
//! The file is exactly what the server imports (`praatplaat-server import`, `POST /import`):
//! `praatplaat_vault::seal` over the JSON of `praatplaat_domain::export::ExportBundle`, with the
//! original device id and change numbers. Read on another tablet, its records become edits of
//! that tablet (its own outbox and numbers), so they sync from there; the server's merge decides
//! against whatever the original tablet or an import at the server sent meanwhile.

use js_sys::{Array, Uint8Array};
use praatplaat_domain::export::{ExportBundle, ExportError};
use praatplaat_domain::model::Record;
use praatplaat_vault::VaultError;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag};

use crate::clock;
use crate::idb::{self, IdbError};
use crate::state::AppState;

/// Shortest passphrase accepted for an export: the file may end up on a lost USB stick.
pub const MIN_PASSPHRASE: usize = 8;

/// Why an export or import did not happen. Nothing on the device changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferError {
    /// Reading or writing this device's storage failed.
    Device(String),
    /// The browser refused something (random numbers, a file, a blob).
    Browser(String),
    /// The file is not a Praatplaat export.
    NotAnExport,
    /// The file comes from a newer app version.
    TooNew,
    /// Wrong passphrase, or the file was damaged (the cipher cannot tell these apart).
    WrongPassphrase,
    /// The passphrase fit, but the contents do not hold together.
    Damaged(String),
}

impl From<IdbError> for TransferError {
    fn from(e: IdbError) -> Self {
        TransferError::Device(e.to_string())
    }
}

impl From<VaultError> for TransferError {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::NotAnExport => TransferError::NotAnExport,
            VaultError::UnsupportedVersion(_) => TransferError::TooNew,
            VaultError::WrongPassphraseOrDamaged => TransferError::WrongPassphrase,
            other => TransferError::Damaged(other.to_string()),
        }
    }
}

impl From<ExportError> for TransferError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::UnsupportedFormat(_) => TransferError::TooNew,
            other => TransferError::Damaged(other.to_string()),
        }
    }
}

fn browser(e: wasm_bindgen::JsValue) -> TransferError {
    TransferError::Browser(format!("{e:?}"))
}

/// Lets the browser paint ("Bezig met versleutelen…") before the key derivation holds the thread
/// for seconds: wasm has no threads here, and a worker would need its own build for a rare task.
async fn next_paint() {
    gloo_timers::future::TimeoutFuture::new(50).await;
}

/// A sealed export, ready to download.
pub struct SealedExport {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub changes: usize,
    pub photos: usize,
}

/// What waits on this device (records, photos): what an export would carry.
pub async fn unsent() -> Result<(usize, usize), TransferError> {
    let (_, changes) = idb::waiting_changes().await?;
    let photos = idb::unsent_photo_hashes().await?;
    Ok((changes.len(), photos.len()))
}

async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, TransferError> {
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(browser)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The bytes of a file the interviewer picked.
pub async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, TransferError> {
    blob_bytes(file).await
}

fn random<const N: usize>() -> Result<[u8; N], TransferError> {
    let mut bytes = [0u8; N];
    leptos::prelude::window()
        .crypto()
        .map_err(browser)?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(browser)?;
    Ok(bytes)
}

/// Builds and seals the export of everything unsent. The key derivation (PBKDF2, 600,000
/// rounds) runs on the page's thread and blocks it for a few seconds: the caller shows that it
/// is busy first.
pub async fn export(passphrase: &str) -> Result<SealedExport, TransferError> {
    let (device, changes) = idb::waiting_changes().await?;
    let mut photos = Vec::new();
    for hash in idb::unsent_photo_hashes().await? {
        // A queued photo whose blob is gone cannot be carried; the record still names it.
        if let Some(blob) = idb::load_photo(&hash).await? {
            photos.push(blob_bytes(&blob).await?);
        }
    }
    let bundle = ExportBundle::new(device, clock::now_ms(), changes, &photos);
    let json = bundle.to_json()?;
    next_paint().await;
    let file = praatplaat_vault::seal(
        &json,
        passphrase,
        random()?,
        random()?,
        praatplaat_vault::DEFAULT_ITERATIONS,
    )?;
    let device = device.simple().to_string();
    Ok(SealedExport {
        bytes: file,
        file_name: format!(
            "praatplaat-{}-{}.praatplaat",
            clock::today(),
            &device[..8.min(device.len())]
        ),
        changes: bundle.changes.len(),
        photos: bundle.photos.len(),
    })
}

/// A blob of `bytes` with a MIME type.
pub fn blob(bytes: &[u8], mime: &str) -> Result<Blob, TransferError> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(browser)
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records taken over as edits of this device.
    pub records: usize,
    /// Records this device already had in the same or a later version.
    pub known: usize,
    pub photos: usize,
}

/// Opens `file` with `passphrase` and takes its photos and records over on this device. The file
/// is opened and checked completely before anything is stored, so a wrong passphrase or a
/// damaged file changes nothing. Blocks the page's thread for the key derivation (see
/// [`export`]).
pub async fn import(
    state: AppState,
    file: &[u8],
    passphrase: &str,
) -> Result<ImportSummary, TransferError> {
    next_paint().await;
    let plain = praatplaat_vault::open(file, passphrase)?;
    let bundle = ExportBundle::from_json(&plain)?;
    let mut photos = Vec::with_capacity(bundle.photos.len());
    for photo in &bundle.photos {
        photos.push((photo.hash.clone(), photo.bytes()?));
    }
    let mut summary = ImportSummary::default();
    // Photos first: a record naming a photo finds it here, and it travels with this device's
    // photos.
    for (hash, bytes) in photos {
        if idb::load_photo(&hash).await?.is_none() {
            idb::save_photo(&hash, &blob(&bytes, "image/jpeg")?).await?;
            summary.photos += 1;
        }
    }
    for change in bundle.changes {
        let record = change.record;
        let local_edit = local_updated_at(&state, &record);
        // Already here in this or a later version (imported before, or pulled after the other
        // tablet synced after all): taking it again would only add a change.
        if local_edit.is_some_and(|at| at >= record.meta().updated_at) {
            summary.known += 1;
            continue;
        }
        // The record keeps its base revision, so the server merges it field by field with what
        // it got meanwhile.
        state.take_over(record);
        summary.records += 1;
    }
    state.refresh_outbox().await;
    Ok(summary)
}

fn local_updated_at(state: &AppState, record: &Record) -> Option<i64> {
    state
        .records
        .get_untracked(record.kind(), record.id())
        .map(|r| r.meta().updated_at)
}

/// The picked file, if the input holds one.
pub fn picked_file(input: &web_sys::HtmlInputElement) -> Option<web_sys::File> {
    input.files().and_then(|files| files.get(0))
}

/// An object URL for a download link; revoke it when the link goes.
pub fn object_url(blob: &Blob) -> Result<String, TransferError> {
    web_sys::Url::create_object_url_with_blob(blob).map_err(browser)
}

pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}
