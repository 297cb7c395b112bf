//! Small per-device settings in localStorage (through gloo-storage). Records never live here.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

const KEY: &str = "praatplaat.settings";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Name filled in as interviewer on new interviews.
    pub interviewer: String,
    /// Base URL of the sync server; empty means the server this app was loaded from.
    pub server_url: String,
    pub lang: Lang,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            interviewer: String::new(),
            server_url: String::new(),
            lang: Lang::Nl,
        }
    }
}

impl Settings {
    /// The stored settings, or defaults when none (or unreadable ones) are stored.
    pub fn load() -> Settings {
        LocalStorage::get(KEY).unwrap_or_default()
    }

    pub fn save(&self) -> Result<(), String> {
        LocalStorage::set(KEY, self).map_err(|e| e.to_string())
    }

    /// The API base, e.g. `/api/v1` or `https://server.example/api/v1`.
    pub fn api_base(&self) -> String {
        let server = self.server_url.trim().trim_end_matches('/');
        format!("{server}{}", praatplaat_domain::protocol::API_PREFIX)
    }
}
