//! From per-table results to the [`Report`]: outcome, summary, evidence document.
//!
//! The summary lists tables in the configuration's order, e.g.
//! `customers: 1 deleted; support_tickets: 2 deleted; contracts: 1 anonymised; 0 remain`.
//! Tables where nothing was found are listed too: that they were checked is evidence.

use crate::config::Action;
use crate::execute::TableResult;
use erasure_connector_sdk::{Job, Report};
use erasure_core::events::Outcome;
use serde_json::json;

/// The report of a committed run. Rows still selected after a delete make it a retryable
/// failure (something, such as a trigger, put them back); the next attempt tries again.
pub fn report(job: &Job, results: &[TableResult]) -> Report {
    let deleted: u64 = results.iter().map(|r| r.deleted).sum();
    let anonymised: u64 = results.iter().map(|r| r.anonymised).sum();
    let remaining: u64 = results.iter().filter_map(|r| r.remaining).sum();
    let summary = summary(results, remaining);
    let evidence = document(job, results, remaining);
    let mut report = Report::from_counts(deleted, anonymised, summary, evidence);
    if remaining > 0 {
        report.outcome = Outcome::FailedRetryable;
        report.detail = format!("{remaining} rows still match after deleting");
    }
    report
}

fn ordered(results: &[TableResult]) -> Vec<&TableResult> {
    let mut ordered: Vec<&TableResult> = results.iter().collect();
    ordered.sort_by_key(|r| r.position);
    ordered
}

/// One line a person can read.
pub fn summary(results: &[TableResult], remaining: u64) -> String {
    let mut parts: Vec<String> = ordered(results)
        .into_iter()
        .map(|r| match r.action {
            Action::Delete => format!("{}: {} deleted", r.table, r.deleted),
            Action::Anonymise(_) => format!("{}: {} anonymised", r.table, r.anonymised),
        })
        .collect();
    parts.push(format!("{remaining} remain"));
    parts.join("; ")
}

/// The evidence document (JSON): per table, the action and the counts. Holds ids of the
/// request and system, table and column names, and numbers; never a value from a row.
pub fn document(job: &Job, results: &[TableResult], remaining: u64) -> Vec<u8> {
    let tables: Vec<serde_json::Value> = ordered(results).into_iter().map(table_entry).collect();
    let doc = json!({
        "format": "erasure-evidence/sql/v1",
        "request_id": job.request_id,
        "system_id": job.system_id.as_str(),
        "attempt": job.attempt,
        "tables": tables,
        "remaining": remaining,
    });
    doc.to_string().into_bytes()
}

fn table_entry(r: &TableResult) -> serde_json::Value {
    match &r.action {
        Action::Delete => json!({
            "table": r.table, "action": "delete", "deleted": r.deleted, "remaining": r.remaining,
        }),
        Action::Anonymise(columns) => json!({
            "table": r.table, "action": "anonymise", "columns": columns, "anonymised": r.anonymised,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(table: &str, position: usize, action: Action, n: u64) -> TableResult {
        let delete = action == Action::Delete;
        TableResult {
            table: table.into(),
            position,
            action,
            deleted: if delete { n } else { 0 },
            anonymised: if delete { 0 } else { n },
            remaining: delete.then_some(0),
        }
    }

    fn job() -> Job {
        Job {
            request_id: "r1".into(),
            task_id: "r1/crm".into(),
            system_id: "crm".into(),
            attempt: 1,
            identifiers: erasure_core::Identifiers::default(),
            categories: Vec::new(),
        }
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
}
