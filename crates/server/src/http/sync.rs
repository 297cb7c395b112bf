//! Push and pull of records (see `praatplaat_domain::protocol`).

use axum::extract::State;
use praatplaat_domain::protocol::{
    ApiError, PullResponse, PushRequest, PushResponse, MAX_PULL_LIMIT, MAX_PUSH_CHANGES, MAX_SEQ,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use praatplaat_domain::protocol::auth::Role;

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Query};
use crate::http::{Denied, Invalid};
use crate::store::SEED_DEVICE;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push))
        .routes(routes!(pull))
}

/// The roles that hold records; partners see figures only.
pub(crate) const RECORD_ROLES: &[Role] = &[Role::Interviewer, Role::Coordinator, Role::Admin];

/// Applies a device's changes in order, each at most once (see the protocol in ARCHITECTURE.md).
#[utoipa::path(post, path = "/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest, responses(
    (status = 200, description = "A verdict and receipt per change", body = PushResponse),
    (status = 403, description = "The role may not sync records (`forbidden`), or the device id is the server's own (`device_reserved`)", body = ApiError),
    Invalid,
))]
async fn push(
    State(state): State<AppState>,
    auth: Auth,
    Json(request): Json<PushRequest>,
) -> AppResult<Json<PushResponse>> {
    auth.require(RECORD_ROLES)?;
    if request.device_id.is_nil() {
        return Err(AppError::Invalid(
            "device_id must not be the nil UUID".into(),
        ));
    }
    // A device numbers its own changes; a session pushing for another device would break that
    // numbering (and the exactly-once rule that rests on it).
    if request.device_id != auth.device_id {
        return Err(AppError::Invalid(format!(
            "this push is from device {}, but the session was signed in on device {}; sign in \
             again on this device",
            request.device_id, auth.device_id
        )));
    }
    // Sessions on it are refused since; one from before must not push in the seeds' numbering.
    if request.device_id == SEED_DEVICE {
        return Err(AppError::DeviceReserved);
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
    Ok(Json(state.store.push(auth.actor(), &request).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PullParams {
    /// The cursor of the last page stored (0 for everything): a change number, so at most
    /// i64::MAX.
    #[serde(default)]
    #[param(maximum = 9_223_372_036_854_775_807_i64)]
    since: u64,
    /// Records per page, 1 to 500 (default 500).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// Leave out the records whose stored revision is a change this session's device sent and
    /// was answered `applied` for: the device holds them already, at that revision, once it takes
    /// the verdicts. They still move the cursor, so a page may hold fewer than `limit` records
    /// and still say `more`. Default false (every record, as before).
    #[serde(default)]
    skip_own: bool,
}

/// The records this caller may see that changed after `since`, one page at a time.
#[utoipa::path(get, path = "/pull", tag = "sync", security(("bearer" = [])), params(PullParams), responses(
    (status = 200, body = PullResponse),
    Denied, Invalid,
))]
async fn pull(
    State(state): State<AppState>,
    auth: Auth,
    Query(params): Query<PullParams>,
) -> AppResult<Json<PullResponse>> {
    auth.require(RECORD_ROLES)?;
    // No change number is above it: a cursor past it is none this server gave out.
    if params.since > MAX_SEQ {
        return Err(AppError::Invalid(format!(
            "since must be a cursor this server gave, at most {MAX_SEQ}"
        )));
    }
    let limit = params.limit.unwrap_or(MAX_PULL_LIMIT);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(AppError::Invalid(format!(
            "limit must be between 1 and {MAX_PULL_LIMIT}"
        )));
    }
    Ok(Json(
        state
            .store
            .pull_skipping(
                auth.actor(),
                params.since,
                limit,
                params.skip_own.then_some(auth.device_id),
            )
            .await?,
    ))
}
