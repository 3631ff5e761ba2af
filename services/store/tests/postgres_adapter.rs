//! What only the PostgreSQL adapter has to prove: positions follow commit order under
//! many concurrent writers, a unique violation is a conflict, the schema is versioned,
//! and connection errors name the server but never the password.
//!
//! Tests that need a server take it from `ERASURE_TEST_POSTGRES_URL` (see
//! `scripts/start-postgres`) and fail without it.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use erasure_store::postgres::{PostgresStore, testing};
use erasure_store::{AppendBatch, EventStore, NewEvent, RecordedEvent, StoreError};
use tokio_postgres::{Client, NoTls};

const WRITERS: u64 = 16;
const APPENDS: u64 = 50;
const STREAMS_PER_WRITER: u64 = 4;
const EVENTS_PER_APPEND: u64 = 2;

fn batch(stream_id: &str, expected_version: u64, events: u64) -> AppendBatch {
    let event = NewEvent {
        event_type: "E".to_owned(),
        version: 1,
        payload: stream_id.as_bytes().to_vec(),
    };
    AppendBatch {
        stream_id: stream_id.to_owned(),
        expected_version,
        events: (0..events).map(|_| event.clone()).collect(),
        outbox: vec![],
    }
}

/// The relay must not skip rows: 16 writers append 50 batches each across 64 streams
/// while a reader tails `read_all` in pages of 7. The reader sees every committed event
/// exactly once, in strictly increasing positions, and what it saw is exactly
/// `read_all` from the start once the writers are done. Without the append lock, a
/// position taken early but committed late is skipped and the last comparison fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_make_a_tailing_reader_skip() {
    let pool_size = usize::try_from(WRITERS + 1).expect("small");
    let (store, _schema) = testing::store(pool_size).await;
    let done = Arc::new(AtomicBool::new(false));
    let reader = tokio::spawn(tail(store.clone(), Arc::clone(&done)));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| tokio::spawn(write(store.clone(), w)))
        .collect();
    for w in writers {
        w.await.expect("writer");
    }
    done.store(true, Ordering::SeqCst);
    let seen = tokio::time::timeout(Duration::from_secs(60), reader)
        .await
        .expect("the reader finished")
        .expect("reader");

    let total = usize::try_from(WRITERS * APPENDS * EVENTS_PER_APPEND).expect("small");
    let distinct: HashSet<(&str, u64)> = seen
        .iter()
        .map(|e| (e.stream_id.as_str(), e.stream_version))
        .collect();
    assert_eq!(distinct.len(), seen.len(), "no event seen twice");
    let all = store.read_all(0, usize::MAX).await.expect("read_all");
    assert_eq!(all.len(), total, "every append committed");
    assert!(
        seen == all,
        "the tailing reader saw {} of {total} events: it skipped some",
        seen.len()
    );
}

/// Writer `w` appends to streams `w<w>-<0..4>` in turn.
async fn write(store: PostgresStore, w: u64) {
    for i in 0..APPENDS {
        let stream = format!("w{w}-{}", i % STREAMS_PER_WRITER);
        let expected = i / STREAMS_PER_WRITER * EVENTS_PER_APPEND;
        store
            .append(batch(&stream, expected, EVENTS_PER_APPEND))
            .await
            .expect("append to a stream only this writer writes");
    }
}

/// Tails pages of 7 until the writers are done and a page comes back empty. `done` is
/// read before the page: if it was already set, that page saw every commit.
async fn tail(store: PostgresStore, done: Arc<AtomicBool>) -> Vec<RecordedEvent> {
    let (mut seen, mut after) = (Vec::new(), 0);
    loop {
        let finished = done.load(Ordering::SeqCst);
        let page = store.read_all(after, 7).await.expect("read_all");
        if page.is_empty() {
            if finished {
                return seen;
            }
            tokio::task::yield_now().await;
        }
        for e in page {
            assert!(e.position > after, "positions strictly increase");
            after = e.position;
            seen.push(e);
        }
    }
}

