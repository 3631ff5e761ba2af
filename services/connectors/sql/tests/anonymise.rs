//! Anonymising on SQLite with NULL, a fixed value and a keyed hash, once: a second run
//! finds nothing left, and a hash is never hashed again.

mod support;

use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, assert_no_personal_data, job};
use erasure_connector_sql::hash::Hasher;
use erasure_core::events::Outcome;
use support::Db;

const SCHEMA: &str = "
    CREATE TABLE profiles (id INTEGER PRIMARY KEY, email TEXT, name TEXT, status TEXT, city TEXT, age INTEGER);
    INSERT INTO profiles (email, name, status, city, age) VALUES
        ('alice@example.com', 'Alice Example', 'active', 'Turku', 41),
        ('alice@example.com', NULL, 'active', 'Oulu', NULL),
        ('bob@example.org', 'Bob Example', 'active', 'Espoo', 39);
";

const CONFIG: &str = r#"
    database = "profiles.sqlite"
    hash_key_file = "hash.key"
    [[tables]]
    table = "profiles"
    match = [ { column = "email", identifier = "email" } ]
    action = { anonymise = ["city", { column = "name", hash = true }, { column = "age", hash = true }, { column = "status", value = "erased" }] }
"#;

/// (name, age, status, city) of a profile.
type Profile = (Option<String>, Option<String>, String, Option<String>);

const KEY: &str = "a key of at least thirty-two bytes, for tests only";

fn profiles() -> Db {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("hash.key"), format!("{KEY}\n")).expect("key");
    let path = dir.path().join("profiles.sqlite");
    rusqlite::Connection::open(&path)
        .expect("create")
        .execute_batch(SCHEMA)
        .expect("schema");
    let config = toml::from_str(CONFIG).expect("parses");
    let connector = erasure_connector_sql::SqlConnector::new(config, dir.path()).expect("valid");
    Db {
        dir,
        path,
        connector: std::sync::Arc::new(connector),
    }
}

#[tokio::test]
async fn columns_get_null_a_fixed_value_or_a_keyed_hash_once() {
    let db = profiles();

    let report = db.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Anonymised, 2),
        "{}",
        report.detail
    );
    assert_eq!(report.evidence_summary, "profiles: 2 anonymised; 0 remain");
    assert_no_personal_data(&report, &alice());
    let hasher = Hasher::new(KEY.as_bytes().to_vec()).expect("key");
    let conn = db.conn();
    let mut rows = conn
        .prepare("SELECT name, age, status, city FROM profiles WHERE email = 'alice@example.com' ORDER BY id")
        .expect("prepare");
    let rows: Vec<Profile> = rows
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        [
            (
                Some(hasher.digest(b"Alice Example")),
                Some(hasher.digest(b"41")),
                "erased".to_owned(),
                None
            ),
            (None, None, "erased".to_owned(), None),
        ]
    );
    let bob = db.count(
        "SELECT COUNT(*) FROM profiles WHERE name = 'Bob Example' AND status = 'active' AND city = 'Espoo'",
        [],
    );
    assert_eq!(bob, 1, "the neighbour's profile changed");

    let again = db.connector.erase(&job(&alice(), "req-2", 1)).await;

    assert_eq!(
        again.outcome,
        Outcome::NothingFound,
        "the hash was hashed again"
    );
}
