//! Configuration by flags and environment variables (`--database-url` or `DATABASE_URL`, ...).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "praatplaat-server",
    version,
    about = "Praatplaat sync server and app host"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "PRAATPLAAT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Database URL; a `sqlite:` file is created with its folder if missing.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite:data/praatplaat.db"
    )]
    pub database_url: String,

    /// Folder with the built app (Trunk's `dist/`), served with a fallback to index.html.
    #[arg(long, env = "PRAATPLAAT_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "PRAATPLAAT_MAX_BODY_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Listen on a non-loopback address. Plain HTTP must not cross a network (passwords and
    /// tokens travel in it): put a TLS reverse proxy in front, see docs/deploy.md.
    #[arg(long, env = "PRAATPLAAT_ALLOW_PUBLIC", default_value_t = false)]
    pub allow_public: bool,

    /// The header a reverse proxy in front writes the client's address into (`X-Forwarded-For`,
    /// `X-Real-IP`); the last address in it is taken. Only set it when every request comes
    /// through that proxy: a client reaching the server directly could write any address there.
    /// Without it the socket peer is the client (behind a proxy: the proxy, for everybody).
    #[arg(long, env = "PRAATPLAAT_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// Seconds a client has to send a request's headers (also the longest a kept-alive
    /// connection stays idle).
    #[arg(
        long,
        env = "PRAATPLAAT_HEADER_READ_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub header_read_timeout_secs: u64,

    /// Connections served at once; more wait until one closes. Keep it below the process's open
    /// file limit (`ulimit -n`) minus the database's connections.
    #[arg(long, env = "PRAATPLAAT_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,

    /// Revisions kept of each record (at least 2): the newest, which a tablet's stale change is
    /// merged against. A tablet further behind loses nothing but gets more conflicts to choose
    /// from. Older revisions are deleted at every push and when the server starts.
    #[arg(
        long,
        env = "PRAATPLAAT_KEEP_REVISIONS",
        default_value_t = crate::store::retention::DEFAULT_KEEP_REVISIONS,
        value_parser = clap::value_parser!(u64).range(crate::store::retention::MIN_KEEP_REVISIONS..)
    )]
    pub keep_revisions: u64,

    /// Without a command the server serves; commands manage the database and exit.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Accounts.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Applies a device's export file (made on the tablet when it could not sync); the
    /// passphrase is read from the first line of standard input. Importing twice is harmless.
    Import {
        /// The `.praatplaat` export file.
        file: PathBuf,
        /// The user name of the account the file is from: its changes are applied with that
        /// account's rights. Needed when the file's device is one an account used (then it must
        /// be that account); without it, a file of a device no account used is applied as the
        /// server itself.
        #[arg(long)]
        user: Option<String>,
    },
    /// Prints the OpenAPI document of the API (also served at /api/v1/openapi.json).
    Openapi,
    /// Fills the database with a demo programme to look around in: the accounts `demo-beheer`
    /// (admin), `demo-coordinator`, `demo-jan` (interviewer) and `demo-partner`, all with the
    /// password `praatplaat-demo`, and 18 companies with their interviews and links, pushed as
    /// demo-jan's tablet. Loading it again changes nothing.
    Demo,
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Creates an account; the first admin is made this way (there is no default password).
    Add {
        #[arg(long)]
        username: String,
        /// interviewer, coordinator, partner or admin.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        display_name: String,
        /// The password is read from the first line of standard input (asked for when that is a
        /// terminal); this flag only says so explicitly in scripts.
        #[arg(long)]
        password_stdin: bool,
    },
}

impl Config {
    /// Refuses a configuration that would expose the unauthenticated API to the network.
    pub fn check(&self) -> Result<(), String> {
        if !self.bind.ip().is_loopback() && !self.allow_public {
            return Err(format!(
                "refusing to listen on {}: the server speaks plain HTTP, so only loopback addresses \
                 are allowed (put a TLS reverse proxy in front); pass --allow-public \
                 (PRAATPLAAT_ALLOW_PUBLIC=true) to override",
                self.bind
            ));
        }
        self.client_ip_header_name()?;
        if self.header_read_timeout_secs == 0 || self.max_connections == 0 {
            return Err(
                "--header-read-timeout-secs and --max-connections must be at least 1".to_owned(),
            );
        }
        Ok(())
    }

    /// `--client-ip-header` as a header name, when given.
    pub fn client_ip_header_name(&self) -> Result<Option<axum::http::HeaderName>, String> {
        self.client_ip_header
            .as_deref()
            .map(|name| {
                axum::http::HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| format!("--client-ip-header: {name:?} is not a header name"))
            })
            .transpose()
    }

    /// How connections are served.
    pub fn serve_options(&self) -> crate::ServeOptions {
        crate::ServeOptions {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_secs),
            max_connections: self.max_connections,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_loopback_needs_explicit_consent() {
        let mut config = Config::parse_from(["praatplaat-server"]);
        assert!(config.check().is_ok());
        config.bind = "0.0.0.0:8080".parse().unwrap();
        assert!(config.check().unwrap_err().contains("--allow-public"));
        config.allow_public = true;
        assert!(config.check().is_ok());
        config.allow_public = false;
        config.bind = "[::1]:8080".parse().unwrap();
        assert!(config.check().is_ok());
    }

    #[test]
    fn at_least_two_revisions_are_kept() {
        let config = Config::parse_from(["praatplaat-server"]);
        assert_eq!(config.keep_revisions, 20);
        let config = Config::parse_from(["praatplaat-server", "--keep-revisions", "2"]);
        assert_eq!(config.keep_revisions, 2);
        for refused in ["1", "0", "-3", "veel"] {
            assert!(
                Config::try_parse_from(["praatplaat-server", "--keep-revisions", refused]).is_err()
            );
        }
    }

    #[test]
    fn the_client_ip_header_must_be_a_header_name() {
        let mut config = Config::parse_from(["praatplaat-server"]);
        assert_eq!(config.client_ip_header_name(), Ok(None));
        config.client_ip_header = Some("X-Forwarded-For".into());
        assert_eq!(
            config.client_ip_header_name().unwrap().unwrap().as_str(),
            "x-forwarded-for"
        );
        config.client_ip_header = Some("geen naam".into());
        assert!(config.check().unwrap_err().contains("--client-ip-header"));
    }
}
