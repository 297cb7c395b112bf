//! Photos, content-addressed: `PUT /photos/{sha256}` stores the bytes once (a repeat is harmless),
//! `GET /photos/{sha256}` returns them. Resumable upload for weak connections:
//! `GET /photos/{sha256}/upload` says how many bytes the server has, `PATCH
//! /photos/{sha256}/upload?offset=N&size=TOTAL` adds the next chunk; the last chunk stores the
//! photo once its hash checks out.
//!
//! A photo is a JPEG of at most `photo::MAX_SIDE` pixels a side (what the app makes); it is read
//! only by whom may see a record that refers to it, or who sent its bytes (`store::photos`). To
//! anyone else a stored photo looks like one never seen: 404, and an upload status of 0.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use praatplaat_domain::photo::{content_hash, is_content_hash, jpeg_size, MAX_BYTES};
use praatplaat_domain::protocol::ApiError;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::{Body, Json, Path, Query};
use crate::http::sync::RECORD_ROLES;
use crate::http::{Denied, Invalid};
use crate::store::{UploadRefusal, UploadState, MAX_OPEN_UPLOADS, MAX_OPEN_UPLOAD_BYTES};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_photo, put_photo))
        .routes(routes!(upload_status, upload_chunk))
        .layer(DefaultBodyLimit::max(MAX_BYTES))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Stored {
    hash: String,
    bytes: usize,
    /// False when the server had this photo already.
    new: bool,
}

/// A photo's name in the path.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
struct PhotoHash {
    /// Lower-case hex SHA-256 of the photo's bytes (64 characters).
    #[param(pattern = "^[0-9a-f]{64}$")]
    hash: String,
}

fn check_hash(hash: &str) -> AppResult<()> {
    if is_content_hash(hash) {
        Ok(())
    } else {
        Err(AppError::Invalid(
            "a photo is named by the lower-case hex SHA-256 of its bytes (64 characters)".into(),
        ))
    }
}

/// Stores a photo (JPEG) under the SHA-256 of its bytes; sending it again is harmless.
#[utoipa::path(put, path = "/photos/{hash}", tag = "photos", security(("bearer" = [])),
    params(PhotoHash),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses(
        (status = 201, description = "Stored", body = Stored),
        (status = 200, description = "The server had it already", body = Stored),
        Denied, Invalid,
        (status = 413, description = "Over 2 MiB (`too_large`)", body = ApiError),
    ))]
async fn put_photo(
    State(state): State<AppState>,
    auth: Auth,
    Path(PhotoHash { hash }): Path<PhotoHash>,
    Body(body): Body,
) -> AppResult<impl IntoResponse> {
    auth.require(RECORD_ROLES)?;
    check_hash(&hash)?;
    if body.is_empty() {
        return Err(AppError::Invalid("the photo is empty".into()));
    }
    if content_hash(&body) != hash {
        return Err(AppError::Invalid(
            "the photo's bytes do not match its name (SHA-256); it was damaged on the way".into(),
        ));
    }
    jpeg_size(&body).map_err(|e| AppError::Invalid(e.to_string()))?;
    let user = auth.user.id;
    let new = state.store.put_photo_by(user, &hash, &body).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Stored {
            hash,
            bytes: body.len(),
            new,
        }),
    ))
}

#[utoipa::path(get, path = "/photos/{hash}", tag = "photos", security(("bearer" = [])),
    params(PhotoHash),
    responses(
        (status = 200, description = "The photo", content_type = "image/jpeg", body = Vec<u8>),
        Denied, Invalid,
        (status = 404, description = "No such photo, or none this account may see (`not_found`)", body = ApiError),
    ))]
async fn get_photo(
    State(state): State<AppState>,
    auth: Auth,
    Path(PhotoHash { hash }): Path<PhotoHash>,
) -> AppResult<impl IntoResponse> {
    auth.require(RECORD_ROLES)?;
    check_hash(&hash)?;
    let bytes = state
        .store
        .get_photo(auth.actor(), &hash)
        .await?
        .ok_or(AppError::NotFound)?;
    // No cache header of its own: API answers are `no-store` (the app keeps photos in
    // IndexedDB; a browser cache would hand them to the next account on a shared tablet).
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], bytes))
}

