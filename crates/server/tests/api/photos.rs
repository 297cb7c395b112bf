//! Photos: content-addressed storage, and the resumable upload a weak connection needs.

use praatplaat_domain::photo::content_hash;
use praatplaat_domain::protocol::auth::Role;
use reqwest::StatusCode;
use serde_json::Value;

use praatplaat_server::store::ABANDONED_UPLOAD_MS;
use sqlx::AnyConnection;

use crate::harness::{error, jpeg, Db, Session, TestServer};

on_both_databases!(
    photos_are_stored_once_by_content_hash,
    an_interrupted_upload_continues_where_the_server_stopped,
    abandoned_uploads_are_swept_after_a_day,
);

async fn photos_are_stored_once_by_content_hash(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("kantoor", Role::Coordinator).await;
    let jpeg = jpeg(1, 1000);
    let hash = praatplaat_domain::photo::content_hash(&jpeg);
    let url = format!("/photos/{hash}");

    let first = device.put(&url).body(jpeg.clone()).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = device.put(&url).body(jpeg.clone()).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let back = device.get(&url).send().await.unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(back.headers()["content-type"], "image/jpeg");
    assert_eq!(back.bytes().await.unwrap().to_vec(), jpeg);

    // Damaged on the way: the bytes do not match the name.
    let damaged = device.put(&url).body(vec![1, 2, 3]).send().await.unwrap();
    assert!(error(damaged, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("SHA-256"));
    let bad_name = device
        .put("/photos/not-a-hash")
        .body(jpeg)
        .send()
        .await
        .unwrap();
    error(bad_name, StatusCode::UNPROCESSABLE_ENTITY).await;
    let unknown = device
        .get(&format!("/photos/{}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    error(unknown, StatusCode::NOT_FOUND).await;
    let huge = vec![0u8; praatplaat_domain::photo::MAX_BYTES + 1];
    let hash = praatplaat_domain::photo::content_hash(&huge);
    let too_big = device
        .put(&format!("/photos/{hash}"))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error(too_big, StatusCode::PAYLOAD_TOO_LARGE).await.error,
        "too_large"
    );
    server.stop().await;
}

/// A photo-sized JPEG of `len` bytes (no compression could make it small).
fn noise(len: usize) -> Vec<u8> {
    jpeg(0, len)
}

async fn an_interrupted_upload_continues_where_the_server_stopped(db: Db) {
    let server = TestServer::start(&db).await;
    let device = server.user("jan", Role::Interviewer).await;
    let photo = noise(300 * 1024);
    let hash = content_hash(&photo);
    let size = photo.len();
    let status = |body: Value| (body["received"].as_u64().unwrap(), body["complete"] == true);
    let upload = format!("/photos/{hash}/upload");
    let chunk = |offset: usize, len: usize| {
        device
            .patch(&format!("{upload}?offset={offset}&size={size}"))
            .body(photo[offset..(offset + len).min(size)].to_vec())
            .send()
    };

    let fresh: Value = device
        .get(&upload)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status(fresh), (0, false));
    // Two chunks arrive, then the connection drops.
    for offset in [0, 64 * 1024] {
        let response = chunk(offset, 64 * 1024).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    // The tablet comes back and asks where to go on; it does not start over.
    let state: Value = device
        .get(&upload)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status(state), (128 * 1024, false));
    // A chunk sent twice (its answer was lost) is refused with the count to go on from.
    let repeat = chunk(64 * 1024, 64 * 1024).await.unwrap();
    let refused = error(repeat, StatusCode::CONFLICT).await;
    assert!(refused.message.contains("131072"), "{}", refused.message);
    // Not stored before the last byte.
    let early = device.get(&format!("/photos/{hash}")).send().await.unwrap();
    assert_eq!(early.status(), StatusCode::NOT_FOUND);
    let mut offset = 128 * 1024;
    let mut last = Value::Null;
    while offset < size {
        last = chunk(offset, 100 * 1024)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        offset = last["received"].as_u64().unwrap() as usize;
    }
    assert_eq!(status(last), (size as u64, true));
    let back = device.get(&format!("/photos/{hash}")).send().await.unwrap();
    assert_eq!(back.bytes().await.unwrap().to_vec(), photo);
    // Sending it again, whole or in chunks, stores nothing new.
    let whole = device
        .put(&format!("/photos/{hash}"))
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    let again: Value = chunk(0, 1024).await.unwrap().json().await.unwrap();
    assert_eq!(status(again), (size as u64, true));

    // Bytes that do not make the named photo are dropped at the end, with a clear error.
    let other = noise(1000);
    let wrong_name = content_hash(b"something else");
    let response = device
        .patch(&format!("/photos/{wrong_name}/upload?offset=0&size=1000"))
        .body(other)
        .send()
        .await
        .unwrap();
    assert!(error(response, StatusCode::UNPROCESSABLE_ENTITY)
        .await
        .message
        .contains("start"));
    let reset: Value = device
        .get(&format!("/photos/{wrong_name}/upload"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status(reset), (0, false));
    // A partner sees no photos at all.
    let partner = server.user("gemeente", Role::Partner).await;
    let response = partner.get(&upload).send().await.unwrap();
    assert_eq!(
        error(response, StatusCode::FORBIDDEN).await.error,
        "forbidden"
    );
    server.stop().await;
}

fn now_ms() -> i64 {
    let since = std::time::UNIX_EPOCH.elapsed().unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// Sends `photo[offset..offset + len]` as a chunk of its resumable upload.
async fn send_chunk(
    device: &Session,
    photo: &[u8],
    offset: usize,
    len: usize,
) -> reqwest::Response {
    device
        .patch(&format!(
            "/photos/{}/upload?offset={offset}&size={}",
            content_hash(photo),
            photo.len()
        ))
        .body(photo[offset..offset + len].to_vec())
        .send()
        .await
        .unwrap()
}

async fn received(device: &Session, photo: &[u8]) -> u64 {
    let state: Value = device
        .get(&format!("/photos/{}/upload", content_hash(photo)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["complete"], false);
    state["received"].as_u64().unwrap()
}

async fn chunks_of(conn: &mut AnyConnection, photo: &[u8]) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM photo_chunks WHERE hash = $1")
        .bind(content_hash(photo))
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Moves the last chunk of `photo`'s upload `ms` into the past.
async fn age_upload(conn: &mut AnyConnection, photo: &[u8], ms: i64) {
    sqlx::query("UPDATE photo_uploads SET updated_at = updated_at - $1 WHERE hash = $2")
        .bind(ms)
        .bind(content_hash(photo))
        .execute(conn)
        .await
        .unwrap();
}

async fn abandoned_uploads_are_swept_after_a_day(db: Db) {
    const CHUNK: usize = 64 * 1024;
    let day = ABANDONED_UPLOAD_MS;
    let server = TestServer::start(&db).await;
    let device = server.user("jan", Role::Interviewer).await;
    let mut conn = db.connect().await;
    let photos: Vec<Vec<u8>> = (2..=5).map(|n| noise(n * 100 * 1024)).collect();
    let [a, b, c, d] = [&photos[0], &photos[1], &photos[2], &photos[3]];
    for photo in [a, b] {
        for offset in [0, CHUNK] {
            assert_eq!(
                send_chunk(&device, photo, offset, CHUNK).await.status(),
                StatusCode::OK
            );
        }
    }

    // The store's clock is an argument: nothing is a day old yet, then both are.
    let store = &server.state.store;
    let started = now_ms();
    assert_eq!(store.sweep_abandoned_uploads(started).await.unwrap(), 0);
    assert_eq!(
        store
            .sweep_abandoned_uploads(started + day - 60_000)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        (received(&device, a).await, chunks_of(&mut conn, a).await),
        (2 * CHUNK as u64, 2)
    );
    assert_eq!(
        store
            .sweep_abandoned_uploads(now_ms() + day + 1)
            .await
            .unwrap(),
        2
    );
    for photo in [a, b] {
        assert_eq!(received(&device, photo).await, 0);
        assert_eq!(chunks_of(&mut conn, photo).await, 0);
    }

    // Lazily: a new upload sweeps the ones whose last chunk is over a day old, not younger ones.
    for photo in [a, b] {
        assert_eq!(
            send_chunk(&device, photo, 0, CHUNK).await.status(),
            StatusCode::OK
        );
    }
    age_upload(&mut conn, a, day + 60_000).await;
    age_upload(&mut conn, b, day - 60 * 60_000).await;
    assert_eq!(
        send_chunk(&device, c, 0, CHUNK).await.status(),
        StatusCode::OK
    );
    assert_eq!(received(&device, a).await, 0);
    assert_eq!(chunks_of(&mut conn, a).await, 0);
    assert_eq!(received(&device, b).await, CHUNK as u64);
    assert_eq!(received(&device, c).await, CHUNK as u64);
    // Going on with a swept upload: the tablet hears where the server is (0) and starts over.
    let refused = error(
        send_chunk(&device, a, CHUNK, CHUNK).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        refused.message.contains("has 0 bytes"),
        "{}",
        refused.message
    );
    let mut offset = 0;
    while offset < a.len() {
        let len = CHUNK.min(a.len() - offset);
        let response = send_chunk(&device, a, offset, len).await;
        assert_eq!(response.status(), StatusCode::OK);
        offset += len;
    }
    let back = device
        .get(&format!("/photos/{}", content_hash(a)))
        .send()
        .await
        .unwrap();
    assert_eq!(back.bytes().await.unwrap().as_ref(), a.as_slice());

    // And at start-up: an upload abandoned while the server was down is gone after the restart.
    age_upload(&mut conn, b, 2 * 60 * 60_000).await;
    drop(conn);
    server.stop().await;
    let server = TestServer::start(&db).await;
    let device = device.at(&server);
    assert_eq!(received(&device, b).await, 0);
    assert_eq!(received(&device, c).await, CHUNK as u64);
    assert_eq!(
        send_chunk(&device, d, 0, CHUNK).await.status(),
        StatusCode::OK
    );
    assert_eq!(received(&device, c).await, CHUNK as u64);
    let mut conn = db.connect().await;
    assert_eq!(chunks_of(&mut conn, b).await, 0);
    drop(conn);
    server.stop().await;
}
