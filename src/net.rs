//! The way to the server: the sync engine's [`Transport`] over HTTP (fetch, through gloo-net),
//! and the account calls (sign-in, sign-out). Every call but sign-in carries the device's
//! session as `Authorization: Bearer <token>`.

use gloo_net::http::{Request, RequestBuilder, Response};
use praatplaat_domain::protocol::auth::{SessionInfo, SignInRequest, SignInResponse};
use praatplaat_domain::protocol::{ApiError, Health, PullResponse, PushRequest, PushResponse};
use praatplaat_domain::sync::Transport;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use thiserror::Error;
use wasm_bindgen::JsCast;

/// A request that has not been answered in this time is given up (a hall with a weak signal can
/// leave a connection hanging for minutes).
const TIMEOUT_MS: u32 = 20_000;

#[derive(Debug, Clone, Error)]
pub enum NetError {
    #[error("the server cannot be reached ({0})")]
    Unreachable(String),
    #[error("the server answered {status} {code}: {message}")]
    Http {
        status: u16,
        /// The API's machine code (`bad_credentials`, `session_revoked`, ...), empty when the
        /// answer was not the API's JSON error.
        code: String,
        message: String,
        /// Seconds from a `Retry-After` header (too many sign-in attempts).
        retry_after: Option<u32>,
    },
    #[error("the server's answer is unreadable: {0}")]
    Decode(String),
}

impl NetError {
    /// The server no longer accepts this device's session (revoked, expired or unknown): the
    /// device must forget its token and ask to sign in again.
    pub fn session_refused(&self) -> bool {
        matches!(self, NetError::Http { status: 401, .. })
    }

    /// The account is signed in but may not do this (a partner account on a tablet, say).
    pub fn forbidden(&self) -> bool {
        matches!(self, NetError::Http { status: 403, .. })
    }
}

/// How far a resumable photo upload has come (`GET`/`PATCH /photos/{hash}/upload`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct UploadStatus {
    pub received: u64,
    pub complete: bool,
}

#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: String,
    token: Option<String>,
}

impl HttpTransport {
    /// `base` is the API root, e.g. `/api/v1`; `token` the session's bearer token.
    pub fn new(base: String, token: Option<String>) -> Self {
        HttpTransport { base, token }
    }

    fn authorised(&self, builder: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => builder.header("authorization", &format!("Bearer {token}")),
            None => builder,
        }
    }

    /// How many bytes of the photo `hash` the server holds (`complete` once it stores the photo,
    /// also when another tablet sent it first).
    pub async fn upload_status(&self, hash: &str) -> Result<UploadStatus, NetError> {
        send(self.authorised(Request::get(&format!("{}/photos/{hash}/upload", self.base)))).await
    }

    /// Sends the bytes of a photo of `size` bytes starting at `offset` (which must be what the
    /// server holds: 409 otherwise). A chunk is small, so a drop costs at most one chunk.
    pub async fn upload_chunk(
        &self,
        hash: &str,
        offset: u64,
        size: u64,
        chunk: &web_sys::Blob,
    ) -> Result<UploadStatus, NetError> {
        let builder = self
            .authorised(Request::patch(&format!(
                "{}/photos/{hash}/upload?offset={offset}&size={size}",
                self.base
            )))
            .header("content-type", "application/octet-stream");
        let (builder, _timeout) = with_timeout(builder)?;
        let request = builder
            .body(chunk)
            .map_err(|e| NetError::Decode(e.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|e| NetError::Unreachable(e.to_string()))?;
        decode(response).await
    }

    /// A photo taken on another tablet, from the server (an `<img src>` could not send the token).
    pub async fn get_photo(&self, hash: &str) -> Result<web_sys::Blob, NetError> {
        let builder = self.authorised(Request::get(&format!("{}/photos/{hash}", self.base)));
        let (builder, _timeout) = with_timeout(builder)?;
        let response = builder
            .send()
            .await
            .map_err(|e| NetError::Unreachable(e.to_string()))?;
        let response = check(response).await?;
        let blob = wasm_bindgen_futures::JsFuture::from(
            web_sys::Response::from(response)
                .blob()
                .map_err(|e| NetError::Decode(format!("{e:?}")))?,
        )
        .await
        .map_err(|e| NetError::Unreachable(format!("{e:?}")))?;
        blob.dyn_into()
            .map_err(|_| NetError::Decode("the photo is not a blob".into()))
    }

    pub async fn health(&self) -> Result<Health, NetError> {
        send(self.authorised(Request::get(&format!("{}/health", self.base)))).await
    }

    /// The signed-in devices: all of them for the office, one's own for others.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, NetError> {
        send(self.authorised(Request::get(&format!("{}/sessions", self.base)))).await
    }

    /// Revokes a session (a lost tablet's): it can no longer sync until it signs in again.
    pub async fn revoke_session(&self, id: uuid::Uuid) -> Result<(), NetError> {
        let builder = self.authorised(Request::delete(&format!("{}/sessions/{id}", self.base)));
        let (builder, _timeout) = with_timeout(builder)?;
        let response = builder
            .send()
            .await
            .map_err(|e| NetError::Unreachable(e.to_string()))?;
        check(response).await.map(|_| ())
    }

    /// Revokes this device's session on the server.
    pub async fn sign_out(&self) -> Result<(), NetError> {
        let builder = self.authorised(Request::post(&format!("{}/auth/sign-out", self.base)));
        let (builder, _timeout) = with_timeout(builder)?;
        let response = builder
            .send()
            .await
            .map_err(|e| NetError::Unreachable(e.to_string()))?;
        check(response).await.map(|_| ())
    }
}

