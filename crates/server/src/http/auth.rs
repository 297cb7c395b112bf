//! Sign-in, sign-out and "who am I".

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use praatplaat_domain::protocol::auth::{Me, SignInRequest, SignInResponse};
use praatplaat_domain::protocol::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{dummy_hash, new_token, token_hash, verify_password, Auth};
use crate::error::{AppError, AppResult};
use crate::extract::Json;
use crate::http::{Invalid, SignedIn};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(me))
}

/// The client's address when the server knows it (it does when served by [`crate::serve`]).
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// Longest user name, password and device label accepted (a bound on hashing work too).
const MAX_FIELD_CHARS: usize = 200;

/// Signs a person in on a device; the token is the device's session until it is revoked.
#[utoipa::path(post, path = "/auth/sign-in", tag = "accounts", request_body = SignInRequest, responses(
    (status = 200, body = SignInResponse),
    (status = 401, description = "Wrong user name or password (`bad_credentials`)", body = ApiError),
    Invalid,
    (status = 429, description = "Too many failed sign-ins (`too_many_attempts`); see Retry-After", body = ApiError),
))]
async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(request): Json<SignInRequest>,
) -> AppResult<Json<SignInResponse>> {
    let username = request.username.trim();
    if username.is_empty() || request.password.is_empty() {
        return Err(AppError::Invalid(
            "user name and password are required".into(),
        ));
    }
    if [username, &request.password, &request.device_label]
        .iter()
        .any(|f| f.chars().count() > MAX_FIELD_CHARS)
    {
        return Err(AppError::Invalid(format!(
            "user name, password and device label have at most {MAX_FIELD_CHARS} characters"
        )));
    }
    if request.device_id.is_nil() {
        return Err(AppError::Invalid(
            "device_id must not be the nil UUID".into(),
        ));
    }
    if let Some(wait) = state.sign_in_limiter.wait(username, ip) {
        return Err(AppError::TooManyAttempts(wait));
    }
    let found = state.store.user_for_sign_in(username).await?;
    let hash = found
        .as_ref()
        .map_or(dummy_hash(), |(_, h)| h.as_str())
        .to_owned();
    let password = request.password.clone();
    // Argon2 takes tens of milliseconds of CPU: off the async workers.
    let valid = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let Some((user, _)) = found.filter(|_| valid) else {
        state.sign_in_limiter.failed(username, ip);
        return Err(AppError::BadCredentials);
    };
    state.sign_in_limiter.succeeded(username);
    let token = new_token();
    let label = request.device_label.trim();
    let session_id = state
        .store
        .create_session(user.id, &token_hash(&token), request.device_id, label)
        .await?;
    tracing::info!(user = %user.username, session = %session_id, "signed in");
    Ok(Json(SignInResponse {
        token,
        session_id,
        user,
    }))
}

/// Ends this device's session.
#[utoipa::path(post, path = "/auth/sign-out", tag = "accounts", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out"),
    SignedIn,
))]
async fn sign_out(State(state): State<AppState>, auth: Auth) -> AppResult<StatusCode> {
    state.store.revoke_session(auth.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who this session belongs to.
#[utoipa::path(get, path = "/auth/me", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Me),
    SignedIn,
))]
async fn me(auth: Auth) -> Json<Me> {
    Json(Me {
        session_id: auth.session_id,
        user: auth.user,
    })
}
