//! The configurations `docs/backups.md` shows are complete and sound: each TOML block is
//! written to a file and checked as `erasure config check` checks it (the SQLite one with
//! `--connect`, against a catalog made with the page's own `CREATE TABLE`), and the
//! backup kind is read through the registry as the inventory reads it.

use erasure_runtime::check::check;
use erasure_runtime::config::Config;
use erasure_runtime::registry::ConnectorConfig;
use std::path::{Path, PathBuf};

const PAGE: &str = include_str!("../../../docs/backups.md");

/// The page's fenced blocks in `language`, in order.
fn blocks(language: &str) -> Vec<&'static str> {
    let fence = format!("```{language}\n");
    let mut found = Vec::new();
    let mut rest = PAGE;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").expect("a closed block");
        found.push(&body[..end]);
        rest = &body[end..];
    }
    found
}

/// The inventory with a written-out catalog, the connector file on PostgreSQL, the
/// inventory on a SQLite catalog.
fn toml_blocks() -> [&'static str; 3] {
    blocks("toml").try_into().expect("three TOML blocks")
}

async fn problems(dir: &Path, name: &str, text: &str, connect: bool) -> Vec<String> {
    let file = dir.join(name);
    std::fs::write(&file, text).expect("write");
    check(&file, dir, connect).await.expect("parses").problems
}

#[tokio::test]
async fn the_inventory_with_a_written_out_catalog_is_sound() {
    let dir = tempfile::tempdir().expect("tempdir");
    let [inventory, _, _] = toml_blocks();

    assert_eq!(
        problems(dir.path(), "erasure.toml", inventory, false).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_written_out_set_without_expiry_is_named_by_config_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let [inventory, _, _] = toml_blocks();
    let line = "expires = \"2027-02-28\"                 # the last day the set may exist (UTC)\n";
    assert!(inventory.contains(line), "the page changed");

    let found = problems(
        dir.path(),
        "erasure.toml",
        &inventory.replace(line, ""),
        false,
    )
    .await;

    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("system backups: connector: backup connector: `sets`: set crm-2026-11-30-full: no expiry"),
        "{}",
        found[0]
    );
}

#[test]
fn unquoted_toml_times_reach_the_backup_kind_as_text() {
    let [inventory, _, _] = toml_blocks();
    let config = Config::parse(inventory, "docs/backups.md").expect("parses");
    let backups = config
        .systems
        .iter()
        .find(|s| s.id == "backups")
        .expect("backups");
    let Some(ConnectorConfig::Backup(backup)) = &backups.connector else {
        panic!("not a backup connector");
    };
    let sets = backup.sets.as_ref().expect("sets");

    assert_eq!(sets[1].taken_at, "2026-11-01T03:00:00+01:00");
    assert_eq!(
        sets[1].expires.as_deref(),
        Some("2027-11-01T00:30:00+02:00")
    );
}

#[tokio::test]
async fn the_connector_file_on_postgresql_is_sound() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("keys")).expect("mkdir");
    std::fs::write(dir.path().join("keys/ops-db-password"), "secret\n").expect("write");
    let [_, connector, _] = toml_blocks();

    assert_eq!(
        problems(dir.path(), "backups.toml", connector, false).await,
        Vec::<String>::new()
    );
    let file = erasure_runtime::connector::ConnectorFile::parse(connector, "docs").expect("parses");
    assert_eq!(
        file.connector.paths(),
        [(
            "catalog.password_file",
            PathBuf::from("keys/ops-db-password")
        )]
    );
}

/// A catalog file made with the page's `CREATE TABLE`, holding `rows`.
fn sqlite_catalog(dir: &Path, rows: &str) {
    let [table] = blocks("sql").try_into().expect("one SQL block");
    let conn = rusqlite::Connection::open(dir.join("backup-catalog.sqlite")).expect("create");
    conn.execute_batch(table).expect("the page's table");
    conn.execute_batch(rows).expect("rows");
}

#[tokio::test]
async fn the_inventory_on_a_sqlite_catalog_is_sound_and_connects() {
    let dir = tempfile::tempdir().expect("tempdir");
    sqlite_catalog(
        dir.path(),
        r#"INSERT INTO "backup sets" VALUES ('crm-2026-11-30-full', datetime('now'), '2027-02-28', 'crm,support')"#,
    );
    let [_, _, inventory] = toml_blocks();

    assert_eq!(
        problems(dir.path(), "erasure.toml", inventory, true).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn config_check_connect_names_a_catalog_row_kept_forever() {
    let dir = tempfile::tempdir().expect("tempdir");
    sqlite_catalog(
        dir.path(),
        r#"INSERT INTO "backup sets" VALUES ('crm-vault', '2020-01-01T00:00:00Z', 'infinity', 'crm')"#,
    );
    let [_, _, inventory] = toml_blocks();

    let found = problems(dir.path(), "erasure.toml", inventory, true).await;

    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("system backups: connector.catalog (SQLite table \"backup sets\" in backup-catalog.sqlite): set crm-vault: no expiry"),
        "{}",
        found[0]
    );
}

#[test]
fn the_backup_kind_refuses_unknown_keys_and_times_that_are_not_dates() {
    let unknown = "kind = \"backup\"\nsets = []\nkept_for = \"ever\"";
    let err = toml::from_str::<ConnectorConfig>(unknown).expect_err("unknown key");
    assert!(err.to_string().contains("kept_for"), "{err}");
    let number =
        "kind = \"backup\"\n[[sets]]\nid = \"a\"\ntaken_at = 20261130\nsystems = [\"crm\"]";
    let err = toml::from_str::<ConnectorConfig>(number).expect_err("a number");
    assert!(err.to_string().contains("a date or date-time"), "{err}");
}
