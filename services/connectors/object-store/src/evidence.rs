//! From per-template outcomes to the [`Report`].
//!
//! Summary, in the configuration's order:
//! `customers/{customer_id}/: 2 deleted; by-email/{email}/: 1 deleted; 0 remain`, with
//! `, N delete markers removed` (versioned buckets) and `, N symbolic links not followed`
//! (local directories) after a template's count when there were any.
//! Templates quote the configuration, so the summary holds no personal data.
//!
//! Outcome: a refused template, or a symbolic link under a person's prefix, is a permanent
//! failure (the person's objects there cannot be reached safely; a person must look);
//! objects left after deleting are a retryable one; otherwise `Erased` if anything was
//! deleted, else `NothingFound`.

use crate::backend::Counts;
use crate::erase::{TemplateOutcome, TemplateResult};
use erasure_connector_sdk::{Job, Report};
use erasure_core::events::Outcome;
use serde_json::json;

pub fn report(job: &Job, outcomes: &[TemplateOutcome]) -> Report {
    let total = totals(outcomes);
    let mut report = Report::from_counts(
        total.deleted,
        0,
        summary(outcomes, total.remaining),
        document(job, outcomes, total.remaining),
    );
    if let Some(detail) = permanent_failure(outcomes) {
        report.outcome = Outcome::FailedPermanent;
        report.detail = detail;
    } else if total.remaining > 0 {
        report.outcome = Outcome::FailedRetryable;
        report.detail = format!("{} objects still listed after deleting", total.remaining);
    }
    report
}

/// What a person must look at, if anything: the first such template, in this order.
fn permanent_failure(outcomes: &[TemplateOutcome]) -> Option<String> {
    let first = |why: fn(&TemplateResult) -> Option<String>| {
        outcomes
            .iter()
            .find_map(|o| why(&o.result).map(|why| format!("key template {}{why}", o.template)))
    };
    first(no_controller)
        .or_else(|| first(refused))
        .or_else(|| first(links))
}

fn no_controller(result: &TemplateResult) -> Option<String> {
    let why = " is per controller: the request names no controller";
    (*result == TemplateResult::NoController).then(|| why.to_owned())
}

fn refused(result: &TemplateResult) -> Option<String> {
    let TemplateResult::Refused(kind) = result else {
        return None;
    };
    Some(format!(
        ": the person's {} cannot be used in a key (empty, '.', '..', a path separator or a control character)",
        kind.name()
    ))
}

fn links(result: &TemplateResult) -> Option<String> {
    match result {
        TemplateResult::Erased(c) if c.links > 0 => Some(format!(
            ": {} symbolic links under the person's prefixes were not followed, as they may lead outside the root; they and what they lead to are left for a person to handle",
            c.links
        )),
        _ => None,
    }
}

fn totals(outcomes: &[TemplateOutcome]) -> Counts {
    let mut total = Counts::default();
    for o in outcomes {
        if let TemplateResult::Erased(counts) = o.result {
            total += counts;
        }
    }
    total
}

pub fn summary(outcomes: &[TemplateOutcome], remaining: u64) -> String {
    let mut parts: Vec<String> = outcomes
        .iter()
        .map(|o| format!("{}: {}", o.template, describe(&o.result)))
        .collect();
    parts.push(format!("{remaining} remain"));
    parts.join("; ")
}

fn describe(result: &TemplateResult) -> String {
    match result {
        TemplateResult::Erased(c) => {
            let mut text = format!("{} deleted", c.deleted);
            if c.delete_markers > 0 {
                text.push_str(&format!(", {} delete markers removed", c.delete_markers));
            }
            if c.links > 0 {
                text.push_str(&format!(", {} symbolic links not followed", c.links));
            }
            text
        }
        TemplateResult::Absent(kind) => format!("skipped (no {})", kind.name()),
        TemplateResult::Refused(kind) => format!("refused ({} unusable in a key)", kind.name()),
        TemplateResult::NoController => "skipped (no controller)".to_owned(),
    }
}

/// The evidence document (JSON): per template, what was done and the counts.
pub fn document(job: &Job, outcomes: &[TemplateOutcome], remaining: u64) -> Vec<u8> {
    let templates: Vec<serde_json::Value> = outcomes.iter().map(entry).collect();
    json!({
        "format": "erasure-evidence/object-store/v1",
        "request_id": job.request_id,
        "system_id": job.system_id.as_str(),
        "attempt": job.attempt,
        "templates": templates,
        "remaining": remaining,
    })
    .to_string()
    .into_bytes()
}

fn entry(o: &TemplateOutcome) -> serde_json::Value {
    match o.result {
        TemplateResult::Erased(c) => json!({
            "template": o.template, "status": "erased", "deleted": c.deleted,
            "delete_markers": c.delete_markers, "remaining": c.remaining,
            "links_not_followed": c.links,
        }),
        TemplateResult::Absent(kind) => json!({
            "template": o.template, "status": "skipped", "missing": kind.name(),
        }),
        TemplateResult::Refused(kind) => json!({
            "template": o.template, "status": "refused", "identifier": kind.name(),
        }),
        TemplateResult::NoController => json!({
            "template": o.template, "status": "skipped", "missing": "controller",
        }),
    }
}

#[cfg(test)]
mod tests;
