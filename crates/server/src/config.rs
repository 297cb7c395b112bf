//! Configuration by flags and environment variables (`--database-url` or `DATABASE_URL`, ...).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

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

    /// Listen on a non-loopback address. Until accounts exist the API has no sign-in, so the
    /// server refuses to be reachable from other machines unless told so explicitly.
    #[arg(long, env = "PRAATPLAAT_ALLOW_PUBLIC", default_value_t = false)]
    pub allow_public: bool,
}

impl Config {
    /// Refuses a configuration that would expose the unauthenticated API to the network.
    pub fn check(&self) -> Result<(), String> {
        if !self.bind.ip().is_loopback() && !self.allow_public {
            return Err(format!(
                "refusing to listen on {}: the API has no accounts yet, so only loopback addresses \
                 are allowed; pass --allow-public (PRAATPLAAT_ALLOW_PUBLIC=true) to override",
                self.bind
            ));
        }
        Ok(())
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
}
