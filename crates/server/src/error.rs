//! The API's errors: each maps to a status and a JSON body `{"error": code, "message": text}`.
//! Internal details (SQL, file paths) are logged, never sent to the client.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
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
    Path(#[from] PathRejection),
    #[error(transparent)]
    Body(#[from] BytesRejection),
    #[error("not found")]
    NotFound,
    #[error("sign in first: this request carries no valid session token")]
    Unauthorized,
    #[error("this device's session was revoked; sign in again (the data on the device is kept)")]
    SessionRevoked,
    #[error("your role may not do this")]
    Forbidden,
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("too many failed sign-ins; try again in {} minutes", .0.as_secs().div_ceil(60))]
    TooManyAttempts(std::time::Duration),
    #[error("{0}")]
    Conflict(String),
    /// Every password check is taken; the client tries again after the Retry-After seconds.
    #[error("the server is busy checking other sign-ins; try again in a moment")]
    Busy(std::time::Duration),
    /// The account's quota of unfinished photo uploads is full (the message says how full).
    #[error("{0}")]
    UploadQuota(String),
    /// A request the server will not even try, with its own code (`too_many_iterations`).
    #[error("{1}")]
    BadRequest(&'static str, String),
    /// The server's own device id (the seed catalogue's): nobody signs in, pushes or imports as it.
    #[error("this device id is reserved for the server itself; use the device's own id")]
    DeviceReserved,
    /// An import names a device that another account used (the message says which).
    #[error("{0}")]
    DeviceOfAnotherUser(String),
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
            AppError::Path(_) => (StatusCode::BAD_REQUEST, "bad_path"),
            AppError::Body(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
            }
            AppError::Body(_) => (StatusCode::BAD_REQUEST, "bad_body"),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::SessionRevoked => (StatusCode::UNAUTHORIZED, "session_revoked"),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            AppError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::Busy(_) => (StatusCode::TOO_MANY_REQUESTS, "busy"),
            AppError::UploadQuota(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_uploads"),
            AppError::BadRequest(code, _) => (StatusCode::BAD_REQUEST, code),
            AppError::DeviceReserved => (StatusCode::FORBIDDEN, "device_reserved"),
            AppError::DeviceOfAnotherUser(_) => (StatusCode::FORBIDDEN, "device_of_another_user"),
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
                AppError::Path(rejection) => rejection.body_text(),
                AppError::Body(rejection) => rejection.body_text(),
                other => other.to_string(),
            }
        };
        let body = ApiError {
            error: code.to_owned(),
            message,
        };
        let mut response = (status, Json(body)).into_response();
        let retry_after = match &self {
            AppError::TooManyAttempts(wait) | AppError::Busy(wait) => Some(*wait),
            // Space comes back when an upload finishes or expires: ask again in a while.
            AppError::UploadQuota(_) => Some(std::time::Duration::from_secs(300)),
            _ => None,
        };
        if let Some(wait) = retry_after {
            // Whole seconds, rounded up: a client waiting what it was told is let in.
            let seconds = wait.as_millis().div_ceil(1000).max(1);
            if let Ok(value) = seconds.to_string().parse() {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
