//! The conformance suite against SQLite, on a file and in memory, plus what only a file
//! store has: reopening, errors naming the path, the schema version, shredded keys.

use std::path::Path;

use erasure_store::sqlite::SqliteStore;
use erasure_store::{
    AppendBatch, EventStore, KeyStore, NewEvent, NewOutboxMessage, Outbox, StoreError,
};
use tempfile::TempDir;

/// A store on a new file; the directory lives as long as the store.
async fn file_store() -> (SqliteStore, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("events.sqlite")).expect("open");
    (store, dir)
}

mod file {
    erasure_store::store_conformance!(super::file_store());
}

mod memory {
    use erasure_store::sqlite::SqliteStore;
    erasure_store::store_conformance!(async { SqliteStore::open_in_memory().expect("open") });
}

fn one_event_batch(stream_id: &str) -> AppendBatch {
    AppendBatch {
        stream_id: stream_id.to_owned(),
        expected_version: 0,
        events: vec![NewEvent {
            event_type: "A".to_owned(),
            version: 1,
            payload: vec![7],
        }],
        outbox: vec![NewOutboxMessage {
            topic: "t".to_owned(),
            key: "k".to_owned(),
            payload: vec![8],
            headers: vec![("h".to_owned(), "v".to_owned())],
            available_at_ms: 42,
        }],
    }
}

#[tokio::test]
async fn a_reopened_store_still_has_everything() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    let store = SqliteStore::open(&path).expect("open");
    store
        .append(one_event_batch("req-1"))
        .await
        .expect("append");
    store.put_key_if_absent("req-1", b"key").await.expect("put");
    let (events, due) = (
        store.read_all(0, 10).await.expect("read"),
        store.due(42, 10, &[]).await.expect("due"),
    );
    drop(store);

    let reopened = SqliteStore::open(&path).expect("reopen");
    assert_eq!(reopened.read_all(0, 10).await.expect("read"), events);
    assert_eq!(reopened.due(42, 10, &[]).await.expect("due"), due);
    assert_eq!(
        reopened.get_key("req-1").await.expect("get").as_deref(),
        Some(&b"key"[..])
    );
    let next = AppendBatch {
        expected_version: 1,
        ..one_event_batch("req-1")
    };
    assert_eq!(reopened.append(next).await.expect("append after reopen"), 2);
}

#[test]
fn an_unopenable_path_is_unavailable_and_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"").expect("write file");
    let path = file.join("events.sqlite");
    match SqliteStore::open(&path) {
        Err(StoreError::Unavailable(m)) => {
            assert!(
                m.contains(&path.display().to_string()),
                "message names the path: {m}"
            );
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    drop(SqliteStore::open(&path).expect("create"));
    let conn = rusqlite::Connection::open(&path).expect("raw open");
    conn.pragma_update(None, "user_version", 99)
        .expect("bump version");
    drop(conn);
    match SqliteStore::open(&path) {
        Err(StoreError::Unavailable(m)) => assert!(m.contains("schema version 99"), "{m}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

/// Crypto-shredding: after `destroy_key`, the key's bytes are in neither the database
/// file nor its WAL (secure_delete plus the checkpoint after a destroy).
#[tokio::test]
async fn a_destroyed_key_leaves_no_bytes_on_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    let store = SqliteStore::open(&path).expect("open");
    let key = b"WRAPPED-KEY-0123456789-abcdefghij";
    store.put_key_if_absent("req-1", key).await.expect("put");
    store
        .append(one_event_batch("req-1"))
        .await
        .expect("append");
    assert!(files_contain(dir.path(), key), "the key was written");

    assert!(store.destroy_key("req-1").await.expect("destroy"));
    assert!(!files_contain(dir.path(), key), "the key's bytes are gone");
}

fn files_contain(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).expect("list").any(|entry| {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        bytes.windows(needle.len()).any(|w| w == needle)
    })
}

/// Writes sent together are committed together (the writer groups them); one that fails
/// inside the group is rolled back alone, and every other one is durable: a reopened
/// store has exactly them.
#[tokio::test]
async fn a_failed_write_among_concurrent_ones_is_rolled_back_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    let store = SqliteStore::open(&path).expect("open");
    store
        .append(one_event_batch("taken"))
        .await
        .expect("first append");
    let writes = (0..40).map(|i| {
        // Every tenth appends to `taken` at version 0 again: a conflict.
        let stream = if i % 10 == 5 {
            "taken".to_owned()
        } else {
            format!("req-{i}")
        };
        let store = store.clone();
        async move { (i, store.append(one_event_batch(&stream)).await) }
    });
    let results = futures::future::join_all(writes).await;
    for (i, result) in &results {
        match (i % 10 == 5, result) {
            (false, Ok(version)) => assert_eq!(*version, 1),
            (true, Err(StoreError::Conflict { actual, .. })) => assert_eq!(*actual, 1),
            (conflicting, other) => panic!("write {i} (conflicting: {conflicting}): {other:?}"),
        }
    }
    drop(store);

    let reopened = SqliteStore::open(&path).expect("reopen");
    let events = reopened.read_all(0, 100).await.expect("read");
    assert_eq!(
        events.len(),
        1 + 36,
        "the first append and the 36 that did not conflict"
    );
    let due = reopened.due(i64::MAX, 100, &[]).await.expect("due");
    assert_eq!(due.len(), 37, "no outbox row of a conflicting append");
    assert_eq!(
        reopened.read_stream("taken").await.expect("read").len(),
        1,
        "the conflicting appends wrote no event"
    );
}
