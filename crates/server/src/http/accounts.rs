//! Accounts (admin), device sessions (coordinator; everyone their own) and who holds a company.

use axum::extract::State;
use axum::http::StatusCode;
use praatplaat_domain::protocol::auth::{
    check_password, Assignees, NewUser, Role, SessionInfo, UserInfo,
};
use praatplaat_domain::protocol::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::{hash_password, Auth};
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Path};
use crate::http::{check_plain, Denied, Invalid};
use crate::store::AccountError;
use crate::AppState;

const OFFICE: &[Role] = &[Role::Coordinator, Role::Admin];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, add_user))
        .routes(routes!(list_sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(assign))
}

/// Longest user name of a new account (as sent, blanks around it included).
pub const MAX_USERNAME_CHARS: usize = 100;

/// Creates an account (also used by the `user add` command).
pub async fn create_user(state: &AppState, new: NewUser) -> AppResult<UserInfo> {
    // The length as sent (what the OpenAPI document can say), the name without its blanks.
    let username = new.username.trim().to_owned();
    if username.is_empty() || new.username.chars().count() > MAX_USERNAME_CHARS {
        return Err(AppError::Invalid(format!(
            "a user name has 1 to {MAX_USERNAME_CHARS} characters, not only blanks"
        )));
    }
    check_plain("the user name", &new.username)?;
    check_plain("the display name", &new.display_name)?;
    check_password(&new.password).map_err(AppError::Invalid)?;
    let display = match new.display_name.trim() {
        "" => username.clone(),
        name => name.to_owned(),
    };
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Corrupt(e.to_string()))??;
    state
        .store
        .create_user(&username, &display, new.role, &hash)
        .await
        .map_err(|e| match e {
            AccountError::UsernameTaken(_) => AppError::Conflict(e.to_string()),
            AccountError::App(e) => e,
        })
}

/// Creates an account (admin).
#[utoipa::path(post, path = "/users", tag = "accounts", security(("bearer" = [])), request_body = NewUser, responses(
    (status = 201, body = UserInfo),
    Denied,
    (status = 409, description = "The user name is taken (`conflict`)", body = ApiError),
    Invalid,
))]
async fn add_user(
    State(state): State<AppState>,
    auth: Auth,
    Json(new): Json<NewUser>,
) -> AppResult<(StatusCode, Json<UserInfo>)> {
    auth.require(&[Role::Admin])?;
    let user = create_user(&state, new).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Every account (coordinator, admin).
#[utoipa::path(get, path = "/users", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Vec<UserInfo>),
    Denied,
))]
async fn list_users(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<UserInfo>>> {
    auth.require(OFFICE)?;
    Ok(Json(state.store.users().await?))
}

/// The office sees every session; others their own (to see which of their devices are signed in).
#[utoipa::path(get, path = "/sessions", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Vec<SessionInfo>),
))]
async fn list_sessions(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<SessionInfo>>> {
    let only = (!OFFICE.contains(&auth.user.role)).then_some(auth.user.id);
    Ok(Json(state.store.sessions(only).await?))
}

/// Revokes a device session (a lost tablet): the office any, everyone their own.
#[utoipa::path(delete, path = "/sessions/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The session")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such session, or (outside the office) not yours (`not_found`)", body = ApiError),
    ))]
async fn revoke_session(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    let owner = state.store.session_owner(id).await?;
    // Someone else's session answers as one that does not exist: a 403 would tell an
    // interviewer which session ids are real.
    let may = owner.is_some_and(|o| o == auth.user.id || OFFICE.contains(&auth.user.role));
    if !may {
        return Err(AppError::NotFound);
    }
    state.store.revoke_session(id).await?;
    tracing::info!(session = %id, by = %auth.user.username, "session revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the interviewers who hold a company (coordinator, admin).
#[utoipa::path(put, path = "/companies/{id}/assignees", tag = "accounts", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The company")),
    request_body = Assignees,
    responses(
        (status = 204, description = "Assigned"),
        Denied, Invalid,
    ))]
async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Path(company): Path<Uuid>,
    Json(assignees): Json<Assignees>,
) -> AppResult<StatusCode> {
    auth.require(OFFICE)?;
    // A user named twice is assigned once: the list is a set.
    let mut users = assignees.user_ids;
    users.sort_unstable();
    users.dedup();
    let unknown = state.store.unknown_users(&users).await?;
    if !unknown.is_empty() {
        return Err(AppError::Invalid(format!("no such users: {unknown:?}")));
    }
    state.store.assign(company, &users).await?;
    Ok(StatusCode::NO_CONTENT)
}
