//! The runner with a scripted connector: idempotency, retries, refusals, pacing, publishing.

mod support;

use erasure_bus::{HandlerError, Transport, topics};
use erasure_connector_sdk::kit::{alice, date, fi_vouchers};
use erasure_connector_sdk::{Report, RunnerConfig};
use erasure_core::events::Retained;
use erasure_proof::KeyPair;
use erasure_proto::v1::{self as proto, WorkOrder};
use std::sync::Arc;
use support::{Bench, Scripted, order, order_message};

#[tokio::test]
async fn publishes_a_signed_acknowledgment_of_the_report() {
    let connector = Scripted::new([Report::from_counts(
        2,
        1,
        "t: 2 deleted",
        b"{\"t\":2}".to_vec(),
    )]);
    let bench = Bench::start(connector.clone()).await;

    bench.deliver(order(1)).await.expect("handled");

    let ack = bench.ack(0);
    assert_eq!(ack.outcome, proto::Outcome::Erased as i32);
    assert_eq!(
        (ack.items_affected, ack.completed_at_ms),
        (3, support::NOW_MS)
    );
    assert_eq!(ack.evidence_summary, "t: 2 deleted");
    assert_eq!(
        ack.evidence_digest,
        erasure_proof::sha256(b"{\"t\":2}").to_vec()
    );
    assert_eq!(connector.jobs()[0].request_id, "req-1");
}

#[tokio::test]
async fn a_retryable_failure_is_not_cached_so_the_next_delivery_erases_again() {
    let connector = Scripted::new([
        Report::failed_retryable("database busy"),
        Report::from_counts(1, 0, "", Vec::new()),
    ]);
    let bench = Bench::start(connector.clone()).await;

    bench.deliver(order(1)).await.expect("handled");
    bench.deliver(order(2)).await.expect("handled");

    assert_eq!(connector.calls(), 2);
    let (first, second) = (bench.ack(0), bench.ack(1));
    assert_eq!(first.outcome, proto::Outcome::FailedRetryable as i32);
    assert_eq!(first.detail, "database busy");
    assert_eq!(
        (second.outcome, second.attempt),
        (proto::Outcome::Erased as i32, 2)
    );
}

#[tokio::test]
async fn a_retryable_failure_redelivered_at_the_same_attempt_erases_again() {
    let connector = Scripted::new([
        Report::failed_retryable("busy"),
        Report::from_counts(1, 0, "", Vec::new()),
    ]);
    let bench = Bench::start(connector.clone()).await;

    bench.deliver(order(1)).await.expect("handled");
    bench.deliver(order(1)).await.expect("handled");

    assert_eq!(connector.calls(), 2);
    assert_eq!(bench.ack(1).outcome, proto::Outcome::Erased as i32);
}

#[tokio::test]
async fn a_final_ack_answers_its_attempt_and_older_ones_but_not_a_newer_one() {
    let connector = Scripted::new([]);
    let bench = Bench::start(connector.clone()).await;

    bench.deliver(order(2)).await.expect("attempt 2");
    bench.deliver(order(1)).await.expect("late attempt 1");
    bench.deliver(order(2)).await.expect("duplicate attempt 2");
    assert_eq!(connector.calls(), 1, "answered from the cache");
    let sent = bench.payloads();
    assert!(sent.iter().all(|p| p == &sent[0]), "replays differ");

    bench.deliver(order(3)).await.expect("attempt 3");
    assert_eq!(connector.calls(), 2, "a newer attempt erases again");
    assert_eq!(bench.ack(3).attempt, 3);
}

#[tokio::test]
async fn a_permanent_failure_is_final_and_cached() {
    let connector = Scripted::new([Report::failed_permanent("no such table: customers")]);
    let bench = Bench::start(connector.clone()).await;

    bench.deliver(order(1)).await.expect("handled");
    bench.deliver(order(1)).await.expect("handled");

    assert_eq!(connector.calls(), 1);
    assert_eq!(bench.ack(1).outcome, proto::Outcome::FailedPermanent as i32);
    assert_eq!(bench.payloads()[0], bench.payloads()[1]);
}

