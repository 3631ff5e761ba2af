//! Kit cases for the connector on its own.

use super::{KitSubject, alice, assert_no_personal_data, assert_nothing_found, bob, carol, job};
use erasure_core::events::Outcome;

/// Erasing a seeded person removes everything and says so with a success outcome.
pub async fn erasing_a_seeded_person_removes_everything(subject: &dyn KitSubject) {
    let person = alice();
    subject.seed(&person).await;
    subject.seed(&bob()).await;
    assert!(
        subject.remaining(&person).await > 0,
        "seeding left nothing to erase"
    );

    let report = subject
        .connector()
        .erase(&job(&person, "req-erase", 1))
        .await;

    assert!(
        matches!(report.outcome, Outcome::Erased | Outcome::Anonymised),
        "outcome {:?}, detail {:?}",
        report.outcome,
        report.detail
    );
    assert!(report.items_affected > 0, "no item counted");
    assert!(!report.evidence_summary.is_empty(), "no evidence summary");
    assert_no_personal_data(&report, &person);
    assert_eq!(
        subject.remaining(&person).await,
        0,
        "data of the person remains"
    );
}

/// Erasing the same person again is harmless and finds nothing.
pub async fn erasing_twice_finds_nothing_the_second_time(subject: &dyn KitSubject) {
    let person = alice();
    subject.seed(&person).await;
    let connector = subject.connector();
    let first = connector.erase(&job(&person, "req-twice", 1)).await;
    assert!(
        first.outcome.is_success(),
        "first erasure: {:?}",
        first.outcome
    );

    let second = connector.erase(&job(&person, "req-twice", 2)).await;

    assert_eq!(
        second.outcome,
        Outcome::NothingFound,
        "detail {:?}",
        second.detail
    );
    assert_eq!(second.items_affected, 0);
    assert_no_personal_data(&second, &person);
    assert_eq!(subject.remaining(&person).await, 0);
}

/// For a kind that tells a recipient (a processor's API, GDPR Art. 19) instead of erasing
/// itself, replacing [`erasing_twice_finds_nothing_the_second_time`]: a new attempt of a
/// task already answered must not ask the recipient again (that would be a second erasure
/// request over there), so it repeats the first answer, evidence and reference included;
/// a new request for the same person then finds nothing.
pub async fn a_new_attempt_of_a_finished_task_repeats_its_answer(subject: &dyn KitSubject) {
    let person = alice();
    subject.seed(&person).await;
    let connector = subject.connector();
    let first = connector.erase(&job(&person, "req-again", 1)).await;
    assert!(
        matches!(first.outcome, Outcome::Erased | Outcome::Anonymised),
        "first erasure: {:?}, detail {:?}",
        first.outcome,
        first.detail
    );

    let again = connector.erase(&job(&person, "req-again", 2)).await;

    assert_eq!(
        again, first,
        "the new attempt did not repeat the first answer"
    );
    assert_no_personal_data(&again, &person);
    let later = connector.erase(&job(&person, "req-later", 1)).await;
    assert_eq!(
        later.outcome,
        Outcome::NothingFound,
        "detail {:?}",
        later.detail
    );
    assert_no_personal_data(&later, &person);
    assert_eq!(subject.remaining(&person).await, 0);
}

/// A person the system never held is "nothing found", which is a success.
pub async fn a_person_never_seeded_is_nothing_found(subject: &dyn KitSubject) {
    subject.seed(&bob()).await;
    let person = carol();

    let report = subject
        .connector()
        .erase(&job(&person, "req-unknown", 1))
        .await;

    assert_nothing_found(&report, &person);
}

/// Another person's data is left exactly as it was.
pub async fn other_people_are_untouched(subject: &dyn KitSubject) {
    let (person, neighbour) = (alice(), bob());
    subject.seed(&person).await;
    subject.seed(&neighbour).await;
    let before = subject.remaining(&neighbour).await;
    assert!(before > 0, "seeding the neighbour left nothing");

    let report = subject
        .connector()
        .erase(&job(&person, "req-neighbour", 1))
        .await;

    assert!(report.outcome.is_success(), "outcome {:?}", report.outcome);
    assert_eq!(
        subject.remaining(&neighbour).await,
        before,
        "the neighbour lost data"
    );
}
