//! Identity resolution, given / when / then: systems that resolve are asked first, every
//! system erases once every resolution is in; a failed resolution fails the request until
//! an operator retries it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use erasure_core::decide::{self, AckRejection, Now, Policy, ResolutionAnswer};
use erasure_core::events::{
    AckAccepted, Event, Outcome, Purpose, RequestReceived, Resolved, SignedAck,
};
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_core::{Effect, IdentifierKind, RequestState, RequestStatus, SystemId, TaskStatus};

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).expect("time")
}

fn now() -> Now {
    Now::exactly(t0())
}

/// A CRM and a ticketing system that resolve, and cameras that only erase.
fn inventory() -> Inventory {
    Inventory::new(
        [("crm", true), ("tickets", true), ("cameras", false)].map(|(id, resolves)| SystemSpec {
            id: id.into(),
            categories: vec![],
            resolves,
            ..SystemSpec::default()
        }),
    )
}

fn received() -> RequestReceived {
    RequestReceived {
        disclose_recipients: false,
        submitted_by: Default::default(),
        request_id: "r1".into(),
        received_at: t0(),
        deadline: NaiveDate::from_ymd_opt(2026, 10, 21).expect("date"),
        jurisdiction: "FI".into(),
        channel: "phone".into(),
        verified_by: "agent".into(),
        scope: vec![],
        sealed_identifiers: vec![1],
        blind_index: vec![vec![2]],
        idempotency_key_hash: vec![],
        identifier_commitment: vec![3],
        controller: None,
    }
}

fn given(events: &[Event]) -> RequestState {
    RequestState::replay(events).expect("stream starts with RequestReceived")
}

fn submitted() -> Vec<Event> {
    decide::receive(None, received(), &inventory(), &Policy::default(), t0())
        .expect("accepted")
        .events
}

fn found(system: &str, attempt: u32, new_customers: u32) -> ResolutionAnswer {
    ResolutionAnswer::Found(Resolved {
        task_id: format!("r1/{system}").as_str().into(),
        system_id: system.into(),
        attempt,
        found: vec![(IdentifierKind::CustomerId, new_customers)],
        sealed_identifiers: vec![9, system.len() as u8],
        at: t0(),
    })
}

fn failed(system: &str, attempt: u32, permanent: bool) -> ResolutionAnswer {
    ResolutionAnswer::Failed {
        task_id: format!("r1/{system}").as_str().into(),
        system_id: system.into(),
        attempt,
        permanent,
        detail: "table customers: no such table".into(),
    }
}

fn answer(history: &mut Vec<Event>, a: ResolutionAnswer) -> Vec<Effect> {
    let d =
        decide::accept_resolution(&given(history), a, &Policy::default(), now()).expect("accepted");
    history.extend(d.events);
    d.effects
}

/// (system, attempt, purpose) of every dispatch.
fn dispatches(effects: &[Effect]) -> Vec<(String, u32, Purpose)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Dispatch {
                system_id,
                attempt,
                purpose,
                ..
            } => Some((system_id.to_string(), *attempt, *purpose)),
            _ => None,
        })
        .collect()
}

fn ack(system: &str, attempt: u32) -> AckAccepted {
    AckAccepted {
        reference: String::new(),
        follow_up_at: None,
        backups: Vec::new(),
        task_id: format!("r1/{system}").as_str().into(),
        system_id: system.into(),
        attempt,
        outcome: Outcome::Erased,
        items_affected: 1,
        evidence_summary: String::new(),
        detail: String::new(),
        retained: vec![],
        signed: SignedAck {
            ack: vec![],
            signature: vec![],
            key_id: "k".into(),
        },
        at: t0(),
    }
}

#[test]
fn only_the_resolving_systems_are_asked_first() {
    let d = decide::receive(None, received(), &inventory(), &Policy::default(), t0())
        .expect("accepted");
    assert_eq!(
        dispatches(&d.effects),
        [
            ("crm".to_owned(), 1, Purpose::Resolve),
            ("tickets".to_owned(), 1, Purpose::Resolve)
        ]
    );
    let state = given(&d.events);
    assert_eq!(
        state.tasks[&SystemId::new("cameras")].attempt,
        0,
        "cameras wait"
    );
    assert!(
        state.next_timer(&[], None).is_some(),
        "resolutions have timers"
    );
}

