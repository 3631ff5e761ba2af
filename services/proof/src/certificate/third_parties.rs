//! Certificates with third parties: an operator's attestation, copies in backups and
//! recipients. Each inconsistency is signed by the real coordinator key (a dishonest or
//! buggy coordinator): only the checks of this module can tell, and each must name it.

use super::*;
use crate::testing::{
    AGED_OUT_AT_MS, EVIDENCE, ack, answer, attested_archive, backup_exception, certificate,
    certificate_with_third_parties, failed_checks, file_json, fixture, in_backups_ack,
};
use erasure_proto::v1::{Acknowledgment, Outcome};

/// Signs `cert` with the coordinator key and returns its one failed check.
fn only_failure(cert: &Certificate) -> String {
    let f = fixture();
    let v = verify_file(&file_json(&f, cert), Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    failures[0].clone()
}

fn third_parties(change: impl FnOnce(&mut Certificate)) -> Certificate {
    let f = fixture();
    let mut cert = certificate_with_third_parties(&f, "r1");
    change(&mut cert);
    cert
}

fn system(cert: &mut Certificate, id: &str) -> usize {
    cert.systems
        .iter()
        .position(|s| s.system_id == id)
        .expect("system")
}

fn recipient<'a>(
    cert: &'a mut Certificate,
    id: &str,
) -> &'a mut erasure_proto::v1::RecipientNotice {
    cert.recipients
        .iter_mut()
        .find(|r| r.system_id == id)
        .expect("recipient")
}

#[test]
fn a_certificate_with_third_parties_verifies_and_names_each_new_check() {
    let f = fixture();
    let json = file_json(&f, &certificate_with_third_parties(&f, "r1"));
    let v = verify_file(&json, Some(&f.trust));
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    let detail = |name: &str| {
        v.checks
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.detail.clone())
            .unwrap_or_else(|| panic!("no check {name:?}"))
    };
    assert_eq!(
        detail("attestation of archive"),
        "erased attested by operator Liisa Operaattori, not signed by a connector"
    );
    assert!(detail("acknowledgment of catalog").starts_with("in-backups signed by"));
    assert!(detail("backups").starts_with("1 system(s) in backups (0 aged out)"));
    assert_eq!(
        detail("recipients"),
        "3 recipient(s), each as its system's result says"
    );
    assert!(
        !v.checks
            .iter()
            .any(|c| c.name == "acknowledgment of archive"),
        "an attested entry never passes as acknowledged"
    );
    assert!(
        !detail("attestation of archive").contains("Letter"),
        "the evidence is not echoed"
    );
}

#[test]
fn a_certificate_without_third_parties_has_no_new_checks_and_no_new_fields() {
    let f = fixture();
    let json = file_json(&f, &crate::testing::certificate_with_hold(&f, "r1"));
    for key in [
        "attestation",
        "backups",
        "recipients",
        "recipients_requested",
    ] {
        assert!(!json.contains(key), "{key} in {json}");
    }
    let v = verify_file(&json, Some(&f.trust));
    assert!(v.is_valid());
    assert!(
        v.checks
            .iter()
            .all(|c| c.name != "backups" && c.name != "recipients")
    );
}

