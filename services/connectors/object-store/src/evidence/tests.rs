use super::*;
use crate::backend::Counts;
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
    TemplateResult::Erased(Counts {
        deleted,
        remaining,
        ..Counts::default()
    })
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

#[test]
fn delete_markers_are_counted_apart_from_the_data() {
    let counts = Counts {
        deleted: 3,
        delete_markers: 2,
        ..Counts::default()
    };
    let outcomes = [outcome("c/{customer_id}/", TemplateResult::Erased(counts))];
    let report = report(&job(), &outcomes);
    assert_eq!(
        report.evidence_summary,
        "c/{customer_id}/: 3 deleted, 2 delete markers removed; 0 remain"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 3)
    );
    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("json");
    assert_eq!(doc["templates"][0]["delete_markers"], 2);
}

#[test]
fn a_symbolic_link_not_followed_is_permanent_and_says_so() {
    let counts = Counts {
        deleted: 2,
        links: 1,
        ..Counts::default()
    };
    let outcomes = [outcome("c/{customer_id}/", TemplateResult::Erased(counts))];
    let report = report(&job(), &outcomes);
    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert!(
        report
            .detail
            .starts_with("key template c/{customer_id}/: 1 symbolic links under the person's prefixes were not followed"),
        "{}",
        report.detail
    );
    assert_eq!(
        report.evidence_summary,
        "c/{customer_id}/: 2 deleted, 1 symbolic links not followed; 0 remain"
    );
    assert_eq!(report.items_affected, 2);
}
