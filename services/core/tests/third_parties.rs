//! Processors that answer later, backups that age out, manual tasks an operator closes,
//! and replays after a restore, given / when / then.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use erasure_core::decide::{self, AckRejection, Now, Policy, RetryPolicy};
use erasure_core::events::{
    AckAccepted, Attachment, Attestation, BackupCopy, Event, Outcome, RequestReceived, SignedAck,
};
use erasure_core::inventory::{Inventory, Notice, Recipient, RecipientRole, SystemSpec};
use erasure_core::{
    Decision, Effect, Rejection, RequestState, RequestStatus, SystemId, TaskStatus, deadline,
};

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
        warn_before_days: vec![7],
        default_jurisdiction: None,
        retry: RetryPolicy {
            max_attempts: 3,
            answer_timeout: Duration::minutes(30),
            ..RetryPolicy::default()
        },
        ..Policy::default()
    }
}

/// A CRM, a payment processor (an API recipient), the backup catalog, and a paper archive
/// an operator handles.
fn inventory() -> Inventory {
    Inventory::new([
        SystemSpec::new("crm", &["contact"]),
        SystemSpec {
            recipient: Some(Recipient {
                name: "Maksu Oy".into(),
                role: RecipientRole::Processor,
                via: Notice::Api,
            }),
            ..SystemSpec::new("payments", &["payment"])
        },
        SystemSpec {
            asked_last: true,
            ..SystemSpec::new("backups", &["backup"])
        },
        SystemSpec {
            manual: true,
            recipient: Some(Recipient {
                name: "Arkisto Oy".into(),
                role: RecipientRole::Processor,
                via: Notice::Manual,
            }),
            ..SystemSpec::new("archive", &["contact"])
        },
    ])
}

fn received() -> RequestReceived {
    RequestReceived {
        request_id: "r1".into(),
        received_at: t0(),
        deadline: deadline::deadline_for(t0().date_naive()),
        jurisdiction: "FI".into(),
        channel: "phone".into(),
        verified_by: "agent".into(),
        scope: vec![],
        sealed_identifiers: vec![1],
        blind_index: vec![vec![2]],
        idempotency_key_hash: vec![],
        identifier_commitment: vec![3],
        controller: None,
        disclose_recipients: true,
        submitted_by: Default::default(),
    }
}

fn ack(system: &str, attempt: u32, outcome: Outcome, now: DateTime<Utc>) -> AckAccepted {
    AckAccepted {
        task_id: format!("r1/{system}").as_str().into(),
        system_id: system.into(),
        attempt,
        outcome,
        items_affected: 1,
        evidence_summary: String::new(),
        detail: String::new(),
        retained: vec![],
        reference: String::new(),
        follow_up_at: None,
        backups: vec![],
        signed: SignedAck {
            ack: vec![attempt as u8],
            signature: vec![],
            key_id: "k".into(),
        },
        at: now,
    }
}

fn accepted(attempt: u32, follow_up: DateTime<Utc>, now: DateTime<Utc>) -> AckAccepted {
    AckAccepted {
        reference: "job-17".into(),
        follow_up_at: Some(follow_up),
        ..ack("payments", attempt, Outcome::Accepted, now)
    }
}

fn copy(id: &str, expires_on: &str) -> BackupCopy {
    BackupCopy {
        set_id: id.into(),
        taken_at: at(2026, 11, 1, 2),
        expires_on: date(expires_on),
        systems: vec!["crm".into()],
    }
}

fn in_backups(copies: Vec<BackupCopy>, now: DateTime<Utc>) -> AckAccepted {
    AckAccepted {
        backups: copies,
        ..ack("backups", 1, Outcome::InBackups, now)
    }
}

fn attestation(system: &str, now: DateTime<Utc>) -> Attestation {
    Attestation {
        task_id: "ignored".into(),
        system_id: system.into(),
        outcome: Outcome::Erased,
        operator: "Maija Virtanen".into(),
        evidence: "  Folder shredded; receipt 2026-118 from the shredding company.  ".into(),
        attachment: Some(Attachment {
            name: "receipt.pdf".into(),
            sha256: vec![7; 32],
            size: 1234,
        }),
        at: now,
    }
}

