//! The API's errors: each maps to a status and a JSON body `{"error": code, "message": text}`.
//! Internal details (SQL, file paths) are logged, never sent to the client.

use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use praatplaat_domain::protocol::ApiError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Json(#[from] JsonRejection),
    #[error(transparent)]
    Query(#[from] QueryRejection),
    #[error(transparent)]
    Body(#[from] BytesRejection),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

impl AppError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::Json(rejection) => match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                    (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
                }
                StatusCode::UNPROCESSABLE_ENTITY => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
                _ => (StatusCode::BAD_REQUEST, "bad_json"),
            },
            AppError::Query(_) => (StatusCode::BAD_REQUEST, "bad_query"),
            AppError::Body(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
            }
            AppError::Body(_) => (StatusCode::BAD_REQUEST, "bad_body"),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Database(_) | AppError::Corrupt(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
            "the server could not complete the request; try again later".to_owned()
        } else {
            match &self {
                // Body text of axum's rejections names the field and position: useful to a client.
                AppError::Json(rejection) => rejection.body_text(),
                AppError::Query(rejection) => rejection.body_text(),
                AppError::Body(rejection) => rejection.body_text(),
                other => other.to_string(),
            }
        };
        let body = ApiError {
            error: code.to_owned(),
            message,
        };
        (status, Json(body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
