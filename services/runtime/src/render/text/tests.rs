use super::*;

fn task(system_id: &str, state: pb::TaskState, outcome: pb::Outcome) -> pb::TaskView {
    pb::TaskView {
        system_id: system_id.into(),
        state: state as i32,
        attempt: 1,
        outcome: outcome as i32,
        ..pb::TaskView::default()
    }
}

#[test]
fn a_manual_task_reads_open_then_attested_by_its_operator() {
    let open = pb::TaskView {
        manual: true,
        ..task("archive", pb::TaskState::Pending, pb::Outcome::Unspecified)
    };
    assert_eq!(task_line(&open).trim_end(), "  archive      manual (open)");
    let attested = pb::TaskView {
        manual: true,
        attested_by: "Liisa".into(),
        attested_at: "2026-09-21T11:26:40Z".into(),
        evidence_summary: "letter sent, confirmation filed".into(),
        ..task("archive", pb::TaskState::Done, pb::Outcome::Erased)
    };
    assert_eq!(
        task_line(&attested),
        "  archive      erased                attested by Liisa at 2026-09-21T11:26:40Z, not \
         signed by a connector: letter sent, confirmation filed"
    );
}

#[test]
fn a_task_shows_its_follow_up_reference_and_copies_in_backups() {
    let accepted = pb::TaskView {
        follow_up_at: "2026-09-22T08:00:00Z".into(),
        reference: "PAY-2026-0042".into(),
        ..task("payments", pb::TaskState::Pending, pb::Outcome::Accepted)
    };
    assert_eq!(
        task_line(&accepted),
        "  payments     accepted (attempt 1)   (follow-up at 2026-09-22T08:00:00Z; reference \
         PAY-2026-0042)"
    );
    let in_backups = pb::TaskView {
        evidence_summary: "2 sets".into(),
        in_backups_until: "2026-12-31".into(),
        ..task("catalog", pb::TaskState::Done, pb::Outcome::InBackups)
    };
    assert_eq!(
        task_line(&in_backups),
        "  catalog      in-backups            2 sets (in backups until 2026-12-31)"
    );
}

#[test]
fn a_request_lists_its_recipients_and_replays() {
    let r = pb::ErasureRequest {
        request_id: "r-42".into(),
        disclose_recipients: true,
        tasks: vec![pb::TaskView {
            in_backups_until: "2026-12-31".into(),
            ..task("catalog", pb::TaskState::Done, pb::Outcome::InBackups)
        }],
        recipients: vec![
            pb::RecipientView {
                system_id: "payments".into(),
                name: "Maksu Oy".into(),
                role: "processor".into(),
                via: "api".into(),
                told_at: "2026-09-21T00:20:00Z".into(),
                outcome: pb::Outcome::Erased as i32,
                reference: "PAY-2026-0042".into(),
            },
            pb::RecipientView {
                system_id: "archive".into(),
                name: "Arkisto Oy".into(),
                role: "processor".into(),
                via: "manual".into(),
                ..pb::RecipientView::default()
            },
        ],
        replays: vec!["replay-1".into(), "replay-2".into()],
        ..pb::ErasureRequest::default()
    };
    let text = request(&r);
    for line in [
        "in backups   copies that cannot be edited age out on their own (not a legal hold)",
        "recipients (GDPR Art. 19; the person asked to be told them)",
        "  payments     Maksu Oy (processor, via api): told 2026-09-21T00:20:00Z, erased \
         (reference PAY-2026-0042)",
        "  archive      Arkisto Oy (processor, via manual): not told yet",
        "replays      replay-1, replay-2 (erasures applied again after a restore)",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[test]
fn a_request_without_third_parties_reads_as_before() {
    let r = pb::ErasureRequest {
        request_id: "r-1".into(),
        tasks: vec![task("crm", pb::TaskState::Done, pb::Outcome::Erased)],
        ..pb::ErasureRequest::default()
    };
    let text = request(&r);
    for absent in ["recipients", "replays", "in backups", "manual"] {
        assert!(!text.contains(absent), "{absent} in\n{text}");
    }
}
