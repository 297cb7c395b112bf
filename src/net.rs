//! The way to the server: the sync engine's [`Transport`] over HTTP (fetch, through gloo-net).

use gloo_net::http::{Request, Response};
use praatplaat_domain::protocol::{ApiError, Health, PullResponse, PushRequest, PushResponse};
use praatplaat_domain::sync::Transport;
use serde::de::DeserializeOwned;
use thiserror::Error;

/// A request that has not been answered in this time is given up (a hall with a weak signal can
/// leave a connection hanging for minutes).
const TIMEOUT_MS: u32 = 20_000;

#[derive(Debug, Clone, Error)]
pub enum NetError {
    #[error("the server cannot be reached ({0})")]
    Unreachable(String),
    #[error("the server answered {status}: {message}")]
    Http { status: u16, message: String },
    #[error("the server's answer is unreadable: {0}")]
    Decode(String),
}

#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: String,
}

impl HttpTransport {
    /// `base` is the API root, e.g. `/api/v1`.
    pub fn new(base: String) -> Self {
        HttpTransport { base }
    }

    /// Uploads a photo under its content hash (idempotent on the server).
    pub async fn put_photo(&self, hash: &str, blob: &web_sys::Blob) -> Result<(), NetError> {
        let request = Request::put(&format!("{}/photos/{hash}", self.base))
            .header("content-type", "image/jpeg")
            .body(blob)
            .map_err(|e| NetError::Decode(e.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|e| NetError::Unreachable(e.to_string()))?;
        decode::<serde_json::Value>(response).await.map(|_| ())
    }

    pub async fn health(&self) -> Result<Health, NetError> {
        send(Request::get(&format!("{}/health", self.base))).await
    }
}

/// Sends a request with a time limit and decodes a JSON answer or the API's JSON error.
async fn send<T: DeserializeOwned>(builder: gloo_net::http::RequestBuilder) -> Result<T, NetError> {
    let controller =
        web_sys::AbortController::new().map_err(|e| NetError::Unreachable(format!("{e:?}")))?;
    let signal = controller.signal();
    // Dropping the timeout at the end of this function cancels it.
    let _timeout = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort());
    let response = builder
        .abort_signal(Some(&signal))
        .send()
        .await
        .map_err(|e| NetError::Unreachable(e.to_string()))?;
    decode(response).await
}

async fn send_json<B: serde::Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, NetError> {
    let controller =
        web_sys::AbortController::new().map_err(|e| NetError::Unreachable(format!("{e:?}")))?;
    let signal = controller.signal();
    let _timeout = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort());
    let request = Request::post(url)
        .abort_signal(Some(&signal))
        .json(body)
        .map_err(|e| NetError::Decode(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| NetError::Unreachable(e.to_string()))?;
    decode(response).await
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, NetError> {
    if response.ok() {
        return response
            .json()
            .await
            .map_err(|e| NetError::Decode(e.to_string()));
    }
    let status = response.status();
    let message = match response.json::<ApiError>().await {
        Ok(error) => error.message,
        Err(_) => response.status_text(),
    };
    Err(NetError::Http { status, message })
}

impl Transport for HttpTransport {
    type Error = NetError;

    async fn push(&self, request: &PushRequest) -> Result<PushResponse, NetError> {
        send_json(&format!("{}/push", self.base), request).await
    }

    async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, NetError> {
        send(Request::get(&format!(
            "{}/pull?since={since}&limit={limit}",
            self.base
        )))
        .await
    }
}
