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
