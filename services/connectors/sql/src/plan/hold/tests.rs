use super::*;
use crate::config::Config;
use crate::plan::Plan;

const INVOICES: &str = r#"
[[tables]]
table = "customers"
match = [ { column = "customer_number", identifier = "customer_id" } ]
action = "delete"
[[tables]]
table = "invoices"
match = [ { column = "customer_number", identifier = "customer_id" } ]
action = "delete"
category = "accounting-voucher"
reference_date = "issued_on"
restrict = "restricted"
conditions = { "complaint-open" = "complaint_open" }
"#;

fn plan(tables: &str) -> Result<Plan, ConfigError> {
    let text = format!("database = \"billing.sqlite\"\n{tables}");
    let config: Config = toml::from_str(&text).expect("parses");
    Plan::new(&config)
}

/// The error for INVOICES with `from` replaced by `to`.
fn refused(from: &str, to: &str) -> String {
    assert!(INVOICES.contains(from), "{from}");
    plan(&INVOICES.replace(from, to))
        .expect_err("must be refused")
        .to_string()
}

#[test]
fn a_table_with_a_category_gets_its_hold() {
    let plan = plan(INVOICES).expect("valid");
    assert_eq!(plan.steps[0].hold, None, "customers have no category");
    assert_eq!(
        plan.steps[1].hold,
        Some(Hold {
            category: "accounting-voucher".into(),
            reference_date: "issued_on".into(),
            restrict: "restricted".into(),
            conditions: vec![("complaint-open".into(), "complaint_open".into())],
        })
    );
}

#[test]
fn a_held_table_must_match_not_join() {
    let err = refused(
        "match = [ { column = \"customer_number\", identifier = \"customer_id\" } ]\naction = \"delete\"\ncategory",
        "join = { column = \"customer_id\", references = \"customers.id\" }\naction = \"delete\"\ncategory",
    );
    assert_eq!(
        err,
        "table invoices: a table with a `category` must find its rows with `match`, not `join`: the rows it joins to may be erased while these are kept, and a later erasure could not find them"
    );
}

#[test]
fn a_category_needs_a_date_and_a_marker_column() {
    assert_eq!(
        refused("reference_date = \"issued_on\"\n", ""),
        "table invoices: `category` needs `reference_date` (the column with each row's date)"
    );
    assert_eq!(
        refused("restrict = \"restricted\"\n", ""),
        "table invoices: `category` needs `restrict` (the column set to 1 on rows kept under a hold)"
    );
}

#[test]
fn hold_settings_without_a_category_are_refused_not_ignored() {
    let no_category = |also: &str| {
        let text = INVOICES.replace("category = \"accounting-voucher\"\n", "");
        let text = text.replace(also, "");
        plan(&text).expect_err("refused").to_string()
    };
    assert_eq!(
        no_category(""),
        "table invoices: `reference_date` applies only to a table with a `category`"
    );
    assert_eq!(
        no_category("reference_date = \"issued_on\"\nrestrict = \"restricted\"\n"),
        "table invoices: `conditions` applies only to a table with a `category`"
    );
}

#[test]
fn names_are_checked() {
    assert_eq!(
        refused("\"accounting-voucher\"", "\"Accounting Voucher\""),
        "table invoices: category \"Accounting Voucher\" must be lowercase letters, digits and '-'"
    );
    assert_eq!(
        refused("\"complaint-open\" =", "\"complaint open\" ="),
        "table invoices: condition \"complaint open\" must be lowercase letters, digits and '-'"
    );
    for (from, to) in [
        ("\"issued_on\"", "\"issued on\""),
        ("\"restricted\"", "\"restricted; --\""),
        ("= \"complaint_open\"", "= \"complaint-open\""),
    ] {
        let err = refused(from, to);
        assert!(
            err.starts_with("column of table invoices "),
            "{from} -> {to}: {err}"
        );
    }
}

#[test]
fn the_marker_has_a_column_of_its_own_and_survives_anonymising() {
    assert_eq!(
        refused("restrict = \"restricted\"", "restrict = \"issued_on\""),
        "table invoices: the `restrict` column issued_on is also used for `reference_date`; the marker needs a column of its own"
    );
    assert_eq!(
        refused("restrict = \"restricted\"", "restrict = \"complaint_open\""),
        "table invoices: the `restrict` column complaint_open is also used for `conditions`; the marker needs a column of its own"
    );
    let anonymise = |columns: &str| {
        refused(
            "action = \"delete\"\ncategory",
            &format!("action = {{ anonymise = [{columns}] }}\ncategory"),
        )
    };
    assert_eq!(
        anonymise("\"customer_number\", \"issued_on\""),
        "table invoices: `anonymise` must not clear the `reference_date` column issued_on: every later erasure needs it to decide whether a rule still holds the row"
    );
    assert!(anonymise("\"restricted\"").contains("`restrict` column restricted"));
    let kept = INVOICES.replace(
        "action = \"delete\"\ncategory",
        "action = { anonymise = [\"customer_number\"] }\ncategory",
    );
    assert!(plan(&kept).is_ok(), "anonymising other columns is fine");
}
