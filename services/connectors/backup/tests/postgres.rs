//! A catalog table on a real PostgreSQL server (needs `ERASURE_TEST_POSTGRES_URL`), with
//! awkward names and PostgreSQL's own types: read afresh, judged in UTC whatever the
//! session's time zone, failures sorted into retryable and permanent.

mod support;

use erasure_connector_sdk::Connector;
use erasure_core::events::Outcome;
use erasure_store::postgres::testing::url_from_env;
use support::pg::{COLUMNS, PgCatalog, TABLE, nothing_listens};
use support::{assert_failed, assert_problems, copy, ids, report};

const SETS: &str = r#"INSERT INTO "Backup Sets" VALUES
    ('crm-nightly-2026-11-19', '2026-11-19 03:00:00+01', '2027-02-19', '{crm,support}'),
    ('crm-2026-11-21', '2026-11-21 02:00:00+00', '2026-12-21', '{crm}'),
    ('crm-2026-08', '2026-08-01 02:00:00+00', '2026-11-19', '{crm}'),
    ('cameras-2026-11-01', '2026-11-01 02:00:00+00', '2027-11-01', '{cameras}')"#;

#[tokio::test]
async fn typed_columns_with_awkward_names_are_read_and_judged() {
    let catalog = PgCatalog::new(TABLE).await;
    catalog.execute(SETS).await;
    let connector = catalog.connector(r#"["crm"]"#, COLUMNS);

    let report = report(&connector, "req-pg").await;

    assert_eq!(report.outcome, Outcome::InBackups, "{}", report.detail);
    assert_eq!(ids(&report), ["crm-nightly-2026-11-19"]);
    let nightly = copy(&report, "crm-nightly-2026-11-19");
    assert_eq!(nightly.taken_at.to_rfc3339(), "2026-11-19T02:00:00+00:00");
    assert_eq!(nightly.expires_on.to_string(), "2027-02-19");
    assert_eq!(nightly.systems, ["crm", "support"]);
    assert_eq!(
        report.evidence_summary,
        "1 backup set may hold the person until 2027-02-19"
    );
    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("JSON");
    let shown = doc["catalog"].as_str().expect("catalog");
    assert!(
        shown.starts_with("PostgreSQL table \"Backup Sets\" at postgres://erasure@"),
        "{shown}"
    );
}

/// A catalog kept as text, with deletion times rather than dates.
const TEXT_TABLE: &str = r#"
    CREATE TABLE backup_sets (set_id text, taken_at text, expires timestamptz, systems text);
    INSERT INTO backup_sets VALUES
        ('support-1', '2026-11-01T02:00:00Z', '2027-03-01 00:30:00+02', 'support'),
        ('support-2', '2026-11-02 02:00:00', '2027-03-02 00:00:00+00', 'support, crm')"#;

#[tokio::test]
async fn text_columns_and_deletion_times_are_read_with_the_default_names() {
    let catalog = PgCatalog::new(TEXT_TABLE).await;
    let connector = catalog.connector("[]", "table = \"backup_sets\"");

    let report = report(&connector, "req-pg-text").await;

    assert_eq!(
        ids(&report),
        ["support-1", "support-2"],
        "{}",
        report.detail
    );
    assert_eq!(
        copy(&report, "support-1").expires_on.to_string(),
        "2027-02-28"
    );
    assert_eq!(
        copy(&report, "support-2").expires_on.to_string(),
        "2027-03-02"
    );
    assert_eq!(copy(&report, "support-2").systems, ["support", "crm"]);
    assert_eq!(connector.check().await, Vec::<String>::new());
}

#[tokio::test]
async fn the_catalog_is_read_afresh_for_every_job() {
    let catalog = PgCatalog::new(TABLE).await;
    let connector = catalog.connector("[]", COLUMNS);
    assert_eq!(
        report(&connector, "req-pg-fresh").await.outcome,
        Outcome::NothingFound
    );

    catalog.execute(SETS).await;

    let report = report(&connector, "req-pg-fresh").await;
    assert_eq!(
        ids(&report),
        ["cameras-2026-11-01", "crm-nightly-2026-11-19"]
    );
}

#[tokio::test]
async fn a_set_kept_forever_fails_for_good_and_check_names_it() {
    let catalog = PgCatalog::new(TABLE).await;
    catalog.execute(SETS).await;
    catalog
        .execute(
            r#"INSERT INTO "Backup Sets" VALUES
                ('crm-archive', '2020-01-01 00:00:00+00', NULL, '{crm}'),
                ('crm-vault', '2021-01-01 00:00:00+00', 'infinity', '{crm}')"#,
        )
        .await;
    let connector = catalog.connector("[]", COLUMNS);

    let report = report(&connector, "req-pg-forever").await;

    let forever = "set crm-archive: no expiry (column \"delete after\"";
    assert_failed(&report, Outcome::FailedPermanent, forever);
    assert!(
        report.detail.ends_with("(and 1 more problems)"),
        "{}",
        report.detail
    );
    let problems = connector.check().await;
    assert_problems(&problems, &[forever, "set crm-vault: no expiry"]);
}

#[tokio::test]
async fn a_missing_column_or_table_fails_for_good() {
    let catalog = PgCatalog::new(TABLE).await;
    let column = catalog.connector("[]", &COLUMNS.replace("\"hosts\"", "\"systems\""));
    let table = catalog.connector("[]", &COLUMNS.replace("\"Backup Sets\"", "\"backup sets\""));

    for (connector, what) in [
        (column, "column \"systems\" does not exist"),
        (table, "relation \"backup sets\" does not exist"),
    ] {
        let report = report(&connector, "req-pg-mismatch").await;
        let what = format!("reading the catalog: {what}");
        assert_failed(&report, Outcome::FailedPermanent, &what);
        assert_problems(&connector.check().await, &[&what]);
    }
}

#[tokio::test]
async fn an_unreachable_server_is_retryable() {
    let catalog = PgCatalog::new(TABLE).await;
    let connector = catalog.connector_at(&nothing_listens(), "[]", COLUMNS);

    let report = report(&connector, "req-pg-down").await;

    let connecting = "connecting to postgres://erasure@127.0.0.1:";
    assert_failed(&report, Outcome::FailedRetryable, connecting);
    assert_eq!(connector.check().await.len(), 1);
}

#[tokio::test]
async fn a_table_locked_by_a_migration_is_busy_and_retryable() {
    let catalog = PgCatalog::new(TABLE).await;
    catalog.execute(SETS).await;
    catalog
        .execute(r#"BEGIN; LOCK TABLE "Backup Sets" IN ACCESS EXCLUSIVE MODE"#)
        .await;
    let connector = catalog.connector("[]", COLUMNS);

    let busy = report(&connector, "req-pg-busy").await;

    assert_failed(&busy, Outcome::FailedRetryable, "SQLSTATE 55P03");
    catalog.execute("ROLLBACK").await;
    assert_eq!(
        report(&connector, "req-pg-busy").await.outcome,
        Outcome::InBackups
    );
}

#[tokio::test]
async fn the_password_comes_from_its_file_and_a_wrong_one_is_permanent() {
    let catalog = PgCatalog::new(TABLE).await;
    catalog.execute(SETS).await;
    let schema = catalog.schema.name();
    catalog
        .execute(&format!(
            "GRANT USAGE ON SCHEMA \"{schema}\" TO erasure_password;
             GRANT SELECT ON \"Backup Sets\" TO erasure_password"
        ))
        .await;
    let url = url_from_env().replace("postgres://erasure@", "postgres://erasure_password@");
    std::fs::write(catalog.dir.path().join("right"), "erasure-test-password\n").expect("write");
    std::fs::write(catalog.dir.path().join("wrong"), "guess\n").expect("write");
    let with = |file: &str| {
        let settings = format!("password_file = \"{file}\"\n{COLUMNS}");
        catalog.connector_at(&url, "[]", &settings)
    };

    let right = report(&with("right"), "req-pg-password").await;
    let wrong = report(&with("wrong"), "req-pg-password").await;

    assert_eq!(right.outcome, Outcome::InBackups, "{}", right.detail);
    assert_failed(&wrong, Outcome::FailedPermanent, "SQLSTATE 28P01");
    assert!(!wrong.detail.contains("guess"), "{}", wrong.detail);
}
