use super::*;
use crate::CERTIFICATE_CONTEXT;
use crate::testing::{
    ack, answer, certificate, certificate_with_hold, exception, failed_checks, file_json, fixture,
    signed_supplement_json, supplement, supplement_json, vouchers,
};
use erasure_proto::v1::{Outcome, Retention};

#[test]
fn a_supplement_verifies_linked_to_its_certificate() {
    let f = fixture();
    let cert = certificate_with_hold(&f, "r1");
    let json = supplement_json(&f, &supplement(&f, &cert));
    let v = verify_supplement_file(&json, Some(&f.trust), Some(&file_json(&f, &cert)));
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    let names: Vec<&str> = v.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "file format",
            "signed supplement encoding",
            "supplement format",
            "coordinator signature",
            "coordinator key id",
            "acknowledgment of ledger",
            "retention exceptions",
            "ended holds",
            "readable supplement",
            "tree head signature",
            "inclusion proof",
            "supplements certificate",
        ]
    );
    let file: SupplementFile = serde_json::from_str(&json).expect("file");
    assert_eq!(file.supplement.ended[0].rule_id, "fi-kpl-vouchers");
    assert_eq!(file.supplement.systems[0].outcome, "erased");
}

#[test]
fn without_its_certificate_a_supplement_verifies_alone_on_self_declared_keys() {
    let f = fixture();
    let json = supplement_json(&f, &supplement(&f, &certificate_with_hold(&f, "r1")));
    let v = verify_supplement_file(&json, None, None);
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    assert!(v.self_declared_keys);
    assert!(v.checks.iter().all(|c| c.name != "supplements certificate"));
}

#[test]
fn a_supplement_signed_as_a_certificate_is_refused() {
    let f = fixture();
    let bytes = supplement(&f, &certificate_with_hold(&f, "r1")).encode_to_vec();
    let signed = SignedCertificate {
        signature: f.coordinator.sign(CERTIFICATE_CONTEXT, &bytes),
        certificate: bytes,
        key_id: f.coordinator.key_id().into(),
    };
    let v = verify_supplement_file(&signed_supplement_json(&f, &signed), Some(&f.trust), None);
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("coordinator signature: bad signature"));
}

#[test]
fn a_supplement_of_another_certificate_fails_the_link() {
    let f = fixture();
    let cert = certificate_with_hold(&f, "r1");
    let mut reissued = cert.clone();
    reissued.issued_at_ms += 1;
    let json = supplement_json(&f, &supplement(&f, &cert));
    let v = verify_supplement_file(&json, Some(&f.trust), Some(&file_json(&f, &reissued)));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("supplements certificate: supplements certificate ")
            && failures[0].contains("but this certificate is"),
        "{failures:?}"
    );
}

#[test]
fn a_supplement_naming_a_certificate_of_another_request_fails_the_link() {
    let f = fixture();
    let other = certificate(&f, "r2");
    let mut s = supplement(&f, &certificate_with_hold(&f, "r1"));
    s.certificate_hash = supplement(&f, &other).certificate_hash;
    let v = verify_supplement_file(
        &supplement_json(&f, &s),
        Some(&f.trust),
        Some(&file_json(&f, &other)),
    );
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains("for request r2, the supplement for r1"),
        "{failures:?}"
    );
}

#[test]
fn editing_an_ended_hold_in_the_readable_part_is_named() {
    let f = fixture();
    let json = supplement_json(&f, &supplement(&f, &certificate_with_hold(&f, "r1")));
    let mut file: SupplementFile = serde_json::from_str(&json).expect("file");
    file.supplement.ended[0].retained_until = "2027-12-31".into();
    let v = verify_supplement_file(&serde_json::to_string(&file).expect("json"), None, None);
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("readable supplement") && failures[0].contains("ended"));
}

#[test]
fn data_retained_again_must_be_a_remaining_hold() {
    let f = fixture();
    let mut s = supplement(&f, &certificate_with_hold(&f, "r1"));
    let books = Retention {
        rule_id: "fi-kpl-books".into(),
        ..vouchers()
    };
    let mut kept = ack("r1", "ledger", Outcome::Retained);
    kept.retained = vec![books.clone()];
    s.systems = vec![answer(&f.ledger, &kept)];
    let unlisted = verify_supplement_file(&supplement_json(&f, &s), Some(&f.trust), None);
    let failures = failed_checks(&unlisted);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("ledger retained 3 item(s) of invoices under rule fi-kpl-books"));
    // Listed, it verifies; a hold of a system that did not answer here is not its business.
    s.remaining = vec![
        exception("ledger", &books),
        exception("archive", &vouchers()),
    ];
    let listed = verify_supplement_file(&supplement_json(&f, &s), Some(&f.trust), None);
    assert!(listed.is_valid(), "{:?}", failed_checks(&listed));
}

#[test]
fn a_hold_that_ended_without_an_answer_is_named() {
    let f = fixture();
    let mut s = supplement(&f, &certificate_with_hold(&f, "r1"));
    s.ended.push(exception("archive", &vouchers()));
    let v = verify_supplement_file(&supplement_json(&f, &s), Some(&f.trust), None);
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("ended holds") && failures[0].contains("archive/fi-kpl-vouchers")
    );
}

#[test]
fn a_failed_answer_is_not_a_completion() {
    let f = fixture();
    let mut s = supplement(&f, &certificate_with_hold(&f, "r1"));
    s.systems = vec![answer(
        &f.ledger,
        &ack("r1", "ledger", Outcome::FailedPermanent),
    )];
    let v = verify_supplement_file(&supplement_json(&f, &s), Some(&f.trust), None);
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("acknowledgment of ledger")
            && failures[0].contains("not a completion")
    );
}
