//! A catalog written out in the configuration: which sets may hold the person (taken by
//! the erasure moment, kept on `as_of`, of a covered system), what the report says, and
//! the configurations refused.

mod support;

use erasure_connector_backup::{BackupConnector, Config, ConfigError};
use erasure_connector_sdk::KindConfig;
use erasure_core::events::Outcome;
use support::{clock, connector, copy, ids, report};

/// Sets around the moment (2026-11-20 12:00 UTC) and `as_of` (2026-11-20).
const CATALOG: &str = r#"
[[sets]]
id = "crm-weekly-2026-11-15"
taken_at = "2026-11-15T02:00:00Z"
expires = "2027-02-15"
systems = ["crm", "support"]

[[sets]]
id = "crm-daily-2026-11-20"
taken_at = "2026-11-20T13:00:00+01:00"   # noon UTC: the moment itself
expires = "2026-12-20"
systems = ["crm"]

[[sets]]
id = "crm-daily-2026-11-21"
taken_at = "2026-11-21T02:00:00Z"        # after the erasure: cannot hold the person
expires = "2026-12-21"
systems = ["crm"]

[[sets]]
id = "crm-monthly-2026-08-01"
taken_at = "2026-08-01T02:00:00Z"
expires = "2026-11-19"                   # gone the day before as_of
systems = ["crm"]

[[sets]]
id = "crm-monthly-2026-08-20"
taken_at = "2026-08-20T02:00:00Z"
expires = "2026-11-20T23:30:00-01:00"    # deleted 00:30 UTC on the 21st: still there on as_of
systems = ["crm"]

[[sets]]
id = "cameras-2026-11-01"
taken_at = "2026-11-01T02:00:00Z"
expires = "2027-11-01"
systems = ["cameras"]
"#;

fn with_covers(covers: &str) -> String {
    format!("covers = {covers}\n{CATALOG}")
}

#[tokio::test]
async fn sets_taken_by_the_moment_and_kept_on_as_of_may_hold_the_person() {
    let dir = tempfile::tempdir().expect("tempdir");
    let connector = connector(&with_covers("[]"), dir.path());

    let report = report(&connector, "req-all").await;

    assert_eq!(report.outcome, Outcome::InBackups, "{}", report.detail);
    assert_eq!(
        ids(&report),
        [
            "crm-monthly-2026-08-20",
            "cameras-2026-11-01",
            "crm-weekly-2026-11-15",
            "crm-daily-2026-11-20",
        ]
    );
    assert_eq!(
        report.evidence_summary,
        "4 backup sets may hold the person until 2027-11-01"
    );
    assert_eq!(report.items_affected, 0);
    let last_day = copy(&report, "crm-monthly-2026-08-20");
    assert_eq!(last_day.expires_on.to_string(), "2026-11-21");
    let noon = copy(&report, "crm-daily-2026-11-20");
    assert_eq!(noon.taken_at.to_rfc3339(), "2026-11-20T12:00:00+00:00");
    assert_eq!(
        copy(&report, "crm-weekly-2026-11-15").systems,
        ["crm", "support"]
    );
}

