//! The database settings and the anonymise forms: what a configuration may say, and how a
//! mistake is named when the connector is built.

use erasure_connector_sdk::KindConfig;
use erasure_connector_sql::{Action, Anonymised, Config, Replacement, SqlConnector};
use std::path::{Path, PathBuf};

const TABLES: &str = r#"
[[tables]]
table = "customers"
match = [ { column = "email", identifier = "email" } ]
action = "delete"
"#;

fn config(settings: &str) -> Config {
    toml::from_str(&format!("{settings}\n{TABLES}")).expect("parses")
}

fn refused(settings: &str) -> String {
    SqlConnector::new(config(settings), Path::new("/nonexistent"))
        .expect_err("refused")
        .to_string()
}

#[test]
fn a_postgres_connector_takes_a_url_and_its_settings() {
    let text = r#"
        url = "postgres://erasure@db.internal:5432/crm"
        pool_size = 8
        batch_size = 500
        progress_schema = "erasure"
        vacuum_every_secs = 3600
    "#;
    let connector = SqlConnector::new(config(text), Path::new("/srv")).expect("valid");
    assert_eq!(connector.database(), Path::new(""));
    let debug = format!("{connector:?}");
    assert!(
        debug.contains("postgres://erasure@db.internal:5432/crm"),
        "{debug}"
    );
}

#[test]
fn exactly_one_database_is_named() {
    assert_eq!(refused(""), "the sql connector needs a `database`");
    assert_eq!(
        refused("database = \"crm.sqlite\"\nurl = \"postgres://u@h/db\""),
        "the sql connector takes a `database` (SQLite) or a `url` (PostgreSQL), not both"
    );
}

#[test]
fn postgres_settings_are_refused_for_sqlite_rather_than_ignored() {
    for key in [
        "pool_size = 2",
        "batch_size = 2",
        "progress_schema = \"x\"",
        "vacuum_every_secs = 1",
        "password_file = \"p\"",
    ] {
        let err = refused(&format!("database = \"crm.sqlite\"\n{key}"));
        let name = key.split(' ').next().unwrap_or_default();
        assert_eq!(
            err,
            format!("`{name}` applies to PostgreSQL only (a `url`), not to a SQLite `database`")
        );
    }
}

#[test]
fn bad_postgres_settings_are_named() {
    assert!(refused("url = \"postgres://u:secret@h/db\"").starts_with("`url` holds a password"));
    assert!(!refused("url = \"postgres://u:secret@h/db\"").contains("secret"));
    assert!(refused("url = \"mysql://h/db\"").starts_with("`url` is not a PostgreSQL URL"));
    assert_eq!(
        refused("url = \"postgres://u@h/db\"\nbatch_size = 0"),
        "`batch_size` must be at least 1"
    );
    assert_eq!(
        refused("url = \"postgres://u@h/db\"\npool_size = 0"),
        "`pool_size` must be at least 1"
    );
    assert!(
        refused("url = \"postgres://u@h/db\"\nprogress_schema = \"a b\"")
            .starts_with("progress_schema \"a b\" is not a plain SQL identifier")
    );
    let missing = refused("url = \"postgres://u@h/db\"\npassword_file = \"pw\"");
    assert!(
        missing.starts_with("password_file /nonexistent/pw: "),
        "{missing}"
    );
}