#[tokio::test]
async fn a_work_order_without_a_valid_identifier_is_refused_without_erasing() {
    let bad_phone = proto::Identifiers {
        phone: vec!["not a phone".into()],
        ..Default::default()
    };
    for identifiers in [None, Some(proto::Identifiers::default()), Some(bad_phone)] {
        let connector = Scripted::new([]);
        let bench = Bench::start(connector.clone()).await;
        // An order with plaintext identifiers and nothing sealed (an older coordinator's).
        let order = WorkOrder {
            identifiers,
            sealed_identifiers: Vec::new(),
            encapsulated_key: Vec::new(),
            ..order(1)
        };

        bench
            .deliver(order)
            .await
            .expect("handled: the refusal is acknowledged");

        assert_eq!(connector.calls(), 0);
        let ack = bench.ack(0);
        assert_eq!(ack.outcome, proto::Outcome::FailedPermanent as i32);
        assert_eq!(ack.detail, "work order carried no valid identifier");
    }
}

#[tokio::test]
async fn a_work_order_with_an_invalid_retention_rule_is_refused_without_erasing() {
    let connector = Scripted::new([]);
    let bench = Bench::start(connector.clone()).await;
    let mut rule = erasure_proto::v1::RetentionRule::from(&fi_vouchers());
    rule.runs_from = "whenever".into();
    let order = WorkOrder {
        holds: vec![rule],
        ..order(1)
    };

    bench
        .deliver(order)
        .await
        .expect("handled: the refusal is acknowledged");

    assert_eq!(connector.calls(), 0, "held data could have been erased");
    let ack = bench.ack(0);
    assert_eq!(ack.outcome, proto::Outcome::FailedPermanent as i32);
    assert!(
        ack.detail.starts_with(
            "work order carried an invalid retention rule or date: rule fi-kpl-vouchers: runs_from"
        ),
        "{}",
        ack.detail
    );
}

#[tokio::test]
async fn the_job_carries_the_holds_of_the_work_order() {
    let connector = Scripted::new([]);
    let bench = Bench::start(connector.clone()).await;
    let order = WorkOrder {
        holds: vec![erasure_proto::v1::RetentionRule::from(&fi_vouchers())],
        as_of: "2027-01-02".into(),
        financial_year_end: "06-30".into(),
        ..order(1)
    };

    bench.deliver(order).await.expect("handled");

    let job = &connector.jobs()[0];
    assert_eq!(job.holds, [fi_vouchers()]);
    assert_eq!(job.as_of, date("2027-01-02"));
    assert_eq!(job.financial_year_end.to_string(), "06-30");
}

/// Kept items are final for their attempt; when the holds end, the coordinator's new
/// attempt reaches the connector, which erases them.
#[tokio::test]
async fn a_retained_ack_is_cached_for_its_attempt_and_a_later_attempt_erases_again() {
    let kept = Retained {
        rule_id: "fi-kpl-vouchers".into(),
        category: "accounting-voucher".into(),
        items: 2,
        latest_reference_date: date("2026-02-10"),
        retained_until: date("2032-12-31"),
    };
    let retained = Report::retained(
        vec![kept.clone()],
        2,
        "invoices: 2 restricted",
        b"{}".to_vec(),
    );
    let connector = Scripted::new([retained]);
    let bench = Bench::start(connector.clone()).await;

    bench.deliver(order(1)).await.expect("attempt 1");
    bench.deliver(order(1)).await.expect("duplicate attempt 1");

    assert_eq!(connector.calls(), 1, "answered from the cache");
    assert_eq!(bench.payloads()[0], bench.payloads()[1]);
    let ack = bench.ack(0);
    assert_eq!(ack.outcome, proto::Outcome::Retained as i32);
    assert_eq!(ack.retained, [erasure_proto::v1::Retention::from(&kept)]);
    let evidence = bench.runner.evidence("req-1").await.expect("readable");
    assert_eq!(
        evidence.as_deref(),
        Some(&b"{}"[..]),
        "the evidence is kept"
    );

    bench
        .deliver(order(2))
        .await
        .expect("attempt 2, after the hold");
    assert_eq!(
        connector.calls(),
        2,
        "the new attempt reached the connector"
    );
    let after = bench.ack(2);
    assert_eq!(after.outcome, proto::Outcome::Erased as i32);
    assert!(after.retained.is_empty());
}