#[test]
fn the_readable_view_shows_the_attestation_backups_and_recipients() {
    let f = fixture();
    let json = file_json(&f, &certificate_with_third_parties(&f, "r1"));
    let file: CertificateFile = serde_json::from_str(&json).expect("file");
    let c = &file.certificate;
    let archive = c
        .systems
        .iter()
        .find(|s| s.system_id == "archive")
        .expect("archive");
    let attestation = archive.attestation.as_ref().expect("attestation");
    assert_eq!(attestation.operator, "Liisa Operaattori");
    assert_eq!(attestation.evidence, EVIDENCE);
    assert_eq!(attestation.attested_at, "2026-09-21T11:26:40.000Z");
    assert_eq!(
        attestation.attachment.as_ref().map(|a| a.size),
        Some(48_213)
    );
    assert_eq!(archive.connector_key_id, "");
    assert_eq!(
        c.backups,
        [BackupView {
            system_id: "catalog".into(),
            until: "2026-12-31".into(),
            set_ids: backup_exception().set_ids,
            aged_out_at: None,
        }]
    );
    let payments = &c.recipients[0];
    assert_eq!(
        (
            payments.via.as_str(),
            payments.outcome.as_str(),
            payments.reference.as_str()
        ),
        ("api", "erased", "PAY-2026-0042")
    );
    assert_eq!(
        payments.told_at.as_deref(),
        Some("2026-09-21T00:20:00.000Z")
    );
    assert!(c.recipients_requested);
    // The attested entry's JSON has no acknowledgment fields at all.
    let value: serde_json::Value = serde_json::from_str(&json).expect("json");
    let entry = value["certificate"]["systems"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["system_id"] == "archive"))
        .expect("entry");
    let keys: Vec<&str> = entry
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["attestation", "outcome", "system_id"]);
}

#[test]
fn editing_the_readable_third_parties_is_named() {
    let f = fixture();
    let json = file_json(&f, &certificate_with_third_parties(&f, "r1"));
    type Edit = fn(&mut CertificateView);
    let cases: [(&str, Edit); 4] = [
        ("backups", |c| c.backups[0].until = "2026-10-31".into()),
        ("recipients", |c| c.recipients[2].via = "api".into()),
        ("recipients_requested", |c| c.recipients_requested = false),
        ("systems", |c| {
            let archive = c.systems.last_mut().expect("archive");
            archive.attestation.as_mut().expect("attestation").operator = "Someone".into();
        }),
    ];
    for (field, edit) in cases {
        let mut file: CertificateFile = serde_json::from_str(&json).expect("file");
        edit(&mut file.certificate);
        let v = verify_file(&serde_json::to_string(&file).expect("json"), Some(&f.trust));
        let failures = failed_checks(&v);
        assert!(
            failures.len() == 1
                && failures[0].starts_with("readable certificate")
                && failures[0].contains(field),
            "{field}: {failures:?}"
        );
    }
}

#[test]
fn an_attested_entry_cannot_be_dressed_up_as_signed_by_a_connector() {
    let f = fixture();
    let json = file_json(&f, &certificate_with_third_parties(&f, "r1"));
    let mut value: serde_json::Value = serde_json::from_str(&json).expect("json");
    let archive = value["certificate"]["systems"]
        .as_array_mut()
        .and_then(|s| s.iter_mut().find(|s| s["system_id"] == "archive"))
        .and_then(|s| s.as_object_mut())
        .expect("entry");
    archive.insert("connector_key_id".into(), f.partners.key_id().into());
    archive.insert("acknowledged_at".into(), "2026-09-21T11:26:40.000Z".into());
    let v = verify_file(&value.to_string(), Some(&f.trust));
    let failures = failed_checks(&v);
    assert!(
        failures.len() == 1
            && failures[0].starts_with(
                "readable certificate: differs from the signed certificate in: systems"
            ),
        "{failures:?}"
    );
}

// Attestations.

#[test]
fn an_attestation_next_to_an_acknowledgment_is_named() {
    let failure = only_failure(&third_parties(|c| {
        c.systems[0].attestation = attested_archive().attestation;
    }));
    assert!(
        failure.starts_with("attestation of crm: has both a connector's acknowledgment"),
        "{failure}"
    );
}

