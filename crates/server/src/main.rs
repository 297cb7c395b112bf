use clap::Parser;
use praatplaat_server::{app, serve, AppState, Config, Store};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run(Config::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("praatplaat-server: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    config.check()?;
    let store = Store::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    if !config.static_dir.join("index.html").is_file() {
        tracing::warn!(dir = %config.static_dir.display(), "no built app found; serving the API only");
    }
    let router = app(
        AppState {
            store: store.clone(),
        },
        Some(config.static_dir.clone()),
        config.max_body_bytes,
    );
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    tracing::info!("listening on http://{}", config.bind);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(listener, router, shutdown)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    Ok(())
}
