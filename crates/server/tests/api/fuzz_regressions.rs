//! What the schemathesis run (`scripts/fuzz-api.sh`, `make fuzz`) found, kept as tests over HTTP:
//! the OpenAPI document declares every answer the server gives (a client generated from it
//! knows each one) and the bounds it enforces, and the server keeps to the document.

use praatplaat_domain::model::{Company, Record};
use praatplaat_domain::photo::MAX_BYTES;
use praatplaat_domain::protocol::auth::{Role, MIN_PASSWORD_CHARS};
use praatplaat_domain::protocol::{Change, PushRequest, MAX_PULL_LIMIT, MAX_PUSH_CHANGES, MAX_SEQ};
use praatplaat_server::http::accounts::MAX_USERNAME_CHARS;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::{error, Db, Session, TestServer, MAX_BODY, PASSWORD};

on_both_databases!(
    a_pull_cursor_past_the_largest_change_number_is_refused,
    every_refusal_of_an_extractor_is_in_the_document,
    user_names_are_measured_as_sent,
    names_with_control_characters_are_refused,
    the_documents_bounds_are_the_servers,
);

/// The fuzz run's first finding: `since` above i64::MAX was answered 200 with that number as the
/// cursor, which the document (`format: int64`) says no cursor can be. No change number is above
/// it, so such a cursor is none the server gave out: 422.
async fn a_pull_cursor_past_the_largest_change_number_is_refused(db: Db) {
    let server = TestServer::start(&db).await;
    let admin = server.user("beheer", Role::Admin).await;
    let past = admin
        .get(&format!("/pull?since={}", MAX_SEQ + 1))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error(past, StatusCode::UNPROCESSABLE_ENTITY).await.error,
        "invalid"
    );
    let page = admin.pull(MAX_SEQ, MAX_PULL_LIMIT).await;
    assert!(page.records.is_empty() && !page.more);
    assert_eq!(page.cursor, MAX_SEQ);
    server.stop().await;
}

async fn document(server: &TestServer) -> Value {
    let response = server.client.get(server.url("/openapi.json")).send().await;
    response.unwrap().json().await.unwrap()
}

/// Every operation of the document as (method, path template, operation).
fn operations(document: &Value) -> Vec<(Method, String, Value)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations.push((method, path.clone(), operation.clone()));
        }
    }
    operations
}

/// `template` with its parameters filled in: a good value, or `bad` for every one.
fn fill(template: &str, bad: Option<&str>) -> String {
    let photo = "ab".repeat(32);
    let id = Uuid::new_v4().to_string();
    template
        .replace("{hash}", bad.unwrap_or(&photo))
        .replace("{id}", bad.unwrap_or(&id))
}

/// The case the server answered must be one the document declares for the operation: its status
/// among the responses, with the error code in that response's description and an `ApiError`.
async fn declared(response: reqwest::Response, operation: &Value, status: StatusCode, code: &str) {
    let name = operation["operationId"].as_str().unwrap().to_owned();
    let got = error(response, status).await;
    assert_eq!(got.error, code, "{name}: {}", got.message);
    let declared = &operation["responses"][status.as_str()];
    assert!(declared.is_object(), "{name}: {status} is not declared");
    let description = declared["description"].as_str().unwrap();
    assert!(
        description.contains(&format!("`{code}`")),
        "{name}: {status} does not mention `{code}`: {description}"
    );
    assert!(
        declared["content"]["application/json"]["schema"].is_object(),
        "{name}: {status} has no JSON body"
    );
}

