use axum::extract::State;
use axum::routing::get;
use axum::Router;
use praatplaat_domain::protocol::{Health, PROTOCOL_VERSION};

use crate::error::AppResult;
use crate::extract::Json;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

/// Answers only when the database does, so "server answers" means "sync will work".
async fn health(State(state): State<AppState>) -> AppResult<Json<Health>> {
    state.store.ping().await?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        protocol: PROTOCOL_VERSION,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}
