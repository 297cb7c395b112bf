//! Praatplaat's sync server: a versioned JSON API over one database, and the built app as static
//! files with a single-page-app fallback.
//!
//! API boundary: [`app`] builds the whole router from an [`AppState`]; `main.rs` only reads the
//! configuration, opens the store and serves. Tests drive [`serve`] on a loopback port.

pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod http;
pub mod import;
pub mod store;

use std::future::Future;
use std::path::PathBuf;

use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
pub use store::Store;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub sign_in_limiter: auth::SignInLimiter,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            sign_in_limiter: auth::SignInLimiter::default(),
        }
    }
}

/// The whole HTTP surface: `/api/v1/...` and, when `static_dir` is given, the app itself.
pub fn app(state: AppState, static_dir: Option<PathBuf>, max_body_bytes: usize) -> Router {
    let router = Router::new().nest(
        praatplaat_domain::protocol::API_PREFIX,
        http::api_router(max_body_bytes),
    );
    let router = match static_dir {
        Some(dir) => router.fallback_service(
            Router::new()
                .fallback_service(http::static_files::service(&dir))
                .layer(axum::middleware::from_fn(http::static_files::app_headers)),
        ),
        None => router,
    };
    router
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes open requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The client address feeds the sign-in rate limit.
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
