//! From per-template outcomes to the [`Report`].
//!
//! Summary, in the configuration's order:
//! `customers/{customer_id}/: 2 deleted; by-email/{email}/: 1 deleted; 0 remain`.
//! Templates quote the configuration, so the summary holds no personal data.
//!
//! Outcome: a refused template is a permanent failure (the person's objects under it
//! cannot be reached safely; a person must look), objects left after deleting are a
//! retryable one; otherwise `Erased` if anything was deleted, else `NothingFound`.

use crate::erase::{TemplateOutcome, TemplateResult};
use erasure_connector_sdk::{Job, Report};
use erasure_core::events::Outcome;
use serde_json::json;

pub fn report(job: &Job, outcomes: &[TemplateOutcome]) -> Report {
    let (deleted, remaining) = totals(outcomes);
    let mut report = Report::from_counts(
        deleted,
        0,
        summary(outcomes, remaining),
        document(job, outcomes, remaining),
    );
    if let Some(o) = outcomes
        .iter()
        .find(|o| o.result == TemplateResult::NoController)
    {
        report.outcome = Outcome::FailedPermanent;
        report.detail = format!(
            "key template {} is per controller: the request names no controller",
            o.template
        );
    } else if let Some((template, kind)) = first_refused(outcomes) {
        report.outcome = Outcome::FailedPermanent;
        report.detail = format!(
            "key template {template}: the person's {} cannot be used in a key (empty, '.', '..', a path separator or a control character)",
            kind.name()
        );
    } else if remaining > 0 {
        report.outcome = Outcome::FailedRetryable;
        report.detail = format!("{remaining} objects still listed after deleting");
    }
    report
}

fn totals(outcomes: &[TemplateOutcome]) -> (u64, u64) {
    outcomes.iter().fold((0, 0), |(d, r), o| match o.result {
        TemplateResult::Erased { deleted, remaining } => (d + deleted, r + remaining),
        _ => (d, r),
    })
}

fn first_refused(outcomes: &[TemplateOutcome]) -> Option<(&str, erasure_core::IdentifierKind)> {
    outcomes.iter().find_map(|o| match o.result {
        TemplateResult::Refused(kind) => Some((o.template.as_str(), kind)),
        _ => None,
    })
}

pub fn summary(outcomes: &[TemplateOutcome], remaining: u64) -> String {
    let mut parts: Vec<String> = outcomes
        .iter()
        .map(|o| match o.result {
            TemplateResult::Erased { deleted, .. } => format!("{}: {deleted} deleted", o.template),
            TemplateResult::Absent(kind) => format!("{}: skipped (no {})", o.template, kind.name()),
            TemplateResult::Refused(kind) => format!(
                "{}: refused ({} unusable in a key)",
                o.template,
                kind.name()
            ),
            TemplateResult::NoController => {
                format!("{}: skipped (no controller)", o.template)
            }
        })
        .collect();
    parts.push(format!("{remaining} remain"));
    parts.join("; ")
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
        TemplateResult::Erased { deleted, remaining } => json!({
            "template": o.template, "status": "erased", "deleted": deleted, "remaining": remaining,
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
mod tests {
    use super::*;
    use erasure_core::IdentifierKind;

    fn job() -> Job {
        Job {
            task_id: "r1/cameras".into(),
            system_id: "cameras".into(),
            ..erasure_connector_sdk::kit::job(&erasure_core::Identifiers::default(), "r1", 1)
        }
    }

    fn outcome(template: &str, result: TemplateResult) -> TemplateOutcome {
        TemplateOutcome {
            template: template.into(),
            result,
        }
    }

    fn erased(deleted: u64, remaining: u64) -> TemplateResult {
        TemplateResult::Erased { deleted, remaining }
    }

    #[test]
    fn summarises_every_template_in_order() {
        let outcomes = [
            outcome("customers/{customer_id}/", erased(2, 0)),
            outcome(
                "by-phone/{phone}/",
                TemplateResult::Absent(IdentifierKind::Phone),
            ),
            outcome("by-email/{email}/", erased(1, 0)),
        ];
        let report = report(&job(), &outcomes);
        assert_eq!(
            report.evidence_summary,
            "customers/{customer_id}/: 2 deleted; by-phone/{phone}/: skipped (no phone); by-email/{email}/: 1 deleted; 0 remain"
        );
        assert_eq!(
            (report.outcome, report.items_affected),
            (Outcome::Erased, 3)
        );
    }

    #[test]
    fn nothing_deleted_is_nothing_found() {
        let report = report(&job(), &[outcome("c/{customer_id}/", erased(0, 0))]);
        assert_eq!(report.outcome, Outcome::NothingFound);
    }

    #[test]
    fn leftovers_are_retryable_and_a_refusal_is_permanent() {
        let leftover = report(&job(), &[outcome("c/{customer_id}/", erased(2, 1))]);
        assert_eq!(leftover.outcome, Outcome::FailedRetryable);
        assert_eq!(leftover.detail, "1 objects still listed after deleting");
        let refused = [
            outcome("c/{customer_id}/", erased(2, 0)),
            outcome("e/{email}/", TemplateResult::Refused(IdentifierKind::Email)),
        ];
        let refused = report(&job(), &refused);
        assert_eq!(refused.outcome, Outcome::FailedPermanent);
        assert!(
            refused
                .detail
                .starts_with("key template e/{email}/: the person's email cannot"),
            "{}",
            refused.detail
        );
        assert_eq!(
            refused.items_affected, 2,
            "what was deleted is still counted"
        );
    }

    #[test]
    fn the_document_is_json_per_template() {
        let outcomes = [outcome("c/{customer_id}/", erased(2, 0))];
        let doc: serde_json::Value =
            serde_json::from_slice(&document(&job(), &outcomes, 0)).expect("json");
        assert_eq!(doc["templates"][0]["deleted"], 2);
        assert_eq!(doc["templates"][0]["status"], "erased");
        assert_eq!(doc["system_id"], "cameras");
    }
}
