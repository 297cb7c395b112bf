//! Photos, content-addressed: `PUT /photos/{sha256}` stores the bytes once (a repeat is harmless),
//! `GET /photos/{sha256}` returns them.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use praatplaat_domain::photo::{content_hash, is_content_hash, MAX_BYTES};
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::extract::{Body, Json};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/photos/{hash}", get(get_photo).put(put_photo))
        .layer(DefaultBodyLimit::max(MAX_BYTES))
}

#[derive(Debug, Serialize)]
struct Stored {
    hash: String,
    bytes: usize,
    /// False when the server had this photo already.
    new: bool,
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

async fn put_photo(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    Body(body): Body,
) -> AppResult<impl IntoResponse> {
    check_hash(&hash)?;
    if body.is_empty() {
        return Err(AppError::Invalid("the photo is empty".into()));
    }
    if content_hash(&body) != hash {
        return Err(AppError::Invalid(
            "the photo's bytes do not match its name (SHA-256); it was damaged on the way".into(),
        ));
    }
    let new = state.store.put_photo(&hash, &body).await?;
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

async fn get_photo(
    State(state): State<AppState>,
    Path(hash): Path<String>,
) -> AppResult<impl IntoResponse> {
    check_hash(&hash)?;
    let bytes = state
        .store
        .get_photo(&hash)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            // The name is the content: it never changes.
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            ),
        ],
        bytes,
    ))
}
