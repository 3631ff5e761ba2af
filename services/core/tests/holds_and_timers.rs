//! Legal holds, timers, deadline extensions and operator retries, given / when / then.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use erasure_core::decide::{self, AckRejection, Now, Policy, RetryPolicy};
use erasure_core::events::{AckAccepted, Event, Outcome, RequestReceived, Retained, SignedAck};
use erasure_core::inventory::{Inventory, SystemSpec};
use erasure_core::retention::RuleBook;
use erasure_core::{
    Decision, Effect, Rejection, RequestState, RequestStatus, TaskStatus, deadline,
};

/// The shipped rules: these tests also check that they hold what the README says.
const RULES: &str = include_str!("../../../deploy/rules/retention.toml");

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("time")
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Received 2026-11-22 10:00 UTC: due 2026-12-22.
fn t0() -> DateTime<Utc> {
    at(2026, 11, 22, 10)
}

fn policy() -> Policy {
    Policy {
        rules: RuleBook::from_toml(RULES).expect("rules"),
        warn_before_days: vec![7, 1],
        default_jurisdiction: None,
        retry: RetryPolicy {
            max_attempts: 3,
            answer_timeout: Duration::minutes(30),
            ..RetryPolicy::default()
        },
        ..Policy::default()
    }
}

fn inventory() -> Inventory {
    Inventory::new([
        SystemSpec {
            id: "crm".into(),
            categories: vec!["contact".into()],
            resolves: false,
            ..SystemSpec::default()
        },
        SystemSpec {
            id: "billing".into(),
            categories: vec!["accounting-voucher".into()],
            resolves: false,
            ..SystemSpec::default()
        },
    ])
}

