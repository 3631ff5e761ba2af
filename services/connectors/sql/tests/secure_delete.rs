//! Physical deletion on SQLite: the connector's connections set `secure_delete`, so an
//! erased person's data is overwritten in the database file, not left in free pages
//! where a forensic read of the file would find it.

mod support;

use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{KitSubject, alice, bob, job};
use erasure_core::events::Outcome;
use support::{CRM_CONFIG, CRM_SCHEMA, Crm, Db};

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn an_erased_persons_bytes_are_gone_from_the_database_file() {
    let crm = Crm(Db::new(CRM_SCHEMA, CRM_CONFIG, "crm.sqlite"));
    crm.seed(&alice()).await;
    crm.seed(&bob()).await;
    let before = std::fs::read(&crm.0.path).expect("read");
    assert!(
        contains(&before, "alice@example.com"),
        "the seed is not in the file"
    );

    let report = crm.0.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::Erased, "{}", report.detail);
    let after = std::fs::read(&crm.0.path).expect("read");
    for data in ["alice@example.com", "+358401234567", "Holder C-1001"] {
        assert!(!contains(&after, data), "{data} survives in the file");
    }
    assert!(
        contains(&after, "bob@example.org"),
        "the neighbour is gone too"
    );
    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("json");
    assert_eq!(doc["physical_deletion"]["secure_delete"], true);
    assert_eq!(doc["database"], "sqlite");
}

/// The control: a plain delete, without `secure_delete`, leaves the bytes in the file,
/// so the test above tests something.
#[tokio::test]
async fn without_secure_delete_the_bytes_would_stay() {
    let crm = Crm(Db::new(CRM_SCHEMA, CRM_CONFIG, "crm.sqlite"));
    crm.seed(&alice()).await;
    crm.seed(&bob()).await;
    let conn = crm.0.conn();
    conn.pragma_update(None, "secure_delete", "OFF")
        .expect("pragma");
    conn.execute(
        "DELETE FROM customers WHERE email = 'alice@example.com'",
        [],
    )
    .expect("delete");
    drop(conn);

    let after = std::fs::read(&crm.0.path).expect("read");
    assert!(contains(&after, "alice@example.com"));
}

#[tokio::test]
async fn in_wal_mode_the_wal_file_is_checkpointed_away() {
    let crm = Crm(Db::new(CRM_SCHEMA, CRM_CONFIG, "crm.sqlite"));
    let keep_open = crm.0.conn();
    keep_open
        .pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    crm.seed(&alice()).await;
    crm.seed(&bob()).await;

    let report = crm.0.connector.erase(&job(&alice(), "req-1", 1)).await;

    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("json");
    assert_eq!(doc["physical_deletion"]["wal_checkpointed"], true);
    let wal = crm.0.path.with_extension("sqlite-wal");
    let wal = std::fs::read(&wal).unwrap_or_default();
    assert!(
        !contains(&wal, "alice@example.com"),
        "the -wal file still holds the person"
    );
    let file = std::fs::read(&crm.0.path).expect("read");
    assert!(!contains(&file, "alice@example.com"));
}
