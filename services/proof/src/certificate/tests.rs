use super::*;
use crate::testing::{
    ack, answer, certificate, certificate_with_hold, exception, failed_checks, file_json, fixture,
    vouchers,
};
use erasure_proto::v1::{Outcome, Retention};

#[test]
fn a_genuine_certificate_verifies_with_and_without_a_trust_file() {
    let f = fixture();
    let json = file_json(&f, &certificate(&f, "r1"));
    let trusted = verify_file(&json, Some(&f.trust));
    assert!(trusted.is_valid(), "{:?}", failed_checks(&trusted));
    assert!(!trusted.self_declared_keys);
    let self_declared = verify_file(&json, None);
    assert!(self_declared.is_valid());
    assert!(self_declared.self_declared_keys);
}

#[test]
fn editing_the_readable_part_is_named() {
    let f = fixture();
    let json = file_json(&f, &certificate(&f, "r1"));
    let edited = json.replace("\"jurisdiction\": \"FI\"", "\"jurisdiction\": \"SE\"");
    assert_ne!(edited, json);
    let v = verify_file(&edited, Some(&f.trust));
    assert!(!v.is_valid());
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("readable certificate") && failures[0].contains("jurisdiction")
    );
}

#[test]
fn changing_a_signed_byte_breaks_the_coordinator_signature() {
    let f = fixture();
    let cert = certificate(&f, "r1");
    let mut signed = sign_certificate(&f.coordinator, &cert);
    // Re-encode a changed certificate under the old signature.
    let mut changed = cert.clone();
    changed.completed_at_ms += 1;
    signed.certificate = changed.encode_to_vec();
    let mut file = to_file(&signed, f.trust.clone(), None).expect("file");
    file.certificate = view(&changed).expect("view");
    let v = verify_file(&serde_json::to_string(&file).expect("json"), Some(&f.trust));
    let failures = failed_checks(&v);
    assert!(
        failures
            .iter()
            .any(|c| c.starts_with("coordinator signature")),
        "{failures:?}"
    );
}

#[test]
fn an_acknowledgment_from_another_request_is_named() {
    let f = fixture();
    let mut cert = certificate(&f, "r1");
    cert.systems = certificate(&f, "r2").systems; // validly signed, but for r2
    let v = verify_file(&file_json(&f, &cert), Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("acknowledgment of crm") && failures[0].contains("request r2"));
}

#[test]
fn keys_not_in_the_trust_file_are_refused() {
    let f = fixture();
    let json = file_json(&f, &certificate(&f, "r1"));
    let other = fixture_with_other_coordinator();
    let v = verify_file(&json, Some(&other));
    let failures = failed_checks(&v);
    assert!(
        failures
            .iter()
            .any(|c| c.starts_with("coordinator signature") && c.contains("unknown key")),
        "{failures:?}"
    );
}

fn fixture_with_other_coordinator() -> TrustStore {
    let mut t = fixture().trust;
    t.coordinator = vec![(&KeyPair::from_seed([99; 32]).public()).into()];
    t
}

#[test]
fn garbage_is_a_clear_failure() {
    let v = verify_file("{not json", None);
    assert!(!v.is_valid());
    assert_eq!(v.checks[0].name, "certificate file");
}

#[test]
fn a_certificate_with_a_retention_exception_verifies_and_reads_plainly() {
    let f = fixture();
    let json = file_json(&f, &certificate_with_hold(&f, "r1"));
    let v = verify_file(&json, Some(&f.trust));
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    let check = v.checks.iter().find(|c| c.name == "retention exceptions");
    assert!(check.is_some_and(|c| c.detail.starts_with("1 exception")));
    let file: CertificateFile = serde_json::from_str(&json).expect("file");
    let e = &file.certificate.exceptions[0];
    assert_eq!(e.ground, "GDPR Art. 17(3)(b) legal obligation");
    assert_eq!(
        e.citation,
        "Kirjanpitolaki (Accounting Act) 1336/1997, ch. 2 § 10(2)"
    );
    assert_eq!(
        file.certificate.systems[1].retained[0].retained_until,
        "2031-12-31"
    );
    let extension = file.certificate.extension.expect("extension");
    assert_eq!(
        (extension.months, extension.original_deadline.as_str()),
        (2, "2026-07-09")
    );
}

#[test]
fn a_certificate_without_holds_says_so_and_omits_the_extension() {
    let f = fixture();
    let json = file_json(&f, &certificate(&f, "r1"));
    assert!(!json.contains("extension"));
    let v = verify_file(&json, Some(&f.trust));
    let check = v.checks.iter().find(|c| c.name == "retention exceptions");
    assert!(check.is_some_and(|c| c.ok && c.detail == "no data retained"));
}