/// A writer that bypasses the store (no append lock) holds version 1 of a stream,
/// uncommitted, while the store appends version 1: the store's version check passes,
/// its insert waits, and when the other commits the unique violation becomes a conflict
/// naming the version that won.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unique_violation_is_a_conflict() {
    let (store, schema) = testing::store(2).await;
    let intruder = connect(&schema).await;
    intruder
        .batch_execute(
            "BEGIN; INSERT INTO events (stream_id, stream_version, type, version, payload,
             recorded_at) VALUES ('req-1', 1, 'Intruder', 1, '\\x00', 0)",
        )
        .await
        .expect("insert without committing");
    let append = tokio::spawn({
        let store = store.clone();
        async move { store.append(batch("req-1", 0, 1)).await }
    });
    wait_for_insert_blocked(&connect(&schema).await).await;
    intruder.batch_execute("COMMIT").await.expect("commit");

    match append.await.expect("append task") {
        Err(StoreError::Conflict {
            stream_id,
            expected,
            actual,
        }) => assert_eq!((stream_id.as_str(), expected, actual), ("req-1", 0, 1)),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let stream = store.read_stream("req-1").await.expect("read");
    assert_eq!(stream.len(), 1);
    assert_eq!(stream[0].event_type, "Intruder");
}

/// Waits until an `INSERT INTO events` waits on another transaction's row.
async fn wait_for_insert_blocked(watcher: &Client) {
    let sql = "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event = 'transactionid'
               AND query LIKE 'INSERT INTO events%'";
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let row = watcher.query_one(sql, &[]).await.expect("pg_stat_activity");
        if row.get::<_, i64>(0) > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the store's insert never waited for the uncommitted row");
}

async fn connect(schema: &testing::TestSchema) -> Client {
    let (client, connection) = schema.config().connect(NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
}

/// A second store on the same schema finds the data; a schema version from the future
/// is refused rather than misread.
#[tokio::test]
async fn the_schema_is_kept_and_versioned() {
    let (store, schema) = testing::store(1).await;
    store.append(batch("req-1", 0, 1)).await.expect("append");
    let before = store.read_all(0, 10).await.expect("read");
    drop(store);

    let again = PostgresStore::connect_with(schema.config(), 1)
        .await
        .expect("reconnect");
    assert_eq!(again.read_all(0, 10).await.expect("read"), before);
    let raw = connect(&schema).await;
    raw.batch_execute("UPDATE erasure_schema SET version = 99")
        .await
        .expect("bump version");
    match PostgresStore::connect_with(schema.config(), 1).await {
        Err(StoreError::Unavailable(m)) => assert!(m.contains("schema version 99"), "{m}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

/// Nothing listens on the port: the error is Unavailable, names host, port and
/// database, and holds the password neither as written nor decoded.
#[tokio::test]
async fn an_unreachable_server_is_unavailable_and_named_without_the_password() {
    let port = closed_port();
    let url = format!("postgres://erasure:s3cret%2Fpw@127.0.0.1:{port}/orders_db");
    match PostgresStore::connect(&url, 2).await {
        Err(StoreError::Unavailable(m)) => {
            assert!(
                m.contains(&format!("127.0.0.1:{port}")),
                "names the host: {m}"
            );
            assert!(m.contains("orders_db"), "names the database: {m}");
            assert!(!m.contains("s3cret"), "never the password: {m}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

/// A malformed URL is the caller's mistake; the message quotes it without the password.
#[tokio::test]
async fn a_malformed_url_is_invalid_and_hides_the_password() {
    let url = "postgres://erasure:s3cret-pw@127.0.0.1:notaport/erasure";
    match PostgresStore::connect(url, 2).await {
        Err(StoreError::Invalid(m)) => {
            assert!(m.contains("127.0.0.1"), "quotes the URL: {m}");
            assert!(!m.contains("s3cret"), "never the password: {m}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// A port that was free a moment ago (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Crypto-shredding: destroying a key vacuums the key table at once, so its dead row is
/// not left for autovacuum to find some day. (Whether the row is gone after that vacuum
/// depends on other sessions: a transaction older than the delete keeps it visible to
/// itself, and VACUUM leaves it until then. SECURITY.md says so.)
#[tokio::test]
async fn destroying_a_key_vacuums_the_key_table() {
    use erasure_store::KeyStore;
    let (store, schema) = testing::store(1).await;
    store.put_key_if_absent("req-1", b"w-1").await.expect("put");
    store.put_key_if_absent("req-2", b"w-2").await.expect("put");
    assert!(store.destroy_key("req-1").await.expect("destroy"));
    let raw = connect(&schema).await;
    let row = raw
        .query_one(
            "SELECT vacuum_count FROM pg_stat_user_tables \
             WHERE schemaname = $1 AND relname = 'data_keys'",
            &[&schema.name()],
        )
        .await
        .expect("table statistics");
    let vacuums: i64 = row.get(0);
    assert_eq!(vacuums, 1, "the key table was vacuumed after the destroy");
    assert!(!store.destroy_key("req-1").await.expect("destroy"));
    assert_eq!(
        store.get_key("req-2").await.expect("get").as_deref(),
        Some(&b"w-2"[..])
    );
}