#[test]
fn every_system_erases_once_every_resolution_is_in_with_the_full_set() {
    let mut history = submitted();
    assert!(dispatches(&answer(&mut history, found("crm", 1, 2))).is_empty());
    let effects = answer(&mut history, found("tickets", 1, 0));
    assert_eq!(
        dispatches(&effects),
        [
            ("cameras".to_owned(), 1, Purpose::Erase),
            ("crm".to_owned(), 2, Purpose::Erase),
            ("tickets".to_owned(), 2, Purpose::Erase),
        ]
    );
    let state = given(&history);
    assert_eq!(
        state.resolved_identifiers,
        Some(vec![9, 7]),
        "tickets' set is the latest"
    );
    assert_eq!(
        state.resolutions,
        [
            ("crm".into(), vec![(IdentifierKind::CustomerId, 2)]),
            ("tickets".into(), vec![(IdentifierKind::CustomerId, 0)]),
        ]
    );
    assert_eq!(
        state.tasks[&SystemId::new("crm")].attempts_used(),
        1,
        "erasing starts a new budget"
    );
}

#[test]
fn an_erasure_answer_during_resolution_and_a_duplicate_resolution_are_not_counted() {
    let mut history = submitted();
    let state = given(&history);
    let early = decide::accept_ack(&state, ack("crm", 1), &Policy::default(), now());
    assert_eq!(early, Err(AckRejection::NotErasing));
    answer(&mut history, found("crm", 1, 2));
    let again = decide::accept_resolution(
        &given(&history),
        found("crm", 1, 2),
        &Policy::default(),
        now(),
    );
    assert_eq!(again.map(|d| d.events), Ok(vec![]));
    answer(&mut history, found("tickets", 1, 1));
    // Erasing has begun (attempt 2): a late copy of the answer is stale, harmless; an
    // answer for the erasing attempt is out of turn.
    let state = given(&history);
    let late = decide::accept_resolution(&state, found("crm", 1, 2), &Policy::default(), now());
    assert_eq!(late, Err(AckRejection::StaleAttempt { got: 1, current: 2 }));
    let out_of_turn =
        decide::accept_resolution(&state, found("crm", 2, 2), &Policy::default(), now());
    assert_eq!(out_of_turn, Err(AckRejection::NotResolving));
}

#[test]
fn a_failed_resolution_fails_the_request_and_a_retry_resolves_again() {
    let mut history = submitted();
    let effects = answer(&mut history, failed("crm", 1, false));
    assert_eq!(
        dispatches(&effects),
        [("crm".to_owned(), 2, Purpose::Resolve)]
    );
    answer(&mut history, failed("crm", 2, true));
    let state = given(&history);
    assert_eq!(state.status, RequestStatus::Failed);
    assert_eq!(
        state.tasks[&SystemId::new("crm")].status,
        TaskStatus::Failed
    );
    assert_eq!(
        state.tasks[&SystemId::new("cameras")].attempt,
        0,
        "nothing was erased"
    );

    let retried = decide::retry(
        &state,
        None,
        "table restored",
        &by(),
        &Policy::default(),
        t0(),
    )
    .expect("retry");
    assert_eq!(
        dispatches(&retried.effects),
        [("crm".to_owned(), 3, Purpose::Resolve)]
    );
    history.extend(retried.events);
    assert_eq!(given(&history).status, RequestStatus::InProgress);
    answer(&mut history, found("tickets", 1, 0));
    let effects = answer(&mut history, found("crm", 3, 1));
    assert_eq!(dispatches(&effects).len(), 3, "then every system erases");
}

#[test]
fn an_unanswered_resolution_is_asked_again_then_fails_the_request() {
    let mut history = submitted();
    let policy = Policy::default();
    let mut at = t0();
    for _ in 0..policy.retry.max_attempts {
        at += policy.retry.answer_timeout + Duration::minutes(30);
        let d = decide::tick(&given(&history), &policy, Now::exactly(at));
        history.extend(d.events);
    }
    let state = given(&history);
    assert_eq!(state.status, RequestStatus::Failed);
    let failed: Vec<_> = state
        .tasks
        .values()
        .filter(|t| t.status == TaskStatus::Failed)
        .map(|t| t.system_id.to_string())
        .collect();
    assert_eq!(failed, ["crm", "tickets"]);
    assert_eq!(
        state.tasks[&SystemId::new("cameras")].attempt,
        0,
        "nothing was erased"
    );
}

fn by() -> erasure_core::access::Actor {
    erasure_core::access::Actor::new("sam", erasure_core::access::Role::Supervisor)
}
