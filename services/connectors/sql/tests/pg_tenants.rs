//! One operator, several controllers, on PostgreSQL: the same person's e-mail held for two
//! client companies in one table. Erasing for one controller never touches the other's
//! copy, and without a controller the connector refuses to guess. Needs
//! `ERASURE_TEST_POSTGRES_URL`.

mod support;

use erasure_connector_sdk::Connector;
use erasure_connector_sdk::kit::{alice, controller_job, job};
use erasure_core::events::Outcome;
use support::pg::PgDb;

const SCHEMA: &str = "
    CREATE TABLE respondents (id bigint PRIMARY KEY, client_id text NOT NULL, email text);
    CREATE TABLE answers (id bigserial PRIMARY KEY, respondent_id bigint, answer text);
    INSERT INTO respondents VALUES (1, 'acme', 'alice@example.com'), (2, 'globex', 'alice@example.com');
    INSERT INTO answers (respondent_id, answer) VALUES (1, 'very satisfied'), (2, 'very satisfied');";

const CONFIG: &str = r#"
    batch_size = 1
    [[tables]]
    table = "respondents"
    match = [ { column = "email", identifier = "email" } ]
    tenant = "client_id"
    action = "delete"
    [[tables]]
    table = "answers"
    join = { column = "respondent_id", references = "respondents.id" }
    action = "delete"
"#;

async fn left(db: &PgDb, client: &str) -> (u64, u64) {
    let respondents = db
        .count(
            "SELECT COUNT(*) FROM respondents WHERE client_id = $1",
            &[&client],
        )
        .await;
    let answers = db
        .count(
            "SELECT COUNT(*) FROM answers WHERE respondent_id IN (SELECT id FROM respondents WHERE client_id = $1)",
            &[&client],
        )
        .await;
    (respondents, answers)
}

#[tokio::test]
async fn erasing_for_one_controller_keeps_the_same_email_held_for_another() {
    let db = PgDb::new(SCHEMA, CONFIG).await;

    let report = db
        .connector
        .erase(&controller_job(&alice(), "req-acme", "acme"))
        .await;

    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 2),
        "{}",
        report.evidence_summary
    );
    assert_eq!(left(&db, "acme").await, (0, 0));
    assert_eq!(
        left(&db, "globex").await,
        (1, 1),
        "the other controller's copy stays"
    );
}

#[tokio::test]
async fn without_a_controller_a_table_kept_per_controller_is_not_touched() {
    let db = PgDb::new(SCHEMA, CONFIG).await;

    let report = db.connector.erase(&job(&alice(), "req-none", 1)).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report.detail.contains("respondents is kept per controller"),
        "{}",
        report.detail
    );
    assert_eq!(
        (left(&db, "acme").await, left(&db, "globex").await),
        ((1, 1), (1, 1))
    );
}
