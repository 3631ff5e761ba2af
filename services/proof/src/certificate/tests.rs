use super::*;
use crate::ack::sign_ack;
use erasure_proto::v1::{Acknowledgment, SystemResult};

struct Fixture {
    coordinator: KeyPair,
    crm: KeyPair,
    trust: TrustStore,
}

fn fixture() -> Fixture {
    let coordinator = KeyPair::from_seed([1; 32]);
    let crm = KeyPair::from_seed([2; 32]);
    let mut trust = TrustStore::default();
    trust.add_coordinator(&coordinator.public());
    trust.add_connector("crm", &crm.public());
    Fixture {
        coordinator,
        crm,
        trust,
    }
}

fn certificate(f: &Fixture, request_id: &str) -> Certificate {
    let ack = Acknowledgment {
        request_id: request_id.into(),
        task_id: format!("{request_id}/crm"),
        system_id: "crm".into(),
        attempt: 1,
        outcome: Outcome::Erased as i32,
        items_affected: 4,
        evidence_digest: vec![9; 32],
        evidence_summary: "customers: 1 deleted; 0 remain".into(),
        completed_at_ms: 1_790_000_000_000,
        detail: String::new(),
    };
    Certificate {
        format: CERTIFICATE_FORMAT.into(),
        request_id: request_id.into(),
        jurisdiction: "FI".into(),
        received_at_ms: 1_789_000_000_000,
        deadline: "2026-09-09".into(),
        completed_at_ms: 1_790_000_000_000,
        identifier_commitment: vec![7; 32],
        systems: vec![SystemResult {
            system_id: "crm".into(),
            outcome: Outcome::Erased as i32,
            acknowledgment: Some(sign_ack(&f.crm, &ack)),
        }],
        coordinator_key_id: f.coordinator.key_id().into(),
        issued_at_ms: 1_790_000_000_500,
    }
}

fn file_json(f: &Fixture, cert: &Certificate) -> String {
    let signed = sign_certificate(&f.coordinator, cert);
    let file = to_file(&signed, f.trust.clone()).expect("file");
    serde_json::to_string_pretty(&file).expect("json")
}

fn failed_checks(v: &Verification) -> Vec<String> {
    v.failures()
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect()
}

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
    let mut file = to_file(&signed, f.trust.clone()).expect("file");
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
