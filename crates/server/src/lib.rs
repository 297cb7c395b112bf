//! Praatplaat's sync server: a versioned JSON API over one database, and the built app as static
//! files with a single-page-app fallback.
//!
//! API boundary: [`app`] builds the whole router from an [`AppState`]; `main.rs` only reads the
//! configuration, opens the store and serves. Tests drive [`serve`] on a loopback port.

pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod http;
pub mod import;
pub mod store;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::http::header::{HeaderName, HeaderValue, CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
use axum::routing::any;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

pub use config::Config;
pub use store::Store;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The bound on password checks running at once.
    pub verifications: auth::Verifications,
    /// The header a trusted reverse proxy writes the client's address into
    /// (`--client-ip-header`); without it the socket peer is the client.
    pub client_ip_header: Option<HeaderName>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            verifications: auth::Verifications::default(),
            client_ip_header: None,
        }
    }
}

/// The whole HTTP surface: `/api/v1/...` and, when `static_dir` is given, the app itself.
pub fn app(state: AppState, static_dir: Option<PathBuf>, max_body_bytes: usize) -> Router {
    let router = Router::new()
        .nest(
            praatplaat_domain::protocol::API_PREFIX,
            http::api_router(max_body_bytes),
        )
        // Another API version, or a path under /api that no version has: a JSON 404, never the
        // app's index.html (a client would take that page for an answer).
        .route("/api", any(|| async { error::AppError::NotFound }))
        .route("/api/", any(|| async { error::AppError::NotFound }))
        .route("/api/{*rest}", any(|| async { error::AppError::NotFound }))
        // Every API answer: never sniffed into another type (a photo is served as image/jpeg
        // and nothing else), and never cached (answers depend on the session; a shared tablet's
        // cache must not hand one account's records or photos to the next).
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let router = match static_dir {
        Some(dir) => router.fallback_service(
            Router::new()
                .fallback_service(http::static_files::service(&dir))
                .layer(axum::middleware::from_fn(http::static_files::app_headers)),
        ),
        None => router,
    };
    router
        // A body that stops arriving (no bytes for this long) ends the request.
        .layer(RequestBodyTimeoutLayer::new(BODY_IDLE_TIMEOUT))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Longest pause within a request body.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Time a client has to send a request's headers, from when the server waits for them (on a
    /// new connection, and between the requests of a kept-alive one): a connection that sends
    /// half a request, or none, is closed after it.
    pub header_read_timeout: Duration,
    /// Connections served at once; further ones wait in the listen queue until one closes.
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes open requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, ServeOptions::default(), shutdown).await
}

/// [`serve`] with the connection limits of `options`. HTTP/1.1 through hyper directly (axum's
/// own `serve` has no header read timeout and no connection limit): 3,000 half-sent requests
/// once stayed open for minutes.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was taken: wait a
                    // little rather than spin, as axum's own loop does.
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // The client address feeds the sign-in limit (`http::auth::ClientIp`).
        let service = router
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