#[test]
fn anonymised_columns_are_a_name_or_a_table_with_a_value_or_a_hash() {
    let text = TABLES.replace(
        "action = \"delete\"",
        "action = { anonymise = [\"a\", { column = \"b\", value = \"erased\" }, { column = \"c\", hash = true }] }",
    );
    let config: Config = toml::from_str(&format!(
        "database = \"x.sqlite\"\nhash_key_file = \"k\"\n{text}"
    ))
    .expect("parses");
    let expected = vec![
        Anonymised::from("a"),
        Anonymised {
            column: "b".into(),
            with: Replacement::Value("erased".into()),
        },
        Anonymised {
            column: "c".into(),
            with: Replacement::Hash,
        },
    ];
    assert_eq!(config.tables[0].action, Action::Anonymise(expected));
    assert_eq!(
        config.paths(),
        [
            ("database", PathBuf::from("x.sqlite")),
            ("hash_key_file", PathBuf::from("k"))
        ]
    );
    for (bad, why) in [
        (
            "{ column = \"b\", value = \"x\", hash = true }",
            "gives both `value` and `hash = true`",
        ),
        (
            "{ column = \"b\" }",
            "gives neither `value` nor `hash = true`",
        ),
        ("{ column = \"b\", hsah = true }", "unknown field `hsah`"),
    ] {
        let text = TABLES.replace(
            "action = \"delete\"",
            &format!("action = {{ anonymise = [{bad}] }}"),
        );
        let err =
            toml::from_str::<Config>(&format!("database = \"x.sqlite\"\n{text}")).expect_err(bad);
        assert!(err.to_string().contains(why), "{bad}: {err}");
    }
}

#[test]
fn hashing_needs_a_key_file_of_a_real_key() {
    let text = TABLES.replace(
        "action = \"delete\"",
        "action = { anonymise = [{ column = \"name\", hash = true }] }",
    );
    let config: Config =
        toml::from_str(&format!("database = \"x.sqlite\"\n{text}")).expect("parses");
    let err = SqlConnector::new(config.clone(), Path::new("."))
        .expect_err("no key")
        .to_string();
    assert_eq!(
        err,
        "table customers: a column is anonymised with `hash = true`, but the connector has no `hash_key_file`"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("k"), "short\n").expect("write");
    let short = Config {
        hash_key_file: Some("k".into()),
        ..config
    };
    let err = SqlConnector::new(short, dir.path())
        .expect_err("short key")
        .to_string();
    assert!(
        err.ends_with("k: holds 5 bytes; the key needs at least 32"),
        "{err}"
    );
    let twice = TABLES.replace(
        "action = \"delete\"",
        "action = { anonymise = [\"a\", { column = \"a\", value = \"x\" }] }",
    );
    let config: Config =
        toml::from_str(&format!("database = \"x.sqlite\"\n{twice}")).expect("parses");
    let err = SqlConnector::new(config, Path::new("."))
        .expect_err("twice")
        .to_string();
    assert_eq!(err, "table customers: `anonymise` lists column a twice");
}

/// The PostgreSQL example of `config.rs`'s documentation.
const DOCUMENTED: &str = r#"
url = "postgres://erasure@crm-db.internal:5432/crm"
password_file = "secrets/crm-db-password"   # e.g. a mounted Kubernetes Secret
pool_size = 4
batch_size = 10000
progress_schema = "erasure"
vacuum_every_secs = 3600
hash_key_file = "secrets/crm-hash-key"
[[tables]]
table = "contracts"
join = { column = "customer_id", references = "customers.id" }
action = { anonymise = ["billing_address", { column = "holder_name", hash = true }, { column = "status", value = "erased" }] }
"#;

#[test]
fn the_documented_postgres_example_parses() {
    let config: Config = toml::from_str(DOCUMENTED).expect("parses");
    assert_eq!(
        config.url.as_deref(),
        Some("postgres://erasure@crm-db.internal:5432/crm")
    );
    assert_eq!(
        (config.pool_size, config.batch_size),
        (Some(4), Some(10000))
    );
    assert_eq!(config.vacuum_every_secs, Some(3600));
    assert_eq!(
        config.paths(),
        [
            ("password_file", PathBuf::from("secrets/crm-db-password")),
            ("hash_key_file", PathBuf::from("secrets/crm-hash-key")),
        ]
    );
    let src = include_str!("../src/config.rs");
    for line in DOCUMENTED.trim().lines() {
        assert!(
            src.contains(&format!("//! {line}")),
            "config.rs no longer documents {line:?}"
        );
    }
}
