//! The event store over TLS (`PostgresTls::VerifyFull`): against a server that refuses
//! connections without TLS, started by `scripts/start-postgres --tls DIR`. Its URL comes from
//! `ERASURE_TEST_POSTGRES_TLS_URL` and the CA that signed its certificate from
//! `ERASURE_TEST_POSTGRES_TLS_CA` (`DIR/tls/ca.pem`); the tests fail without them.

use std::path::PathBuf;

use erasure_store::postgres::{PostgresStore, PostgresTls};
use erasure_store::{AppendBatch, EventStore, NewEvent, StoreError};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start a server with `scripts/start-postgres --tls DIR`")
    })
}

fn url() -> String {
    var("ERASURE_TEST_POSTGRES_TLS_URL")
}

fn verify_full(ca: PathBuf) -> PostgresTls {
    PostgresTls::VerifyFull { ca_file: Some(ca) }
}

/// A CA that did not sign the server's certificate (the processor tests' own).
fn other_ca() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../connectors/processor/tests/fixtures/ca.pem")
}

async fn refused(tls: &PostgresTls) -> String {
    match PostgresStore::connect_tls(&url(), 1, tls).await {
        Ok(_) => panic!("connected with {tls:?}"),
        Err(StoreError::Unavailable(m) | StoreError::Invalid(m)) => m,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

#[tokio::test]
async fn verify_full_with_the_servers_ca_connects_and_stores() {
    let tls = verify_full(var("ERASURE_TEST_POSTGRES_TLS_CA").into());
    let store = PostgresStore::connect_tls(&url(), 2, &tls)
        .await
        .expect("connected over TLS");
    let stream = format!("tls-{}", std::process::id());
    let batch = AppendBatch {
        stream_id: stream.clone(),
        expected_version: 0,
        events: vec![NewEvent {
            event_type: "E".to_owned(),
            version: 1,
            payload: b"over tls".to_vec(),
        }],
        outbox: vec![],
    };
    store.append(batch).await.expect("append over TLS");
    let events = store.read_stream(&stream).await.expect("read over TLS");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].payload, b"over tls");
}

#[tokio::test]
async fn the_server_refuses_a_connection_without_tls() {
    let message = refused(&PostgresTls::Disabled).await;
    assert!(message.contains("no encryption"), "{message}");
}

#[tokio::test]
async fn a_certificate_from_another_ca_is_refused_with_a_clear_error() {
    let message = refused(&verify_full(other_ca())).await;
    assert!(
        message.starts_with("cannot connect to postgres://erasure@127.0.0.1:"),
        "{message}"
    );
    assert!(message.contains("certificate"), "{message}");
    assert!(!message.contains('\n'), "{message}");
}

#[tokio::test]
async fn a_missing_ca_file_is_named() {
    let message = refused(&verify_full("/nonexistent/ca.pem".into())).await;
    assert!(
        message.starts_with("PostgreSQL CA file /nonexistent/ca.pem: "),
        "{message}"
    );
}
