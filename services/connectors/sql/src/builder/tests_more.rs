//! The PostgreSQL dialect, batches, and anonymising with fixed values and hashes.

use super::*;
use crate::config::{Action, Replacement};
use crate::plan::{Hold, Selection};
use erasure_core::IdentifierKind::{CustomerId, Email};
use erasure_core::Identifiers;

const SQLITE: Dialect = Dialect::Sqlite;
const PG: Dialect = Dialect::Postgres;

fn alice() -> Identifiers {
    Identifiers::unchecked([(Email, "a@b.fi"), (CustomerId, "C-1")])
}

fn step(table: &str, selection: Selection, action: Action) -> Step {
    Step {
        table: table.into(),
        selection,
        action,
        hold: None,
        position: 0,
    }
}

fn readings() -> Step {
    let devices = Selection::Match(vec![("customer_number".into(), CustomerId)]);
    let readings = Selection::Join {
        column: "device_id".into(),
        table: "devices".into(),
        references: "id".into(),
        parent: Box::new(devices),
    };
    step("readings", readings, Action::Delete)
}

fn mixed() -> Vec<Anonymised> {
    vec![
        "address".into(),
        Anonymised {
            column: "status".into(),
            with: Replacement::Value("erased".into()),
        },
        Anonymised {
            column: "name".into(),
            with: Replacement::Hash,
        },
    ]
}

fn values(statement: &Statement) -> Vec<&str> {
    statement
        .params
        .iter()
        .map(|p| p.expose().as_str())
        .collect()
}

#[test]
fn postgres_numbers_parameters_with_dollars_and_the_same_selection() {
    let ids = alice();
    let who = Subject::person(&ids);
    let sqlite = count(&readings(), &who, SQLITE);
    let pg = count(&readings(), &who, PG);
    assert_eq!(pg.sql, sqlite.sql.replace("?1", "$1"));
    assert_eq!(values(&pg), ["C-1"]);
}

#[test]
fn a_delete_batch_takes_row_ids_by_a_limited_subquery() {
    let ids = alice();
    let who = Subject::person(&ids);
    assert_eq!(
        delete_batch(&readings(), &who, PG, 500).sql,
        r#"DELETE FROM "readings" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "readings" WHERE "device_id" IN (SELECT "id" FROM "devices" WHERE ("customer_number" = $1)) LIMIT 500))"#
    );
    assert_eq!(
        delete_batch(&readings(), &who, SQLITE, 500).sql,
        r#"DELETE FROM "readings" WHERE rowid IN (SELECT rowid FROM "readings" WHERE "device_id" IN (SELECT "id" FROM "devices" WHERE ("customer_number" = ?1)) LIMIT 500)"#
    );
}

#[test]
fn fixed_values_are_bound_and_guard_against_a_second_run() {
    let ids = alice();
    let columns = &mixed()[..2];
    let contracts = step(
        "contracts",
        Selection::Match(vec![("email".into(), Email)]),
        Action::Delete,
    );
    let statement = anonymise(&contracts, columns, &Subject::person(&ids), PG);
    assert_eq!(
        statement.sql,
        r#"UPDATE "contracts" SET "address" = NULL, "status" = $2 WHERE ("email" = $1) AND ("address" IS NOT NULL OR "status" IS DISTINCT FROM $2)"#
    );
    assert_eq!(values(&statement), ["a@b.fi", "erased"]);
    let batch = anonymise_batch(&contracts, columns, &Subject::person(&ids), PG, 10);
    assert_eq!(
        batch.sql,
        r#"UPDATE "contracts" SET "address" = NULL, "status" = $1 WHERE ctid = ANY(ARRAY(SELECT ctid FROM "contracts" WHERE ("email" = $2) AND ("address" IS NOT NULL OR "status" IS DISTINCT FROM $1) LIMIT 10))"#
    );
    assert_eq!(values(&batch), ["erased", "a@b.fi"]);
}

#[test]
fn hashing_reads_the_rows_left_then_updates_each_by_row_id() {
    let ids = alice();
    let contracts = step(
        "contracts",
        Selection::Match(vec![("email".into(), Email)]),
        Action::Anonymise(mixed()),
    );
    let read = hash_candidates(&contracts, &mixed(), &Subject::person(&ids), PG, Some(100));
    assert_eq!(
        read.sql,
        r#"SELECT ctid::text, "name"::text FROM "contracts" WHERE ("email" = $1) AND ("address" IS NOT NULL OR "status" IS DISTINCT FROM $2 OR ("name" IS NOT NULL AND NOT ("name"::text ~ '^[0-9a-f]{64}$'))) LIMIT 100 FOR UPDATE"#
    );
    assert_eq!(values(&read), ["a@b.fi", "erased"]);
    assert_eq!(
        anonymise_row("contracts", &mixed(), SQLITE),
        r#"UPDATE "contracts" SET "address" = NULL, "status" = ?2, "name" = ?3 WHERE rowid = ?1 AND ("address" IS NOT NULL OR "status" IS DISTINCT FROM ?2 OR ("name" IS NOT NULL AND NOT (length("name") = 64 AND "name" NOT GLOB '*[^0-9a-f]*')))"#
    );
    assert!(anonymise_row("contracts", &mixed(), PG).ends_with(" RETURNING ctid::text"));
}

#[test]
fn a_held_page_is_read_in_ctid_order_after_the_last_one_and_locked() {
    let hold = Hold {
        category: "accounting-voucher".into(),
        reference_date: "issued_on".into(),
        restrict: "restricted".into(),
        conditions: vec![("complaint-open".into(), "complaint_open".into())],
    };
    let invoices = step(
        "invoices",
        Selection::Match(vec![("customer_number".into(), CustomerId)]),
        Action::Delete,
    );
    let page = Page {
        after: "(0,7)".into(),
        limit: 2,
    };
    let ids = alice();
    let read = hold_candidates(&invoices, &hold, &Subject::person(&ids), PG, Some(&page));
    assert_eq!(
        read.sql,
        r#"SELECT ctid::text, "issued_on"::text, COALESCE("complaint_open"::text NOT IN ('0', 'false'), false) FROM "invoices" WHERE ("customer_number" = $1) AND ctid > $2 ORDER BY ctid LIMIT 2 FOR UPDATE"#
    );
    assert_eq!(values(&read), ["C-1", "(0,7)"]);
    assert_eq!(
        restrict_row("invoices", &hold, PG),
        r#"UPDATE "invoices" SET "restricted" = '1' WHERE ctid = $1 AND "restricted" IS DISTINCT FROM '1' RETURNING ctid::text"#
    );
    assert_eq!(
        delete_row("invoices", PG),
        r#"DELETE FROM "invoices" WHERE ctid = $1 RETURNING ctid::text"#
    );
}
