//! Push and pull of records (see `praatplaat_domain::protocol`).

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use praatplaat_domain::protocol::{
    PullResponse, PushRequest, PushResponse, MAX_PULL_LIMIT, MAX_PUSH_CHANGES,
};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::extract::{Json, Query};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/push", post(push))
        .route("/pull", get(pull))
}

async fn push(
    State(state): State<AppState>,
    Json(request): Json<PushRequest>,
) -> AppResult<Json<PushResponse>> {
    if request.device_id.is_nil() {
        return Err(AppError::Invalid(
            "device_id must not be the nil UUID".into(),
        ));
    }
    if request.changes.len() > MAX_PUSH_CHANGES {
        return Err(AppError::Invalid(format!(
            "a push carries at most {MAX_PUSH_CHANGES} changes, this one {}; send them in batches",
            request.changes.len()
        )));
    }
    if let Some(pair) = request.changes.windows(2).find(|w| w[0].seq >= w[1].seq) {
        return Err(AppError::Invalid(format!(
            "changes must be in increasing seq order ({} then {})",
            pair[0].seq, pair[1].seq
        )));
    }
    Ok(Json(state.store.push(&request).await?))
}

#[derive(Debug, Deserialize)]
struct PullParams {
    #[serde(default)]
    since: u64,
    limit: Option<u32>,
}

async fn pull(
    State(state): State<AppState>,
    Query(params): Query<PullParams>,
) -> AppResult<Json<PullResponse>> {
    let limit = params.limit.unwrap_or(MAX_PULL_LIMIT);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(AppError::Invalid(format!(
            "limit must be between 1 and {MAX_PULL_LIMIT}"
        )));
    }
    Ok(Json(state.store.pull(params.since, limit).await?))
}