#[tokio::test]
async fn covers_keeps_the_sets_of_the_systems_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let connector = connector(&with_covers(r#"["support", "billing"]"#), dir.path());

    let report = report(&connector, "req-covers").await;

    assert_eq!(ids(&report), ["crm-weekly-2026-11-15"]);
    assert_eq!(
        report.evidence_summary,
        "1 backup set may hold the person until 2027-02-15"
    );
}

#[tokio::test]
async fn no_set_left_is_nothing_found_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let connector = connector(&with_covers(r#"["crm"]"#), dir.path());
    let job = erasure_connector_sdk::kit::held_job(
        &erasure_connector_sdk::kit::alice(),
        "req-late",
        Vec::new(),
        "2027-06-01",
    );

    let report = erasure_connector_sdk::Connector::erase(&connector, &job).await;

    assert_eq!(report.outcome, Outcome::NothingFound);
    assert!(report.backups.is_empty());
    assert_eq!(
        report.evidence_summary,
        "no backup set may hold the person (6 sets in the catalog: 4 expired before 2027-06-01, 1 taken after the erasure, 1 of other systems)"
    );
}

#[tokio::test]
async fn the_evidence_lists_the_sets_and_counts_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let connector = connector(&with_covers(r#"["crm"]"#), dir.path());

    let report = report(&connector, "req-evidence").await;

    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("JSON");
    assert_eq!(doc["format"], "erasure-evidence/backup/v1");
    assert_eq!(doc["request_id"], "req-evidence");
    assert_eq!(doc["as_of"], "2026-11-20");
    assert_eq!(doc["catalog"], "the configuration's `sets`");
    assert_eq!(doc["covers"], serde_json::json!(["crm"]));
    assert_eq!(doc["sets_in_catalog"], 6);
    let not_holding = &doc["not_holding"];
    assert_eq!(not_holding["taken_after_the_erasure"], 1);
    assert_eq!(not_holding["expired_before_as_of"], 1);
    assert_eq!(not_holding["of_other_systems"], 1);
    let first = &doc["may_hold_the_person"][0];
    assert_eq!(first["set_id"], "crm-monthly-2026-08-20");
    assert_eq!(first["taken_at"], "2026-08-20T02:00:00.000Z");
    assert_eq!(first["expires_on"], "2026-11-21");
    assert_eq!(doc["until"], "2027-02-15");
}

#[tokio::test]
async fn a_later_moment_takes_in_the_sets_taken_meanwhile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let later = connector(&with_covers("[]"), dir.path()).with_clock(clock("2026-11-21T03:00:00Z"));

    let report = report(&later, "req-later").await;

    assert!(
        ids(&report).contains(&"crm-daily-2026-11-21"),
        "{:?}",
        ids(&report)
    );
}

fn refused(text: &str) -> ConfigError {
    let config: Config = toml::from_str(text).expect("parses");
    let dir = tempfile::tempdir().expect("tempdir");
    BackupConnector::new(config, dir.path()).expect_err("refused")
}

#[test]
fn a_set_without_expiry_is_refused_naming_the_set() {
    let text = CATALOG.replace("expires = \"2027-02-15\"\n", "");

    let err = refused(&text).to_string();

    assert!(
        err.starts_with("`sets`: set crm-weekly-2026-11-15: no expiry (`expires` is missing"),
        "{err}"
    );
    assert!(err.contains("forever"), "{err}");
}

#[test]
fn unreadable_or_duplicate_sets_are_refused_each_named() {
    let text = CATALOG
        .replace("\"2026-11-15T02:00:00Z\"", "\"15.11.2026\"")
        .replace(
            "id = \"cameras-2026-11-01\"",
            "id = \"crm-daily-2026-11-20\"",
        );

    let ConfigError::Sets(problems) = refused(&text) else {
        panic!("not a sets problem");
    };

    assert_eq!(
        problems,
        [
            "set crm-weekly-2026-11-15: `taken_at` is not a timestamp (RFC 3339, e.g. 2026-11-30T02:00:00Z)",
            "set crm-daily-2026-11-20: listed twice",
        ]
    );
}

#[test]
fn a_catalog_must_be_one_of_the_two_forms() {
    assert_eq!(refused("covers = []"), ConfigError::NoCatalog);
    let both = format!("{CATALOG}\n[catalog]\ndatabase = \"c.sqlite\"\ntable = \"t\"");
    assert_eq!(refused(&both), ConfigError::SetsAndCatalog);
    let bad_cover = format!("covers = [\"CRM\"]\n{CATALOG}");
    assert_eq!(refused(&bad_cover), ConfigError::InvalidCover("CRM".into()));
    let no_system = CATALOG.replace("systems = [\"cameras\"]", "systems = []");
    assert!(refused(&no_system).to_string().contains("names no system"));
}

#[test]
fn builds_through_the_registry_interface_with_no_file_to_mount() {
    let config: Config = toml::from_str(CATALOG).expect("parses");
    let dir = tempfile::tempdir().expect("tempdir");
    config.build(dir.path()).expect("builds");
    assert!(
        config.paths().is_empty(),
        "a written-out catalog uses no file"
    );
}
