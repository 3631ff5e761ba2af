//! The period report, given / when / then: given requests' histories, when the report is
//! built for a period as of a day, then these figures and lines.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use erasure_core::deadline;
use erasure_core::events::{Event, RequestReceived};
use erasure_core::inventory::PlannedTask;
use erasure_core::report::{self, ExtensionLine, Report, RuleLine, SystemLine};
use erasure_core::{RequestState, TaskId};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// 10:00 UTC on that day.
fn at(day: &str) -> DateTime<Utc> {
    date(day)
        .and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("time"))
        .and_utc()
}

/// A request received on `day` (due one month later) over crm and billing.
fn request(id: &str, day: &str) -> Vec<Event> {
    let received = RequestReceived {
        disclose_recipients: false,
        submitted_by: Default::default(),
        request_id: id.into(),
        received_at: at(day),
        deadline: deadline::deadline_for(date(day)),
        jurisdiction: "FI".into(),
        channel: "phone".into(),
        verified_by: "agent".into(),
        scope: vec![],
        sealed_identifiers: vec![1],
        blind_index: vec![vec![2]],
        idempotency_key_hash: vec![],
        identifier_commitment: vec![3],
        controller: None,
    };
    let tasks = ["billing", "crm"]
        .map(|system| PlannedTask {
            task_id: TaskId::for_system(&id.into(), &system.into()),
            system_id: system.into(),
            categories: vec!["contact".into()],
            hold_rules: vec![],
            resolves: false,
            manual: false,
            recipient: None,
            asked_last: false,
        })
        .to_vec();
    vec![
        Event::RequestReceived(received),
        Event::ErasurePlanned { tasks },
    ]
}

fn completed(day: &str) -> Event {
    Event::RequestCompleted { at: at(day) }
}

fn failed(system: &str, day: &str) -> [Event; 2] {
    [
        task_failed(system, day),
        Event::RequestFailed {
            failed_systems: vec![system.into()],
            at: at(day),
        },
    ]
}

fn task_failed(system: &str, day: &str) -> Event {
    Event::TaskFailed {
        task_id: system.into(),
        system_id: system.into(),
        reason: "no answer after 3 attempts".into(),
        at: at(day),
    }
}

fn extended(months: u32, reason: &str, deadline: &str) -> Event {
    Event::DeadlineExtended {
        months,
        reason: reason.into(),
        deadline: date(deadline),
        by: erasure_core::access::Actor::new("sam", erasure_core::access::Role::Supervisor),
        at: at("2026-03-05"),
    }
}

fn deferred(system: &str, rule: &str, items: u64, until: &str) -> Event {
    Event::ErasureDeferred {
        system_id: system.into(),
        rule_id: rule.into(),
        category: "accounting-voucher".into(),
        items,
        retained_until: date(until),
        release_at: date(until)
            .succ_opt()
            .expect("date")
            .and_hms_opt(12, 0, 0)
            .expect("time")
            .and_utc(),
        at: at("2026-03-05"),
    }
}

fn hold_ended(system: &str, rule: &str) -> Event {
    Event::HoldEnded {
        system_id: system.into(),
        rule_ids: vec![rule.into()],
        at: at("2032-01-01"),
    }
}

/// Given a history, the state it folds to.
fn given(events: impl IntoIterator<Item = Event>) -> RequestState {
    let events: Vec<Event> = events.into_iter().collect();
    RequestState::replay(&events).expect("stream starts with RequestReceived")
}

fn history(id: &str, day: &str, more: impl IntoIterator<Item = Event>) -> RequestState {
    given(request(id, day).into_iter().chain(more))
}

/// The report for March 2026, as of 2026-06-30.
fn march(states: &[RequestState]) -> Report {
    report::build(
        states,
        date("2026-03-01"),
        date("2026-03-31"),
        date("2026-06-30"),
    )
}