/// How far the upload of a photo has come.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct UploadStatus {
    pub received: u64,
    pub complete: bool,
}

impl From<UploadState> for UploadStatus {
    fn from(state: UploadState) -> Self {
        UploadStatus {
            received: state.received,
            complete: state.complete,
        }
    }
}

/// How many bytes of a resumable upload the server holds.
#[utoipa::path(get, path = "/photos/{hash}/upload", tag = "photos", security(("bearer" = [])),
    params(PhotoHash),
    responses(
        (status = 200, body = UploadStatus),
        Denied, Invalid,
    ))]
async fn upload_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(PhotoHash { hash }): Path<PhotoHash>,
) -> AppResult<Json<UploadStatus>> {
    auth.require(RECORD_ROLES)?;
    check_hash(&hash)?;
    Ok(Json(
        state.store.upload_state(auth.actor(), &hash).await?.into(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChunkParams {
    /// Where this chunk starts: what the server holds so far (less than `size`).
    #[param(maximum = 2097151)]
    offset: u64,
    /// The whole photo's size in bytes, at most 2 MiB.
    #[param(minimum = 1, maximum = 2097152)]
    size: u64,
}

/// Adds the next chunk of a resumable upload; the last one stores the photo once its hash checks.
#[utoipa::path(patch, path = "/photos/{hash}/upload", tag = "photos", security(("bearer" = [])),
    params(PhotoHash, ChunkParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, body = UploadStatus),
        Denied,
        (status = 409, description = "`offset` is not what the server holds; ask and go on from there", body = ApiError),
        (status = 422, description = "Bad size, not a JPEG of a photo's size, or the joined bytes do not match the hash (upload dropped)", body = ApiError),
        (status = 429, description = "The account's unfinished uploads are at their quota (`too_many_uploads`)", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
async fn upload_chunk(
    State(state): State<AppState>,
    auth: Auth,
    Path(PhotoHash { hash }): Path<PhotoHash>,
    Query(params): Query<ChunkParams>,
    Body(chunk): Body,
) -> AppResult<Json<UploadStatus>> {
    auth.require(RECORD_ROLES)?;
    check_hash(&hash)?;
    if params.size == 0 || params.size > MAX_BYTES as u64 {
        return Err(AppError::Invalid(format!(
            "size must be between 1 and {MAX_BYTES} bytes"
        )));
    }
    if chunk.is_empty() {
        return Err(AppError::Invalid("the chunk is empty".into()));
    }
    match state
        .store
        .append_upload(auth.actor(), &hash, params.size, params.offset, &chunk)
        .await?
    {
        Ok(done) => Ok(Json(done.into())),
        Err(UploadRefusal::OffsetMismatch { received }) => Err(AppError::Conflict(format!(
            "offset_mismatch: the server has {received} bytes of this photo; continue from there"
        ))),
        Err(UploadRefusal::SizeChanged { known }) => Err(AppError::Invalid(format!(
            "this upload was started with size {known}"
        ))),
        Err(UploadRefusal::TooLong { size }) => Err(AppError::Invalid(format!(
            "the chunk goes past the photo's size of {size} bytes"
        ))),
        Err(UploadRefusal::NotPhoto(e)) => {
            Err(AppError::Invalid(format!("{e}; the upload was dropped")))
        }
        Err(UploadRefusal::Quota { uploads, bytes }) => Err(AppError::UploadQuota(format!(
            "this account has {uploads} unfinished photo uploads ({bytes} bytes announced); at \
             most {MAX_OPEN_UPLOADS} uploads and {MAX_OPEN_UPLOAD_BYTES} bytes may wait at once: \
             finish one first (unfinished ones expire after a day)"
        ))),
        Err(UploadRefusal::HashMismatch) => Err(AppError::Invalid(
            "the uploaded bytes do not match the photo's name (SHA-256); the upload was dropped, \
             send it again from the start"
                .into(),
        )),
    }
}
