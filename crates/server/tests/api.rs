//! The API over real HTTP on loopback, against a real SQLite file.

use std::path::{Path, PathBuf};

use praatplaat_domain::model::{Company, Interview, Record};
use praatplaat_domain::protocol::{
    ApiError, Change, ChangeStatus, Health, PullResponse, PushRequest, PushResponse,
    MAX_PUSH_CHANGES,
};
use praatplaat_server::{app, serve, AppState, Store};
use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::oneshot;
use uuid::Uuid;

const MAX_BODY: usize = 256 * 1024;
/// A new server holds the 12 seed initiatives as its first changes.
const SEEDS: u64 = 12;

struct TestServer {
    base: String,
    store: Store,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    client: reqwest::Client,
}

impl TestServer {
    async fn start(db: &Path, static_dir: Option<PathBuf>) -> TestServer {
        let store = Store::open(&format!("sqlite:{}", db.display()))
            .await
            .expect("open store");
        let router = app(
            AppState {
                store: store.clone(),
            },
            static_dir,
            MAX_BODY,
        );
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
            store,
            stop: Some(stop),
            task: Some(task),
            client: reqwest::Client::new(),
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
        self.store.close().await;
    }

    async fn push(&self, request: &PushRequest) -> PushResponse {
        let response = self
            .client
            .post(format!("{}/push", self.base))
            .json(request)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{:?}",
            response.text().await
        );
        response.json().await.unwrap()
    }

    /// The server's records after the seed catalogue.
    async fn pull_since_seed(&self, since: u64, limit: u32) -> PullResponse {
        self.pull(since.max(SEEDS), limit).await
    }

    async fn pull(&self, since: u64, limit: u32) -> PullResponse {
        let url = format!("{}/pull?since={since}&limit={limit}", self.base);
        let response = self.client.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn error(&self, response: reqwest::Response, status: StatusCode) -> ApiError {
        assert_eq!(response.status(), status);
        assert_eq!(response.headers()["content-type"], "application/json");
        response.json().await.expect("error body is JSON")
    }
}

fn company(n: u128, name: &str, updated_at: i64) -> Record {
    let mut c = Company {
        id: Uuid::from_u128(n),
        name: name.into(),
        municipality: "Waddinxveen".into(),
        ..Company::default()
    };
    c.meta.updated_at = updated_at;
    Record::Company(c)
}

fn push_of(device: u128, changes: Vec<(u64, Record)>) -> PushRequest {
    PushRequest {
        device_id: Uuid::from_u128(device),
        changes: changes
            .into_iter()
            .map(|(seq, record)| Change { seq, record })
            .collect(),
    }
}

#[tokio::test]
async fn health_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("db.sqlite"), None).await;
    let health: Health = reqwest::get(format!("{}/health", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.protocol, 1);
    server.stop().await;
}

#[tokio::test]
async fn push_then_pull_returns_the_records_with_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("db.sqlite"), None).await;
    let interview = Record::Interview(Interview {
        id: Uuid::from_u128(10),
        company_id: Uuid::from_u128(1),
        date: "2025-02-03".into(),
        notes: "Restplaat wordt al hergebruikt".into(),
        ..Interview::default()
    });
    let response = server
        .push(&push_of(
            1,
            vec![
                (1, company(1, "Van Dijk Metaal", 100)),
                (2, interview.clone()),
            ],
        ))
        .await;
    assert_eq!(response.last_seq, 2);
    assert!(response
        .results
        .iter()
        .all(|r| r.status == ChangeStatus::Applied && r.rev == 1));

    let page = server.pull_since_seed(0, 100).await;
    assert_eq!(page.records.len(), 2);
    assert!(!page.more);
    assert_eq!(page.cursor, SEEDS + 2);
    let Record::Interview(pulled) = &page.records[1] else {
        panic!("expected the interview second")
    };
    assert_eq!(pulled.notes, "Restplaat wordt al hergebruikt");
    assert_eq!(pulled.meta.rev, 1);
    server.stop().await;
}

#[tokio::test]
async fn duplicate_push_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("db.sqlite"), None).await;
    let request = push_of(
        7,
        vec![(1, company(1, "Eén", 100)), (2, company(2, "Twee", 100))],
    );
    server.push(&request).await;
    let again = server.push(&request).await;
    assert!(again
        .results
        .iter()
        .all(|r| r.status == ChangeStatus::Duplicate && r.rev == 1));
    let page = server.pull_since_seed(0, 100).await;
    assert_eq!(page.records.len(), 2);
    assert_eq!(
        page.cursor,
        SEEDS + 2,
        "a duplicate must not take a new server sequence"
    );

    // The same seq from another device is a different change.
    let other = push_of(8, vec![(1, company(1, "Eén, later", 200))]);
    assert_eq!(
        server.push(&other).await.results[0].status,
        ChangeStatus::Applied
    );
    server.stop().await;
}

