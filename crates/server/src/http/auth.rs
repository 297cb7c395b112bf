//! Sign-in, sign-out and "who am I".

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use praatplaat_domain::protocol::auth::{Me, SignInRequest, SignInResponse};
use praatplaat_domain::protocol::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{dummy_hash, new_token, token_hash, Auth};
use crate::error::{AppError, AppResult};
use crate::extract::Json;
use crate::http::{check_plain, Invalid};
use crate::store::now_ms;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(me))
}

/// The client's address: the socket peer's (when served by [`crate::serve`]), or, when the
/// server is configured with a proxy's header (`--client-ip-header`), the last address in that
/// header: the one the trusted proxy in front wrote itself (earlier ones come from the client and
/// prove nothing). Without either it is unknown.
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// As a key part of the sign-in limit.
    pub fn key(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

/// The last address in a forwarding header's value (`X-Forwarded-For: client, proxy1`, or
/// `X-Real-IP: client`), with an optional port or IPv6 brackets.
fn last_forwarded(value: &str) -> Option<IpAddr> {
    let last = value.rsplit(',').next()?.trim();
    if let Ok(ip) = last.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = last.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    last.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|ip| ip.parse().ok())
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = state.client_ip_header.as_ref().and_then(|name| {
            // Several header lines count as one list, in order.
            let values: Vec<&str> = parts
                .headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            last_forwarded(values.last()?)
        });
        Ok(ClientIp(forwarded.or(peer)))
    }
}

/// Longest user name, password and device label accepted (a bound on hashing work too).
const MAX_FIELD_CHARS: usize = 200;

/// Signs a person in on a device; the token is the device's session until it is revoked.
#[utoipa::path(post, path = "/auth/sign-in", tag = "accounts", request_body = SignInRequest, responses(
    (status = 200, body = SignInResponse),
    (status = 401, description = "Wrong user name or password (`bad_credentials`)", body = ApiError),
    (status = 403, description = "The device id is the server's own (`device_reserved`)", body = ApiError),
    Invalid,
    (status = 429, description = "Too many failed sign-ins for this name from this address, or for this name (`too_many_attempts`), or every password check is busy (`busy`)", body = ApiError,
        headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
))]
async fn sign_in(
    State(state): State<AppState>,
    client: ClientIp,
    Json(request): Json<SignInRequest>,
) -> AppResult<Json<SignInResponse>> {
    let username = request.username.trim();
    if username.is_empty() || request.password.is_empty() {
        return Err(AppError::Invalid(
            "user name and password are required".into(),
        ));
    }
    // As sent (what the OpenAPI document can say), blanks around the name included.
    if [&request.username, &request.password, &request.device_label]
        .iter()
        .any(|f| f.chars().count() > MAX_FIELD_CHARS)
    {
        return Err(AppError::Invalid(format!(
            "user name, password and device label have at most {MAX_FIELD_CHARS} characters"
        )));
    }
    check_plain("the user name", &request.username)?;
    check_plain("the device label", &request.device_label)?;
    if request.device_id.is_nil() {
        return Err(AppError::Invalid(
            "device_id must not be the nil UUID".into(),
        ));
    }
    // The attempt is counted before its password is checked, so concurrent attempts cannot all
    // pass a limit that none of them has reached yet.
    let address = client.key();
    if let Some(wait) = state
        .store
        .reserve_sign_in(username, &address, now_ms())
        .await?
    {
        tracing::info!(%address, "sign-in refused: too many failed attempts");
        return Err(AppError::TooManyAttempts(wait));
    }
    let found = state.store.user_for_sign_in(username).await?;
    let hash = found
        .as_ref()
        .map_or(dummy_hash(), |(_, h)| h.as_str())
        .to_owned();
    let Some(valid) = state
        .verifications
        .verify(request.password.clone(), hash)
        .await
    else {
        state.store.sign_in_unchecked(username, &address).await?;
        tracing::warn!(%address, "sign-in not checked: every password check is busy");
        return Err(AppError::Busy(Duration::from_secs(1)));
    };
    let known = found.as_ref().map(|(user, _)| user.username.clone());
    let Some((user, _)) = found.filter(|_| valid) else {
        // Never the password; the name only when it is an account's (a password typed into the
        // name field is not written to the log).
        match known {
            Some(name) => tracing::warn!(user = %name, %address, "failed sign-in: wrong password"),
            None => tracing::warn!(%address, "failed sign-in: unknown user name"),
        }
        return Err(AppError::BadCredentials);
    };
    state.store.sign_in_succeeded(username, &address).await?;
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
))]
async fn sign_out(State(state): State<AppState>, auth: Auth) -> AppResult<StatusCode> {
    state.store.revoke_session(auth.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who this session belongs to.
#[utoipa::path(get, path = "/auth/me", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Me),
))]
async fn me(auth: Auth) -> Json<Me> {
    Json(Me {
        session_id: auth.session_id,
        user: auth.user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxys_own_entry_is_the_last() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(last_forwarded("203.0.113.9"), ip("203.0.113.9"));
        assert_eq!(
            last_forwarded("10.0.0.1, 198.51.100.4 , 203.0.113.9"),
            ip("203.0.113.9")
        );
        assert_eq!(last_forwarded("203.0.113.9:4711"), ip("203.0.113.9"));
        assert_eq!(last_forwarded("[2001:db8::1]:443"), ip("2001:db8::1"));
        assert_eq!(last_forwarded("2001:db8::1"), ip("2001:db8::1"));
        assert_eq!(last_forwarded("unknown"), None);
        assert_eq!(last_forwarded(""), None);
    }
}
