//! `erasure config check`: each problem of an inventory is one line naming the system and
//! the setting; a file that does not parse is one error naming the line and key.

use erasure_runtime::check::check;
use std::path::Path;

const GOOD: &str = r#"
[[systems]]
id = "billing"
categories = ["accounting-voucher"]
[systems.connector]
kind = "sql"
database = "billing.sqlite"
[[systems.connector.tables]]
table = "invoices"
match = [{ column = "customer_number", identifier = "customer_id" }]
action = "delete"
category = "accounting-voucher"
reference_date = "issued_on"
restrict = "restricted"
"#;

async fn problems(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("erasure.toml");
    std::fs::write(&file, text).expect("write");
    check(&file, dir.path(), false)
        .await
        .expect("parses")
        .problems
}

#[tokio::test]
async fn a_sound_inventory_has_no_problems() {
    assert_eq!(problems(GOOD).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_held_category_the_system_does_not_declare_is_named() {
    let text = GOOD.replace(
        r#"categories = ["accounting-voucher"]"#,
        r#"categories = ["contact"]"#,
    );
    let found = problems(&text).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("system billing: connector.tables[0].category (table invoices): category accounting-voucher"),
        "{}",
        found[0]
    );
}

#[tokio::test]
async fn a_connector_that_cannot_be_built_is_named_with_its_system() {
    let text = GOOD.replace(
        r#"identifier = "customer_id""#,
        r#"identifier = "shoe_size""#,
    );
    let found = problems(&text).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("system billing: connector:"),
        "{}",
        found[0]
    );
    assert!(found[0].contains("shoe_size"), "{}", found[0]);
}

#[tokio::test]
async fn a_file_that_does_not_parse_names_the_key_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("erasure.toml");
    std::fs::write(
        &file,
        GOOD.replace("action = \"delete\"", "actoin = \"delete\""),
    )
    .expect("write");
    let err = check(&file, Path::new("."), false)
        .await
        .expect_err("unknown key");
    let err = format!("{err:#}");
    assert!(err.contains("actoin") && err.contains("line"), "{err}");
}

/// With `--connect`, each connector is asked whether its system has what the file names.
async fn connected(text: &str, seed: impl FnOnce(&Path)) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    seed(dir.path());
    let file = dir.path().join("erasure.toml");
    std::fs::write(&file, text).expect("write");
    check(&file, dir.path(), true)
        .await
        .expect("parses")
        .problems
}

fn billing(dir: &Path, column: &str) {
    let db = rusqlite::Connection::open(dir.join("billing.sqlite")).expect("create");
    let sql = format!(
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, {column} TEXT, issued_on TEXT, restricted INTEGER)"
    );
    db.execute_batch(&sql).expect("schema");
}

#[tokio::test]
async fn connecting_finds_a_renamed_column_and_a_missing_database() {
    assert_eq!(
        connected(GOOD, |d| billing(d, "customer_number")).await,
        Vec::<String>::new()
    );
    let renamed = connected(GOOD, |d| billing(d, "customer_no")).await;
    assert_eq!(renamed.len(), 1, "{renamed:?}");
    assert!(
        renamed[0].starts_with("system billing: connector: table invoices:")
            && renamed[0].contains("customer_number"),
        "{}",
        renamed[0]
    );
    let missing = connected(GOOD, |_| {}).await;
    assert!(
        missing.len() == 1 && missing[0].contains("connector.database"),
        "{missing:?}"
    );
}

#[tokio::test]
async fn connecting_finds_an_unreachable_bucket() {
    let text = r#"
[[systems]]
id = "cameras"
[systems.connector]
kind = "object-store"
keys = ["customers/{customer_id}/"]
[systems.connector.s3]
bucket = "cameras"
endpoint = "http://127.0.0.1:9"
allow_http = true
access_key_id = "x"
secret_access_key_file = "s3.key"
"#;
    let found = connected(text, |d| {
        std::fs::write(d.join("s3.key"), "y").expect("key")
    })
    .await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("system cameras: connector: the store:")
            && found[0].contains("unreachable"),
        "{}",
        found[0]
    );
}

/// A processor's connector file: checked as it is, and with `--connect` its `check_url`
/// is read (here nobody answers).
#[tokio::test]
async fn a_processor_connector_file_is_checked_and_its_api_asked() {
    let text = r#"
system = "payments"
key_file = "keys/payments.json"
[bus]
kind = "kafka"
brokers = "127.0.0.1:9092"
group_id = "erasure-connector-payments"
[connector]
kind = "processor"
state = "state/payments-processor.sqlite"
allow_http = true
check_url = "http://127.0.0.1:9/health"
[connector.request]
method = "DELETE"
url = "http://127.0.0.1:9/v2/customers/{customer_id}"
[connector.auth.bearer]
token = { file = "secrets/payments-token" }
"#;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("secrets")).expect("dir");
    std::fs::write(dir.path().join("secrets/payments-token"), "t0ken").expect("token");
    let file = dir.path().join("payments.toml");
    std::fs::write(&file, text).expect("write");

    let checked = check(&file, dir.path(), false).await.expect("parses");
    let connected = check(&file, dir.path(), true).await.expect("parses");

    assert_eq!(checked.problems, Vec::<String>::new());
    assert_eq!(
        connected.problems,
        ["system payments: connector.check_url: could not connect"]
    );
    std::fs::remove_file(dir.path().join("secrets/payments-token")).expect("remove");
    let unreadable = check(&file, dir.path(), false).await.expect("parses");
    assert!(
        unreadable.problems.len() == 1
            && unreadable.problems[0].starts_with(
                "system payments: connector: processor connector: auth.bearer.token: cannot read"
            ),
        "{:?}",
        unreadable.problems
    );
}
