//! The request state machine, given / when / then: given these events, when this command,
//! then these events (or this refusal).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use erasure_core::decide::{self, AckRejection, Now, Policy, RetryPolicy};
use erasure_core::events::{AckAccepted, AckRejected, Event, Outcome, RequestReceived, SignedAck};
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_core::{Decision, Effect, Rejection, RequestState, RequestStatus, TaskStatus};

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).expect("time")
}

fn now() -> Now {
    Now::exactly(t0())
}

fn inventory() -> Inventory {
    Inventory::new(["crm", "cameras"].map(|id| SystemSpec {
        id: id.into(),
        categories: vec!["contact".into()],
        resolves: false,
        ..SystemSpec::default()
    }))
}

fn policy() -> Policy {
    Policy {
        warn_before_days: vec![7, 1],
        default_jurisdiction: None,
        ..Policy::default()
    }
}

fn received(scope: &[&str]) -> RequestReceived {
    RequestReceived {
        disclose_recipients: false,
        submitted_by: Default::default(),
        request_id: "r1".into(),
        received_at: t0(),
        deadline: NaiveDate::from_ymd_opt(2026, 10, 21).expect("date"),
        jurisdiction: "FI".into(),
        channel: "phone".into(),
        verified_by: "agent".into(),
        scope: scope.iter().map(|s| (*s).into()).collect(),
        sealed_identifiers: vec![1],
        blind_index: vec![vec![2]],
        idempotency_key_hash: vec![],
        identifier_commitment: vec![3],
        controller: None,
    }
}

fn ack(system: &str, attempt: u32, outcome: Outcome) -> AckAccepted {
    AckAccepted {
        reference: String::new(),
        follow_up_at: None,
        backups: Vec::new(),
        task_id: format!("r1/{system}").as_str().into(),
        system_id: system.into(),
        attempt,
        outcome,
        items_affected: 1,
        evidence_summary: String::new(),
        detail: String::new(),
        retained: vec![],
        signed: SignedAck {
            ack: vec![attempt as u8],
            signature: vec![],
            key_id: "k".into(),
        },
        at: t0(),
    }
}

/// Given a history, the state it folds to.
fn given(events: &[Event]) -> RequestState {
    RequestState::replay(events).expect("stream starts with RequestReceived")
}

/// The events of a new request over the two systems, as `receive` decides them.
fn submitted() -> Vec<Event> {
    decide::receive(None, received(&[]), &inventory(), &policy(), t0())
        .expect("accepted")
        .events
}

fn with(mut history: Vec<Event>, more: Decision) -> Vec<Event> {
    history.extend(more.events);
    history
}

#[test]
fn receiving_plans_one_task_per_system_and_dispatches_each() {
    let d = decide::receive(None, received(&[]), &inventory(), &policy(), t0()).expect("accepted");
    let types: Vec<_> = d.events.iter().map(Event::type_name).collect();
    assert_eq!(
        types,
        [
            "RequestReceived",
            "ErasurePlanned",
            "TaskDispatched",
            "TaskDispatched"
        ]
    );
    let dispatched: Vec<_> = d
        .effects
        .iter()
        .map(|e| match e {
            Effect::Dispatch {
                system_id, attempt, ..
            } => (system_id.to_string(), *attempt),
            other => panic!("only dispatches, got {other:?}"),
        })
        .collect();
    assert_eq!(
        dispatched,
        [("cameras".to_string(), 1), ("crm".to_string(), 1)]
    );
    let state = given(&d.events);
    assert_eq!(state.status, RequestStatus::InProgress);
    assert!(
        state
            .tasks
            .values()
            .all(|t| t.status == TaskStatus::Pending && t.attempt == 1)
    );
}

#[test]
fn a_scope_limits_the_plan_and_an_unknown_system_is_refused() {
    let d =
        decide::receive(None, received(&["crm"]), &inventory(), &policy(), t0()).expect("accepted");
    assert_eq!(given(&d.events).tasks.len(), 1);
    let refused = decide::receive(
        None,
        received(&["crm", "ledger"]),
        &inventory(),
        &policy(),
        t0(),
    );
    assert_eq!(refused, Err(Rejection::UnknownSystem("ledger".into())));
}

#[test]
fn a_request_cannot_be_received_twice_nor_with_a_bad_jurisdiction() {
    let state = given(&submitted());
    assert_eq!(
        decide::receive(Some(&state), received(&[]), &inventory(), &policy(), t0()),
        Err(Rejection::AlreadyExists)
    );
    let mut bad = received(&[]);
    bad.jurisdiction = "Finland".into();
    assert_eq!(
        decide::receive(None, bad, &inventory(), &policy(), t0()),
        Err(Rejection::InvalidJurisdiction)
    );
}

#[test]
fn a_request_names_one_of_the_declared_controllers_or_none_when_none_are_declared() {
    let for_controller = |c: Option<&str>| RequestReceived {
        controller: c.map(str::to_owned),
        ..received(&[])
    };
    let processor = inventory().with_controllers(["acme".to_owned(), "globex".to_owned()]);
    let d = decide::receive(
        None,
        for_controller(Some("acme")),
        &processor,
        &policy(),
        t0(),
    )
    .expect("accepted");
    assert_eq!(
        given(&d.events).received.controller.as_deref(),
        Some("acme")
    );
    for (controller, inventory, want) in [
        (
            None,
            &processor,
            Rejection::ControllerRequired("acme, globex".into()),
        ),
        (
            Some("initech"),
            &processor,
            Rejection::UnknownController("initech".into(), "acme, globex".into()),
        ),
        (Some("acme"), &inventory(), Rejection::NoControllers),
    ] {
        let refused = decide::receive(None, for_controller(controller), inventory, &policy(), t0());
        assert_eq!(refused, Err(want));
    }
}

