//! The way out when sync is impossible: a device's export file (sealed with a passphrase by
//! `praatplaat-vault`, holding `praatplaat_domain::export::ExportBundle`) applied at the server
//! through the ordinary push path. The bundle keeps the original device id and change numbers,
//! so importing twice, or after part of it synced, applies nothing twice.

use axum::body::Bytes;
use praatplaat_domain::export::ExportBundle;
use praatplaat_domain::protocol::ChangeStatus;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::store::{Actor, Store};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub device_id: uuid::Uuid,
    pub applied: usize,
    pub merged: usize,
    /// Already on the server (synced before, or imported before).
    pub duplicate: usize,
    pub superseded: usize,
    /// Refused, each with its reason (`kind id: reason`).
    pub rejected: Vec<String>,
    pub photos_new: usize,
    pub photos_known: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Vault(#[from] praatplaat_vault::VaultError),
    #[error("the export's contents are unusable: {0}")]
    Bundle(#[from] praatplaat_domain::export::ExportError),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What [`open_export`] hands over: the checked bundle with its photos decoded.
struct OpenedExport {
    bundle: ExportBundle,
    /// Hash and bytes of each photo, checked against the hash.
    photos: Vec<(String, Vec<u8>)>,
}

/// Decrypts and checks an export. All CPU: PBKDF2 (600,000 iterations for a real export), AES-GCM
/// over up to [`crate::http::import::MAX_IMPORT_BYTES`], JSON parsing, base64 and the photos'
/// hashes.
fn open_export(file: &[u8], passphrase: &str) -> Result<OpenedExport, ImportError> {
    let plain = praatplaat_vault::open(file, passphrase)?;
    let mut bundle = ExportBundle::from_json(&plain)?;
    drop(plain);
    bundle.validate()?;
    // Decoded once here; the base64 copies go.
    let photos = std::mem::take(&mut bundle.photos)
        .into_iter()
        .map(|photo| {
            let bytes = photo.bytes()?;
            Ok((photo.hash, bytes))
        })
        .collect::<Result<_, ImportError>>()?;
    Ok(OpenedExport { bundle, photos })
}

/// Opens `file` with `passphrase` and applies it as `actor` (the server itself for the command
/// line, the coordinator through the API). The opening runs on tokio's blocking pool (it takes
/// seconds of CPU), so the server answers other requests meanwhile.
pub async fn import_export(
    store: &Store,
    actor: Actor,
    file: impl Into<Bytes>,
    passphrase: &str,
) -> Result<ImportReport, ImportError> {
    let file = file.into();
    let passphrase = passphrase.to_owned();
    let OpenedExport { bundle, photos } =
        tokio::task::spawn_blocking(move || open_export(&file, &passphrase))
            .await
            .map_err(|e| AppError::Corrupt(format!("opening the export failed: {e}")))??;
    let mut report = ImportReport {
        device_id: bundle.device_id,
        ..ImportReport::default()
    };
    // Photos first: a record that names a photo should find it on the server.
    for (hash, bytes) in &photos {
        if store.put_photo(hash, bytes).await? {
            report.photos_new += 1;
        } else {
            report.photos_known += 1;
        }
    }
    drop(photos);
    for request in bundle.push_requests() {
        let response = store.push(actor, &request).await?;
        for result in response.results {
            match result.status {
                ChangeStatus::Applied => report.applied += 1,
                ChangeStatus::Merged => report.merged += 1,
                ChangeStatus::Duplicate => report.duplicate += 1,
                ChangeStatus::Superseded => report.superseded += 1,
                ChangeStatus::Rejected => report.rejected.push(format!(
                    "{} {}: {}",
                    result.kind.as_str(),
                    result.id,
                    result.reason.unwrap_or_default()
                )),
            }
        }
    }
    Ok(report)
}
