//! From per-table results to the [`Report`]: outcome, summary, evidence document.
//!
//! The summary lists tables in the configuration's order, e.g.
//! `customers: 1 deleted; invoices: 2 restricted (fi-kpl-vouchers until 2032-12-31), 0 deleted;
//! contracts: 1 anonymised; 0 remain`. Tables where nothing was found are listed too: that
//! they were checked is evidence. Rows kept under a rule make the outcome `Retained`, with
//! one [`Retained`] per rule.
//!
//! [`Notes`] add what depends on the database: how it keeps deleted rows (SQLite's
//! `secure_delete`; PostgreSQL's dead tuples until `VACUUM`) and how the work was cut into
//! transactions. A PostgreSQL run that failed after committing some batches still says
//! what those did ([`partial`]).

mod document;

use crate::config::Action;
use crate::result::{Failure, TableResult};
use document::{document_value, ordered};
use erasure_connector_sdk::{Job, Report};
use erasure_core::events::{Outcome, Retained};
use serde_json::{Map, Value, json};

/// What the evidence says besides the counts. Never personal data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notes {
    /// Appended to the summary, after `; `.
    pub summary: Option<String>,
    /// More fields of the evidence document.
    pub fields: Map<String, Value>,
}

/// The report of a committed run, without [`Notes`].
pub fn report(job: &Job, results: &[TableResult]) -> Report {
    report_with(job, results, &Notes::default())
}

/// The report of a committed run. Rows still selected after a delete (beyond the held
/// ones) make it a retryable failure (something, such as a trigger, put them back); the
/// next attempt tries again.
pub fn report_with(job: &Job, results: &[TableResult], notes: &Notes) -> Report {
    let deleted: u64 = results.iter().map(|r| r.deleted).sum();
    let anonymised: u64 = results.iter().map(|r| r.anonymised).sum();
    let restricted: u64 = results.iter().map(TableResult::restricted_rows).sum();
    let remaining: u64 = results.iter().filter_map(|r| r.remaining).sum();
    let summary = noted(summary(results, remaining), notes);
    let mut doc = document_value(job, results, &notes.fields);
    doc.insert("remaining".into(), json!(remaining));
    let evidence = Value::Object(doc).to_string().into_bytes();
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

/// A failed run that had committed some work (PostgreSQL batches): the failure, with a
/// summary and evidence of what is done, so that nothing is half-erased unreported. The
/// tables listed are those where something was committed.
pub fn partial(job: &Job, results: &[TableResult], notes: &Notes, failure: &Failure) -> Report {
    let (mut report, detail) = match failure {
        Failure::Retryable(detail) => (Report::failed_retryable(detail), detail),
        Failure::Permanent(detail) => (Report::failed_permanent(detail), detail),
    };
    let done: Vec<TableResult> = results
        .iter()
        .filter(|r| r.deleted + r.anonymised > 0)
        .cloned()
        .collect();
    if done.is_empty() {
        return report;
    }
    let lines: Vec<String> = ordered(&done).into_iter().map(table_line).collect();
    let summary = format!("not finished, done so far: {}", lines.join("; "));
    let mut doc = document_value(job, &done, &notes.fields);
    doc.insert("completed".into(), json!(false));
    doc.insert("failure".into(), json!(detail));
    report.items_affected = done.iter().map(|r| r.deleted + r.anonymised).sum();
    report.evidence_summary = noted(summary, notes);
    report.evidence = Value::Object(doc).to_string().into_bytes();
    report
}

fn noted(summary: String, notes: &Notes) -> String {
    match &notes.summary {
        Some(note) => format!("{summary}; {note}"),
        None => summary,
    }
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
    let mut doc = document_value(job, results, &Map::new());
    doc.insert("remaining".into(), json!(remaining));
    Value::Object(doc).to_string().into_bytes()
}

#[cfg(test)]
mod tests;