#[test]
fn the_last_successful_answer_completes_the_request_and_asks_for_a_certificate() {
    let history = submitted();
    let first = decide::accept_ack(
        &given(&history),
        ack("crm", 1, Outcome::Erased),
        &policy(),
        now(),
    )
    .expect("ok");
    assert_eq!(first.events.len(), 1, "one answer of two: not complete yet");
    assert!(first.effects.is_empty());
    let history = with(history, first);
    let last = decide::accept_ack(
        &given(&history),
        ack("cameras", 1, Outcome::NothingFound),
        &policy(),
        now(),
    )
    .expect("ok");
    let types: Vec<_> = last.events.iter().map(Event::type_name).collect();
    assert_eq!(types, ["AckAccepted", "RequestCompleted"]);
    assert_eq!(last.effects, [Effect::IssueCertificate]);
    assert_eq!(given(&with(history, last)).status, RequestStatus::Completed);
}

#[test]
fn a_duplicate_answer_decides_nothing() {
    let history = submitted();
    let once = decide::accept_ack(
        &given(&history),
        ack("crm", 1, Outcome::Erased),
        &policy(),
        now(),
    )
    .expect("ok");
    let history = with(history, once);
    let again = decide::accept_ack(
        &given(&history),
        ack("crm", 1, Outcome::Erased),
        &policy(),
        now(),
    )
    .expect("ok");
    assert_eq!(again, Decision::default());
}

#[test]
fn a_retryable_failure_schedules_the_next_attempt_with_backoff() {
    let history = submitted();
    let d = decide::accept_ack(
        &given(&history),
        ack("crm", 1, Outcome::FailedRetryable),
        &policy(),
        now(),
    )
    .expect("ok");
    let types: Vec<_> = d.events.iter().map(Event::type_name).collect();
    assert_eq!(
        types,
        ["AckAccepted", "TaskRetryScheduled", "TaskDispatched"]
    );
    assert!(
        matches!(&d.effects[..], [Effect::Dispatch { attempt: 2, not_before, .. }] if *not_before == t0() + Duration::seconds(1))
    );
    let state = given(&with(history, d));
    assert_eq!(state.tasks[&"crm".into()].status, TaskStatus::Pending);
    assert_eq!(state.tasks[&"crm".into()].attempt, 2);
    // A late answer to attempt 1 no longer counts.
    let late = decide::accept_ack(&state, ack("crm", 1, Outcome::Erased), &policy(), now());
    assert_eq!(late, Err(AckRejection::StaleAttempt { got: 1, current: 2 }));
}

#[test]
fn running_out_of_attempts_or_a_permanent_failure_fails_the_request() {
    let one_attempt = Policy {
        retry: RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
        ..policy()
    };
    let history = submitted();
    let d = decide::accept_ack(
        &given(&history),
        ack("crm", 1, Outcome::FailedRetryable),
        &one_attempt,
        now(),
    )
    .expect("ok");
    assert_eq!(d.events.len(), 1, "no retry left");
    let history = with(history, d);
    let d = decide::accept_ack(
        &given(&history),
        ack("cameras", 1, Outcome::Erased),
        &one_attempt,
        now(),
    )
    .expect("ok");
    assert!(
        matches!(d.events.last(), Some(Event::RequestFailed { failed_systems, .. }) if failed_systems == &["crm".into()])
    );
    assert!(d.effects.is_empty(), "no certificate for a failed request");

    let history = submitted();
    let d = decide::accept_ack(
        &given(&history),
        ack("crm", 1, Outcome::FailedPermanent),
        &policy(),
        now(),
    )
    .expect("ok");
    assert_eq!(d.events.len(), 1, "a permanent failure is not retried");
}

#[test]
fn an_answer_for_an_unknown_system_or_task_is_refused() {
    let state = given(&submitted());
    let refused = decide::accept_ack(&state, ack("ledger", 1, Outcome::Erased), &policy(), now());
    assert_eq!(refused, Err(AckRejection::UnknownTask("ledger".into())));
    let mut wrong_task = ack("crm", 1, Outcome::Erased);
    wrong_task.task_id = "r2/crm".into();
    assert_eq!(
        decide::accept_ack(&state, wrong_task, &policy(), now()),
        Err(AckRejection::TaskMismatch)
    );
}

#[test]
fn rejections_are_recorded_but_never_counted() {
    let history = submitted();
    let d = decide::reject_ack(AckRejected {
        system_id: "crm".into(),
        key_id: "rogue".into(),
        reason: "bad signature".into(),
        message_digest: vec![],
        at: t0(),
    });
    let state = given(&with(history, d));
    assert_eq!(state.rejected_acks, 1);
    assert_eq!(state.tasks[&"crm".into()].status, TaskStatus::Pending);
}

#[test]
fn exactly_one_certificate_and_only_when_completed() {
    let history = submitted();
    assert_eq!(
        decide::issue_certificate(&given(&history), vec![1], vec![2], t0()),
        Err(Rejection::NotCompleted)
    );
    let mut history = history;
    for system in ["crm", "cameras"] {
        let d = decide::accept_ack(
            &given(&history),
            ack(system, 1, Outcome::Erased),
            &policy(),
            now(),
        )
        .expect("ok");
        history = with(history, d);
    }
    let issued =
        decide::issue_certificate(&given(&history), vec![1], vec![2], t0()).expect("first");
    let history = with(history, issued);
    assert!(given(&history).certificate.is_some());
    assert_eq!(
        decide::issue_certificate(&given(&history), vec![1], vec![2], t0()),
        Err(Rejection::CertificateAlreadyIssued)
    );
}
