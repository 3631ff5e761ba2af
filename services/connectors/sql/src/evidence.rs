//! From per-table results to the [`Report`]: outcome, summary, evidence document.
//!
//! The summary lists tables in the configuration's order, e.g.
//! `customers: 1 deleted; invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 0 deleted;
//! contracts: 1 anonymised; 0 remain`. Tables where nothing was found are listed too: that
//! they were checked is evidence. Rows kept under a rule make the outcome `Retained`, with
//! one [`Retained`] per rule.

use crate::config::Action;
use crate::result::TableResult;
use erasure_connector_sdk::{Job, Report};
use erasure_core::events::{Outcome, Retained};
use serde_json::json;

/// The report of a committed run. Rows still selected after a delete (beyond the held
/// ones) make it a retryable failure (something, such as a trigger, put them back); the
/// next attempt tries again.
pub fn report(job: &Job, results: &[TableResult]) -> Report {
    let deleted: u64 = results.iter().map(|r| r.deleted).sum();
    let anonymised: u64 = results.iter().map(|r| r.anonymised).sum();
    let restricted: u64 = results.iter().map(TableResult::restricted_rows).sum();
    let remaining: u64 = results.iter().filter_map(|r| r.remaining).sum();
    let summary = summary(results, remaining);
    let evidence = document(job, results, remaining);
    let retained = retained(job, results);
    let mut report = if retained.is_empty() {
        Report::from_counts(deleted, anonymised, summary, evidence)
    } else {
        let items = deleted + anonymised + restricted;
        Report::retained(retained, items, summary, evidence)
    };
    if remaining > 0 {
        report.outcome = Outcome::FailedRetryable;
        report.detail = format!("{remaining} rows still match after deleting");
        report.retained.clear();
    }
    report
}

/// Per rule of the job (in its order), what every table kept under it. The date is the
/// rule's date for the latest reference date, exactly as the coordinator recomputes it.
pub fn retained(job: &Job, results: &[TableResult]) -> Vec<Retained> {
    let kept = || results.iter().flat_map(|r| &r.restricted);
    job.holds
        .iter()
        .filter_map(|rule| {
            let under = || kept().filter(|k| k.rule_id == rule.id);
            let latest = under().map(|k| k.latest_reference_date).max()?;
            Some(Retained {
                rule_id: rule.id.clone(),
                category: rule.category.clone(),
                items: under().map(|k| k.items).sum(),
                latest_reference_date: latest,
                retained_until: rule.retain_until(latest, job.financial_year_end).until,
            })
        })
        .collect()
}

fn ordered(results: &[TableResult]) -> Vec<&TableResult> {
    let mut ordered: Vec<&TableResult> = results.iter().collect();
    ordered.sort_by_key(|r| r.position);
    ordered
}

/// One line a person can read.
pub fn summary(results: &[TableResult], remaining: u64) -> String {
    let mut parts: Vec<String> = ordered(results).into_iter().map(table_line).collect();
    parts.push(format!("{remaining} remain"));
    parts.join("; ")
}

/// `invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 1 deleted`
fn table_line(r: &TableResult) -> String {
    let kept = match r.restricted_rows() {
        0 => String::new(),
        n => {
            let rules: Vec<String> = r
                .restricted
                .iter()
                .map(|k| format!("{} until {}", k.rule_id, k.retained_until))
                .collect();
            format!("{n} restricted ({}), ", rules.join(", "))
        }
    };
    match r.action {
        Action::Delete => format!("{}: {kept}{} deleted", r.table, r.deleted),
        Action::Anonymise(_) => format!("{}: {kept}{} anonymised", r.table, r.anonymised),
    }
}

/// The evidence document (JSON): per table, the action and the counts, and for a table with
/// a category the rows restricted per rule and until when. Holds ids of the request, system
/// and rules, table and column names, dates of retention and numbers; never a value from a
/// row.
pub fn document(job: &Job, results: &[TableResult], remaining: u64) -> Vec<u8> {
    let tables: Vec<serde_json::Value> = ordered(results).into_iter().map(table_entry).collect();
    let doc = json!({
        "format": "erasure-evidence/sql/v1",
        "request_id": job.request_id,
        "system_id": job.system_id.as_str(),
        "attempt": job.attempt,
        "as_of": job.as_of.to_string(),
        "tables": tables,
        "remaining": remaining,
    });
    doc.to_string().into_bytes()
}

fn table_entry(r: &TableResult) -> serde_json::Value {
    let mut entry = match &r.action {
        Action::Delete => json!({
            "table": r.table, "action": "delete", "deleted": r.deleted, "remaining": r.remaining,
        }),
        Action::Anonymise(columns) => json!({
            "table": r.table, "action": "anonymise", "columns": columns, "anonymised": r.anonymised,
        }),
    };
    if let (Some(category), Some(fields)) = (&r.category, entry.as_object_mut()) {
        let holds: Vec<serde_json::Value> = r
            .restricted
            .iter()
            .map(|k| json!({ "rule_id": k.rule_id, "items": k.items, "retained_until": k.retained_until.to_string() }))
            .collect();
        fields.insert("category".into(), json!(category));
        fields.insert("restricted".into(), json!(r.restricted_rows()));
        fields.insert("holds".into(), json!(holds));
    }
    entry
}

#[cfg(test)]
mod tests;
