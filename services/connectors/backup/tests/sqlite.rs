//! A catalog table in a real SQLite file, with awkward (quoted) names: read afresh for
//! every job, rows that cannot be judged refused by set and column, and failures sorted
//! into retryable (busy, not there) and permanent (a missing table or column).

mod support;

use erasure_connector_backup::Config;
use erasure_connector_sdk::{Connector, KindConfig};
use erasure_core::events::Outcome;
use rusqlite::Connection;
use std::path::PathBuf;
use support::{
    NIGHTLY, SQLITE_CONFIG, assert_failed, assert_problems, connector, copy, ids, insert, report,
    sqlite_catalog,
};

#[tokio::test]
async fn the_mapped_columns_are_read_and_judged() {
    let dir = sqlite_catalog();
    insert(dir.path(), NIGHTLY);
    insert(
        dir.path(),
        [
            Some("support-2026-11-01"),
            Some("2026-11-01T03:00:00+01:00"),
            Some("2027-03-01 00:30:00+02:00"),
            Some(" support "),
        ],
    );
    let gone = [
        Some("crm-2026-08"),
        Some("2026-08-01T02:00:00Z"),
        Some("2026-11-19"),
        Some("crm"),
    ];
    insert(dir.path(), gone);
    let cameras = [
        Some("cameras-1"),
        Some("2026-11-01T02:00:00Z"),
        Some("2027-11-01"),
        Some("cameras"),
    ];
    insert(dir.path(), cameras);
    let connector = connector(SQLITE_CONFIG, dir.path());

    let report = report(&connector, "req-sqlite").await;

    assert_eq!(report.outcome, Outcome::InBackups, "{}", report.detail);
    assert_eq!(
        ids(&report),
        ["support-2026-11-01", "crm-nightly-2026-11-19"]
    );
    let support = copy(&report, "support-2026-11-01");
    assert_eq!(support.taken_at.to_rfc3339(), "2026-11-01T02:00:00+00:00");
    assert_eq!(support.expires_on.to_string(), "2027-02-28");
    assert_eq!(support.systems, ["support"]);
    let nightly = copy(&report, "crm-nightly-2026-11-19");
    assert_eq!(nightly.taken_at.to_rfc3339(), "2026-11-19T02:00:00+00:00");
    assert_eq!(nightly.systems, ["crm", "support"]);
    assert_eq!(
        report.evidence_summary,
        "2 backup sets may hold the person until 2027-02-28"
    );
    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("JSON");
    assert_eq!(
        doc["catalog"],
        "SQLite table \"backup sets\" in catalog.sqlite"
    );
}

#[tokio::test]
async fn the_catalog_is_read_afresh_for_every_job() {
    let dir = sqlite_catalog();
    let connector = connector(SQLITE_CONFIG, dir.path());
    let before = report(&connector, "req-fresh").await;
    assert_eq!(before.outcome, Outcome::NothingFound);

    insert(dir.path(), NIGHTLY);
    let after = report(&connector, "req-fresh").await;

    assert_eq!(ids(&after), ["crm-nightly-2026-11-19"]);
    assert_eq!(
        report(&connector, "req-fresh").await,
        after,
        "the same answer again"
    );
}

#[tokio::test]
async fn a_row_without_expiry_fails_for_good_naming_the_set_and_column() {
    let dir = sqlite_catalog();
    insert(dir.path(), NIGHTLY);
    insert(
        dir.path(),
        [
            Some("crm-forever"),
            Some("2026-01-01T00:00:00Z"),
            None,
            Some("crm"),
        ],
    );
    let connector = connector(SQLITE_CONFIG, dir.path());

    let report = report(&connector, "req-forever").await;

    let forever = "set crm-forever: no expiry (column \"delete after\"";
    let table = "(SQLite table \"backup sets\" in catalog.sqlite): ";
    assert_failed(
        &report,
        Outcome::FailedPermanent,
        &format!("backup catalog {table}{forever}"),
    );
    let problems = connector.check().await;
    assert_problems(&problems, &[&format!("connector.catalog {table}{forever}")]);
}

