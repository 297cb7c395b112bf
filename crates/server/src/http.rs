//! HTTP routes, one module per resource. Every route lives under `/api/v1`.

pub mod accounts;
pub mod auth;
pub mod figures;
pub mod health;
pub mod import;
pub mod photos;
pub mod static_files;
pub mod sync;

use axum::extract::DefaultBodyLimit;
use axum::Router;

use crate::error::AppError;
use crate::AppState;

pub fn api_router(max_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(accounts::router())
        .merge(figures::router())
        .merge(import::router())
        .merge(sync::router())
        .merge(photos::router())
        // An unknown API path is a JSON 404, never the app's index.html.
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(max_body_bytes))
}