#[tokio::test]
async fn a_work_order_for_another_system_is_a_permanent_error() {
    let connector = Scripted::new([]);
    let bench = Bench::start(connector.clone()).await;
    let order = WorkOrder {
        system_id: "cameras".into(),
        ..order(1)
    };

    let verdict = bench.handle(order_message(&order)).await;

    assert!(
        matches!(verdict, Err(HandlerError::Permanent(_))),
        "{verdict:?}"
    );
    assert_eq!(connector.calls(), 0);
    assert!(bench.payloads().is_empty());
}

#[tokio::test]
async fn an_unpublishable_ack_is_transient_and_the_redelivery_sends_the_cached_one() {
    let connector = Scripted::new([]);
    let bench = Bench::start_without_ack_subscriber(connector.clone()).await;

    let verdict = bench.handle(order_message(&order(1))).await;
    assert!(
        matches!(verdict, Err(HandlerError::Transient(_))),
        "{verdict:?}"
    );

    let bench = bench.subscribe_acks().await;
    bench.deliver(order(1)).await.expect("redelivered");
    assert_eq!(connector.calls(), 1, "the redelivery erased again");
    assert_eq!(bench.ack(0).outcome, proto::Outcome::Erased as i32);
}

#[tokio::test]
async fn an_ack_refused_for_good_is_a_permanent_error() {
    let connector = Scripted::new([]);
    let bench = Bench::start_with_ack_handler(connector.clone(), Arc::new(support::Refusing)).await;

    let verdict = bench.handle(order_message(&order(1))).await;

    assert!(
        matches!(verdict, Err(HandlerError::Permanent(_))),
        "{verdict:?}"
    );
}

#[tokio::test]
async fn the_cache_file_answers_duplicates_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = RunnerConfig {
        state_path: Some(dir.path().join("state/acks.sqlite")),
        ..support::config()
    };
    let connector = Scripted::new([]);
    let first = Bench::start_with(config.clone(), connector.clone()).await;
    first.deliver(order(1)).await.expect("handled");
    let before = first.payloads();
    drop(first);

    let second = Bench::start_with(config, connector.clone()).await;
    second.deliver(order(1)).await.expect("handled");

    assert_eq!(connector.calls(), 1);
    assert_eq!(second.payloads(), before);
}

#[tokio::test]
async fn the_trace_context_travels_with_the_acknowledgment() {
    let bench = Bench::start(Scripted::new([])).await;
    let mut message = order_message(&order(1));
    message.headers.push((
        "traceparent".into(),
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
    ));
    message
        .headers
        .push(("x-unrelated".into(), "dropped".into()));

    bench.transport.send(message).await.expect("handled");

    let acks = bench.acks.messages();
    assert_eq!(acks[0].topic, topics::ACKS);
    assert_eq!(acks[0].headers.len(), 1);
    assert_eq!(acks[0].headers[0].0, "traceparent");
}

#[tokio::test]
async fn spans_and_jobs_carry_the_identifiers_only_to_the_connector() {
    let connector = Scripted::new([]);
    let bench = Bench::start(connector.clone()).await;

    bench.deliver(order(1)).await.expect("handled");

    let job = &connector.jobs()[0];
    assert_eq!(job.identifiers, alice());
    let shown = format!("{job:?}");
    for (_, value) in alice().iter() {
        assert!(!shown.contains(value), "Debug of a job shows an identifier");
    }
}

