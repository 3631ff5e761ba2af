//! Kit cases for connector kinds that report rather than erase: a backup catalog says
//! which sets may still hold a person and until when, and deletes nothing. There is no
//! data of a person to seed and nothing left to count, so their subject
//! ([`ReportSubject`]) only puts into the system something the connector must report.

use super::runner_cases::{Bench, Counting};
use super::{alice, assert_no_personal_data, assert_nothing_found, carol, job};
use crate::connector::Connector;
use async_trait::async_trait;
use erasure_bus::conformance::wait_for;
use erasure_core::events::Outcome;
use erasure_proto::v1 as proto;
use std::sync::Arc;

/// A reporting connector under test and direct access to the system it reads.
#[async_trait]
pub trait ReportSubject: Send + Sync {
    /// The connector under test.
    fn connector(&self) -> Arc<dyn Connector>;

    /// Puts into the system something the connector must report for anyone erased by the
    /// kit's jobs (for a backup catalog: a set taken before them and kept after
    /// [`AS_OF`](super::AS_OF)), without going through the connector.
    async fn populate(&self);
}

/// What a populated system holds is reported: a success that erases nothing, with a
/// summary and, for [`Outcome::InBackups`], the sets.
pub async fn a_populated_system_is_reported(subject: &dyn ReportSubject) {
    subject.populate().await;
    let person = alice();

    let report = subject
        .connector()
        .erase(&job(&person, "req-report", 1))
        .await;

    assert!(
        report.outcome.is_success(),
        "outcome {:?}, detail {:?}",
        report.outcome,
        report.detail
    );
    assert!(
        !matches!(
            report.outcome,
            Outcome::Erased | Outcome::Anonymised | Outcome::NothingFound
        ),
        "outcome {:?}: a populated system has something to report",
        report.outcome
    );
    assert_eq!(
        report.items_affected, 0,
        "a reporting connector erases nothing"
    );
    assert!(!report.evidence_summary.is_empty(), "no evidence summary");
    if report.outcome == Outcome::InBackups {
        assert!(!report.backups.is_empty(), "in backups, but no set named");
    }
    assert_no_personal_data(&report, &person);
}

/// The same order again gives the same answer, as long as the system did not change.
pub async fn reporting_twice_gives_the_same_answer(subject: &dyn ReportSubject) {
    subject.populate().await;
    let (person, connector) = (alice(), subject.connector());

    let first = connector.erase(&job(&person, "req-report-twice", 1)).await;
    let second = connector.erase(&job(&person, "req-report-twice", 2)).await;

    assert!(first.outcome.is_success(), "first: {:?}", first.detail);
    assert_eq!(second.outcome, first.outcome, "detail {:?}", second.detail);
    assert_eq!(second.backups, first.backups);
    assert_eq!(second.retained, first.retained);
    assert_eq!(second.evidence_summary, first.evidence_summary);
    assert_eq!(second.items_affected, 0);
    assert_no_personal_data(&second, &person);
}

/// A system with nothing to report is "nothing found", which is a success.
pub async fn an_empty_system_is_nothing_found(subject: &dyn ReportSubject) {
    let person = carol();

    let report = subject
        .connector()
        .erase(&job(&person, "req-report-empty", 1))
        .await;

    assert_nothing_found(&report, &person);
    assert!(report.backups.is_empty());
}

/// Behind a runner, the acknowledgment verifies and carries the report: outcome, sets and
/// the digest of the evidence the runner keeps.
pub async fn the_runner_signs_the_report(subject: &dyn ReportSubject) {
    subject.populate().await;
    let person = alice();
    let expected = subject
        .connector()
        .erase(&job(&person, "req-report-signed", 1))
        .await;
    let bench = Bench::start(subject.connector()).await;

    bench.deliver(&person, "req-report-signed", 1).await;

    let acks = wait_for(&bench.acks, 1).await;
    let ack = bench.verify(&acks[0]);
    assert_eq!(ack.request_id, "req-report-signed");
    assert_eq!(ack.outcome, proto::Outcome::from(expected.outcome) as i32);
    assert_eq!(ack.items_affected, 0);
    let backups: Vec<proto::BackupCopy> = expected.backups.iter().map(Into::into).collect();
    assert_eq!(ack.backups, backups);
    assert_eq!(ack.evidence_summary, expected.evidence_summary);
    let evidence = bench.runner.evidence("req-report-signed").await;
    let evidence = evidence
        .expect("cache readable")
        .expect("a report is final: kept");
    assert_eq!(
        ack.evidence_digest,
        erasure_proof::sha256(&evidence).to_vec()
    );
}

/// A report is final: a duplicate work order is answered from the cache, byte for byte.
pub async fn a_duplicate_order_replays_the_report(subject: &dyn ReportSubject) {
    subject.populate().await;
    let person = alice();
    let counting = Arc::new(Counting::new(subject.connector()));
    let bench = Bench::start(counting.clone()).await;

    bench.deliver(&person, "req-report-duplicate", 1).await;
    bench.deliver(&person, "req-report-duplicate", 1).await;

    let acks = wait_for(&bench.acks, 2).await;
    assert_eq!(acks.len(), 2, "every delivery is acknowledged");
    assert_eq!(
        acks[0].payload, acks[1].payload,
        "the replayed acknowledgment differs"
    );
    assert_eq!(counting.calls(), 1, "the connector was asked twice");
    bench.verify(&acks[1]);
}
