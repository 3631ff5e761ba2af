//! Kit cases for failures, for any kind whose tests can break its system: one that cannot
//! be reached now is a retryable failure (asked again, never cached), one that does not
//! match the configuration a permanent failure (final, replayed from the cache). Either
//! way the acknowledgment is signed and no identifier is in the report.

use super::runner_cases::{Bench, Counting};
use super::{alice, assert_no_personal_data, job};
use crate::connector::Connector;
use async_trait::async_trait;
use erasure_bus::conformance::wait_for;
use erasure_core::events::Outcome;
use erasure_proto::v1 as proto;
use std::sync::Arc;

/// Connectors over a broken system.
#[async_trait]
pub trait FailingSubject: Send + Sync {
    /// A connector whose system cannot be reached now (a database server that is down or
    /// busy, a file that cannot be opened).
    async fn unreachable(&self) -> Arc<dyn Connector>;

    /// A connector whose configuration does not match its system (a missing table or
    /// column): retrying cannot help.
    async fn mismatched(&self) -> Arc<dyn Connector>;
}

/// An unreachable system is a retryable failure, which is not final.
pub async fn an_unreachable_system_is_a_retryable_failure(subject: &dyn FailingSubject) {
    let person = alice();

    let report = subject
        .unreachable()
        .await
        .erase(&job(&person, "req-unreachable", 1))
        .await;

    assert_eq!(
        report.outcome,
        Outcome::FailedRetryable,
        "detail {:?}",
        report.detail
    );
    assert!(!report.is_final());
    assert!(!report.detail.is_empty(), "a failure says why");
    assert_no_personal_data(&report, &person);
}

/// A configuration that does not match the system is a permanent failure.
pub async fn a_mismatched_configuration_is_a_permanent_failure(subject: &dyn FailingSubject) {
    let person = alice();

    let report = subject
        .mismatched()
        .await
        .erase(&job(&person, "req-mismatched", 1))
        .await;

    assert_eq!(
        report.outcome,
        Outcome::FailedPermanent,
        "detail {:?}",
        report.detail
    );
    assert!(report.is_final());
    assert!(!report.detail.is_empty(), "a failure says why");
    assert_no_personal_data(&report, &person);
}

/// Behind a runner, a retryable failure is signed and not cached: the same order again
/// asks the connector again.
pub async fn a_retryable_failure_is_signed_and_asked_again(subject: &dyn FailingSubject) {
    let counting = Arc::new(Counting::new(subject.unreachable().await));
    let bench = Bench::start(counting.clone()).await;

    bench.deliver(&alice(), "req-retry", 1).await;
    bench.deliver(&alice(), "req-retry", 1).await;

    let acks = wait_for(&bench.acks, 2).await;
    assert_eq!(acks.len(), 2, "every delivery is acknowledged");
    for message in &acks {
        let ack = bench.verify(message);
        assert_eq!(ack.outcome, proto::Outcome::FailedRetryable as i32);
    }
    assert_eq!(
        counting.calls(),
        2,
        "a retryable failure was answered from the cache"
    );
}

/// Behind a runner, a permanent failure is signed and final: the same order again is
/// answered from the cache.
pub async fn a_permanent_failure_is_signed_and_replayed(subject: &dyn FailingSubject) {
    let counting = Arc::new(Counting::new(subject.mismatched().await));
    let bench = Bench::start(counting.clone()).await;

    bench.deliver(&alice(), "req-permanent", 1).await;
    bench.deliver(&alice(), "req-permanent", 1).await;

    let acks = wait_for(&bench.acks, 2).await;
    assert_eq!(acks.len(), 2, "every delivery is acknowledged");
    assert_eq!(
        acks[0].payload, acks[1].payload,
        "the replayed acknowledgment differs"
    );
    let ack = bench.verify(&acks[0]);
    assert_eq!(ack.outcome, proto::Outcome::FailedPermanent as i32);
    assert_eq!(counting.calls(), 1, "a permanent failure was not cached");
}