#[test]
fn completing_on_the_deadline_day_is_on_time_and_the_day_after_is_late() {
    // Received 2026-03-10: due 2026-04-10.
    let states = [
        history("r1", "2026-03-10", [completed("2026-04-10")]),
        history("r2", "2026-03-10", [completed("2026-04-11")]),
        history("r3", "2026-03-10", [completed("2026-03-12")]),
    ];
    let r = march(&states);
    assert_eq!(
        (r.received, r.completed_on_time, r.completed_late),
        (3, 2, 1)
    );
    assert_eq!(r.on_time_rate, Some(2.0 / 3.0));
    assert_eq!((r.open, r.open_overdue, r.failed), (0, 0, 0));
}

#[test]
fn an_extended_deadline_makes_a_late_looking_completion_on_time() {
    // Due 2026-04-10, extended by two months to 2026-06-10.
    let states = [history(
        "r1",
        "2026-03-10",
        [
            extended(2, "complex: 14 systems", "2026-06-10"),
            completed("2026-05-20"),
        ],
    )];
    let r = march(&states);
    assert_eq!((r.completed_on_time, r.completed_late), (1, 0));
    assert_eq!(r.on_time_rate, Some(1.0));
    assert_eq!(
        r.extensions,
        [ExtensionLine {
            request_id: "r1".into(),
            months: 2,
            reason: "complex: 14 systems".into(),
            original_deadline: date("2026-04-10"),
            deadline: date("2026-06-10"),
        }]
    );
}

#[test]
fn extensions_are_listed_by_request_id() {
    let states = [
        history("r2", "2026-03-10", [extended(1, "b", "2026-05-10")]),
        history("r1", "2026-03-11", [extended(2, "a", "2026-06-11")]),
        history("r3", "2026-03-12", []),
    ];
    let ids: Vec<_> = march(&states)
        .extensions
        .into_iter()
        .map(|e| e.request_id)
        .collect();
    assert_eq!(ids, ["r1", "r2"]);
}

#[test]
fn open_requests_are_overdue_when_marked_or_past_their_deadline_on_the_day() {
    let overdue = Event::RequestOverdue {
        deadline: date("2026-04-10"),
        at: at("2026-04-11"),
    };
    let states = [
        // Marked overdue by its timer.
        history("r1", "2026-03-10", [overdue]),
        // Due 2026-04-10, not yet marked, but before 2026-06-30.
        history("r2", "2026-03-10", []),
        // Extended to 2026-07-10: still in time on 2026-06-30.
        history("r3", "2026-03-10", [extended(2, "complex", "2026-07-10")]),
    ];
    let r = march(&states);
    assert_eq!((r.open, r.open_overdue), (3, 2));
    assert_eq!(r.on_time_rate, None, "nothing completed");
}

#[test]
fn a_request_due_on_the_day_of_the_report_is_not_overdue() {
    let states = [history("r1", "2026-05-30", [])];
    let r = report::build(
        &states,
        date("2026-05-01"),
        date("2026-05-31"),
        date("2026-06-30"),
    );
    assert_eq!((r.open, r.open_overdue), (1, 0));
}

#[test]
fn failed_requests_are_counted_apart_from_completed_ones() {
    let states = [
        history("r1", "2026-03-10", failed("crm", "2026-03-11")),
        history("r2", "2026-03-10", [completed("2026-03-11")]),
    ];
    let r = march(&states);
    assert_eq!((r.failed, r.completed_on_time, r.open), (1, 1, 0));
    assert_eq!(r.on_time_rate, Some(1.0));
}

#[test]
fn the_period_includes_its_first_and_last_days_and_nothing_outside() {
    let states = [
        history("before", "2026-02-28", [completed("2026-03-01")]),
        history("first", "2026-03-01", [completed("2026-03-02")]),
        history("last", "2026-03-31", []),
        history(
            "after",
            "2026-04-01",
            [extended(1, "outside", "2026-06-01")],
        ),
    ];
    let r = march(&states);
    assert_eq!((r.received, r.completed_on_time, r.open), (2, 1, 1));
    assert!(r.extensions.is_empty(), "the request after is not counted");
}

