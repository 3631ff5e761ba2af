//! The object-store connector on a local directory, beyond the conformance kit: evidence,
//! prefix boundaries, empty directories, and never leaving the root.

mod support;

use erasure_connector_sdk::kit::{
    KitSubject, alice, assert_no_personal_data, fi_vouchers, held_job, job,
};
use erasure_connector_sdk::{Connector, Report};
use erasure_core::events::Outcome;
use erasure_core::{IdentifierKind, Identifiers};
use support::{Cameras, cameras, count_files};

fn customer(id: &str) -> Identifiers {
    Identifiers::unchecked([(IdentifierKind::CustomerId, id)])
}

async fn erase(subject: &Cameras, person: &Identifiers) -> Report {
    subject.connector.erase(&job(person, "req-1", 1)).await
}

#[tokio::test]
async fn the_summary_counts_each_template() {
    let subject = cameras().await;
    subject.seed(&alice()).await;

    let report = erase(&subject, &alice()).await;

    assert_eq!(
        report.evidence_summary,
        "customers/{customer_id}/: 3 deleted; by-email/{email}/: 1 deleted; 0 remain"
    );
    assert_eq!(
        (report.outcome, report.items_affected),
        (Outcome::Erased, 4)
    );
    let doc: serde_json::Value = serde_json::from_slice(&report.evidence).expect("json");
    assert_eq!(doc["templates"][0]["deleted"], 3);
}

#[tokio::test]
async fn a_job_with_legal_holds_is_refused_and_nothing_is_deleted() {
    let subject = cameras().await;
    subject.seed(&alice()).await;
    let before = subject.remaining(&alice()).await;

    let job = held_job(&alice(), "req-held", vec![fi_vouchers()], "2026-11-20");
    let report = subject.connector.erase(&job).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(
        report.detail,
        "the object-store connector cannot restrict data kept under a legal hold (rules fi-kpl-vouchers), so it erased nothing: this system must not declare a held category"
    );
    assert!(report.retained.is_empty());
    assert_no_personal_data(&report, &alice());
    assert_eq!(
        subject.remaining(&alice()).await,
        before,
        "held data was deleted"
    );
}

#[tokio::test]
async fn directories_named_after_the_person_are_removed_too() {
    let subject = cameras().await;
    subject.seed(&alice()).await;

    erase(&subject, &alice()).await;

    for dir in subject.person_dirs(&alice()) {
        assert!(
            !dir.exists(),
            "an empty directory named after the person is left"
        );
    }
}

#[tokio::test]
async fn a_prefix_ends_at_its_segment() {
    let subject = cameras().await;
    subject.write("customers/C-1/a.jpg", b"x");
    subject.write("customers/C-10/b.jpg", b"x");
    subject.write("customers/C-1.jpg", b"x");

    let report = erase(&subject, &customer("C-1")).await;

    assert_eq!(report.items_affected, 1);
    assert_eq!(
        count_files(&subject.root().join("customers")),
        2,
        "a neighbour's objects went"
    );
}

#[tokio::test]
async fn a_template_without_the_persons_identifier_is_skipped() {
    let subject = cameras().await;
    subject.write("customers/C-7/a.jpg", b"x");

    let report = erase(&subject, &customer("C-7")).await;

    assert_eq!(report.outcome, Outcome::Erased);
    assert_eq!(
        report.evidence_summary,
        "customers/{customer_id}/: 1 deleted; by-email/{email}/: skipped (no email); 0 remain"
    );
}

#[tokio::test]
async fn values_that_would_leave_the_root_are_refused_and_nothing_outside_is_touched() {
    let subject = cameras().await;
    let outside = subject.dir.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("secret.txt"), b"keep").expect("write");
    subject.write("customers/keep.jpg", b"keep");

    for hostile in [
        "..",
        ".",
        "",
        "../../outside",
        "..\\..\\outside",
        "x/../../outside",
    ] {
        let person = customer(hostile);
        let report = erase(&subject, &person).await;

        assert_eq!(
            report.outcome,
            Outcome::FailedPermanent,
            "{hostile:?}: {}",
            report.detail
        );
        assert!(
            report
                .detail
                .contains("customer_id cannot be used in a key"),
            "{}",
            report.detail
        );
        assert_eq!(report.items_affected, 0);
        if hostile.len() > 2 {
            assert_no_personal_data(&report, &person);
        }
    }
    assert!(outside.join("secret.txt").exists());
    assert_eq!(
        count_files(&subject.root()),
        1,
        "something under the root was deleted"
    );
}

#[tokio::test]
async fn an_email_with_a_path_separator_is_refused_but_other_templates_still_run() {
    let subject = cameras().await;
    subject.write("customers/C-9/a.jpg", b"x");
    subject.write("by-email/a/b@example.com/upload.png", b"x");
    let person = Identifiers::unchecked([
        (IdentifierKind::Email, "a/b@example.com"),
        (IdentifierKind::CustomerId, "C-9"),
    ]);

    let report = erase(&subject, &person).await;

    assert_eq!(report.outcome, Outcome::FailedPermanent);
    assert_eq!(
        report.items_affected, 1,
        "the customer's objects were erased"
    );
    assert_eq!(
        count_files(&subject.root().join("by-email")),
        1,
        "left for a person to handle"
    );
    assert_no_personal_data(&report, &person);
}
