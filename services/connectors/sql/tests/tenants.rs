//! One operator, several controllers (GDPR Art. 28): the same person's e-mail held for two
//! client companies in one table. Erasing for one controller never touches the other's
//! copy, and without a controller the connector refuses to guess.

mod support;

use erasure_connector_sdk::kit::{alice, controller_job, job};
use erasure_connector_sdk::{Connector, Report};
use erasure_core::IdentifierKind;
use erasure_core::events::Outcome;
use support::Db;

const SCHEMA: &str = "
    CREATE TABLE respondents (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL, email TEXT);
    CREATE TABLE answers (id INTEGER PRIMARY KEY, respondent_id INTEGER, answer TEXT);";

const CONFIG: &str = r#"
    database = "surveys.sqlite"
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

fn surveys() -> Db {
    let db = Db::new(SCHEMA, CONFIG, "surveys.sqlite");
    let email = alice()
        .values(IdentifierKind::Email)
        .next()
        .expect("email")
        .to_owned();
    let conn = db.conn();
    for (id, client) in [(1, "acme"), (2, "globex")] {
        conn.execute(
            "INSERT INTO respondents (id, client_id, email) VALUES (?1, ?2, ?3)",
            rusqlite::params![id, client, email],
        )
        .expect("respondent");
        conn.execute(
            "INSERT INTO answers (respondent_id, answer) VALUES (?1, 'very satisfied')",
            [id],
        )
        .expect("answer");
    }
    db
}

fn left(db: &Db, client: &str) -> (u64, u64) {
    let respondents = db.count(
        "SELECT COUNT(*) FROM respondents WHERE client_id = ?1",
        [client],
    );
    let answers = db.count(
        "SELECT COUNT(*) FROM answers WHERE respondent_id IN (SELECT id FROM respondents WHERE client_id = ?1)",
        [client],
    );
    (respondents, answers)
}

#[tokio::test]
async fn erasing_for_one_controller_keeps_the_same_email_held_for_another() {
    let db = surveys();
    let report: Report = db
        .connector
        .erase(&controller_job(&alice(), "req-acme", "acme"))
        .await;
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 2),
        "{}",
        report.evidence_summary
    );
    assert_eq!(left(&db, "acme"), (0, 0));
    assert_eq!(
        left(&db, "globex"),
        (1, 1),
        "the other controller's copy stays"
    );
}

#[tokio::test]
async fn without_a_controller_a_table_kept_per_controller_is_not_touched() {
    let db = surveys();
    let report = db.connector.erase(&job(&alice(), "req-none", 1)).await;
    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report.detail.contains("respondents is kept per controller"),
        "{}",
        report.detail
    );
    assert_eq!((left(&db, "acme"), left(&db, "globex")), ((1, 1), (1, 1)));
}