fn received(jurisdiction: &str) -> RequestReceived {
    RequestReceived {
        disclose_recipients: false,
        submitted_by: Default::default(),
        request_id: "r1".into(),
        received_at: t0(),
        deadline: deadline::deadline_for(t0().date_naive()),
        jurisdiction: jurisdiction.into(),
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

fn ack(system: &str, attempt: u32, outcome: Outcome, retained: Vec<Retained>) -> AckAccepted {
    AckAccepted {
        reference: String::new(),
        follow_up_at: None,
        backups: Vec::new(),
        task_id: format!("r1/{system}").as_str().into(),
        system_id: system.into(),
        attempt,
        outcome,
        items_affected: 2,
        evidence_summary: String::new(),
        detail: String::new(),
        retained,
        signed: SignedAck {
            ack: vec![attempt as u8],
            signature: vec![],
            key_id: "k".into(),
        },
        at: t0(),
    }
}

fn vouchers(latest: &str, until: &str) -> Vec<Retained> {
    vec![Retained {
        rule_id: "fi-kpl-vouchers".into(),
        category: "accounting-voucher".into(),
        items: 2,
        latest_reference_date: date(latest),
        retained_until: date(until),
    }]
}

/// A history and the state it folds to, grown one decision at a time.
struct Story(Vec<Event>, Policy);

impl Story {
    fn submitted(jurisdiction: &str) -> Self {
        Self::submitted_with(jurisdiction, policy())
    }

    fn submitted_with(jurisdiction: &str, policy: Policy) -> Self {
        let d = decide::receive(None, received(jurisdiction), &inventory(), &policy, t0())
            .expect("accepted");
        Self(d.events, policy)
    }

    fn state(&self) -> RequestState {
        RequestState::replay(&self.0).expect("stream")
    }

    fn then(&mut self, d: Decision) -> Decision {
        self.0.extend(d.events.clone());
        d
    }

    fn answer(&mut self, a: AckAccepted, now: DateTime<Utc>) -> Decision {
        let d = decide::accept_ack(&self.state(), a, &self.1, Now::exactly(now)).expect("ok");
        self.then(d)
    }

    fn tick(&mut self, now: DateTime<Utc>) -> Decision {
        let d = decide::tick(&self.state(), &self.1, Now::exactly(now));
        self.then(d)
    }
}

fn types(d: &Decision) -> Vec<&'static str> {
    d.events.iter().map(Event::type_name).collect()
}

#[test]
fn planning_attaches_the_rules_of_the_jurisdiction_and_categories() {
    let plan = |j| match &Story::submitted(j).0[1] {
        Event::ErasurePlanned { tasks } => tasks
            .iter()
            .map(|t| (t.system_id.to_string(), t.hold_rules.clone()))
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        plan("FI"),
        [
            ("billing".into(), vec!["fi-kpl-vouchers".to_owned()]),
            ("crm".into(), vec![])
        ]
    );
    assert_eq!(
        plan("DE"),
        [
            ("billing".into(), vec!["de-hgb-vouchers".to_owned()]),
            ("crm".into(), vec![])
        ]
    );
    // No rule for Sweden: a request there is refused while billing holds vouchers
    // (tests/jurisdiction.rs), rather than planned with no hold.
}

#[test]
fn held_data_completes_with_an_exception_then_is_erased_when_the_hold_ends() {
    let mut story = Story::submitted("FI");
    story.answer(ack("crm", 1, Outcome::Erased, vec![]), t0());
    let d = story.answer(
        ack(
            "billing",
            1,
            Outcome::Retained,
            vouchers("2026-02-10", "2032-12-31"),
        ),
        t0(),
    );
    assert_eq!(
        types(&d),
        ["AckAccepted", "ErasureDeferred", "RequestCompleted"]
    );
    assert_eq!(d.effects, [Effect::IssueCertificate]);
    assert!(
        matches!(&d.events[1], Event::ErasureDeferred { release_at, retained_until, .. }
            if *release_at == at(2033, 1, 1, 12) && *retained_until == date("2032-12-31")),
        "the timer fires the day after the last day of retention"
    );
    story.then(decide::issue_certificate(&story.state(), vec![1], vec![2], t0()).expect("cert"));
    let state = story.state();
    assert_eq!(state.status, RequestStatus::Completed);
    assert_eq!(state.holds().count(), 1);
    assert_eq!(state.next_timer(&[7, 1], None), Some(at(2033, 1, 1, 12)));

    // Ten years of ticks before the end decide nothing.
    assert_eq!(story.tick(at(2032, 12, 31, 23)), Decision::default());
    let d = story.tick(at(2036, 11, 22, 10));
    assert_eq!(types(&d), ["HoldEnded", "TaskDispatched"]);
    assert!(
        matches!(&d.effects[..], [Effect::Dispatch { attempt: 2, system_id, .. }] if system_id.as_str() == "billing")
    );
    assert_eq!(
        story.tick(at(2036, 11, 22, 10)),
        Decision::default(),
        "fires once"
    );

    let d = story.answer(
        ack("billing", 2, Outcome::Erased, vec![]),
        at(2036, 11, 22, 11),
    );
    assert_eq!(types(&d), ["AckAccepted"]);
    assert_eq!(d.effects, [Effect::IssueSupplement]);
    let s = decide::issue_supplement(&story.state(), vec![9], vec![8], at(2036, 11, 22, 11))
        .expect("ok");
    assert!(matches!(
        &s.events[..],
        [Event::SupplementIssued { sequence: 1, .. }]
    ));
    story.then(s);
    let state = story.state();
    assert_eq!(state.supplements.len(), 1);
    assert_eq!(state.holds().count(), 0);
    assert_eq!(state.past_holds.len(), 1);
    assert_eq!(
        state.next_timer(&[7, 1], None),
        None,
        "nothing left to wake for"
    );
}

#[test]
fn a_retention_claim_must_follow_from_the_rules() {
    let story = Story::submitted("FI");
    let state = story.state();
    let refuse = |a| match decide::accept_ack(&state, a, &policy(), Now::exactly(t0())) {
        Err(AckRejection::BadRetention(why)) => why,
        other => panic!("{other:?}"),
    };
    let why = refuse(ack(
        "billing",
        1,
        Outcome::Retained,
        vouchers("2026-02-10", "2040-12-31"),
    ));
    assert!(
        why.contains("retained until 2032-12-31, not 2040-12-31"),
        "{why}"
    );
    let mut unknown = vouchers("2026-02-10", "2032-12-31");
    unknown[0].rule_id = "forever".into();
    assert!(refuse(ack("billing", 1, Outcome::Retained, unknown)).contains("unknown rule"));
    assert!(
        refuse(ack(
            "crm",
            1,
            Outcome::Retained,
            vouchers("2026-02-10", "2032-12-31")
        ))
        .contains("does not apply")
    );
    assert!(refuse(ack("billing", 1, Outcome::Retained, vec![])).contains("must say"));
    assert!(
        refuse(ack(
            "billing",
            1,
            Outcome::Erased,
            vouchers("2026-02-10", "2032-12-31")
        ))
        .contains("only a retained outcome")
    );
    // A German request: the Finnish rule does not apply.
    let de = Story::submitted("DE").state();
    assert!(matches!(
        decide::accept_ack(
            &de,
            ack(
                "billing",
                1,
                Outcome::Retained,
                vouchers("2026-02-10", "2032-12-31")
            ),
            &policy(),
            Now::exactly(t0())
        ),
        Err(AckRejection::BadRetention(_))
    ));
}

#[test]
fn unanswered_attempts_are_dispatched_again_with_backoff_then_fail() {
    let mut story = Story::submitted("FI");
    story.answer(ack("billing", 1, Outcome::Erased, vec![]), t0());
    assert_eq!(
        story.tick(t0() + Duration::minutes(29)),
        Decision::default()
    );
    let d = story.tick(t0() + Duration::minutes(30));
    assert_eq!(
        types(&d),
        ["TaskTimedOut", "TaskRetryScheduled", "TaskDispatched"]
    );
    // Attempt 2 of the budget: base 2 s, equal jitter 0 → 1 s.
    assert!(
        matches!(&d.effects[..], [Effect::Dispatch { attempt: 2, not_before, .. }]
        if *not_before == t0() + Duration::minutes(30) + Duration::seconds(1))
    );
    let mut now = t0() + Duration::minutes(30);
    for _ in 0..2 {
        now += Duration::hours(1);
        story.tick(now);
    }
    let state = story.state();
    let crm = &state.tasks[&"crm".into()];
    assert_eq!(crm.status, TaskStatus::Failed);
    assert_eq!(crm.failure.as_deref(), Some("no answer after 3 attempts"));
    assert_eq!(
        state.status,
        RequestStatus::Failed,
        "surfaced: the request failed"
    );
    assert_eq!(
        story
            .0
            .iter()
            .filter(|e| e.type_name() == "TaskTimedOut")
            .count(),
        3
    );
}

#[test]
fn jitter_spreads_retries_within_bounds() {
    let p = RetryPolicy::default();
    assert_eq!(p.delay_before(2, 0.0), Duration::seconds(1));
    assert_eq!(p.delay_before(2, 0.999_999), Duration::milliseconds(1999));
    assert_eq!(p.delay_before(4, 0.5), Duration::seconds(6));
    assert_eq!(p.delay_before(40, 1.0), Duration::minutes(10), "capped");
}

#[test]
fn an_operator_retry_dispatches_a_failed_task_with_a_new_budget() {
    let mut story = Story::submitted("FI");
    story.answer(ack("crm", 1, Outcome::FailedPermanent, vec![]), t0());
    story.answer(ack("billing", 1, Outcome::Erased, vec![]), t0());
    assert_eq!(story.state().status, RequestStatus::Failed);
    let state = story.state();
    let p = policy();
    assert_eq!(
        decide::retry(&state, Some(&"billing".into()), "", &by(), &p, t0()),
        Err(Rejection::TaskNotFailed("billing".into()))
    );
    assert_eq!(
        decide::retry(&state, Some(&"ledger".into()), "", &by(), &p, t0()),
        Err(Rejection::UnknownSystem("ledger".into()))
    );
    let d = decide::retry(&state, None, "CRM back from maintenance", &by(), &p, t0()).expect("ok");
    assert_eq!(types(&d), ["TaskRetryRequested", "TaskDispatched"]);
    story.then(d);
    let state = story.state();
    let retry = &state.retries[..];
    assert_eq!(retry.len(), 1, "{retry:?}");
    assert_eq!(
        (&retry[0].by, retry[0].reason.as_str(), retry[0].at),
        (&by(), "CRM back from maintenance", t0()),
        "who asked for the retry, why and when is recorded"
    );
    assert_eq!(state.status, RequestStatus::InProgress);
    let crm = &state.tasks[&"crm".into()];
    assert_eq!((crm.attempt, crm.attempts_used()), (2, 1));
    assert_eq!(
        decide::retry(&state, None, "", &by(), &p, t0()),
        Err(Rejection::NothingToRetry)
    );
    let d = story.answer(ack("crm", 2, Outcome::Erased, vec![]), t0());
    assert_eq!(types(&d), ["AckAccepted", "RequestCompleted"]);
}

#[test]
fn extensions_are_once_within_the_first_month_with_a_reason() {
    let story = Story::submitted("FI");
    let state = story.state();
    let reason = "complex: 14 systems";
    assert_eq!(
        decide::extend(&state, 3, reason, &by(), t0()),
        Err(Rejection::InvalidExtension(3))
    );
    assert_eq!(
        decide::extend(&state, 1, "  ", &by(), t0()),
        Err(Rejection::ExtensionReasonMissing)
    );
    assert_eq!(
        decide::extend(&state, 2, reason, &by(), at(2026, 12, 23, 0)),
        Err(Rejection::ExtensionTooLate(date("2026-12-22")))
    );
    let d =
        decide::extend(&state, 2, reason, &by(), at(2026, 12, 22, 23)).expect("last day is fine");
    let mut story = story;
    story.then(d);
    let state = story.state();
    assert_eq!(state.deadline(), date("2027-02-22"));
    assert_eq!(
        decide::extend(&state, 1, reason, &by(), t0()),
        Err(Rejection::AlreadyExtended(date("2027-02-22")))
    );
}

#[test]
fn a_rejection_needs_a_reason_is_final_and_comes_before_any_erasure() {
    let story = Story::submitted("FI");
    let state = story.state();
    assert_eq!(
        decide::reject(&state, " ", &by(), t0()),
        Err(Rejection::RejectionReasonMissing)
    );
    let d = decide::reject(&state, "manifestly excessive", &by(), t0()).expect("rejected");
    assert_eq!(types(&d), ["RequestRejected"]);
    let mut rejected = Story::submitted("FI");
    rejected.then(d);
    let state = rejected.state();
    assert_eq!(state.status, RequestStatus::Rejected);
    let refusal = state.refusal.as_ref().expect("refusal");
    assert_eq!(
        (refusal.reason.as_str(), &refusal.by),
        ("manifestly excessive", &by())
    );
    assert_eq!(
        decide::reject(&state, "again", &by(), t0()),
        Err(Rejection::RequestFinal("rejected"))
    );
    assert_eq!(
        decide::extend(&state, 1, "late", &by(), t0()),
        Err(Rejection::RequestFinal("rejected"))
    );
    // Pending work is stopped: no timer, nothing timed out or sent again.
    assert_eq!(state.next_timer(&[7, 1], None), None);
    let later = t0() + Duration::days(40);
    assert!(rejected.tick(later).events.is_empty());
    // Once a system has answered the erasure, it is too late to reject.
    let mut story = Story::submitted("FI");
    story.answer(ack("crm", 1, Outcome::Erased, vec![]), t0());
    assert!(matches!(
        decide::reject(&story.state(), "too late", &by(), t0()),
        Err(Rejection::ErasureStarted(_))
    ));
}

#[test]
fn warnings_before_the_deadline_then_overdue_each_once() {
    assert_eq!(
        Story::submitted("FI").state().next_timer(&[7, 1], None),
        Some(t0() + Duration::minutes(30)),
        "the first timer: an unanswered attempt"
    );
    // Attempts stay unanswered for longer than the deadline: only deadline timers fire.
    let patient = Policy {
        retry: RetryPolicy {
            answer_timeout: Duration::days(90),
            ..RetryPolicy::default()
        },
        ..policy()
    };
    let mut story = Story::submitted_with("FI", patient);
    story.answer(ack("billing", 1, Outcome::Erased, vec![]), t0());
    // Due 2026-12-22: warnings on 12-15 and 12-21, overdue from 12-23.
    assert_eq!(
        story.state().next_timer(&[7, 1], None),
        Some(at(2026, 12, 15, 0))
    );
    let quiet = |s: &mut Story, now| {
        let d = s.tick(now);
        types(&d)
            .into_iter()
            .filter(|t| t.starts_with("Deadline") || *t == "RequestOverdue")
            .collect::<Vec<_>>()
    };
    assert!(quiet(&mut story, at(2026, 12, 14, 23)).is_empty());
    assert_eq!(
        quiet(&mut story, at(2026, 12, 15, 0)),
        ["DeadlineApproaching"]
    );
    assert!(quiet(&mut story, at(2026, 12, 15, 1)).is_empty());
    assert_eq!(
        quiet(&mut story, at(2026, 12, 21, 0)),
        ["DeadlineApproaching"]
    );
    assert!(quiet(&mut story, at(2026, 12, 22, 23)).is_empty());
    assert_eq!(quiet(&mut story, at(2026, 12, 23, 0)), ["RequestOverdue"]);
    assert!(quiet(&mut story, at(2026, 12, 24, 0)).is_empty());
    assert!(story.state().overdue);
}

/// Shredding waits for the proof-retention period after completion, and for the last hold
/// to end (and its erasure to be answered); then it is due, recorded once, and nothing can
/// send the identifiers again.
#[test]
fn identifiers_are_shredded_after_retention_and_not_before_the_last_hold_ends() {
    let month = Duration::days(30);
    let mut story = Story::submitted_with(
        "FI",
        Policy {
            shred_identifiers_after: Some(month),
            ..policy()
        },
    );
    story.answer(ack("crm", 1, Outcome::Erased, vec![]), t0());
    let held = vouchers("2026-02-10", "2032-12-31");
    story.answer(ack("billing", 1, Outcome::Retained, held), t0());
    story.then(decide::issue_certificate(&story.state(), vec![1], vec![2], t0()).expect("cert"));
    let policy = story.1.clone();
    let state = story.state();
    assert_eq!(
        state.shred_at(month),
        None,
        "a hold runs: the identifiers are needed"
    );
    assert!(!decide::shred_due(&state, &policy, at(2031, 1, 1, 0)));
    assert_eq!(
        state.next_timer(&[7, 1], Some(month)),
        Some(at(2033, 1, 1, 12)),
        "the hold's end is the next timer, not the shredding"
    );

    story.tick(at(2033, 1, 1, 12));
    assert!(
        !decide::shred_due(&story.state(), &policy, at(2033, 1, 2, 0)),
        "the hold's erasure is not answered yet"
    );
    story.answer(
        ack("billing", 2, Outcome::Erased, vec![]),
        at(2033, 1, 1, 13),
    );
    let state = story.state();
    assert_eq!(state.shred_at(month), Some(t0() + month), "completed at t0");
    assert!(decide::shred_due(&state, &policy, at(2033, 1, 1, 14)));

    let d = story.then(decide::shredded(&state, at(2033, 1, 1, 14)));
    assert_eq!(types(&d), ["IdentifiersShredded"]);
    let state = story.state();
    assert_eq!(state.shredded_at, Some(at(2033, 1, 1, 14)));
    assert_eq!(
        decide::shredded(&state, at(2033, 1, 2, 0)),
        Decision::default(),
        "once"
    );
    assert!(!decide::shred_due(&state, &policy, at(2040, 1, 1, 0)));
    assert_eq!(state.next_timer(&[7, 1], Some(month)), None);

    let refused = Err(Rejection::Shredded(date("2033-01-01")));
    let replay = decide::replay(
        &state,
        "rp",
        &["crm".into()],
        t0(),
        &policy,
        at(2033, 2, 1, 0),
    );
    assert_eq!(replay, refused, "a replay would send the identifiers again");
    let retry = decide::retry(&state, None, "again", &by(), &policy, at(2033, 2, 1, 0));
    assert_eq!(retry, refused);
}

/// Without holds, shredding is due exactly the retention period after completion.
#[test]
fn identifiers_are_not_shredded_before_the_retention_period_ends() {
    let week = Duration::days(7);
    let policy = Policy {
        shred_identifiers_after: Some(week),
        ..policy()
    };
    let mut story = Story::submitted_with("FI", policy.clone());
    story.answer(ack("crm", 1, Outcome::Erased, vec![]), t0());
    story.answer(ack("billing", 1, Outcome::Erased, vec![]), t0());
    let state = story.state();
    assert_eq!(state.status, RequestStatus::Completed);
    assert!(!decide::shred_due(
        &state,
        &policy,
        t0() + week - Duration::seconds(1)
    ));
    assert!(decide::shred_due(&state, &policy, t0() + week));
    let never = Policy {
        shred_identifiers_after: None,
        ..policy
    };
    assert!(!decide::shred_due(
        &state,
        &never,
        t0() + Duration::days(10_000)
    ));
}

fn by() -> erasure_core::access::Actor {
    erasure_core::access::Actor::new("sam", erasure_core::access::Role::Supervisor)
}
