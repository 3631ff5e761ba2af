//! Supplements for copies in backups: issued when the sets aged out, and listing those
//! still existing after a hold ended.

use super::*;
use crate::testing::{
    AGED_OUT_AT_MS, DAY_AFTER_UNTIL_MS, Fixture, aged_out_supplement, answer, backup_exception,
    certificate_with_hold, certificate_with_third_parties, failed_checks, file_json, fixture,
    in_backups_ack, supplement, supplement_json,
};
use erasure_proto::v1::{Acknowledgment, BackupException};

fn aged_out(f: &Fixture, change: impl FnOnce(&mut CertificateSupplement)) -> Verification {
    let cert = certificate_with_third_parties(f, "r1");
    let mut s = aged_out_supplement(f, &cert);
    change(&mut s);
    verify_supplement_file(
        &supplement_json(f, &s),
        Some(&f.trust),
        Some(&file_json(f, &cert)),
    )
}

fn only_failure(v: &Verification) -> String {
    let failures = failed_checks(v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    failures[0].clone()
}

#[test]
fn a_supplement_for_aged_out_backups_verifies_linked_to_its_certificate() {
    let f = fixture();
    let v = aged_out(&f, |_| {});
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    // No system answered: "backups" follows the holds' checks, before the readable part.
    let names: Vec<&str> = v.checks.iter().map(|c| c.name.as_str()).collect();
    let at = |name: &str| names.iter().position(|n| *n == name);
    assert!(
        !names.iter().any(|n| n.starts_with("acknowledgment of"))
            && at("backups") == at("ended holds").map(|i| i + 1)
            && at("readable supplement") == at("backups").map(|i| i + 1)
            && names.last() == Some(&"supplements certificate"),
        "{names:?}"
    );
    let backups = v.checks.iter().find(|c| c.name == "backups");
    assert_eq!(
        backups.map(|c| c.detail.as_str()),
        Some("1 aged out, 0 remaining")
    );
}

#[test]
fn the_readable_supplement_shows_what_aged_out() {
    let f = fixture();
    let cert = certificate_with_third_parties(&f, "r1");
    let json = supplement_json(&f, &aged_out_supplement(&f, &cert));
    let file: SupplementFile = serde_json::from_str(&json).expect("file");
    let aged = &file.supplement.aged_out[0];
    assert_eq!(
        (aged.until.as_str(), aged.aged_out_at.as_deref()),
        ("2026-12-31", Some("2027-01-01T12:00:00.000Z"))
    );
    assert!(file.supplement.systems.is_empty() && file.supplement.ended.is_empty());
    assert!(!json.contains("backups_remaining"), "omitted when empty");
    let mut edited = file.clone();
    edited.supplement.aged_out[0].aged_out_at = Some("2026-12-31T12:00:00.000Z".into());
    let v = verify_supplement_file(
        &serde_json::to_string(&edited).expect("json"),
        Some(&f.trust),
        None,
    );
    let failure = only_failure(&v);
    assert!(
        failure.starts_with("readable supplement") && failure.contains("aged_out"),
        "{failure}"
    );
}

#[test]
fn without_its_certificate_the_sets_cannot_be_compared_and_it_says_so() {
    let f = fixture();
    let cert = certificate_with_third_parties(&f, "r1");
    let json = supplement_json(&f, &aged_out_supplement(&f, &cert));
    let v = verify_supplement_file(&json, Some(&f.trust), None);
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    let backups = v.checks.iter().find(|c| c.name == "backups");
    assert_eq!(
        backups.map(|c| c.detail.as_str()),
        Some(
            "1 aged out, 0 remaining; 1 not compared with an acknowledgment (none in this \
             supplement; give the certificate to compare)"
        )
    );
}

#[test]
fn aged_out_entries_must_say_when_and_remaining_ones_must_not() {
    let f = fixture();
    let failure = only_failure(&aged_out(&f, |s| s.aged_out[0].aged_out_at_ms = 0));
    assert_eq!(
        failure,
        "backups: aged-out backups of catalog: aged_out_at_ms is not set"
    );
    let failure = only_failure(&aged_out(&f, |s| {
        s.backups_remaining = std::mem::take(&mut s.aged_out);
    }));
    assert_eq!(
        failure,
        "backups: remaining backups of catalog: aged_out_at_ms is set"
    );
    let still_there = aged_out(&f, |s| {
        s.aged_out.clear();
        s.backups_remaining = vec![backup_exception()];
    });
    assert!(still_there.is_valid(), "{:?}", failed_checks(&still_there));
}

#[test]
fn sets_age_out_from_00_00_utc_of_the_day_after_until_and_before_the_supplement() {
    let f = fixture();
    let at_midnight = aged_out(&f, |s| s.aged_out[0].aged_out_at_ms = DAY_AFTER_UNTIL_MS);
    assert!(at_midnight.is_valid(), "{:?}", failed_checks(&at_midnight));
    let failure = only_failure(&aged_out(&f, |s| {
        s.aged_out[0].aged_out_at_ms = DAY_AFTER_UNTIL_MS - 1;
    }));
    assert_eq!(
        failure,
        "backups: aged-out backups of catalog: aged out at 2026-12-31T23:59:59.999Z, before \
         2027-01-01T00:00:00.000Z (00:00 UTC of the day after until)"
    );
    let failure = only_failure(&aged_out(&f, |s| {
        s.aged_out[0].aged_out_at_ms = AGED_OUT_AT_MS + 501;
    }));
    assert!(
        failure.contains("after the document was issued"),
        "{failure}"
    );
}

#[test]
fn aged_out_sets_that_differ_from_the_certificates_acknowledgment_are_named() {
    let f = fixture();
    type Edit = fn(&mut BackupException);
    let cases: [(Edit, &str); 2] = [
        (
            |b| b.set_ids.truncate(1),
            "backups: aged-out backups of catalog: set_ids [catalog-2026-09-20-full] differ \
             from the acknowledgment's [catalog-2026-09-20-full, catalog-2026-09-14-incr]",
        ),
        (
            |b| b.until = "2026-11-30".into(),
            "backups: aged-out backups of catalog: until is 2026-11-30, but the latest \
             expires_on of the acknowledgment is 2026-12-31",
        ),
    ];
    for (edit, named) in cases {
        assert_eq!(
            only_failure(&aged_out(&f, |s| edit(&mut s.aged_out[0]))),
            named
        );
        // Alone, the supplement cannot tell: the acknowledgment is in the certificate.
        let cert = certificate_with_third_parties(&f, "r1");
        let mut s = aged_out_supplement(&f, &cert);
        edit(&mut s.aged_out[0]);
        let alone = verify_supplement_file(&supplement_json(&f, &s), Some(&f.trust), None);
        assert!(alone.is_valid(), "{:?}", failed_checks(&alone));
    }
}

#[test]
fn a_system_answering_in_backups_after_its_hold_must_be_listed() {
    let f = fixture();
    let mut s = supplement(&f, &certificate_with_hold(&f, "r1"));
    let ledger = Acknowledgment {
        system_id: "ledger".into(),
        task_id: "r1/ledger".into(),
        attempt: 2,
        ..in_backups_ack("r1")
    };
    s.systems = vec![answer(&f.ledger, &ledger)];
    let unlisted = verify_supplement_file(&supplement_json(&f, &s), Some(&f.trust), None);
    assert_eq!(
        only_failure(&unlisted),
        "backups: ledger answered in-backups, but no backup exception lists it"
    );
    s.backups_remaining = vec![BackupException {
        system_id: "ledger".into(),
        ..backup_exception()
    }];
    let listed = verify_supplement_file(&supplement_json(&f, &s), Some(&f.trust), None);
    assert!(listed.is_valid(), "{:?}", failed_checks(&listed));
    let backups = listed.checks.iter().find(|c| c.name == "backups");
    assert_eq!(
        backups.map(|c| c.detail.as_str()),
        Some("0 aged out, 1 remaining")
    );
}