#[test]
fn exceptions_are_grouped_by_rule_over_running_and_ended_holds() {
    let vouchers = "fi-kpl-vouchers";
    let states = [
        // Two holds under the vouchers rule in one request, one of them ended.
        history(
            "r1",
            "2026-03-10",
            [
                deferred("billing", vouchers, 3, "2031-12-31"),
                deferred("billing", "fi-claims", 1, "2029-03-10"),
                deferred("crm", vouchers, 2, "2032-12-31"),
                hold_ended("crm", vouchers),
                completed("2026-03-11"),
            ],
        ),
        history(
            "r2",
            "2026-03-12",
            [
                deferred("billing", vouchers, 4, "2030-12-31"),
                completed("2026-03-13"),
            ],
        ),
    ];
    let r = march(&states);
    assert_eq!(
        r.exceptions_by_rule,
        [
            RuleLine {
                rule_id: "fi-claims".into(),
                requests: 1,
                items: 1,
                running: 1,
                latest_until: date("2029-03-10"),
            },
            RuleLine {
                rule_id: vouchers.into(),
                requests: 2,
                items: 9,
                running: 2,
                latest_until: date("2032-12-31"),
            },
        ]
    );
}

#[test]
fn failed_tasks_are_counted_per_system() {
    let states = [
        history("r1", "2026-03-10", failed("crm", "2026-03-11")),
        history(
            "r2",
            "2026-03-10",
            [
                task_failed("crm", "2026-03-11"),
                task_failed("billing", "2026-03-11"),
            ],
        ),
        history("r3", "2026-03-10", [completed("2026-03-11")]),
    ];
    let r = march(&states);
    assert_eq!(
        r.failures_by_system,
        [
            SystemLine {
                system_id: "billing".into(),
                failed_tasks: 1,
            },
            SystemLine {
                system_id: "crm".into(),
                failed_tasks: 2,
            },
        ]
    );
}

#[test]
fn with_nothing_completed_there_is_no_on_time_rate() {
    let r = march(&[]);
    assert_eq!((r.received, r.on_time_rate), (0, None));
    let r = march(&[history("r1", "2026-03-10", failed("crm", "2026-03-11"))]);
    assert_eq!((r.failed, r.on_time_rate), (1, None));
}

#[test]
fn a_report_merged_from_parts_equals_the_report_over_all_requests() {
    let vouchers = "fi-kpl-vouchers";
    let states = [
        history(
            "r1",
            "2026-03-10",
            [
                deferred("billing", vouchers, 3, "2031-12-31"),
                hold_ended("billing", vouchers),
                completed("2026-03-11"),
            ],
        ),
        history("r2", "2026-03-12", [completed("2026-05-20")]),
        history(
            "r3",
            "2026-03-13",
            [
                extended(2, "many systems", "2026-06-13"),
                deferred("crm", vouchers, 2, "2030-12-31"),
                completed("2026-05-20"),
            ],
        ),
        history("r4", "2026-03-14", failed("crm", "2026-03-20")),
        history("r5", "2026-03-15", [task_failed("billing", "2026-03-16")]),
        history("r6", "2026-03-20", []),
        history("r7", "2026-04-02", [completed("2026-04-03")]),
    ];
    let whole = march(&states);
    assert_eq!(whole.received, 6, "r7 is outside the period");
    // Every way of cutting the requests in two gives the same report.
    for cut in 0..=states.len() {
        let (a, b) = states.split_at(cut);
        assert_eq!(march(a).merge(march(b)), whole, "cut at {cut}");
        assert_eq!(march(b).merge(march(a)), whole, "cut at {cut}, reversed");
    }
    let one_by_one = states
        .iter()
        .map(|s| march(std::slice::from_ref(s)))
        .fold(march(&[]), Report::merge);
    assert_eq!(one_by_one, whole);
}
