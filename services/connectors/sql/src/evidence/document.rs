//! The evidence document (JSON): per table, the action and the counts, and for a table
//! with a category the rows restricted per rule and until when.

use crate::config::{Action, Anonymised, Replacement};
use crate::result::TableResult;
use erasure_connector_sdk::Job;
use erasure_core::events::Retained;
use serde_json::{Map, Value, json};

/// Results in the configuration's order.
pub(super) fn ordered(results: &[TableResult]) -> Vec<&TableResult> {
    let mut ordered: Vec<&TableResult> = results.iter().collect();
    ordered.sort_by_key(|r| r.position);
    ordered
}

/// The document's fields common to every report, then `extra`.
pub(super) fn document_value(
    job: &Job,
    results: &[TableResult],
    extra: &Map<String, Value>,
) -> Map<String, Value> {
    let tables: Vec<Value> = ordered(results).into_iter().map(table_entry).collect();
    let mut doc = Map::new();
    doc.insert("format".into(), json!("erasure-evidence/sql/v1"));
    doc.insert("request_id".into(), json!(job.request_id));
    doc.insert("system_id".into(), json!(job.system_id.as_str()));
    doc.insert("attempt".into(), json!(job.attempt));
    doc.insert("as_of".into(), json!(job.as_of.to_string()));
    doc.insert("tables".into(), json!(tables));
    doc.extend(extra.clone());
    doc
}

fn table_entry(r: &TableResult) -> Value {
    let mut entry = match &r.action {
        Action::Delete => json!({
            "table": r.table, "action": "delete", "deleted": r.deleted, "remaining": r.remaining,
        }),
        Action::Anonymise(columns) => json!({
            "table": r.table, "action": "anonymise", "columns": names(columns),
            "replaced_with": replacements(columns), "anonymised": r.anonymised,
        }),
    };
    if let (Some(category), Some(fields)) = (&r.category, entry.as_object_mut()) {
        let holds: Vec<Value> = r.restricted.iter().map(hold_entry).collect();
        fields.insert("category".into(), json!(category));
        fields.insert("restricted".into(), json!(r.restricted_rows()));
        fields.insert("holds".into(), json!(holds));
    }
    entry
}

fn hold_entry(k: &Retained) -> Value {
    json!({ "rule_id": k.rule_id, "items": k.items, "retained_until": k.retained_until.to_string() })
}

fn names(columns: &[Anonymised]) -> Vec<&str> {
    columns.iter().map(|c| c.column.as_str()).collect()
}

/// Per column, how it was anonymised: `null`, `fixed value` or `hmac-sha256` (the fixed
/// value itself is configuration, and not repeated here).
fn replacements(columns: &[Anonymised]) -> Map<String, Value> {
    let how = |c: &Anonymised| match c.with {
        Replacement::Null => "null",
        Replacement::Value(_) => "fixed value",
        Replacement::Hash => "hmac-sha256",
    };
    columns
        .iter()
        .map(|c| (c.column.clone(), json!(how(c))))
        .collect()
}