#[tokio::test]
async fn malformed_rows_name_the_set_and_column_never_the_value() {
    let dir = sqlite_catalog();
    insert(
        dir.path(),
        [
            Some("crm-a"),
            Some("19.11.2026 klo 2"),
            Some("2027-01-01"),
            Some("crm"),
        ],
    );
    insert(
        dir.path(),
        [
            Some("crm-b"),
            Some("2026-11-19T02:00:00Z"),
            Some("ensi vuonna"),
            Some("crm"),
        ],
    );
    insert(
        dir.path(),
        [
            None,
            Some("2026-11-19T02:00:00Z"),
            Some("2027-01-01"),
            Some("crm"),
        ],
    );
    let connector = connector(SQLITE_CONFIG, dir.path());

    let report = report(&connector, "req-malformed").await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report.detail.ends_with("(and 2 more problems)"),
        "{}",
        report.detail
    );
    let problems = connector.check().await;
    let problems: Vec<&str> = problems
        .iter()
        .map(|p| p.split("): ").nth(1).unwrap_or(p))
        .collect();
    assert_eq!(
        problems,
        [
            "a catalog row: column \"set id\" is empty",
            "set crm-a: column \"taken \\\"at\\\"\" is not a timestamp (RFC 3339, e.g. 2026-11-30T02:00:00Z)",
            "set crm-b: column \"delete after\" is not a date (YYYY-MM-DD) or a timestamp",
        ]
    );
    for value in ["klo", "vuonna"] {
        assert!(!report.detail.contains(value));
        assert!(problems.iter().all(|p| !p.contains(value)));
    }
}

#[tokio::test]
async fn a_missing_column_or_table_fails_for_good_and_check_names_it() {
    let dir = sqlite_catalog();
    let column = connector(
        &SQLITE_CONFIG.replace("\"hosts\"", "\"systems\""),
        dir.path(),
    );
    let table = connector(
        &SQLITE_CONFIG.replace("table = \"backup sets\"", "table = \"sets\""),
        dir.path(),
    );

    for (connector, what) in [
        (column, "no such column: \"systems\""),
        (table, "no such table: sets"),
    ] {
        let report = report(&connector, "req-mismatch").await;
        let what = format!("reading the catalog: {what}");
        assert_failed(&report, Outcome::FailedPermanent, &what);
        assert_problems(&connector.check().await, &[&what]);
    }
}

#[tokio::test]
async fn a_catalog_locked_by_a_writer_is_busy_and_retryable() {
    let dir = sqlite_catalog();
    insert(dir.path(), NIGHTLY);
    let writer = Connection::open(dir.path().join("catalog.sqlite")).expect("open");
    writer.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let connector = connector(SQLITE_CONFIG, dir.path());

    let busy = report(&connector, "req-busy").await;

    assert_failed(
        &busy,
        Outcome::FailedRetryable,
        "reading the catalog: Error code 5: database is locked",
    );
    writer.execute_batch("ROLLBACK").expect("unlock");
    let report = report(&connector, "req-busy").await;
    assert_eq!(report.outcome, Outcome::InBackups, "{}", report.detail);
}

#[tokio::test]
async fn a_catalog_file_not_there_is_retryable_and_check_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let connector = connector(SQLITE_CONFIG, dir.path());

    let report = report(&connector, "req-not-there").await;

    assert_failed(
        &report,
        Outcome::FailedRetryable,
        "reading the catalog: Error code 14: unable to open",
    );
    assert!(
        !dir.path().join("catalog.sqlite").exists(),
        "the catalog was created"
    );
    let problems = connector.check().await;
    assert_problems(&problems, &["catalog.sqlite does not exist"]);
    assert!(
        problems[0].starts_with("connector.catalog.database: "),
        "{problems:?}"
    );
}

#[tokio::test]
async fn a_sound_catalog_has_no_problems() {
    let dir = sqlite_catalog();
    insert(dir.path(), NIGHTLY);
    assert_eq!(
        connector(SQLITE_CONFIG, dir.path()).check().await,
        Vec::<String>::new()
    );
}

#[test]
fn the_catalog_file_is_a_path_to_mount() {
    let config: Config = toml::from_str(SQLITE_CONFIG).expect("parses");
    assert_eq!(
        config.paths(),
        [("catalog.database", PathBuf::from("catalog.sqlite"))]
    );
}

#[test]
fn names_and_settings_are_checked_when_built() {
    let dir = tempfile::tempdir().expect("tempdir");
    let build = |text: &str| {
        let config: Config = toml::from_str(text).expect("parses");
        config
            .build(dir.path())
            .map(drop)
            .map_err(|e| e.to_string())
    };
    let empty = SQLITE_CONFIG.replace("id = \"set id\"", "id = \"\"");
    assert_eq!(
        build(&empty),
        Err("`catalog.columns.id` must name a table or column: not empty, no NUL character".into())
    );
    let password = SQLITE_CONFIG.replace("table =", "password_file = \"pw\"\ntable =");
    assert_eq!(
        build(&password),
        Err("`catalog.password_file` applies to PostgreSQL only (a `url`)".into())
    );
    let both = SQLITE_CONFIG.replace("table =", "url = \"postgres://x@y/z\"\ntable =");
    assert!(build(&both).expect_err("both").contains("not both"));
    let neither = SQLITE_CONFIG.replace("database = \"catalog.sqlite\"", "");
    assert!(
        build(&neither)
            .expect_err("neither")
            .contains("needs a `database`")
    );
}