/// Signs in: the one call that needs no token.
pub async fn sign_in(base: &str, request: &SignInRequest) -> Result<SignInResponse, NetError> {
    send_json(Request::post(&format!("{base}/auth/sign-in")), request).await
}

/// Adds an abort after [`TIMEOUT_MS`]; the returned timer cancels it when dropped, so keep it
/// alive until the answer is read.
fn with_timeout(
    builder: RequestBuilder,
) -> Result<(RequestBuilder, gloo_timers::callback::Timeout), NetError> {
    let controller =
        web_sys::AbortController::new().map_err(|e| NetError::Unreachable(format!("{e:?}")))?;
    let signal = controller.signal();
    let timeout = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort());
    Ok((builder.abort_signal(Some(&signal)), timeout))
}

/// Sends a request with a time limit and decodes a JSON answer or the API's JSON error.
async fn send<T: DeserializeOwned>(builder: RequestBuilder) -> Result<T, NetError> {
    let (builder, _timeout) = with_timeout(builder)?;
    let response = builder
        .send()
        .await
        .map_err(|e| NetError::Unreachable(e.to_string()))?;
    decode(response).await
}

async fn send_json<B: serde::Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, NetError> {
    let (builder, _timeout) = with_timeout(builder)?;
    let request = builder
        .json(body)
        .map_err(|e| NetError::Decode(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| NetError::Unreachable(e.to_string()))?;
    decode(response).await
}

/// Passes a 2xx answer through; turns anything else into [`NetError::Http`].
async fn check(response: Response) -> Result<Response, NetError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse().ok());
    let (code, message) = match response.json::<ApiError>().await {
        Ok(error) => (error.error, error.message),
        Err(_) => (String::new(), response.status_text()),
    };
    Err(NetError::Http {
        status,
        code,
        message,
        retry_after,
    })
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, NetError> {
    check(response)
        .await?
        .json()
        .await
        .map_err(|e| NetError::Decode(e.to_string()))
}

impl Transport for HttpTransport {
    type Error = NetError;

    async fn push(&self, request: &PushRequest) -> Result<PushResponse, NetError> {
        send_json(
            self.authorised(Request::post(&format!("{}/push", self.base))),
            request,
        )
        .await
    }

    async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, NetError> {
        send(self.authorised(Request::get(&format!(
            "{}/pull?since={since}&limit={limit}&skip_own=true",
            self.base
        ))))
        .await
    }
}