#[tokio::test]
async fn older_edit_is_superseded_and_invalid_record_rejected_without_blocking_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("db.sqlite"), None).await;
    server
        .push(&push_of(1, vec![(1, company(1, "Nieuw", 500))]))
        .await;
    let response = server
        .push(&push_of(
            2,
            vec![
                (1, company(1, "Ouder", 400)),
                (2, company(2, "", 400)),
                (3, company(3, "Goed", 400)),
            ],
        ))
        .await;
    let statuses: Vec<ChangeStatus> = response.results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            ChangeStatus::Superseded,
            ChangeStatus::Rejected,
            ChangeStatus::Applied
        ]
    );
    assert_eq!(
        response.results[1].reason.as_deref(),
        Some("name must not be empty")
    );
    assert_eq!(response.last_seq, 3);
    let names: Vec<String> = server
        .pull_since_seed(0, 100)
        .await
        .records
        .into_iter()
        .map(|r| match r {
            Record::Company(c) => c.name,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(names, ["Nieuw", "Goed"]);
    server.stop().await;
}

#[tokio::test]
async fn pull_pages_through_a_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("db.sqlite"), None).await;
    let changes = (1..=7)
        .map(|n| (n as u64, company(n, &format!("Bedrijf {n}"), 1)))
        .collect();
    server.push(&push_of(1, changes)).await;
    // Editing company 2 moves it to the end of the change order.
    server
        .push(&push_of(1, vec![(8, company(2, "Bedrijf 2 bis", 2))]))
        .await;

    let mut cursor = SEEDS;
    let mut seen = Vec::new();
    loop {
        let page = server.pull(cursor, 3).await;
        assert!(page.records.len() <= 3);
        seen.extend(page.records.iter().map(|r| r.id().as_u128()));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, [1, 3, 4, 5, 6, 7, 2]);
    assert_eq!(cursor, SEEDS + 8);
    assert!(server.pull(cursor, 3).await.records.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn restart_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/folder/db.sqlite");
    let server = TestServer::start(&db, None).await;
    server
        .push(&push_of(1, vec![(1, company(1, "Blijft Bestaan BV", 1))]))
        .await;
    server.stop().await;

    let server = TestServer::start(&db, None).await;
    let page = server.pull_since_seed(0, 10).await;
    assert_eq!(page.records.len(), 1);
    // The device's counter survived too: its old change is still a duplicate.
    let again = server
        .push(&push_of(1, vec![(1, company(1, "Blijft Bestaan BV", 1))]))
        .await;
    assert_eq!(again.results[0].status, ChangeStatus::Duplicate);
    server.stop().await;
}