#[test]
fn a_result_with_neither_is_named() {
    let f = fixture();
    let genuine = certificate_with_third_parties(&f, "r1");
    let mut file: CertificateFile = serde_json::from_str(&file_json(&f, &genuine)).expect("file");
    let mut cert = genuine.clone();
    let i = system(&mut cert, "archive");
    cert.systems[i].attestation = None;
    cert.recipients.retain(|r| r.system_id != "archive");
    // Signed by the coordinator; the readable part cannot be derived from it any more.
    let signed = sign_certificate(&f.coordinator, &cert);
    file.signed_certificate = B64.encode(signed.encode_to_vec());
    file.log = Some(crate::testing::logged(&f, &signed));
    let failures = failed_checks(&verify_file(
        &serde_json::to_string(&file).expect("json"),
        Some(&f.trust),
    ));
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(
        failures[0].starts_with("acknowledgment of archive: missing: neither"),
        "{failures:?}"
    );
    assert!(
        failures[1].starts_with("readable certificate: malformed system archive"),
        "{failures:?}"
    );
}

#[test]
fn an_attestation_must_say_erased_or_nothing_found_and_name_operator_and_evidence() {
    type Edit = fn(&mut Certificate, usize);
    let cases: [(Edit, &str); 5] = [
        (
            |c, i| c.systems[i].outcome = Outcome::Retained as i32,
            "outcome retained cannot be attested",
        ),
        (
            |c, i| c.systems[i].outcome = Outcome::InBackups as i32,
            "outcome in-backups cannot be attested",
        ),
        (
            |c, i| c.systems[i].attestation.as_mut().expect("a").operator = " ".into(),
            "names no operator",
        ),
        (
            |c, i| c.systems[i].attestation.as_mut().expect("a").evidence = String::new(),
            "gives no evidence",
        ),
        (
            |c, i| {
                let a = c.systems[i].attestation.as_mut().expect("a");
                a.attachment.as_mut().expect("file").sha256.truncate(16);
            },
            "the attachment's sha256 is 16 bytes",
        ),
    ];
    for (edit, named) in cases {
        let cert = third_parties(|c| {
            let i = system(c, "archive");
            edit(c, i);
            // Keep the recipient in step, so only the attestation can fail.
            recipient(c, "archive").outcome = c.systems[i].outcome;
        });
        let failure = only_failure(&cert);
        assert!(
            failure.starts_with("attestation of archive: ") && failure.contains(named),
            "{named}: {failure}"
        );
        assert!(!failure.contains("Letter"), "no evidence echoed: {failure}");
    }
}

// Outcomes.

#[test]
fn an_interim_accepted_answer_is_not_a_completion() {
    let f = fixture();
    let failure = only_failure(&third_parties(|c| {
        let i = system(c, "payments");
        let accepted = Acknowledgment {
            follow_up_at_ms: 1_790_100_000_000,
            reference: "PAY-2026-0042".into(),
            completed_at_ms: 1_789_980_000_000,
            ..ack("r1", "payments", Outcome::Accepted)
        };
        c.systems[i] = answer(&f.partners, &accepted);
        recipient(c, "payments").outcome = Outcome::Accepted as i32;
    }));
    assert!(
        failure.starts_with("acknowledgment of payments") && failure.contains("not a completion"),
        "{failure}"
    );
}

// Backups.

#[test]
fn a_forged_backup_date_is_named() {
    let failure = only_failure(&third_parties(|c| c.backups[0].until = "2026-11-30".into()));
    assert_eq!(
        failure,
        "backups: backups of catalog: until is 2026-11-30, but the latest expires_on of the \
         acknowledgment is 2026-12-31"
    );
}

#[test]
fn set_ids_that_differ_from_the_acknowledgment_are_named() {
    for set_ids in [
        vec!["catalog-2026-09-14-incr", "catalog-2026-09-20-full"],
        vec!["catalog-2026-09-20-full"],
        vec![
            "catalog-2026-09-20-full",
            "catalog-2026-09-14-incr",
            "catalog-2026-08-01-full",
        ],
    ] {
        let failure = only_failure(&third_parties(|c| {
            c.backups[0].set_ids = set_ids.iter().map(|s| (*s).to_owned()).collect();
        }));
        assert!(
            failure.starts_with("backups: backups of catalog: set_ids [")
                && failure.contains("differ from the acknowledgment's"),
            "{failure}"
        );
    }
}

