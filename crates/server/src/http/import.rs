//! `POST /import`: the coordinator applies a device's sealed export file (see `crate::import`);
//! the passphrase travels in the `x-export-passphrase` header (TLS in front, docs/deploy.md), the
//! account the file is from in `x-export-user`.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::{Body, Json};
use crate::import::{import_export, ImportError, ImportReport};
use crate::AppState;

/// An export holds a tablet's photos too: far more than a push.
pub const MAX_IMPORT_BYTES: usize = 128 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES))
}

/// Applies a device's sealed export file (coordinator, admin) as the account it is from, with
/// that account's rights; importing twice is harmless.
#[utoipa::path(post, path = "/import", tag = "sync", security(("bearer" = [])),
    params(
        ("x-export-passphrase" = String, Header, description = "The export's passphrase"),
        ("x-export-user" = Option<String>, Header, description = "The user name of the account the \
         file is from (who handed it in); without it, the importer's own. Its changes are applied \
         with that account's rights; the file's device must be one that account used, or one no \
         account used"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, body = ImportReport),
        (status = 403, description = "Not the office (`forbidden`); the file's device is another \
         account's (`device_of_another_user`) or the server's own (`device_reserved`)", body = ApiError),
        (status = 422, description = "Wrong passphrase, not an export, damaged, or no such account", body = ApiError),
        (status = 400, description = "The file's header asks for more PBKDF2 iterations than accepted (`too_many_iterations`)", body = ApiError),
    ))]
async fn import(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Body(file): Body,
) -> AppResult<Json<ImportReport>> {
    auth.require(&[Role::Coordinator, Role::Admin])?;
    let passphrase = headers
        .get("x-export-passphrase")
        .and_then(|v| v.to_str().ok())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            AppError::Invalid(
                "the export's passphrase goes in the x-export-passphrase header".into(),
            )
        })?;
    let named = match headers.get("x-export-user") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .ok_or_else(|| {
                    AppError::Invalid("x-export-user holds the account's user name".into())
                })?,
        ),
    };
    match import_export(&state.store, auth.actor(), named, file, passphrase).await {
        Ok(report) => Ok(Json(report)),
        Err(ImportError::App(e)) => Err(e),
        Err(ImportError::DeviceReserved) => Err(AppError::DeviceReserved),
        Err(e @ ImportError::DeviceOfAnotherUser { .. }) => {
            Err(AppError::DeviceOfAnotherUser(e.to_string()))
        }
        // A header asking for more key derivation than any real export: refused before any.
        Err(ImportError::Vault(e @ praatplaat_vault::VaultError::TooManyIterations(_))) => {
            Err(AppError::BadRequest("too_many_iterations", e.to_string()))
        }
        Err(e) => Err(AppError::Invalid(e.to_string())),
    }
}