struct Story(Vec<Event>, Policy);

impl Story {
    fn submitted() -> Self {
        let p = policy();
        let d = decide::receive(None, received(), &inventory(), &p, t0()).expect("accepted");
        Self(d.events, p)
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

    fn attest(&mut self, a: Attestation) -> Result<Decision, Rejection> {
        let d = decide::attest(&self.state(), a, &self.1)?;
        Ok(self.then(d))
    }

    fn certify(&mut self, now: DateTime<Utc>) {
        let d = decide::issue_certificate(&self.state(), vec![1], vec![2], now).expect("cert");
        self.then(d);
    }

    /// Everybody but `except` answers (crm erased, payments erased, backups nothing found,
    /// the archive attested).
    /// (the backups last, once the others are final).
    fn others_answer(&mut self, except: &[&str], now: DateTime<Utc>) -> Decision {
        let mut last = Decision::default();
        for (system, outcome) in [("crm", Outcome::Erased), ("payments", Outcome::Erased)] {
            if !except.contains(&system) {
                last = self.answer(ack(system, 1, outcome, now), now);
            }
        }
        if !except.contains(&"archive") {
            last = self.attest(attestation("archive", now)).expect("attested");
        }
        let asked = self.state().tasks[&SystemId::new("backups")].attempt > 0;
        if !except.contains(&"backups") && asked {
            last = self.answer(ack("backups", 1, Outcome::NothingFound, now), now);
        }
        last
    }
}

fn types(d: &Decision) -> Vec<&'static str> {
    d.events.iter().map(Event::type_name).collect()
}

