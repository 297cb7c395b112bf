//! The demo programme (`praatplaat-server demo`): loads through the ordinary push path, gives
//! every role something to see, and loading it again changes nothing.

use praatplaat_domain::model::{Record, RecordKind};
use praatplaat_domain::protocol::MAX_PULL_LIMIT;
use reqwest::StatusCode;

use crate::harness::{Db, TestServer};

on_both_databases!(the_demo_loads_once_and_fills_every_role_s_screens);

async fn the_demo_loads_once_and_fills_every_role_s_screens(db: Db) {
    let server = TestServer::start(&db).await;
    let first = praatplaat_server::demo::load(&server.state).await.unwrap();
    assert!(first.applied > 40, "{first:?}");
    let again = praatplaat_server::demo::load(&server.state).await.unwrap();
    assert_eq!((again.applied, again.already), (0, first.applied));

    let sign_in = |name: &str| {
        server
            .client
            .post(server.url("/auth/sign-in"))
            .json(&serde_json::json!({
                "username": name,
                "password": praatplaat_server::demo::PASSWORD,
                "device_id": uuid::Uuid::new_v4(),
                "device_label": "demo",
            }))
    };
    let token = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::OK);
        let body: serde_json::Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    };
    let jan = token(sign_in("demo-jan").send().await.unwrap()).await;
    let pulled: praatplaat_domain::protocol::PullResponse = server
        .client
        .get(server.url(&format!("/pull?since=0&limit={MAX_PULL_LIMIT}")))
        .bearer_auth(&jan)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let count = |kind| pulled.records.iter().filter(|r| r.kind() == kind).count();
    assert_eq!(count(RecordKind::Company), 18);
    assert_eq!(count(RecordKind::Interview), 18);
    assert!(count(RecordKind::Link) >= 14);
    assert!(pulled
        .records
        .iter()
        .any(|r| matches!(r, Record::Interview(i) if !i.answers.is_empty())));
    // The partner sees anonymised figures of the demo's completed interviews.
    let partner = token(sign_in("demo-partner").send().await.unwrap()).await;
    let figures = server
        .client
        .get(server.url("/figures"))
        .bearer_auth(&partner)
        .send()
        .await
        .unwrap();
    assert_eq!(figures.status(), StatusCode::OK);
    let figures: serde_json::Value = figures.json().await.unwrap();
    assert!(figures.to_string().contains("14"), "{figures}");
    server.stop().await;
}
