use std::io::{BufRead, IsTerminal, Write};

use clap::Parser;
use praatplaat_domain::protocol::auth::{NewUser, Role};
use praatplaat_server::config::{Command, UserCommand};
use praatplaat_server::{app, serve_with, AppState, Config, Store};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
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
    // Before the store opens: opening trims every record's revisions to it.
    praatplaat_server::store::retention::set_keep_revisions(config.keep_revisions);
    let store = Store::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let state = AppState::new(store.clone());
    let result = match config.command.clone() {
        None => serve_app(&config, state).await,
        Some(Command::User { action }) => user_command(&state, action).await,
        Some(Command::Import { file, user }) => {
            import_command(&state, &file, user.as_deref()).await
        }
        Some(Command::Demo) => demo_command(&state).await,
        Some(Command::Openapi) => praatplaat_server::http::openapi()
            .to_pretty_json()
            .map(|json| println!("{json}"))
            .map_err(|e| e.to_string()),
    };
    store.close().await;
    result
}

async fn serve_app(config: &Config, mut state: AppState) -> Result<(), String> {
    config.check()?;
    state.client_ip_header = config.client_ip_header_name()?;
    if !config.static_dir.join("index.html").is_file() {
        tracing::warn!(dir = %config.static_dir.display(), "no built app found; serving the API only");
    }
    if state
        .store
        .users()
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        tracing::warn!(
            "no accounts yet: tablets can capture but not sync; create the first admin with \
             `praatplaat-server --database-url {} user add --username beheer --role admin`",
            config.database_url
        );
    }
    let router = app(
        state,
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
    serve_with(listener, router, config.serve_options(), shutdown)
        .await
        .map_err(|e| e.to_string())
}

async fn user_command(state: &AppState, action: UserCommand) -> Result<(), String> {
    match action {
        UserCommand::Add {
            username,
            role,
            display_name,
            password_stdin: _,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                format!("unknown role {role:?}: use interviewer, coordinator, partner or admin")
            })?;
            let password = read_password()?;
            let user = praatplaat_server::http::accounts::create_user(
                state,
                NewUser {
                    username,
                    display_name,
                    role,
                    password,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("added {} ({}) as {}", user.username, user.id, role.as_str());
            Ok(())
        }
    }
}

async fn demo_command(state: &AppState) -> Result<(), String> {
    let report = praatplaat_server::demo::load(state).await?;
    println!(
        "demo: {} records stored, {} already there; accounts {} with password {}",
        report.applied,
        report.already,
        praatplaat_server::demo::ACCOUNTS.map(|a| a.0).join(", "),
        praatplaat_server::demo::PASSWORD
    );
    Ok(())
}

async fn import_command(
    state: &AppState,
    file: &std::path::Path,
    user: Option<&str>,
) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let passphrase = read_line("the export's passphrase")?;
    let report = praatplaat_server::import::import_export(
        &state.store,
        praatplaat_server::store::Actor::SYSTEM,
        user,
        bytes,
        &passphrase,
    )
    .await
    .map_err(|e| e.to_string())?;
    if let Some(account) = &report.applied_as {
        println!(
            "applied as {} ({})",
            account.username,
            account.role.as_str()
        );
    }
    println!(
        "imported the export of device {}: {} applied, {} merged, {} already here, {} older than \
         the server's, {} refused; photos: {} new, {} already here, {} not a photo",
        report.device_id,
        report.applied,
        report.merged,
        report.duplicate,
        report.superseded,
        report.rejected.len(),
        report.photos_new,
        report.photos_known,
        report.photos_refused.len()
    );
    for reason in &report.rejected {
        println!("  refused: {reason}");
    }
    for reason in &report.photos_refused {
        println!("  photo not stored: {reason}");
    }
    Ok(())
}

fn read_password() -> Result<String, String> {
    read_line("password (at least 10 characters; it is shown as you type)")
}

/// The first line of standard input, without its line end; asked for on a terminal.
fn read_line(prompt: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt}: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
