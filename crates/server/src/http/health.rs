use axum::extract::State;
use praatplaat_domain::protocol::{ApiError, Health, PROTOCOL_VERSION};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppResult;
use crate::extract::Json;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Answers only when the database does, so "server answers" means "sync will work".
#[utoipa::path(get, path = "/health", tag = "server", responses(
    (status = 200, body = Health),
    (status = 500, description = "The database does not answer", body = ApiError),
))]
async fn health(State(state): State<AppState>) -> AppResult<Json<Health>> {
    state.store.ping().await?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        protocol: PROTOCOL_VERSION,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}
