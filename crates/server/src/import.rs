//! The way out when sync is impossible: a device's export file (sealed with a passphrase by
//! `praatplaat-vault`, holding `praatplaat_domain::export::ExportBundle`) applied at the server
//! through the ordinary push path. The bundle keeps the original device id and change numbers,
//! so importing twice, or after part of it synced, applies nothing twice.
//!
//! **Whose rights.** A file is applied as the account it is from, never simply as the importer:
//! a file is easy to make (the format is documented), and applied with the coordinator's rights
//! it would let an interviewer change anything. The importer names the account (`x-export-user`,
//! `--user`; the person who handed the file in); without a name it is the importer's own file.
//! The file's device must be one that account used (signed in on, or was imported as), or one no
//! account used: a file naming another account's tablet is refused, so nobody hands in edits
//! under a colleague's device and numbers. Each change is then judged as that account's push
//! (what it may not push is refused and listed), in that account's numbering on the device, so
//! the tablet's own later sync of the same changes is answered `duplicate`. A file of a device no
//! account used, imported without a name, is applied with the importer's (the office's) rights in
//! the device's unowned numbering, which the first account to push from that tablet continues.
//!
//! The export does not say which account made each change: a file from a tablet colleagues share
//! is applied as the one account named, and what that account may not push is refused (it still
//! syncs from the tablet under its maker's account).

use axum::body::Bytes;
use praatplaat_domain::export::ExportBundle;
use praatplaat_domain::protocol::auth::UserInfo;
use praatplaat_domain::protocol::ChangeStatus;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::store::{Actor, Store, SEED_DEVICE};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub device_id: uuid::Uuid,
    /// The account whose rights the changes were applied with (none: the server itself, from the
    /// command line).
    pub applied_as: Option<UserInfo>,
    pub applied: usize,
    pub merged: usize,
    /// Already on the server (synced before, or imported before).
    pub duplicate: usize,
    pub superseded: usize,
    /// Refused, each with its reason (`kind id: reason`).
    pub rejected: Vec<String>,
    pub photos_new: usize,
    pub photos_known: usize,
    /// Photos not stored because they are not JPEGs of a photo's size, each `hash: reason` (the
    /// records naming them still apply; the tablet keeps the photo).
    #[serde(default)]
    pub photos_refused: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Vault(#[from] praatplaat_vault::VaultError),
    #[error("the export's contents are unusable: {0}")]
    Bundle(#[from] praatplaat_domain::export::ExportError),
    #[error("there is no account named {0:?}")]
    UnknownAccount(String),
    #[error("{0} is a {1} account, which holds no records")]
    NoRecords(String, &'static str),
    #[error("this export names the server's own device id; it is not a tablet's export")]
    DeviceReserved,
    #[error(
        "this export comes from device {device}, which {} used, {}: an export is applied as the \
         account that made it; name that account (the x-export-user header, or --user on the \
         command line)",
        accounts.join(", "),
        claimed.as_ref().map_or("not the importer".to_owned(), |c| format!("not {c}"))
    )]
    DeviceOfAnotherUser {
        device: Uuid,
        accounts: Vec<String>,
        claimed: Option<String>,
    },
    #[error(transparent)]
    App(#[from] AppError),
}

/// Whose rights and numbering an import of `device` uses (see the module docs): the account
/// named, else the importer; `None` as numbering is the device's unowned one.
async fn applied_as(
    store: &Store,
    importer: Actor,
    named: Option<&str>,
    device: Uuid,
) -> Result<(Actor, Option<Uuid>, Option<UserInfo>), ImportError> {
    if device == SEED_DEVICE {
        return Err(ImportError::DeviceReserved);
    }
    let used_by = store.device_accounts(device).await?;
    let account = match named {
        Some(name) => Some(
            store
                .user_by_name(name.trim())
                .await?
                .ok_or_else(|| ImportError::UnknownAccount(name.to_owned()))?,
        ),
        None => match importer.user {
            Some(id) => store.user_by_id(id).await?,
            None => None,
        },
    };
    let used_by_account = account
        .as_ref()
        .is_some_and(|a| used_by.iter().any(|u| u.id == a.id));
    if !used_by.is_empty() && !used_by_account {
        return Err(ImportError::DeviceOfAnotherUser {
            device,
            accounts: used_by.into_iter().map(|u| u.username).collect(),
            claimed: named.map(str::to_owned),
        });
    }
    match account {
        Some(account) if !account.role.syncs_records() => Err(ImportError::NoRecords(
            account.username,
            account.role.as_str(),
        )),
        Some(account) => {
            let actor = Actor {
                user: Some(account.id),
                role: account.role,
            };
            // The importer's own file of a tablet no account used: the tablet's unowned numbering
            // (the first account to push from it continues it). Named, or a device the account
            // used: that account's own.
            let numbering = (named.is_some() || used_by_account).then_some(account.id);
            Ok((actor, numbering, Some(account)))
        }
        // The command line without a name, for a device no account used.
        None => Ok((importer, None, None)),
    }
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

/// Opens `file` with `passphrase` and applies it as the account `named` (the person who handed
/// it in), or else as `importer` (the server itself for the command line, the coordinator
/// through the API); see the module docs for the rule. The opening runs on tokio's blocking
/// pool (it takes seconds of CPU), so the server answers other requests meanwhile.
pub async fn import_export(
    store: &Store,
    importer: Actor,
    named: Option<&str>,
    file: impl Into<Bytes>,
    passphrase: &str,
) -> Result<ImportReport, ImportError> {
    let file = file.into();
    let passphrase = passphrase.to_owned();
    let OpenedExport { bundle, photos } =
        tokio::task::spawn_blocking(move || open_export(&file, &passphrase))
            .await
            .map_err(|e| AppError::Corrupt(format!("opening the export failed: {e}")))??;
    // Before anything is stored: a refused file leaves nothing behind, photos included.
    let (actor, numbering, account) = applied_as(store, importer, named, bundle.device_id).await?;
    let mut report = ImportReport {
        device_id: bundle.device_id,
        applied_as: account,
        ..ImportReport::default()
    };
    // Photos first: a record that names a photo should find it on the server.
    for (hash, bytes) in &photos {
        // The same check as an upload's: an export is no way around it.
        if let Err(e) = praatplaat_domain::photo::jpeg_size(bytes) {
            report.photos_refused.push(format!("{hash}: {e}"));
            continue;
        }
        if store.put_photo(hash, bytes).await? {
            report.photos_new += 1;
        } else {
            report.photos_known += 1;
        }
    }
    drop(photos);
    for request in bundle.push_requests() {
        let response = store.push_numbered(actor, numbering, &request).await?;
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
