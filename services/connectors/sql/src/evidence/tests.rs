use super::*;
use erasure_connector_sdk::kit;
use erasure_core::events::Retained;

fn result(table: &str, position: usize, action: Action, n: u64) -> TableResult {
    let delete = action == Action::Delete;
    TableResult {
        table: table.into(),
        position,
        action,
        deleted: if delete { n } else { 0 },
        anonymised: if delete { 0 } else { n },
        remaining: delete.then_some(0),
        category: None,
        restricted: Vec::new(),
    }
}

fn job() -> Job {
    Job {
        task_id: "r1/crm".into(),
        system_id: "crm".into(),
        ..kit::job(&erasure_core::Identifiers::default(), "r1", 1)
    }
}

/// `invoices` (position 1): `held` rows restricted under the Finnish voucher rule, the
/// latest dated `latest`; `deleted` deleted.
fn invoices(held: u64, latest: &str, deleted: u64) -> TableResult {
    let mut r = result("invoices", 1, Action::Delete, deleted);
    r.category = Some("accounting-voucher".into());
    if held > 0 {
        let rule = kit::fi_vouchers();
        r.restricted.push(Retained {
            rule_id: rule.id.clone(),
            category: rule.category.clone(),
            items: held,
            latest_reference_date: kit::date(latest),
            retained_until: rule
                .retain_until(kit::date(latest), Default::default())
                .until,
        });
    }
    r
}

fn held_job() -> Job {
    Job {
        holds: vec![kit::fi_vouchers()],
        ..job()
    }
}

#[test]
fn held_rows_make_the_outcome_retained_with_one_entry_per_rule() {
    let results = [
        result("customers", 0, Action::Delete, 1),
        invoices(2, "2026-02-10", 1),
    ];
    let report = report(&held_job(), &results);
    assert_eq!(
        report.evidence_summary,
        "customers: 1 deleted; invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 1 deleted; 0 remain"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Retained, 4)
    );
    assert_eq!(
        report.retained,
        [Retained {
            rule_id: "fi-kpl-vouchers".into(),
            category: "accounting-voucher".into(),
            items: 2,
            latest_reference_date: kit::date("2026-02-10"),
            retained_until: kit::date("2032-12-31"),
        }]
    );
    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("json");
    let table = &doc["tables"][1];
    assert_eq!(table["category"], "accounting-voucher");
    assert_eq!(table["restricted"], 2);
    assert_eq!(table["holds"][0]["retained_until"], "2032-12-31");
    assert_eq!(doc["as_of"], kit::AS_OF);
}

#[test]
fn one_rule_over_several_tables_is_one_entry_dated_by_the_latest_item() {
    let mut letters = invoices(1, "2027-01-05", 0);
    letters.table = "reminders".into();
    letters.position = 2;
    let results = [invoices(2, "2026-02-10", 0), letters];
    let retained = retained(&held_job(), &results);
    assert_eq!(retained.len(), 1);
    assert_eq!(retained[0].items, 3);
    assert_eq!(retained[0].latest_reference_date, kit::date("2027-01-05"));
    assert_eq!(retained[0].retained_until, kit::date("2033-12-31"));
}

#[test]
fn a_held_table_with_nothing_kept_reports_as_before() {
    let report = report(&held_job(), &[invoices(0, "", 2)]);
    assert_eq!(report.evidence_summary, "invoices: 2 deleted; 0 remain");
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 2)
    );
    assert!(report.retained.is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("json");
    assert_eq!(doc["tables"][0]["restricted"], 0);
}

#[test]
fn leftovers_fail_even_with_held_rows_and_name_no_rule() {
    let mut leftover = invoices(1, "2026-02-10", 1);
    leftover.remaining = Some(1);
    let report = report(&held_job(), &[leftover]);
    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert!(
        report.retained.is_empty(),
        "retained without a retained outcome"
    );
}

#[test]
fn summary_follows_the_configuration_order() {
    let results = [
        result(
            "contracts",
            2,
            Action::Anonymise(vec!["holder_name".into()]),
            1,
        ),
        result("support_tickets", 1, Action::Delete, 2),
        result("customers", 0, Action::Delete, 1),
    ];
    let report = report(&job(), &results);
    assert_eq!(
        report.evidence_summary,
        "customers: 1 deleted; support_tickets: 2 deleted; contracts: 1 anonymised; 0 remain"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 4)
    );
}

#[test]
fn only_anonymised_is_anonymised_and_nothing_is_nothing_found() {
    let anonymised = [result(
        "contracts",
        0,
        Action::Anonymise(vec!["x".into()]),
        1,
    )];
    assert_eq!(report(&job(), &anonymised).outcome, Outcome::Anonymised);
    let nothing = [result("customers", 0, Action::Delete, 0)];
    let nothing = report(&job(), &nothing);
    assert_eq!(nothing.outcome, Outcome::NothingFound);
    assert_eq!(nothing.evidence_summary, "customers: 0 deleted; 0 remain");
}

#[test]
fn rows_left_after_a_delete_are_a_retryable_failure() {
    let mut leftover = result("customers", 0, Action::Delete, 1);
    leftover.remaining = Some(1);
    let report = report(&job(), &[leftover]);
    assert_eq!(report.outcome, Outcome::FailedRetryable);
    assert_eq!(report.detail, "1 rows still match after deleting");
    assert!(report.evidence_summary.ends_with("1 remain"));
}

#[test]
fn the_document_is_json_with_counts_per_table() {
    let results = [result("customers", 0, Action::Delete, 1)];
    let doc: serde_json::Value =
        serde_json::from_slice(&document(&job(), &results, 0)).expect("json");
    assert_eq!(doc["tables"][0]["deleted"], 1);
    assert_eq!(doc["tables"][0]["remaining"], 0);
    assert_eq!(doc["request_id"], "r1");
}
