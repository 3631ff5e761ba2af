//! Bad input on PostgreSQL: an unreachable server, a wrong password, a table renamed under
//! a running connector. Each is a clear failure, retryable only when waiting can help,
//! naming no value of a person and never the password. Needs `ERASURE_TEST_POSTGRES_URL`
//! (and its role `erasure_password`, whose password the server checks).

mod support;

use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{KitSubject, alice, assert_no_personal_data, job};
use erasure_core::events::Outcome;
use erasure_store::postgres::testing::url_from_env;
use support::pg::{crm, crm_config};

/// The test server's host and port.
fn server() -> (String, u16) {
    let config: tokio_postgres::Config = url_from_env().parse().expect("a PostgreSQL URL");
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        other => panic!("a TCP host, not {other:?}"),
    };
    (host, config.get_ports().first().copied().unwrap_or(5432))
}

/// A port on loopback that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[tokio::test]
async fn an_unreachable_server_is_retryable() {
    let crm = crm().await;
    let port = closed_port();
    let url = format!("postgres://erasure@127.0.0.1:{port}/erasure");
    let connector = crm.0.connector_at(&url, &crm_config());

    let report = connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        report.outcome,
        Outcome::FailedRetryable,
        "{}",
        report.detail
    );
    let expected = format!("connecting to postgres://erasure@127.0.0.1:{port}/erasure:");
    assert!(report.detail.starts_with(&expected), "{}", report.detail);
    assert_no_personal_data(&report, &alice());
}

#[tokio::test]
async fn a_wrong_password_is_permanent_and_never_shown() {
    let crm = crm().await;
    let (host, port) = server();
    crm.0.write("db-password", "not-the-password\n");
    let url = format!("postgres://erasure_password@{host}:{port}/erasure");
    let config = format!("password_file = \"db-password\"\n{}", crm_config());
    let connector = crm.0.connector_as(&url, "erasure_password", &config);

    let report = connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        report.outcome,
        Outcome::FailedPermanent,
        "{}",
        report.detail
    );
    assert_eq!(
        report.detail,
        format!(
            "connecting to postgres://erasure_password@{host}:{port}/erasure: SQLSTATE 28P01 (password authentication failed: check `password_file`)"
        )
    );
    assert!(!format!("{connector:?}").contains("not-the-password"));
}

#[tokio::test]
async fn the_password_file_is_what_logs_in() {
    let crm = crm().await;
    crm.seed(&alice()).await;
    // The progress table is made by the schema's owner, so the schema can be dropped.
    let first = crm
        .0
        .connector
        .erase(&job(&erasure_connector_sdk::kit::carol(), "req-0", 1))
        .await;
    assert_eq!(first.outcome, Outcome::NothingFound, "{}", first.detail);
    let schema = crm.0.schema.name().to_owned();
    crm.0
        .client
        .batch_execute(&format!(
            "GRANT USAGE, CREATE ON SCHEMA \"{schema}\" TO erasure_password;
             GRANT ALL ON ALL TABLES IN SCHEMA \"{schema}\" TO erasure_password;"
        ))
        .await
        .expect("grant");
    let (host, port) = server();
    crm.0.write("db-password", "erasure-test-password\n");
    let url = format!("postgres://erasure_password@{host}:{port}/erasure");
    let config = format!("password_file = \"db-password\"\n{}", crm_config());
    let connector = crm.0.connector_as(&url, "erasure_password", &config);

    let report = connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 4),
        "{}",
        report.detail
    );
    assert_eq!(crm.remaining(&alice()).await, 0);
}

#[tokio::test]
async fn a_table_renamed_under_a_running_connector_is_permanent() {
    let crm = crm().await;
    crm.seed(&alice()).await;
    let warm = crm
        .0
        .connector
        .erase(&job(&erasure_connector_sdk::kit::carol(), "req-0", 1))
        .await;
    assert_eq!(warm.outcome, Outcome::NothingFound, "{}", warm.detail);
    crm.0
        .client
        .batch_execute("ALTER TABLE support_tickets RENAME TO tickets")
        .await
        .expect("rename");

    let report = crm.0.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(
        report.detail,
        "table support_tickets: relation \"support_tickets\" does not exist"
    );
    assert_no_personal_data(&report, &alice());
    crm.0
        .client
        .batch_execute("ALTER TABLE tickets RENAME TO support_tickets")
        .await
        .expect("rename back");
    assert_eq!(
        crm.remaining(&alice()).await,
        4,
        "nothing was erased before the failure"
    );
}
