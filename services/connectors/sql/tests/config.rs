//! The configuration as TOML: on its own, and embedded the way the CLI's inventory does,
//! as the content of an internally tagged enum (`kind = "sql"`).

mod support;

use erasure_connector_sql::{Action, Config, Join};
use serde::Deserialize;

#[test]
fn the_documented_example_parses() {
    let config: Config = toml::from_str(support::CRM_CONFIG).expect("parses");
    assert_eq!(config.database, std::path::Path::new("crm.sqlite"));
    assert_eq!(config.busy_timeout_ms, 5000);
    assert_eq!(config.tables.len(), 3);
    let customers = &config.tables[0];
    let kinds: Vec<&str> = customers
        .matches
        .iter()
        .flatten()
        .map(|m| m.identifier.as_str())
        .collect();
    assert_eq!(kinds, ["email", "phone", "customer_id"]);
    assert_eq!(customers.action, Action::Delete);
    let contracts = &config.tables[2];
    assert_eq!(
        contracts.join,
        Some(Join {
            column: "customer_id".into(),
            references: "customers.id".into()
        })
    );
    assert_eq!(
        contracts.action,
        Action::Anonymise(vec!["holder_name".into(), "billing_address".into()])
    );
}

/// What the CLI's inventory does with connector configurations.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum ConnectorConfig {
    Sql(Config),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct System {
    connector: ConnectorConfig,
}

fn system(toml_text: &str) -> Result<System, toml::de::Error> {
    toml::from_str(toml_text)
}

const EMBEDDED: &str = r#"
[connector]
kind = "sql"
database = "crm.sqlite"
[[connector.tables]]
table = "customers"
match = [ { column = "email", identifier = "email" } ]
action = "delete"
"#;

#[test]
fn parses_as_the_content_of_an_internally_tagged_variant() {
    let ConnectorConfig::Sql(config) = system(EMBEDDED).expect("parses").connector;
    assert_eq!(config.database, std::path::Path::new("crm.sqlite"));
    assert_eq!(config.tables[0].table, "customers");
}

#[test]
fn an_unknown_key_is_an_error_naming_the_key() {
    let text = EMBEDDED.replace("database =", "databse_timeout = 1\ndatabase =");
    let err = system(&text).expect_err("unknown key").to_string();
    assert!(err.contains("databse_timeout"), "{err}");
    let text = EMBEDDED.replace(
        "action = \"delete\"",
        "action = \"delete\"\nwhere = \"1=1\"",
    );
    let err = system(&text).expect_err("unknown table key").to_string();
    assert!(err.contains("where"), "{err}");
}

#[test]
fn an_unknown_action_is_an_error_naming_it() {
    let text = EMBEDDED.replace("action = \"delete\"", "action = \"truncate\"");
    let err = system(&text).expect_err("unknown action").to_string();
    assert!(err.contains("truncate"), "{err}");
}

#[test]
fn hold_settings_parse_and_a_misspelt_one_is_named() {
    let held = EMBEDDED.replace(
        "action = \"delete\"",
        "action = \"delete\"\ncategory = \"accounting-voucher\"\nreference_date = \"issued_on\"\nrestrict = \"restricted\"\nconditions = { \"complaint-open\" = \"complaint_open\" }",
    );
    let ConnectorConfig::Sql(config) = system(&held).expect("parses").connector;
    let table = &config.tables[0];
    assert_eq!(table.category.as_deref(), Some("accounting-voucher"));
    assert_eq!(table.reference_date.as_deref(), Some("issued_on"));
    assert_eq!(table.restrict.as_deref(), Some("restricted"));
    assert_eq!(table.conditions["complaint-open"], "complaint_open");
    let typo = held.replace("reference_date", "reference_day");
    let err = system(&typo).expect_err("unknown key").to_string();
    assert!(err.contains("reference_day"), "{err}");
}