fn dispatched_attempts(d: &Decision) -> Vec<(String, u32)> {
    d.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Dispatch {
                system_id, attempt, ..
            } => Some((system_id.to_string(), *attempt)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_manual_task_is_opened_for_an_operator_not_dispatched() {
    let story = Story::submitted();
    let opened: Vec<_> = story
        .0
        .iter()
        .filter_map(|e| match e {
            Event::ManualTaskOpened { system_id, .. } => Some(system_id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(opened, ["archive"]);
    let d = decide::receive(None, received(), &inventory(), &policy(), t0()).expect("ok");
    let mut systems: Vec<_> = dispatched_attempts(&d)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    systems.sort();
    assert_eq!(
        systems,
        ["crm", "payments"],
        "no work order for the archive; the backups are asked last"
    );
    let task = &story.state().tasks[&SystemId::new("archive")];
    assert_eq!((task.status, task.answer_by), (TaskStatus::Pending, None));
}

#[test]
fn an_open_manual_task_never_times_out_but_the_deadline_runs() {
    let mut story = Story::submitted();
    story.others_answer(&["archive"], t0());
    assert_eq!(story.state().status, RequestStatus::InProgress);
    let d = story.tick(at(2026, 12, 15, 12));
    assert_eq!(types(&d), ["DeadlineApproaching"], "warned 7 days before");
    let d = story.tick(at(2026, 12, 23, 12));
    assert_eq!(
        types(&d),
        ["RequestOverdue"],
        "no time-out, no retry: overdue"
    );
    let d = story
        .attest(attestation("archive", at(2026, 12, 24, 9)))
        .expect("attested");
    assert_eq!(
        types(&d),
        ["TaskAttested", "TaskDispatched"],
        "the backups are asked last"
    );
    let d = story.answer(
        ack("backups", 1, Outcome::NothingFound, at(2026, 12, 24, 9)),
        at(2026, 12, 24, 9),
    );
    assert_eq!(types(&d), ["AckAccepted", "RequestCompleted"]);
    assert_eq!(d.effects, [Effect::IssueCertificate]);
    let task = &story.state().tasks[&SystemId::new("archive")];
    let a = task.attestation.as_ref().expect("attestation");
    assert_eq!(
        (a.operator.as_str(), a.evidence.as_str(), a.task_id.as_str()),
        (
            "Maija Virtanen",
            "Folder shredded; receipt 2026-118 from the shredding company.",
            "r1/archive"
        ),
        "trimmed, and the task's own id"
    );
    assert_eq!(task.told_at, Some(at(2026, 12, 24, 9)));
}

#[test]
fn an_attestation_is_refused_when_it_cannot_count() {
    let mut story = Story::submitted();
    let now = t0();
    let refuse = |story: &Story, a: Attestation| {
        decide::attest(&story.state(), a, &policy()).expect_err("refused")
    };
    assert_eq!(
        refuse(&story, attestation("crm", now)),
        Rejection::NotManual("crm".into())
    );
    assert_eq!(
        refuse(&story, attestation("nowhere", now)),
        Rejection::UnknownSystem("nowhere".into())
    );
    let nobody = Attestation {
        operator: " ".into(),
        ..attestation("archive", now)
    };
    assert!(matches!(
        refuse(&story, nobody),
        Rejection::AttestationIncomplete(_)
    ));
    let no_evidence = Attestation {
        evidence: "\n".into(),
        ..attestation("archive", now)
    };
    assert!(matches!(
        refuse(&story, no_evidence),
        Rejection::AttestationIncomplete(_)
    ));
    let long = Attestation {
        evidence: "x".repeat(decide::MAX_EVIDENCE_CHARS + 1),
        ..attestation("archive", now)
    };
    assert!(matches!(
        refuse(&story, long),
        Rejection::AttestationIncomplete(_)
    ));
    let retained = Attestation {
        outcome: Outcome::Retained,
        ..attestation("archive", now)
    };
    assert_eq!(
        refuse(&story, retained),
        Rejection::InvalidAttestation("retained")
    );
    story.attest(attestation("archive", now)).expect("first");
    assert!(matches!(
        refuse(&story, attestation("archive", now)),
        Rejection::TaskNotOpen(_, "it was closed already")
    ));
}

#[test]
fn a_connector_cannot_answer_for_a_manual_task() {
    let story = Story::submitted();
    let forged = ack("archive", 1, Outcome::Erased, t0());
    assert_eq!(
        decide::accept_ack(&story.state(), forged, &policy(), Now::exactly(t0())),
        Err(AckRejection::ManualTask("archive".into()))
    );
}

#[test]
fn an_accepted_attempt_is_followed_up_without_spending_the_retry_budget() {
    let mut story = Story::submitted();
    story.others_answer(&["payments"], t0());
    let mut now = t0() + Duration::minutes(1);
    // Asked again eight times (the budget is three attempts): still pending, never failed.
    for attempt in 1..=8 {
        let d = story.answer(accepted(attempt, now + Duration::hours(2), now), now);
        assert_eq!(types(&d), ["AckAccepted", "FollowUpScheduled"]);
        let follow_up = story.state().tasks[&SystemId::new("payments")]
            .answer_by
            .expect("timer");
        assert_eq!(
            follow_up,
            now + Duration::hours(2),
            "when the processor asked"
        );
        assert_eq!(story.state().next_timer(&[], None), Some(follow_up));
        assert!(
            story
                .tick(follow_up - Duration::seconds(1))
                .events
                .is_empty()
        );
        now = follow_up;
        let d = story.tick(now);
        assert_eq!(types(&d), ["TaskDispatched"], "no time-out recorded");
        assert_eq!(dispatched_attempts(&d), [("payments".into(), attempt + 1)]);
    }
    let d = story.answer(ack("payments", 9, Outcome::Erased, now), now);
    assert_eq!(
        types(&d),
        ["AckAccepted", "TaskDispatched"],
        "then the backups"
    );
    let task = &story.state().tasks[&SystemId::new("payments")];
    assert_eq!(
        task.told_at,
        Some(t0() + Duration::minutes(1)),
        "first told"
    );
}

#[test]
fn an_accepted_answer_is_bounded_deduplicated_and_overtaken_by_the_final_one() {
    let mut story = Story::submitted();
    let now = t0();
    // A processor asking to be asked in a year is asked again within a day.
    let d = story.answer(accepted(1, now + Duration::days(365), now), now);
    assert!(
        matches!(&d.events[1], Event::FollowUpScheduled { follow_up_at, .. }
        if *follow_up_at == now + Duration::hours(24))
    );
    // The same answer delivered twice decides nothing.
    let again = decide::accept_ack(
        &story.state(),
        accepted(1, now + Duration::days(365), now),
        &policy(),
        Now::exactly(now),
    );
    assert_eq!(again.map(|d| d.events), Ok(vec![]));
    // The final answer to the same attempt comes before the follow-up: it counts.
    let d = story.answer(
        ack("payments", 1, Outcome::Erased, now),
        now + Duration::hours(1),
    );
    assert_eq!(types(&d), ["AckAccepted"]);
    assert_eq!(
        story.state().tasks[&SystemId::new("payments")].status,
        TaskStatus::Done
    );
    let later = story.tick(now + Duration::hours(30));
    assert!(
        dispatched_attempts(&later)
            .iter()
            .all(|(system, _)| system != "payments"),
        "no follow-up after the final answer"
    );
}

#[test]
fn a_late_answer_to_an_accepted_attempt_after_the_follow_up_is_stale() {
    let mut story = Story::submitted();
    let now = t0();
    story.answer(accepted(1, now + Duration::minutes(5), now), now);
    story.tick(now + Duration::minutes(5));
    let late = decide::accept_ack(
        &story.state(),
        ack("payments", 1, Outcome::Erased, now),
        &policy(),
        Now::exactly(now + Duration::minutes(6)),
    );
    assert_eq!(late, Err(AckRejection::StaleAttempt { got: 1, current: 2 }));
}

#[test]
fn backups_complete_the_task_then_age_out_with_a_supplement() {
    let mut story = Story::submitted();
    let now = t0();
    story.others_answer(&["backups"], now);
    let copies = vec![
        copy("crm-2026-11-01", "2027-01-31"),
        copy("crm-weekly-47", "2027-02-28"),
    ];
    let d = story.answer(in_backups(copies, now), now);
    assert_eq!(types(&d), ["AckAccepted", "RequestCompleted"]);
    story.certify(now);
    let task = &story.state().tasks[&SystemId::new("backups")];
    assert_eq!(task.status, TaskStatus::Done);
    assert_eq!(task.backups_until(), Some(date("2027-02-28")));
    assert_eq!(
        story.state().identifiers_needed_until(),
        Some(date("2027-02-28")),
        "a restore until then needs a replay, and the replay the identifiers"
    );
    assert_eq!(
        story.state().next_timer(&[], None),
        Some(at(2027, 3, 1, 12)),
        "the day after the last set expires"
    );
    assert!(story.tick(at(2027, 2, 28, 23)).events.is_empty());
    let d = story.tick(at(2027, 3, 1, 12));
    assert_eq!(types(&d), ["BackupsAgedOut"]);
    assert_eq!(d.effects, [Effect::IssueSupplement]);
    assert!(
        matches!(&d.events[0], Event::BackupsAgedOut { set_ids, expired_on, .. }
        if set_ids == &["crm-2026-11-01", "crm-weekly-47"] && *expired_on == date("2027-02-28"))
    );
    let state = story.state();
    assert_eq!(state.newly_aged_out().len(), 1);
    story.then(decide::issue_supplement(&state, vec![3], vec![4], at(2027, 3, 1, 12)).expect("s"));
    assert!(story.state().newly_aged_out().is_empty());
    assert_eq!(
        story.state().next_timer(&[], None),
        None,
        "nothing left to wait for"
    );
    assert_eq!(story.state().identifiers_needed_until(), None);
    assert!(
        story.tick(at(2027, 3, 2, 12)).events.is_empty(),
        "recorded once"
    );
}

#[test]
fn a_backup_claim_must_name_its_sets_and_only_an_in_backups_answer_may() {
    let mut story = Story::submitted();
    story.others_answer(&["backups"], t0());
    let now = Now::exactly(t0());
    let reject = |a| decide::accept_ack(&story.state(), a, &policy(), now).expect_err("refused");
    assert!(matches!(
        reject(in_backups(vec![], t0())),
        AckRejection::BadBackups(_)
    ));
    let erased_with_sets = AckAccepted {
        backups: vec![copy("a", "2027-01-01")],
        ..ack("backups", 1, Outcome::Erased, t0())
    };
    assert!(matches!(
        reject(erased_with_sets),
        AckRejection::BadBackups(_)
    ));
    let twice = in_backups(vec![copy("a", "2027-01-01"), copy("a", "2027-02-01")], t0());
    assert!(matches!(reject(twice), AckRejection::BadBackups(_)));
}

fn completed_story() -> Story {
    let mut story = Story::submitted();
    story.others_answer(&[], at(2026, 11, 23, 9));
    story.certify(at(2026, 11, 23, 9));
    assert_eq!(story.state().status, RequestStatus::Completed);
    story
}

#[test]
fn a_replay_dispatches_the_restored_systems_again_once() {
    let mut story = completed_story();
    let systems = ["crm".into(), "archive".into(), "backups".into()];
    let since = at(2026, 11, 20, 0);
    let now = at(2027, 1, 10, 8);
    let d = decide::replay(&story.state(), "rp-1", &systems, since, &policy(), now).expect("ok");
    assert_eq!(types(&d), ["ErasureReplayed", "TaskDispatched"]);
    assert_eq!(
        dispatched_attempts(&d),
        [("crm".into(), 2)],
        "the manual archive is an operator's to redo; the backups erase nothing"
    );
    story.then(d);
    let again = decide::replay(&story.state(), "rp-1", &systems, since, &policy(), now);
    assert_eq!(
        again.map(|d| d.events),
        Ok(vec![]),
        "a resumed replay dispatches nothing twice"
    );
    // The answers count; the request stays completed with its one certificate.
    let d = story.answer(ack("crm", 2, Outcome::Erased, now), now);
    assert_eq!(types(&d), ["AckAccepted"]);
    assert!(d.effects.is_empty());
    let state = story.state();
    assert_eq!(state.status, RequestStatus::Completed);
    assert!(state.all_tasks_final());
    assert_eq!(state.replays.len(), 1);
}

#[test]
fn a_replay_leaves_out_erasures_before_the_backup_and_says_when_nothing_is_left() {
    let story = completed_story();
    let after_all = at(2026, 11, 24, 0);
    let r = decide::replay(
        &story.state(),
        "rp-2",
        &["crm".into()],
        after_all,
        &policy(),
        t0(),
    );
    assert_eq!(r, Err(Rejection::NothingToReplay));
}

#[test]
fn the_backups_are_asked_once_every_other_system_is_final() {
    let mut story = Story::submitted();
    let now = t0();
    assert_eq!(story.state().tasks[&SystemId::new("backups")].attempt, 0);
    story.answer(ack("crm", 1, Outcome::Erased, now), now);
    let d = story.attest(attestation("archive", now)).expect("attested");
    assert!(dispatched_attempts(&d).is_empty(), "payments still pending");
    // A failed system is final too: the backups are asked then.
    let d = story.answer(ack("payments", 1, Outcome::FailedPermanent, now), now);
    assert_eq!(dispatched_attempts(&d), [("backups".into(), 1)]);
    assert_eq!(story.state().status, RequestStatus::InProgress);
    let d = story.answer(ack("backups", 1, Outcome::NothingFound, now), now);
    assert_eq!(types(&d), ["AckAccepted", "RequestFailed"]);
}

#[test]
fn a_request_for_the_backups_alone_asks_them_at_once() {
    let p = policy();
    let only_backups = RequestReceived {
        scope: vec!["backups".into()],
        ..received()
    };
    let d = decide::receive(None, only_backups, &inventory(), &p, t0()).expect("accepted");
    assert_eq!(dispatched_attempts(&d), [("backups".into(), 1)]);
}