#[test]
fn a_file_from_before_holds_existed_still_verifies() {
    let f = fixture();
    let json = serde_json::to_string(
        &serde_json::from_str::<CertificateFile>(&file_json(&f, &certificate(&f, "r1")))
            .expect("file"),
    )
    .expect("json");
    let old = json
        .replace(",\"retained\":[]", "")
        .replace(",\"exceptions\":[]", "");
    assert!(!old.contains("retained") && !old.contains("exceptions"));
    let v = verify_file(&old, Some(&f.trust));
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
}

#[test]
fn editing_an_exceptions_date_in_the_readable_part_is_named() {
    let f = fixture();
    let json = file_json(&f, &certificate_with_hold(&f, "r1"));
    let mut file: CertificateFile = serde_json::from_str(&json).expect("file");
    file.certificate.exceptions[0].retained_until = "2027-12-31".into();
    let v = verify_file(&serde_json::to_string(&file).expect("json"), Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("readable certificate") && failures[0].contains("exceptions"),
        "{failures:?}"
    );
}

#[test]
fn a_signed_exception_that_differs_from_the_acknowledgment_is_named() {
    let f = fixture();
    let mut cert = certificate_with_hold(&f, "r1");
    cert.exceptions[0].retained_until = "2027-12-31".into();
    let v = verify_file(&file_json(&f, &cert), Some(&f.trust));
    let failures = failed_checks(&v);
    // The exception no longer backs the ledger's retained entry, nor it the exception.
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("retention exceptions: exception ledger/fi-kpl-vouchers")
            && failures[0].contains("retained_until (2027-12-31, acknowledged 2031-12-31)")
            && failures[0].contains("ledger retained 3 item(s) of invoices"),
        "{failures:?}"
    );
}

#[test]
fn an_exception_the_acknowledgment_does_not_back_is_named() {
    let f = fixture();
    let mut cert = certificate(&f, "r1");
    cert.exceptions = vec![exception("crm", &vouchers())];
    let v = verify_file(&file_json(&f, &cert), Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains("exception crm/fi-kpl-vouchers")
            && failures[0].contains("says erased, not retained"),
        "{failures:?}"
    );
}

#[test]
fn an_exception_of_a_system_the_certificate_does_not_name_is_named() {
    let f = fixture();
    let mut cert = certificate(&f, "r1");
    cert.exceptions = vec![exception("archive", &vouchers())];
    let v = verify_file(&file_json(&f, &cert), Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains("no acknowledgment of archive"),
        "{failures:?}"
    );
}

#[test]
fn retained_data_the_certificate_does_not_declare_is_named() {
    let f = fixture();
    let mut cert = certificate_with_hold(&f, "r1");
    cert.exceptions.clear();
    let v = verify_file(&file_json(&f, &cert), Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains("ledger retained 3 item(s) of invoices under rule fi-kpl-vouchers"),
        "{failures:?}"
    );
}

#[test]
fn a_retaining_acknowledgment_under_another_rule_is_named() {
    let f = fixture();
    let mut cert = certificate_with_hold(&f, "r1");
    let mut kept = ack("r1", "ledger", Outcome::Retained);
    kept.retained = vec![Retention {
        rule_id: "fi-kpl-books".into(),
        ..vouchers()
    }];
    cert.systems[1] = answer(&f.ledger, &kept);
    let v = verify_file(&file_json(&f, &cert), Some(&f.trust));
    let failures = failed_checks(&v).join("\n");
    assert!(
        failures.contains("retains nothing under rule fi-kpl-vouchers")
            && failures.contains("under rule fi-kpl-books"),
        "{failures}"
    );
}

#[test]
fn a_supplement_cannot_pass_for_a_certificate() {
    let f = fixture();
    let cert = certificate(&f, "r1");
    let bytes = cert.encode_to_vec();
    let signed = SignedCertificate {
        signature: f.coordinator.sign(crate::SUPPLEMENT_CONTEXT, &bytes),
        certificate: bytes,
        key_id: f.coordinator.key_id().into(),
    };
    let file = to_file(
        &signed,
        f.trust.clone(),
        Some(crate::testing::logged(&f, &signed)),
    )
    .expect("file");
    let v = verify_file(&serde_json::to_string(&file).expect("json"), Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("coordinator signature: bad signature"));
}

#[test]
fn the_controller_and_the_resolutions_are_readable_and_checked() {
    let f = fixture();
    let mut cert = certificate(&f, "r1");
    cert.controller = "acme".into();
    cert.resolutions = vec![erasure_proto::v1::IdentityResolution {
        system_id: "crm".into(),
        found: vec![erasure_proto::v1::KindCount {
            kind: "customer_id".into(),
            count: 2,
        }],
    }];
    let json = file_json(&f, &cert);
    let v = verify_file(&json, Some(&f.trust));
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    assert!(json.contains("\"controller\": \"acme\""), "{json}");
    let edited = json.replace("\"customer_id\": 2", "\"customer_id\": 1");
    assert_ne!(edited, json);
    let failures = failed_checks(&verify_file(&edited, Some(&f.trust)));
    assert!(
        failures.len() == 1 && failures[0].contains("resolutions"),
        "{failures:?}"
    );
}
