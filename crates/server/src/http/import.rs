//! `POST /import`: the coordinator applies a device's sealed export file (see `crate::import`);
//! the passphrase travels in the `x-export-passphrase` header (TLS in front, docs/deploy.md).

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use praatplaat_domain::protocol::auth::Role;
use praatplaat_domain::protocol::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::{Body, Json};
use crate::http::Denied;
use crate::import::{import_export, ImportError, ImportReport};
use crate::AppState;

/// An export holds a tablet's photos too: far more than a push.
pub const MAX_IMPORT_BYTES: usize = 128 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES))
}

/// Applies a device's sealed export file (coordinator, admin); importing twice is harmless.
#[utoipa::path(post, path = "/import", tag = "sync", security(("bearer" = [])),
    params(("x-export-passphrase" = String, Header, description = "The export's passphrase")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, body = ImportReport),
        Denied,
        (status = 422, description = "Wrong passphrase, not an export, or damaged", body = ApiError),
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
    match import_export(&state.store, auth.actor(), file, passphrase).await {
        Ok(report) => Ok(Json(report)),
        Err(ImportError::App(e)) => Err(e),
        Err(e) => Err(AppError::Invalid(e.to_string())),
    }
}
