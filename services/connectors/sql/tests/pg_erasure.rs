//! The sql connector on PostgreSQL, beyond the conformance kit: evidence (dead tuples and
//! VACUUM), chained joins, identity columns of other types, anonymising with fixed values
//! and keyed hashes. Needs `ERASURE_TEST_POSTGRES_URL`.

mod support;

use erasure_connector_sdk::kit::{KitSubject, alice, assert_no_personal_data, bob, job};
use erasure_connector_sdk::{Connector, Report};
use erasure_connector_sql::hash::Hasher;
use erasure_core::events::Outcome;
use erasure_core::{IdentifierKind, Identifiers};
use std::time::Duration;
use support::pg::{PgDb, crm, crm_with};

fn evidence(report: &Report) -> serde_json::Value {
    serde_json::from_slice(&report.evidence).expect("evidence is JSON")
}

#[tokio::test]
async fn the_summary_counts_each_table_and_says_dead_tuples_stay_until_vacuum() {
    let crm = crm().await;
    crm.seed(&alice()).await;
    crm.seed(&bob()).await;

    let report = crm.0.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        report.evidence_summary,
        "customers: 1 deleted; support_tickets: 2 deleted; contracts: 1 anonymised; 0 remain; \
         deleted rows stay as dead tuples until VACUUM: this connector runs no VACUUM \
         (vacuum_every_secs unset): the server's autovacuum decides when"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 4)
    );
    assert_no_personal_data(&report, &alice());
    let doc = evidence(&report);
    assert_eq!(doc["database"], "postgresql");
    assert_eq!(
        doc["batches"]["count"], 3,
        "one batch per table with rows: {doc}"
    );
    assert_eq!(doc["batches"]["size"], 10000);
    assert_eq!(
        doc["physical_deletion"]["vacuum_every_secs"],
        serde_json::Value::Null
    );
    let dead = doc["physical_deletion"]["dead_tuples"]
        .as_str()
        .expect("text");
    assert!(dead.contains("dead tuples until VACUUM"), "{dead}");
    let kept = crm
        .0
        .count(
            "SELECT COUNT(*) FROM contracts WHERE holder_name IS NULL AND billing_address IS NULL AND amount_cents = 4200",
            &[],
        )
        .await;
    assert_eq!(kept, 1, "the contract is kept without the holder's data");
    assert_eq!(crm.remaining(&bob()).await, 4);
}

#[tokio::test]
async fn with_a_schedule_the_connector_vacuums_the_tables_it_changed() {
    let crm = crm_with("vacuum_every_secs = 0").await;
    crm.seed(&alice()).await;

    let report = crm.0.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert!(
        report
            .evidence_summary
            .ends_with("deleted rows stay as dead tuples until VACUUM: this connector runs VACUUM on the changed tables within 0 s"),
        "{}",
        report.evidence_summary
    );
    let doc = evidence(&report);
    assert_eq!(doc["physical_deletion"]["vacuum_every_secs"], 0);
    assert_eq!(doc["physical_deletion"]["vacuum_due_within_secs"], 0);
    let schema = crm.0.schema.name().to_owned();
    for _ in 0..200 {
        let vacuumed = crm
            .0
            .count(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = $1 AND last_vacuum IS NOT NULL \
                 AND relname IN ('customers', 'support_tickets', 'contracts')",
                &[&schema],
            )
            .await;
        if vacuumed == 3 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the changed tables were not vacuumed within 20 s");
}

const SHOP_SCHEMA: &str = "
    CREATE TABLE customers (id bigint PRIMARY KEY, email text);
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);
    CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint, item text);
    INSERT INTO customers VALUES (1, 'alice@example.com'), (2, 'bob@example.org');
    INSERT INTO orders VALUES (10, 1), (11, 1), (20, 2);
    INSERT INTO order_lines VALUES (100, 10, 'a'), (101, 11, 'b'), (102, 11, 'c'), (200, 20, 'd');
";

const SHOP_CONFIG: &str = r#"
    batch_size = 1
    [[tables]]
    table = "customers"
    match = [ { column = "email", identifier = "email" } ]
    action = "delete"
    [[tables]]
    table = "orders"
    join = { column = "customer_id", references = "customers.id" }
    action = "delete"
    [[tables]]
    table = "order_lines"
    join = { column = "order_id", references = "orders.id" }
    action = "delete"
"#;

#[tokio::test]
async fn chained_joins_are_followed_deepest_first_one_row_per_batch() {
    let shop = PgDb::new(SHOP_SCHEMA, SHOP_CONFIG).await;

    let report = shop.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert!(
        report.evidence_summary.starts_with(
            "customers: 1 deleted; orders: 2 deleted; order_lines: 3 deleted; 0 remain;"
        ),
        "{}",
        report.evidence_summary
    );
    let doc = evidence(&report);
    assert_eq!(doc["batches"]["count"], 6);
    assert_eq!(doc["batches"]["largest"], 1);
    assert_eq!(shop.count("SELECT COUNT(*) FROM order_lines", &[]).await, 1);
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM orders WHERE customer_id = 2", &[])
            .await,
        1
    );
}

