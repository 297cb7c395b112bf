//! HTTP routes, one module per resource. Every route lives under `/api/v1`.
//!
//! Each handler carries its `#[utoipa::path]` description and is registered through
//! `utoipa_axum::routes!`, which adds the route and its description together: the OpenAPI
//! document at `/api/v1/openapi.json` is built from the same code that serves, so it cannot drift.
//! The answers of the extractors (401, 400 `bad_json`/`bad_query`/`bad_path`/`bad_body`, 413,
//! 415, 422) are added to every operation from what it declares ([`answers`]); a handler declares
//! only what it refuses itself, mostly through the shared [`Denied`] and [`Invalid`].

pub mod accounts;
mod answers;
pub mod auth;
pub mod figures;
pub mod health;
pub mod import;
pub mod photos;
pub mod static_files;
pub mod sync;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::AppError;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Praatplaat API",
        description = "Sync, accounts and figures of Praatplaat (MKB-Deal Circulaire \
                       Maakindustrie Metaal). Errors are JSON `{error, message}`; protected \
                       routes take `Authorization: Bearer <token>` from /auth/sign-in.",
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerToken),
)]
struct ApiDoc;

struct BearerToken;

/// The answer of a role-checked route to a caller whose role may not use it (the 401 of every
/// protected route comes from [`answers`]).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(crate) enum Denied {
    /// The role may not do this (`forbidden`).
    #[response(status = 403)]
    Forbidden(#[to_schema] praatplaat_domain::protocol::ApiError),
}

/// The request is well-formed but refused (`invalid`); the message says why.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(crate) enum Invalid {
    /// The request is refused (`invalid`); the message says why.
    #[response(status = 422)]
    Invalid(#[to_schema] praatplaat_domain::protocol::ApiError),
}

/// Refuses a name or label (`field`) holding control characters: they mean nothing on a screen,
/// and PostgreSQL's text cannot hold NUL at all (the fuzz run's sign-in with `"a\u0000b"` was a
/// 500 there and stored on SQLite). The document says so with a pattern (`protocol::auth`).
pub(crate) fn check_plain(field: &str, value: &str) -> Result<(), AppError> {
    if value.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "{field} holds a control character (a tab, a line break, NUL …)"
        )));
    }
    Ok(())
}

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every API route, and the OpenAPI document describing them.
pub fn api_router(max_body_bytes: usize) -> Router<AppState> {
    let (router, mut document) = openapi_router().split_for_parts();
    answers::declare(&mut document);
    let document = Arc::new(document);
    router
        .route(
            "/openapi.json",
            get(move || {
                let document = Arc::clone(&document);
                async move { axum::Json(document) }
            }),
        )
        // An unknown API path is a JSON 404, never the app's index.html.
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(max_body_bytes))
}

fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(accounts::router())
        .merge(figures::router())
        .merge(import::router())
        .merge(sync::router())
        .merge(photos::router())
}

/// The OpenAPI document (also for tools: `praatplaat-server openapi`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = openapi_router().into_openapi();
    answers::declare(&mut document);
    document
}