#[tokio::test]
async fn an_invalid_configuration_is_refused() {
    for config in [
        RunnerConfig {
            system_id: "CRM system".into(),
            ..support::config()
        },
        RunnerConfig {
            max_per_second: Some(0.0),
            ..support::config()
        },
        RunnerConfig {
            max_per_second: Some(f64::NAN),
            ..support::config()
        },
    ] {
        let Err(err) = Bench::try_start(config, Scripted::new([])).await else {
            panic!("an invalid configuration was accepted");
        };
        assert!(
            err.to_string().starts_with("invalid runner configuration"),
            "{err}"
        );
    }
}

// Paused time: the clock moves only when every task waits, so virtual time is exact and
// the test takes no real time. The bound follows from pacing alone: the third erasure's
// slot is two intervals after the first, which is not before the start.
#[tokio::test(start_paused = true)]
async fn pacing_spaces_erasures_and_erases_each_order_once() {
    let config = RunnerConfig {
        max_per_second: Some(2.0),
        ..support::config()
    };
    let connector = Scripted::new([]);
    let bench = Bench::start_with(config, connector.clone()).await;
    let start = tokio::time::Instant::now();

    let orders = ["req-a", "req-b", "req-c"]
        .map(|id| erasure_connector_sdk::kit::runner_cases::work_order(&alice(), id, 1));
    let results = futures_join(&bench, orders).await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let mut erased: Vec<String> = connector.jobs().into_iter().map(|j| j.request_id).collect();
    erased.sort();
    assert_eq!(erased, ["req-a", "req-b", "req-c"]);
    let times = connector.times();
    assert!(
        times[2] - start >= std::time::Duration::from_secs(1),
        "not paced: {:?}",
        times[2] - start
    );
    assert_eq!(bench.payloads().len(), 3);
}

async fn futures_join(bench: &Bench, orders: [WorkOrder; 3]) -> Vec<Result<(), HandlerError>> {
    let [a, b, c] = orders.map(|o| bench.handle(order_message(&o)));
    let (a, b, c) = tokio::join!(a, b, c);
    vec![a, b, c]
}

#[tokio::test]
async fn an_order_sealed_to_another_connector_is_refused_for_good_without_saying_who() {
    let connector = Scripted::new([]);
    let bench = Bench::start(connector.clone()).await;
    let person = alice();
    let other = KeyPair::from_seed([7; 32]);
    let order = erasure_connector_sdk::kit::runner_cases::seal_to(order(1), &person, &other);

    bench
        .deliver(order)
        .await
        .expect("handled: the refusal is acknowledged");

    assert_eq!(
        connector.calls(),
        0,
        "the connector was called without identifiers"
    );
    let ack = bench.ack(0);
    assert_eq!(ack.outcome, proto::Outcome::FailedPermanent as i32);
    assert!(
        ack.detail
            .contains("do not open with this connector's encryption key"),
        "{}",
        ack.detail
    );
    for value in person.iter().map(|(_, v)| v.to_owned()) {
        assert!(!ack.detail.contains(&value), "{}", ack.detail);
    }
}

#[tokio::test]
async fn sealed_identifiers_moved_to_another_order_are_refused() {
    let connector = Scripted::new([]);
    let bench = Bench::start(connector.clone()).await;
    let sealed_for_req_1 = order(1);
    let moved = WorkOrder {
        request_id: "req-2".into(),
        task_id: format!("req-2/{}", support::SYSTEM),
        ..sealed_for_req_1.clone()
    };
    let next_attempt = WorkOrder {
        attempt: 2,
        ..sealed_for_req_1
    };

    bench.deliver(moved).await.expect("handled");
    bench.deliver(next_attempt).await.expect("handled");

    assert_eq!(connector.calls(), 0);
    for i in 0..2 {
        let ack = bench.ack(i);
        assert_eq!(ack.outcome, proto::Outcome::FailedPermanent as i32);
        assert!(
            ack.detail.contains("bound to another request"),
            "{}",
            ack.detail
        );
    }
}