#[tokio::test]
async fn identity_columns_of_other_types_match_and_a_value_that_does_not_fit_is_not_quoted() {
    let db = PgDb::new(
        "CREATE TABLE logins (id bigserial PRIMARY KEY, ip inet, account bigint);
         INSERT INTO logins (ip, account) VALUES ('192.0.2.7', 1), ('192.0.2.7', 2), ('198.51.100.1', 3);",
        r#"
        [[tables]]
        table = "logins"
        match = [ { column = "ip", identifier = "ip_address" }, { column = "account", identifier = "customer_id" } ]
        action = "delete"
        "#,
    )
    .await;
    let by_ip =
        Identifiers::from_raw([(IdentifierKind::IpAddress, "192.0.2.7")], None).expect("ip");

    let report = db.connector.erase(&job(&by_ip, "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::Erased, "{}", report.detail);
    assert_eq!(report.items_affected, 2);
    assert_eq!(db.count("SELECT COUNT(*) FROM logins", &[]).await, 1);

    let report = db.connector.erase(&job(&alice(), "req-2", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(
        report.detail,
        "table logins: SQLSTATE 22P02 (a value does not fit a column's type)"
    );
    assert_no_personal_data(&report, &alice());
}

const PROFILES_SCHEMA: &str = "
    CREATE TABLE profiles (id bigserial PRIMARY KEY, email text, name text, status text, city text);
    INSERT INTO profiles (email, name, status, city) VALUES
        ('alice@example.com', 'Alice Example', 'active', 'Turku'),
        ('alice@example.com', NULL, 'active', 'Oulu'),
        ('bob@example.org', 'Bob Example', 'active', 'Espoo');
";

const PROFILES_CONFIG: &str = r#"
    hash_key_file = "hash.key"
    batch_size = 1
    [[tables]]
    table = "profiles"
    match = [ { column = "email", identifier = "email" } ]
    action = { anonymise = ["city", { column = "name", hash = true }, { column = "status", value = "erased" }] }
"#;

pub const KEY: &str = "a key of at least thirty-two bytes, for tests only";

#[tokio::test]
async fn anonymising_with_a_fixed_value_and_a_keyed_hash_happens_once() {
    let db = PgDb::with_files(PROFILES_SCHEMA, &[("hash.key", KEY)], PROFILES_CONFIG).await;
    let connector = &db.connector;

    let report = connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Anonymised, 2),
        "{}",
        report.detail
    );
    let doc = evidence(&report);
    assert_eq!(doc["tables"][0]["replaced_with"]["name"], "hmac-sha256");
    assert_eq!(doc["tables"][0]["replaced_with"]["status"], "fixed value");
    let rows = db
        .client
        .query(
            "SELECT name, status, city FROM profiles WHERE email = 'alice@example.com' ORDER BY id",
            &[],
        )
        .await
        .expect("rows");
    let hashed = Hasher::new(KEY.as_bytes().to_vec())
        .expect("key")
        .digest(b"Alice Example");
    let values: Vec<(Option<String>, String, Option<String>)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        values,
        [
            (Some(hashed), "erased".to_owned(), None),
            (None, "erased".to_owned(), None),
        ]
    );
    let bob = db
        .count(
            "SELECT COUNT(*) FROM profiles WHERE name = 'Bob Example' AND status = 'active'",
            &[],
        )
        .await;
    assert_eq!(bob, 1);

    let again = connector.erase(&job(&alice(), "req-2", 1)).await;

    assert_eq!(
        again.outcome,
        Outcome::NothingFound,
        "the hash was hashed again"
    );
}

#[tokio::test]
async fn rows_put_back_by_a_trigger_end_the_batches_and_are_reported_remaining() {
    let crm = crm_with("batch_size = 1").await;
    crm.seed(&alice()).await;
    crm.0
        .client
        .batch_execute(
            "CREATE FUNCTION resurrect() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN INSERT INTO customers (email) VALUES (OLD.email); RETURN NULL; END $$;
             CREATE TRIGGER resurrect AFTER DELETE ON customers FOR EACH ROW EXECUTE FUNCTION resurrect();",
        )
        .await
        .expect("trigger");

    let report = crm.0.connector.erase(&job(&alice(), "req-1", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert_eq!(report.detail, "1 rows still match after deleting");
    assert!(
        report.evidence_summary.contains("; 1 remain;"),
        "{}",
        report.evidence_summary
    );
    assert_no_personal_data(&report, &alice());
}
