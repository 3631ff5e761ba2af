//! The example inventories of `deploy/examples/<name>/`, set up as `deploy/examples/setup`
//! does, from the same files: `data/*.sql` into SQLite files under `DATA/systems/`,
//! `data/objects/` copied there, `data/postgres/<db>.sql` into a PostgreSQL database of
//! the test's own, `data/s3/<bucket>/` into a bucket of the test's own. Also what the tests
//! read back from the systems themselves: rows as text, to compare before and after.

use std::path::{Path, PathBuf};

/// `deploy/examples/<name>`.
pub fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/examples")
        .join(name)
}

/// The example's configuration (`config.toml`), as shipped.
pub fn config(name: &str) -> String {
    config_file(name, "config.toml")
}

/// Another configuration file of the example, as shipped.
pub fn config_file(name: &str, file: &str) -> String {
    std::fs::read_to_string(dir(name).join(file)).expect("example config")
}

/// The address the examples' processors are configured at (the local stand-in).
pub const PROCESSORS: &str = "http://127.0.0.1:8090";

/// Creates the example's SQLite systems and local object stores under `data/systems`, with
/// the example's own set-up script (`deploy/examples/setup NAME DIR`), as a user would.
pub fn set_up_local(name: &str, data: &Path) {
    let setup = dir(name).join("../setup");
    let out = std::process::Command::new(&setup)
        .arg(name)
        .arg(data)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run deploy/examples/setup");
    crate::ok(&out);
}

/// Every file under `root`, as keys relative to it (`a/b/c.jpg`), sorted.
pub fn keys_under(root: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    collect_keys(root, root, &mut keys);
    keys.sort();
    keys
}

fn collect_keys(root: &Path, at: &Path, keys: &mut Vec<String>) {
    for entry in std::fs::read_dir(at).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect_keys(root, &p, keys);
        } else if let Ok(rel) = p.strip_prefix(root) {
            keys.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The rows `sql` selects from an SQLite file, each as one line of text.
pub fn rows(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("open sqlite");
    let mut query = conn.prepare(sql).expect("prepare");
    let columns = query.column_count();
    let rows = query
        .query_map([], |r| {
            let cells: Vec<String> = (0..columns)
                .map(|i| cell(r.get_ref(i).expect("cell")))
                .collect();
            Ok(cells.join(" | "))
        })
        .expect("query");
    rows.collect::<Result<_, _>>().expect("rows")
}

/// The one value `sql` selects, as text.
pub fn one(db: &Path, sql: &str) -> String {
    let mut found = rows(db, sql);
    assert_eq!(found.len(), 1, "{sql}: {found:?}");
    found.remove(0)
}

fn cell(value: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => "NULL".to_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => format!("blob of {} bytes", b.len()),
    }
}

/// A PostgreSQL database of the test's own on `ERASURE_TEST_POSTGRES_URL`'s server, made
/// from an example's `data/postgres/<script>.sql`; its URL. Fails, never skips, without a
/// server.
pub async fn postgres_database(name: &str, script: &str) -> String {
    let url = crate::distributed::fresh_database().await;
    let path = dir(name).join(format!("data/postgres/{script}.sql"));
    crate::distributed::pg(&url)
        .await
        .batch_execute(&std::fs::read_to_string(&path).expect("script"))
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    url
}

/// The rows `sql` selects from PostgreSQL, each as its row's text form.
pub async fn pg_rows(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    client
        .query(&format!("SELECT CAST(t AS text) FROM ({sql}) t"), &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| r.get(0))
        .collect()
}