/// The extractors' refusals (no token, a bad path parameter, a bad query, a body that is not
/// JSON, not sent as JSON, of another shape, too large) provoked on every operation of the
/// document: before, most answered statuses the document did not list (400, 415, 413).
async fn every_refusal_of_an_extractor_is_in_the_document(db: Db) {
    let server = TestServer::start(&db).await;
    let admin = server.user("beheer", Role::Admin).await;
    let document = document(&server).await;
    let request = |session: Option<&Session>, method: &Method, path: &str| {
        let url = server.url(path);
        let builder = server.client.request(method.clone(), url);
        match session {
            Some(session) => builder.bearer_auth(&session.token),
            None => builder,
        }
    };
    let mut provoked = 0;
    for (method, template, operation) in operations(&document) {
        let secured = operation["security"].is_array();
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let has = |place: &str| parameters.iter().any(|p| p["in"] == place);
        let body = &operation["requestBody"]["content"];
        let json_body = body.get("application/json").is_some();
        let path = fill(&template, None);
        // Good query values, so only the case under test is wrong.
        let query = match operation["operationId"].as_str().unwrap() {
            "upload_chunk" => "?offset=0&size=100",
            _ => "",
        };
        if secured {
            let response = request(None, &method, &path).send().await.unwrap();
            declared(
                response,
                &operation,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
            )
            .await;
            provoked += 1;
        }
        if has("path") {
            // Not a UUID, and not even UTF-8 once decoded.
            let bad = fill(&template, Some("%FF"));
            let response = request(Some(&admin), &method, &format!("{bad}{query}")).send();
            let response = response.await.unwrap();
            declared(response, &operation, StatusCode::BAD_REQUEST, "bad_path").await;
            provoked += 1;
        }
        if has("query") {
            let response = request(Some(&admin), &method, &format!("{path}?limit=x&size=x"));
            let response = response.body(vec![1]).send().await.unwrap();
            declared(response, &operation, StatusCode::BAD_REQUEST, "bad_query").await;
            provoked += 1;
        }
        let path = format!("{path}{query}");
        if json_body {
            let send = |content_type: Option<&str>, body: Vec<u8>| {
                let builder = request(Some(&admin), &method, &path).body(body);
                match content_type {
                    Some(value) => builder.header("content-type", value),
                    None => builder,
                }
            };
            let cases = [
                (
                    None,
                    b"{}".to_vec(),
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                ),
                (
                    Some("application/json"),
                    b"{".to_vec(),
                    StatusCode::BAD_REQUEST,
                    "bad_json",
                ),
                (
                    Some("application/json"),
                    b"[]".to_vec(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                ),
                (
                    Some("application/json"),
                    vec![b' '; MAX_BODY + 1],
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                ),
            ];
            for (content_type, bytes, status, code) in cases {
                let response = send(content_type, bytes).send().await.unwrap();
                declared(response, &operation, status, code).await;
                provoked += 1;
            }
        } else if body.is_object() && template.starts_with("/photos") {
            // The photo routes take at most a photo's size (the import's limit is 128 MiB).
            let response = request(Some(&admin), &method, &path).body(vec![0; MAX_BYTES + 1]);
            let response = response.send().await.unwrap();
            declared(
                response,
                &operation,
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
            )
            .await;
            provoked += 1;
        }
    }
    // 15 secured operations, 6 with path parameters, 2 with a query, 4 with a JSON body (4
    // cases each) and 2 photo bodies: a new route is checked too.
    assert_eq!(provoked, 15 + 6 + 2 + 4 * 4 + 2);
    server.stop().await;
}

/// The document says a user name has at most 100 (sign-in: 200) characters and not only blanks;
/// JSON Schema counts the string as sent, so the server does too (it counted the name without
/// the blanks around it, and took 150 characters of which 50 blanks).
async fn user_names_are_measured_as_sent(db: Db) {
    let server = TestServer::start(&db).await;
    let admin = server.user("beheer", Role::Admin).await;
    let new_user = |username: String| json!({"username": username, "role": "interviewer", "password": PASSWORD});
    let padded = format!("{}{}", " ".repeat(10), "a".repeat(MAX_USERNAME_CHARS - 5));
    for refused in [padded, "\u{3000}\u{2003}\t".to_owned(), String::new()] {
        let response = admin
            .post("/users")
            .json(&new_user(refused))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error(response, StatusCode::UNPROCESSABLE_ENTITY)
                .await
                .error,
            "invalid"
        );
    }
    let longest = format!(" {} ", "b".repeat(MAX_USERNAME_CHARS - 2));
    let response = admin
        .post("/users")
        .json(&new_user(longest))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["username"], "b".repeat(MAX_USERNAME_CHARS - 2));
    let sign_in = |username: String| {
        server
            .client
            .post(server.url("/auth/sign-in"))
            .json(&json!({
                "username": username, "password": PASSWORD, "device_id": Uuid::new_v4(),
            }))
    };
    let padded = format!("{}beheer", " ".repeat(200));
    let response = sign_in(padded).send().await.unwrap();
    assert_eq!(
        error(response, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .error,
        "invalid"
    );
    let response = sign_in("  beheer ".into()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.stop().await;
}

/// The fuzz run on PostgreSQL: a NUL in a user name (sign-in, new account) or a device label was
/// a 500 there (PostgreSQL's text cannot hold it; SQLite stored it). Now any control character
/// in a name or label is refused alike on both, as the document's patterns say, and a sign-in
/// that tried one is not counted as a failed attempt.
async fn names_with_control_characters_are_refused(db: Db) {
    let server = TestServer::start(&db).await;
    let admin = server.user("beheer", Role::Admin).await;
    let sign_in = |username: &str, label: &str| {
        let body = json!({
            "username": username, "password": PASSWORD, "device_id": Uuid::new_v4(),
            "device_label": label,
        });
        server
            .client
            .post(server.url("/auth/sign-in"))
            .json(&body)
            .send()
    };
    for (username, label) in [
        ("be\u{0}heer", ""),
        ("beheer\u{0}", ""),
        ("beheer", "tablet\u{0}"),
        ("beheer", "tablet\nJan"),
        ("be\u{1b}heer", ""),
    ] {
        let response = sign_in(username, label).await.unwrap();
        let refused = error(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused.error, "invalid", "{username:?} {label:?}");
    }
    let response = sign_in("beheer", "tablet van Jan").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    for (username, display_name) in [("nieuw\u{0}", ""), ("nieuw", "Nieuw\u{0}"), ("a\tb", "")] {
        let body = json!({
            "username": username, "display_name": display_name, "role": "interviewer",
            "password": PASSWORD,
        });
        let response = admin.post("/users").json(&body).send().await.unwrap();
        let refused = error(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(refused.error, "invalid", "{username:?} {display_name:?}");
    }
    let users: Vec<Value> = admin
        .get("/users")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users.len(), 1, "{users:?}");
    server.stop().await;
}

/// The bounds in the document are the constants the handlers check, and the server refuses just
/// past each one and takes each one itself.
async fn the_documents_bounds_are_the_servers(db: Db) {
    let server = TestServer::start(&db).await;
    let admin = server.user("beheer", Role::Admin).await;
    let document = document(&server).await;
    let parameter = |path: &str, method: &str, name: &str| {
        let parameters = document["paths"][path][method]["parameters"]
            .as_array()
            .unwrap();
        let found = parameters.iter().find(|p| p["name"] == name).unwrap();
        found["schema"].clone()
    };
    let limit = parameter("/pull", "get", "limit");
    assert_eq!(
        (limit["minimum"].as_u64(), limit["maximum"].as_u64()),
        (Some(1), Some(MAX_PULL_LIMIT.into()))
    );
    assert_eq!(
        parameter("/pull", "get", "since")["maximum"].as_u64(),
        Some(MAX_SEQ)
    );
    let size = parameter("/photos/{hash}/upload", "patch", "size");
    assert_eq!(
        (size["minimum"].as_u64(), size["maximum"].as_u64()),
        (Some(1), Some(MAX_BYTES as u64))
    );
    let offset = parameter("/photos/{hash}/upload", "patch", "offset");
    assert_eq!(offset["maximum"].as_u64(), Some(MAX_BYTES as u64 - 1));
    for (path, method) in [
        ("/photos/{hash}", "get"),
        ("/photos/{hash}", "put"),
        ("/photos/{hash}/upload", "get"),
        ("/photos/{hash}/upload", "patch"),
    ] {
        assert_eq!(
            parameter(path, method, "hash")["pattern"],
            "^[0-9a-f]{64}$",
            "{method} {path}"
        );
    }
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["PushRequest"]["properties"]["changes"]["maxItems"].as_u64(),
        Some(MAX_PUSH_CHANGES as u64)
    );
    let new_user = &schemas["NewUser"]["properties"];
    assert_eq!(
        new_user["password"]["minLength"].as_u64(),
        Some(MIN_PASSWORD_CHARS as u64)
    );
    assert_eq!(
        new_user["username"]["maxLength"].as_u64(),
        Some(MAX_USERNAME_CHARS as u64)
    );
    assert_eq!(new_user["username"]["minLength"].as_u64(), Some(1));

    // At the edges: the server refuses just past each bound, and takes the bound itself.
    let status = |path: String| {
        let request = admin.get(&path).send();
        async move { request.await.unwrap().status() }
    };
    assert_eq!(
        status("/pull?limit=0".into()).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        status(format!("/pull?limit={}", MAX_PULL_LIMIT + 1)).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        status(format!("/pull?limit={MAX_PULL_LIMIT}")).await,
        StatusCode::OK
    );
    assert_eq!(
        status("/photos/AB/upload".into()).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let upper = "AB".repeat(32);
    assert_eq!(
        status(format!("/photos/{upper}/upload")).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let chunk = |size: usize| {
        let path = format!("/photos/{}/upload?offset=0&size={size}", "ab".repeat(32));
        admin.patch(&path).body(vec![0xFF, 0xD8, 0xFF]).send()
    };
    let response = chunk(MAX_BYTES + 1).await.unwrap();
    assert_eq!(
        error(response, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .error,
        "invalid"
    );
    let response = chunk(MAX_BYTES).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
    let company = |seq: u64| Change {
        seq,
        record: Record::Company(Company {
            id: Uuid::from_u128(seq.into()),
            name: "Draaierij".into(),
            ..Company::default()
        }),
    };
    let too_many = PushRequest {
        device_id: admin.device_id,
        changes: (1..=MAX_PUSH_CHANGES as u64 + 1).map(company).collect(),
    };
    let response = admin.post("/push").json(&too_many).send().await.unwrap();
    assert_eq!(
        error(response, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .error,
        "invalid"
    );
    let short = json!({"username": "kort", "role": "interviewer", "password": "a".repeat(MIN_PASSWORD_CHARS - 1)});
    let response = admin.post("/users").json(&short).send().await.unwrap();
    assert_eq!(
        error(response, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .error,
        "invalid"
    );
    server.stop().await;
}