#[test]
fn an_in_backups_system_without_its_backup_exception_is_named() {
    let failure = only_failure(&third_parties(|c| c.backups.clear()));
    assert_eq!(
        failure,
        "backups: catalog answered in-backups, but no backup exception lists it"
    );
}

#[test]
fn a_backup_exception_the_acknowledgment_does_not_back_is_named() {
    let cases = [
        (
            "crm",
            "the acknowledgment of crm says erased, not in-backups",
        ),
        ("archive", "no acknowledgment of archive"),
        ("warehouse", "no acknowledgment of warehouse"),
    ];
    for (system_id, named) in cases {
        let failure = only_failure(&third_parties(|c| {
            c.backups.push(erasure_proto::v1::BackupException {
                system_id: system_id.into(),
                ..backup_exception()
            });
        }));
        assert_eq!(
            failure,
            format!("backups: backups of {system_id}: {named}"),
            "{system_id}"
        );
    }
}

#[test]
fn a_system_listed_twice_in_backups_is_named() {
    let failure = only_failure(&third_parties(|c| c.backups.push(backup_exception())));
    assert_eq!(failure, "backups: backups of catalog listed twice");
}

#[test]
fn until_must_be_a_date() {
    for until in ["2026-12-31T00:00:00Z", "2026-12-1", "31.12.2026", ""] {
        let failure = only_failure(&third_parties(|c| c.backups[0].until = until.into()));
        assert!(
            failure.starts_with("backups: backups of catalog: until ")
                && failure.contains("is not a YYYY-MM-DD date"),
            "{until}: {failure}"
        );
    }
}

/// The catalog's sets expired before the certificate was issued (2026-09-21), and aged
/// out `at`.
fn aged_before_issue(at: i64) -> Certificate {
    let f = fixture();
    third_parties(|c| {
        let i = system(c, "catalog");
        let mut expired = in_backups_ack("r1");
        expired.backups.iter_mut().for_each(|b| {
            b.expires_on = "2026-09-10".into();
        });
        c.systems[i] = answer(&f.partners, &expired);
        c.backups[0].until = "2026-09-10".into();
        c.backups[0].aged_out_at_ms = at;
    })
}

/// 2026-09-11T00:00:00Z.
const SEPT_11: i64 = 1_789_084_800_000;

#[test]
fn backups_age_out_from_00_00_utc_of_the_day_after_until() {
    let f = fixture();
    for ok in [SEPT_11, SEPT_11 + 12 * 3_600_000] {
        let v = verify_file(&file_json(&f, &aged_before_issue(ok)), Some(&f.trust));
        assert!(v.is_valid(), "{ok}: {:?}", failed_checks(&v));
    }
    let failure = only_failure(&aged_before_issue(SEPT_11 - 1));
    assert_eq!(
        failure,
        "backups: backups of catalog: aged out at 2026-09-10T23:59:59.999Z, before \
         2026-09-11T00:00:00.000Z (00:00 UTC of the day after until)"
    );
}

#[test]
fn backups_cannot_age_out_after_the_certificate_was_issued() {
    let failure = only_failure(&third_parties(|c| {
        c.backups[0].aged_out_at_ms = AGED_OUT_AT_MS;
    }));
    assert!(
        failure.starts_with("backups: backups of catalog: aged out at 2027-01-01T12:00:00.000Z")
            && failure.contains("after the document was issued"),
        "{failure}"
    );
}

// Recipients.

#[test]
fn a_recipient_outcome_that_differs_is_named() {
    let failure = only_failure(&third_parties(|c| {
        recipient(c, "adtech").outcome = Outcome::Erased as i32;
    }));
    assert_eq!(
        failure,
        "recipients: recipient adtech: outcome erased, but the system's result says \
         nothing-found"
    );
}

