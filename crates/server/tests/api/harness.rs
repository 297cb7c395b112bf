//! A server per test on a loopback port, its database (SQLite file or PostgreSQL database), and
//! signed-in clients of each role.

use std::path::PathBuf;

use praatplaat_domain::protocol::auth::{NewUser, Role, SignInRequest, SignInResponse, UserInfo};
use praatplaat_domain::protocol::{ApiError, PullResponse, PushRequest, PushResponse};
use praatplaat_server::{app, serve, serve_with, AppState, ServeOptions, Store};
use reqwest::{RequestBuilder, StatusCode};
use sqlx::{Connection, Executor};
use tokio::sync::oneshot;
use uuid::Uuid;

pub const MAX_BODY: usize = 256 * 1024;
/// A new server holds the 12 seed initiatives as its first changes.
pub const SEEDS: u64 = 12;
pub const PASSWORD: &str = "een lang wachtwoord";

/// Runs `async fn $name(db: Db)` once on SQLite and once on PostgreSQL.
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(crate::harness::Db::sqlite()).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$name(crate::harness::Db::postgres().await).await
            }
        }
    )+};
}

/// A test's database; a SQLite file lives in a temporary folder removed on drop.
pub struct Db {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("nested/folder/db.sqlite");
        Db {
            url: format!("sqlite:{}", file.display()),
            _dir: Some(dir),
        }
    }

    /// A new, empty database in the PostgreSQL named by `PRAATPLAAT_TEST_POSTGRES`.
    pub async fn postgres() -> Db {
        let admin = std::env::var("PRAATPLAAT_TEST_POSTGRES").expect(
            "PRAATPLAAT_TEST_POSTGRES is not set: run these tests through \
             scripts/with-postgres.sh (make test-rust does)",
        );
        let name = format!("t_{}", Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        conn.close().await.unwrap();
        let base = admin.rsplit_once('/').unwrap().0;
        Db {
            url: format!("{base}/{name}"),
            _dir: None,
        }
    }
}

impl Db {
    pub fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }

    /// A connection of the test's own beside the server's (to set up what the API cannot: old
    /// rows, a database from before a migration). Only after a server opened the database once.
    pub async fn connect(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        let url = if self.is_sqlite() {
            format!("{}?mode=rw", self.url)
        } else {
            self.url.clone()
        };
        sqlx::AnyConnection::connect(&url).await.unwrap()
    }
}

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    pub client: reqwest::Client,
}

/// A signed-in device.
#[derive(Clone)]
pub struct Session {
    pub token: String,
    pub session_id: Uuid,
    pub device_id: Uuid,
    pub user: UserInfo,
    client: reqwest::Client,
    base: String,
}

impl TestServer {
    pub async fn start(db: &Db) -> TestServer {
        TestServer::start_with(db, None).await
    }

    pub async fn start_with(db: &Db, static_dir: Option<PathBuf>) -> TestServer {
        let store = Store::open(&db.url).await.expect("open store");
        let state = AppState::new(store);
        let router = app(state.clone(), static_dir, MAX_BODY);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/v1", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(listener, router, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            base,
            state,
            stop: Some(stop),
            task: Some(task),
            client: reqwest::Client::new(),
        }
    }

    /// A server with its own settings: the state as `configure` leaves it, the body limit, and
    /// how connections are served.
    pub async fn start_custom(
        db: &Db,
        static_dir: Option<PathBuf>,
        max_body: usize,
        options: ServeOptions,
        configure: impl FnOnce(&mut AppState),
    ) -> TestServer {
        let store = Store::open(&db.url).await.expect("open store");
        let mut state = AppState::new(store);
        configure(&mut state);
        let router = app(state.clone(), static_dir, max_body);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/v1", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve_with(listener, router, options, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            base,
            state,
            stop: Some(stop),
            task: Some(task),
            client: reqwest::Client::new(),
        }
    }

    /// `host:port` the server listens on.
    pub fn addr(&self) -> String {
        self.base
            .trim_start_matches("http://")
            .trim_end_matches("/api/v1")
            .to_owned()
    }

    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
        self.state.store.close().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a user (as the `user add` command does).
    pub async fn add_user(&self, username: &str, role: Role) -> UserInfo {
        praatplaat_server::http::accounts::create_user(
            &self.state,
            NewUser {
                username: username.into(),
                display_name: String::new(),
                role,
                password: PASSWORD.into(),
            },
        )
        .await
        .expect("create user")
    }

    /// Signs `username` in on a new device.
    pub async fn sign_in(&self, username: &str) -> Session {
        self.sign_in_on(username, Uuid::new_v4()).await
    }

    /// Signs `username` in on the device `device_id` (a tablet colleagues share).
    pub async fn sign_in_on(&self, username: &str, device_id: Uuid) -> Session {
        let response = self
            .client
            .post(self.url("/auth/sign-in"))
            .json(&SignInRequest {
                username: username.into(),
                password: PASSWORD.into(),
                device_id,
                device_label: format!("tablet van {username}"),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let signed: SignInResponse = response.json().await.unwrap();
        Session {
            token: signed.token,
            session_id: signed.session_id,
            device_id,
            user: signed.user,
            client: self.client.clone(),
            base: self.base.clone(),
        }
    }

    /// A new user of `role`, signed in.
    pub async fn user(&self, username: &str, role: Role) -> Session {
        self.add_user(username, role).await;
        self.sign_in(username).await
    }
}

impl Session {
    /// This session against `server` (after a restart on the same database).
    pub fn at(&self, server: &TestServer) -> Session {
        Session {
            base: server.base.clone(),
            ..self.clone()
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.client
            .put(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.client
            .patch(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.client
            .delete(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    /// Pushes `request` as this device (its `device_id` is replaced by the session's).
    pub async fn push(&self, request: &PushRequest) -> PushResponse {
        let mut request = request.clone();
        request.device_id = self.device_id;
        let response = self.post("/push").json(&request).send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{:?}",
            response.text().await
        );
        response.json().await.unwrap()
    }

    pub async fn pull(&self, since: u64, limit: u32) -> PullResponse {
        let response = self
            .get(&format!("/pull?since={since}&limit={limit}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// A page as the app asks for it: without what this device pushed and holds (`skip_own`).
    pub async fn pull_skipping_own(&self, since: u64, limit: u32) -> PullResponse {
        let response = self
            .get(&format!("/pull?since={since}&limit={limit}&skip_own=true"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// The server's records after the seed catalogue.
    pub async fn pull_since_seed(&self, since: u64, limit: u32) -> PullResponse {
        self.pull(since.max(SEEDS), limit).await
    }
}

/// The API's JSON error of `response`, which must have `status`.
pub async fn error(response: reqwest::Response, status: StatusCode) -> ApiError {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.expect("error body is JSON")
}

/// A photo the server takes, `len` bytes long (at least 64): a JPEG's headers (640 x 480 pixels)
/// and pseudo-random bytes (from `seed`) as its scan, so no compression makes it small and
/// different seeds make different photos.
pub fn jpeg(seed: u32, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    bytes.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    bytes.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80]);
    bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    bytes.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02]);
    let mut x: u32 = 0x9e37_79b9 ^ seed.wrapping_mul(0x85eb_ca6b);
    while bytes.len() < len.max(64) - 2 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x >> 24) as u8);
    }
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}