#[tokio::test]
async fn malformed_requests_get_clear_4xx_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("db.sqlite"), None).await;
    let client = &server.client;
    let push_url = format!("{}/push", server.base);
    let post_json = |body: String| {
        client
            .post(&push_url)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let err = server
        .error(
            post_json("{not json".into()).await.unwrap(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    assert_eq!(err.error, "bad_json");

    let body = json!({"device_id": Uuid::from_u128(1), "changes": [{"seq": 1, "kind": "invoice", "record": {}}]});
    let err = server
        .error(
            post_json(body.to_string()).await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(err.message.contains("invoice"), "{}", err.message);

    let err = server
        .error(
            client.post(&push_url).body("{}").send().await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )
        .await;
    assert_eq!(err.error, "unsupported_media_type");

    let huge = format!(
        r#"{{"device_id":"{}","changes":[],"pad":"{}"}}"#,
        Uuid::from_u128(1),
        "x".repeat(MAX_BODY + 1)
    );
    let err = server
        .error(
            post_json(huge).await.unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    assert_eq!(err.error, "too_large");

    let nil = push_of(0, vec![(1, company(1, "x", 1))]);
    let response = client.post(&push_url).json(&nil).send().await.unwrap();
    assert!(server
        .error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("device_id"));

    let unordered = push_of(1, vec![(2, company(1, "a", 1)), (1, company(2, "b", 1))]);
    let response = client
        .post(&push_url)
        .json(&unordered)
        .send()
        .await
        .unwrap();
    assert!(server
        .error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("order"));

    let too_many = push_of(
        1,
        (1..=MAX_PUSH_CHANGES as u64 + 1)
            .map(|n| (n, company(1, "a", 1)))
            .collect(),
    );
    let bytes = serde_json::to_vec(&too_many).unwrap();
    assert!(bytes.len() < MAX_BODY);
    let response = post_json(String::from_utf8(bytes).unwrap()).await.unwrap();
    assert!(server
        .error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("batches"));

    let response = client
        .get(format!("{}/pull?since=-1", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.error(response, StatusCode::BAD_REQUEST).await.error,
        "bad_query"
    );
    let response = client
        .get(format!("{}/pull?limit=100000", server.base))
        .send()
        .await
        .unwrap();
    server
        .error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await;

    let response = client
        .get(format!("{}/nothing-here", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.error(response, StatusCode::NOT_FOUND).await.error,
        "not_found"
    );

    // Nothing of the above was stored.
    assert!(server.pull_since_seed(0, 10).await.records.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn serves_the_app_with_a_fallback_to_index_html() {
    let dir = tempfile::tempdir().unwrap();
    let static_dir = dir.path().join("dist");
    std::fs::create_dir_all(&static_dir).unwrap();
    std::fs::write(static_dir.join("index.html"), "<html>praatplaat</html>").unwrap();
    std::fs::write(static_dir.join("app.js"), "console.log(1)").unwrap();
    let static_dir_path = static_dir.clone();
    let server = TestServer::start(&dir.path().join("db.sqlite"), Some(static_dir)).await;
    let root = server.base.trim_end_matches("/api/v1");
    for path in ["/", "/interviews/123", "/app.js"] {
        let response = reqwest::get(format!("{root}{path}")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let deep = reqwest::get(format!("{root}/interviews/123"))
        .await
        .unwrap();
    assert_eq!(deep.headers()["cache-control"], "no-cache");
    let csp = deep.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(deep.headers()["x-content-type-options"], "nosniff");
    assert!(deep.text().await.unwrap().contains("praatplaat"));

    // Hashed build files are immutable; a precompressed copy goes to a browser that takes it.
    std::fs::write(
        static_dir_path.join("app-0123456789abcdef.js"),
        "console.log('app')",
    )
    .unwrap();
    std::fs::write(
        static_dir_path.join("app-0123456789abcdef.js.br"),
        b"precompressed",
    )
    .unwrap();
    let client = reqwest::Client::new();
    let url = format!("{root}/app-0123456789abcdef.js");
    let hashed = client
        .get(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(hashed.headers()["content-encoding"], "br");
    assert_eq!(hashed.bytes().await.unwrap().as_ref(), b"precompressed");
    let plain = client.get(&url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "console.log('app')");
    // API answers are not app files.
    let api = reqwest::get(format!("{root}/api/v1/health")).await.unwrap();
    assert!(api.headers().get("cache-control").is_none());
    server.stop().await;
}

#[tokio::test]
async fn photos_are_stored_once_by_content_hash() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("db.sqlite"), None).await;
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5];
    let hash = praatplaat_domain::photo::content_hash(&jpeg);
    let url = format!("{}/photos/{hash}", server.base);

    let first = server
        .client
        .put(&url)
        .body(jpeg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = server
        .client
        .put(&url)
        .body(jpeg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let back = server.client.get(&url).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(back.headers()["content-type"], "image/jpeg");
    assert_eq!(back.bytes().await.unwrap().to_vec(), jpeg);

    // Damaged on the way: the bytes do not match the name.
    let damaged = server
        .client
        .put(&url)
        .body(vec![1, 2, 3])
        .send()
        .await
        .unwrap();
    assert!(server
        .error(damaged, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("SHA-256"));
    let bad_name = server
        .client
        .put(format!("{}/photos/not-a-hash", server.base))
        .body(jpeg)
        .send()
        .await
        .unwrap();
    server
        .error(bad_name, StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    let unknown = server
        .client
        .get(format!("{}/photos/{}", server.base, "0".repeat(64)))
        .send()
        .await
        .unwrap();
    server.error(unknown, StatusCode::NOT_FOUND).await;
    let huge = vec![0u8; praatplaat_domain::photo::MAX_BYTES + 1];
    let hash = praatplaat_domain::photo::content_hash(&huge);
    let too_big = server
        .client
        .put(format!("{}/photos/{hash}", server.base))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(
        server
            .error(too_big, StatusCode::PAYLOAD_TOO_LARGE)
            .await
            .error,
        "too_large"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_initiative_catalogue_is_seeded_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let server = TestServer::start(&db, None).await;
    let page = server.pull(0, 100).await;
    assert_eq!(page.records.len() as u64, SEEDS);
    let names: Vec<String> = page
        .records
        .iter()
        .map(|r| match r {
            Record::Initiative(i) => i.name.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert!(
        names.iter().any(|n| n == "Versnellingsteam Metaal"),
        "{names:?}"
    );
    server.stop().await;

    // A restart seeds nothing twice.
    let server = TestServer::start(&db, None).await;
    let page = server.pull(0, 100).await;
    assert_eq!(page.records.len() as u64, SEEDS);
    assert_eq!(page.cursor, SEEDS);
    server.stop().await;
}
