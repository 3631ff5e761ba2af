use super::*;
use crate::config::Action;
use crate::plan::{Hold, Selection};
use erasure_core::IdentifierKind::{CustomerId, Email, Phone};
use erasure_core::Identifiers;

const SQLITE: Dialect = Dialect::Sqlite;

fn person(email: Option<&str>, phone: Option<&str>, customer_id: Option<&str>) -> Identifiers {
    let values = [(Email, email), (Phone, phone), (CustomerId, customer_id)];
    Identifiers::unchecked(values.into_iter().filter_map(|(k, v)| Some((k, v?))))
}

fn customers() -> Selection {
    Selection::Match(vec![
        ("email".into(), Email),
        ("phone".into(), Phone),
        ("customer_number".into(), CustomerId),
    ])
}

fn step(table: &str, selection: Selection) -> Step {
    Step {
        table: table.into(),
        selection,
        action: Action::Delete,
        hold: None,
        position: 0,
    }
}

fn values(statement: &Statement) -> Vec<&str> {
    statement
        .params
        .iter()
        .map(|p| p.expose().as_str())
        .collect()
}

#[test]
fn a_match_binds_each_identifier_the_person_has() {
    let everyone = person(Some("a@b.fi"), Some("+35840111222"), Some("C-1"));
    let statement = delete(
        &step("customers", customers()),
        &Subject::person(&everyone),
        SQLITE,
    );
    assert_eq!(
        statement.sql,
        r#"DELETE FROM "customers" WHERE ("email" = ?1 OR "phone" = ?2 OR "customer_number" = ?3)"#
    );
    assert_eq!(values(&statement), ["a@b.fi", "+35840111222", "C-1"]);
}

#[test]
fn kinds_the_person_lacks_are_skipped() {
    let statement = delete(
        &step("customers", customers()),
        &Subject::person(&person(None, None, Some("C-1"))),
        SQLITE,
    );
    assert_eq!(
        statement.sql,
        r#"DELETE FROM "customers" WHERE ("customer_number" = ?1)"#
    );
    assert_eq!(values(&statement), ["C-1"]);
}

#[test]
fn a_table_matching_none_of_the_persons_kinds_selects_nothing() {
    let only_phone = Selection::Match(vec![("phone".into(), Phone)]);
    let statement = delete(
        &step("sms_log", only_phone),
        &Subject::person(&person(Some("a@b.fi"), None, None)),
        SQLITE,
    );
    assert_eq!(statement.sql, r#"DELETE FROM "sms_log" WHERE 1 = 0"#);
    assert!(statement.params.is_empty());
}

#[test]
fn joins_nest_as_subqueries_down_to_the_match() {
    let devices = Selection::Match(vec![("customer_number".into(), CustomerId)]);
    let readings = Selection::Join {
        column: "device_id".into(),
        table: "devices".into(),
        references: "id".into(),
        parent: Box::new(devices),
    };
    let statement = count(
        &step("readings", readings),
        &Subject::person(&person(None, None, Some("C-1"))),
        SQLITE,
    );
    assert_eq!(
        statement.sql,
        r#"SELECT COUNT(*) FROM "readings" WHERE "device_id" IN (SELECT "id" FROM "devices" WHERE ("customer_number" = ?1))"#
    );
    assert_eq!(values(&statement), ["C-1"]);
}

#[test]
fn anonymising_touches_only_rows_with_something_left_to_clear() {
    let contracts = Selection::Join {
        column: "customer_id".into(),
        table: "customers".into(),
        references: "id".into(),
        parent: Box::new(Selection::Match(vec![("email".into(), Email)])),
    };
    let columns = ["holder_name".into(), "billing_address".into()];
    let statement = anonymise(
        &step("contracts", contracts),
        &columns,
        &Subject::person(&person(Some("a@b.fi"), None, None)),
        SQLITE,
    );
    assert_eq!(
        statement.sql,
        r#"UPDATE "contracts" SET "holder_name" = NULL, "billing_address" = NULL WHERE "customer_id" IN (SELECT "id" FROM "customers" WHERE ("email" = ?1)) AND ("holder_name" IS NOT NULL OR "billing_address" IS NOT NULL)"#
    );
    assert_eq!(values(&statement), ["a@b.fi"]);
}

#[test]
fn values_never_enter_the_sql_text_or_debug_output() {
    let hostile = "x' OR '1'='1";
    let statement = delete(
        &step("customers", customers()),
        &Subject::person(&person(None, None, Some(hostile))),
        SQLITE,
    );
    assert!(!statement.sql.contains(hostile));
    assert_eq!(values(&statement), [hostile]);
    assert!(!format!("{statement:?}").contains(hostile));
}

fn invoices_hold() -> Hold {
    Hold {
        category: "accounting-voucher".into(),
        reference_date: "issued_on".into(),
        restrict: "restricted".into(),
        conditions: vec![
            ("complaint-open".into(), "complaint_open".into()),
            ("disputed".into(), "dispute".into()),
        ],
    }
}

#[test]
fn the_hold_decision_reads_rowid_date_and_one_flag_per_condition() {
    let invoices = Selection::Match(vec![("customer_number".into(), CustomerId)]);
    let statement = hold_candidates(
        &step("invoices", invoices),
        &invoices_hold(),
        &Subject::person(&person(None, None, Some("C-1"))),
        SQLITE,
        None,
    );
    assert_eq!(
        statement.sql,
        r#"SELECT rowid, "issued_on", COALESCE("complaint_open" <> 0, 0), COALESCE("dispute" <> 0, 0) FROM "invoices" WHERE ("customer_number" = ?1)"#
    );
    assert_eq!(values(&statement), ["C-1"]);
}

#[test]
fn row_statements_bind_only_the_rowid() {
    assert_eq!(
        restrict_row("invoices", &invoices_hold(), SQLITE),
        r#"UPDATE "invoices" SET "restricted" = 1 WHERE rowid = ?1"#
    );
    assert_eq!(
        delete_row("invoices", SQLITE),
        r#"DELETE FROM "invoices" WHERE rowid = ?1"#
    );
    assert_eq!(
        anonymise_row("invoices", &["name".into(), "address".into()], SQLITE),
        r#"UPDATE "invoices" SET "name" = NULL, "address" = NULL WHERE rowid = ?1 AND ("name" IS NOT NULL OR "address" IS NOT NULL)"#
    );
}

#[test]
fn quoting_doubles_embedded_quotes() {
    assert_eq!(quote("customers"), r#""customers""#);
    assert_eq!(quote(r#"we"ird"#), r#""we""ird""#);
    assert_eq!(SQLITE.placeholder(12), "?12");
}

#[test]
fn a_tenant_table_binds_the_controller_and_matches_nothing_without_one() {
    let customers = Selection::Tenant {
        column: "client_id".into(),
        inner: Box::new(Selection::Match(vec![("email".into(), Email)])),
    };
    let ids = person(Some("a@b.fi"), None, None);
    let acme = Subject {
        identifiers: &ids,
        controller: Some("acme"),
    };
    let statement = delete(&step("respondents", customers.clone()), &acme, SQLITE);
    assert_eq!(
        statement.sql,
        r#"DELETE FROM "respondents" WHERE ("email" = ?1) AND "client_id" = ?2"#
    );
    assert_eq!(values(&statement), ["a@b.fi", "acme"]);
    let nobody = delete(
        &step("respondents", customers),
        &Subject::person(&ids),
        SQLITE,
    );
    assert_eq!(nobody.sql, r#"DELETE FROM "respondents" WHERE 1 = 0"#);
    assert!(nobody.params.is_empty());
}