#[test]
fn an_attested_recipient_claiming_an_api_is_named() {
    for via in ["api", "opendsr", "connector"] {
        let failure = only_failure(&third_parties(|c| recipient(c, "archive").via = via.into()));
        assert!(
            failure.starts_with(&format!("recipients: recipient archive: told via {via}"))
                && failure.contains("an operator attested"),
            "{failure}"
        );
    }
}

#[test]
fn an_acknowledged_recipient_claiming_manual_is_named() {
    let failure = only_failure(&third_parties(|c| {
        recipient(c, "payments").via = "manual".into();
    }));
    assert!(
        failure.starts_with("recipients: recipient payments: told via manual, but a connector"),
        "{failure}"
    );
}

#[test]
fn a_recipient_reference_must_be_the_acknowledgments_and_none_for_an_attestation() {
    let failure = only_failure(&third_parties(|c| {
        recipient(c, "payments").reference = "PAY-2026-0043".into();
    }));
    assert_eq!(
        failure,
        "recipients: recipient payments: reference \"PAY-2026-0043\", but the system's result \
         gives \"PAY-2026-0042\""
    );
    let failure = only_failure(&third_parties(|c| {
        recipient(c, "archive").reference = "letter 12".into();
    }));
    assert!(
        failure.starts_with("recipients: recipient archive: reference \"letter 12\""),
        "{failure}"
    );
}

#[test]
fn a_recipient_answer_time_must_be_its_results() {
    for (system_id, dated) in [
        ("payments", "2026-09-21T08:40:00.000Z"),
        ("archive", "2026-09-21T11:26:40.000Z"),
    ] {
        let failure = only_failure(&third_parties(|c| {
            recipient(c, system_id).answered_at_ms += 1_000;
        }));
        assert!(
            failure.starts_with(&format!("recipients: recipient {system_id}: answered_at"))
                && failure.ends_with(&format!("but the system's result is dated {dated}")),
            "{failure}"
        );
    }
}

#[test]
fn a_recipient_told_after_it_answered_is_named() {
    let failure = only_failure(&third_parties(|c| {
        recipient(c, "payments").told_at_ms = 1_789_980_000_001;
    }));
    assert_eq!(
        failure,
        "recipients: recipient payments: told at 2026-09-21T08:40:00.001Z, after it answered \
         (2026-09-21T08:40:00.000Z)"
    );
}

#[test]
fn a_recipient_must_be_a_system_of_the_certificate_with_a_known_role_and_way() {
    type Edit = fn(&mut erasure_proto::v1::RecipientNotice);
    let cases: [(Edit, &str); 5] = [
        (
            |r| r.system_id = "warehouse".into(),
            "recipient warehouse: not a system of the certificate",
        ),
        (
            |r| r.role = "partner".into(),
            "recipient payments: role \"partner\" is not one of processor, controller",
        ),
        (
            |r| r.via = "email".into(),
            "recipient payments: via \"email\" is not one of api, opendsr, manual, connector",
        ),
        (
            |r| r.name = String::new(),
            "recipient payments: has no name",
        ),
        (
            |r| r.system_id = "adtech".into(),
            "recipient adtech: listed twice",
        ),
    ];
    for (edit, named) in cases {
        let failure = only_failure(&third_parties(|c| {
            c.recipients.sort_by_key(|r| r.system_id != "adtech");
            edit(recipient(c, "payments"));
        }));
        assert_eq!(failure, format!("recipients: {named}"));
    }
}

#[test]
fn recipients_of_a_plain_certificate_are_checked_too() {
    let f = fixture();
    let mut cert = certificate(&f, "r1");
    cert.recipients = certificate_with_third_parties(&f, "r1").recipients;
    let failure = only_failure(&cert);
    assert!(
        failure.starts_with("recipients: recipient payments: not a system of the certificate"),
        "{failure}"
    );
}
