use super::*;
use crate::config::{Join, MatchColumn};
use erasure_core::IdentifierKind::{CustomerId, Email};

fn matching(table: &str, columns: &[(&str, &str)]) -> Table {
    Table {
        table: table.into(),
        matches: Some(
            columns
                .iter()
                .map(|(column, identifier)| MatchColumn {
                    column: (*column).into(),
                    identifier: (*identifier).into(),
                })
                .collect(),
        ),
        join: None,
        tenant: None,
        action: Action::Delete,
        category: None,
        reference_date: None,
        restrict: None,
        conditions: Default::default(),
    }
}

fn joined(table: &str, column: &str, references: &str) -> Table {
    Table {
        table: table.into(),
        matches: None,
        join: Some(Join {
            column: column.into(),
            references: references.into(),
        }),
        ..matching(table, &[])
    }
}

fn config(tables: Vec<Table>) -> Config {
    Config {
        database: "db.sqlite".into(),
        url: None,
        password_file: None,
        pool_size: None,
        batch_size: None,
        progress_schema: None,
        vacuum_every_secs: None,
        hash_key_file: None,
        busy_timeout_ms: 5000,
        tables,
    }
}

fn order(plan: &Plan) -> Vec<&str> {
    plan.steps.iter().map(|s| s.table.as_str()).collect()
}

#[test]
fn joined_tables_come_before_the_tables_they_join_to() {
    let plan = Plan::new(&config(vec![
        matching("customers", &[("email", "email")]),
        joined("invoices", "contract_id", "contracts.id"),
        joined("contracts", "customer_id", "customers.id"),
        joined("support_tickets", "customer_id", "customers.id"),
    ]))
    .expect("valid");
    assert_eq!(
        order(&plan),
        ["invoices", "contracts", "support_tickets", "customers"]
    );
    assert_eq!(
        plan.steps[0].position, 1,
        "positions keep the configuration's order"
    );
}

#[test]
fn a_join_resolves_to_its_whole_chain() {
    let plan = Plan::new(&config(vec![
        joined("readings", "device_id", "devices.id"),
        matching(
            "devices",
            &[("customer_number", "customer_id"), ("owner_email", "email")],
        ),
    ]))
    .expect("valid");
    let expected = Selection::Join {
        column: "device_id".into(),
        table: "devices".into(),
        references: "id".into(),
        parent: Box::new(Selection::Match(vec![
            ("customer_number".into(), CustomerId),
            ("owner_email".into(), Email),
        ])),
    };
    assert_eq!(plan.steps[0].selection, expected);
}

fn refused(tables: Vec<Table>) -> ConfigError {
    Plan::new(&config(tables)).expect_err("must be refused")
}

#[test]
fn names_must_be_plain_identifiers() {
    let err = refused(vec![matching("customers; drop", &[("email", "email")])]);
    assert!(matches!(err, ConfigError::InvalidName { .. }), "{err}");
    let err = refused(vec![matching("customers", &[("e mail", "email")])]);
    assert_eq!(
        err.to_string().split(':').next(),
        Some("column of table customers \"e mail\" is not a plain SQL identifier")
    );
    let mut anonymise = matching("customers", &[("email", "email")]);
    anonymise.action = Action::Anonymise(vec!["name\"".into()]);
    assert!(matches!(
        refused(vec![anonymise]),
        ConfigError::InvalidName { .. }
    ));
    for bad in ["", "1st", "a-b", &"x".repeat(64)] {
        assert!(!is_plain_identifier(bad), "{bad:?} accepted");
    }
    assert!(is_plain_identifier("_Customers_2"));
}

#[test]
fn identifier_kinds_must_exist() {
    let err = refused(vec![matching("customers", &[("ssn", "social_security")])]);
    assert_eq!(
        err,
        ConfigError::UnknownIdentifier {
            table: "customers".into(),
            kind: "social_security".into()
        }
    );
    assert!(err.to_string().contains("national_id"), "{err}");
}

#[test]
fn references_must_name_a_configured_table_and_column() {
    let base = || matching("customers", &[("email", "email")]);
    let err = refused(vec![
        base(),
        joined("contracts", "customer_id", "accounts.id"),
    ]);
    assert_eq!(
        err,
        ConfigError::UnknownTable {
            table: "contracts".into(),
            references: "accounts".into()
        }
    );
    for bad in ["customers", "customers.", ".id", "customers.id.x"] {
        let err = refused(vec![base(), joined("contracts", "customer_id", bad)]);
        assert!(
            matches!(err, ConfigError::BadReference { .. }),
            "{bad}: {err}"
        );
    }
}

#[test]
fn cycles_are_refused() {
    let err = refused(vec![
        joined("a", "b_id", "b.id"),
        joined("b", "a_id", "a.id"),
    ]);
    assert_eq!(
        err,
        ConfigError::Cycle(vec!["a".into(), "b".into(), "a".into()])
    );
    let err = refused(vec![joined("tree", "parent_id", "tree.id")]);
    assert_eq!(err.to_string(), "tables join in a cycle: tree -> tree");
}

#[test]
fn each_table_has_exactly_one_way_to_find_rows() {
    let mut both = matching("customers", &[("email", "email")]);
    both.join = joined("x", "y", "customers.id").join;
    assert_eq!(
        refused(vec![both]),
        ConfigError::Selection("customers".into())
    );
    let mut neither = matching("customers", &[]);
    neither.matches = None;
    assert_eq!(
        refused(vec![neither]),
        ConfigError::Selection("customers".into())
    );
    assert_eq!(
        refused(vec![matching("customers", &[])]),
        ConfigError::EmptyMatch("customers".into())
    );
}

#[test]
fn other_shapes_are_refused() {
    assert_eq!(refused(vec![]), ConfigError::NoTables);
    let twice = vec![
        matching("t", &[("email", "email")]),
        matching("t", &[("phone", "phone")]),
    ];
    assert_eq!(refused(twice), ConfigError::DuplicateTable("t".into()));
    let mut empty = matching("t", &[("email", "email")]);
    empty.action = Action::Anonymise(Vec::new());
    assert_eq!(
        refused(vec![empty]),
        ConfigError::EmptyAnonymise("t".into())
    );
}
