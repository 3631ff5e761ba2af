//! Nested processor proofs: B's certificate and signed status inside A's acknowledgment of
//! the system that stands for B, checked with B's trust file, and each way of breaking it.

use super::*;
use crate::certificate::{sign_certificate, verify_file};
use crate::testing::{Fixture, ack, answer, certificate, file_json, fixture};
use crate::{KeyPair, Verification};
use erasure_proto::v1::{Certificate, Outcome};
use prost::Message;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};

const SYSTEM: &str = "processor-b";
const SRID: &str = "a7551968-d5d6-44b2-9831-815ac9017798";

/// B (the processor orchestrator), its OpenDSR signing key, and A's keys.
struct World {
    b: Fixture,
    signing_cert: Vec<u8>,
    signing_key: EcdsaKeyPair,
    a_coordinator: KeyPair,
    a_connector: KeyPair,
}

fn world() -> World {
    let made = rcgen::generate_simple_self_signed(vec!["b.test".to_owned()]).expect("cert");
    let pkcs8 = made.signing_key.serialize_der();
    let rng = SystemRandom::new();
    World {
        b: fixture(),
        signing_cert: made.cert.der().to_vec(),
        signing_key: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8, &rng)
            .expect("key"),
        a_coordinator: KeyPair::from_seed([11; 32]),
        a_connector: KeyPair::from_seed([12; 32]),
    }
}

impl World {
    /// B's certificate file for its request `b-1`, for controller ctrl-a.
    fn b_file(&self, request_id: &str) -> String {
        let mut cert = certificate(&self.b, request_id);
        cert.controller = "ctrl-a".into();
        file_json(&self.b, &cert)
    }

    fn status(&self, file: &str, request_id: &str) -> Vec<u8> {
        let signed = signed_part(file).expect("signed part");
        serde_json::json!({
            "controller_id": "ctrl-a", "subject_request_id": SRID,
            "request_status": "completed", "results_count": 4,
            "extensions": {"b.test": {"request_id": request_id,
                                      "certificate_sha256": hex::encode(sha256(&signed))}},
        })
        .to_string()
        .into_bytes()
    }

    fn proof(&self) -> ProcessorProof {
        let file = self.b_file("b-1");
        let status_body = self.status(&file, "b-1");
        ProcessorProof {
            status_signature: self.sign(&status_body),
            status_body,
            signing_certificate: self.signing_cert.clone(),
            certificate_file: file.into_bytes(),
        }
    }

    fn sign(&self, body: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        self.signing_key
            .sign(&rng, body)
            .expect("sign")
            .as_ref()
            .to_vec()
    }

    /// A's trust file, holding B's trust file (with its signing certificate) for SYSTEM.
    fn trust(&self) -> TrustStore {
        let mut trust = TrustStore::default();
        trust.add_coordinator(&self.a_coordinator.public());
        trust.add_connector(SYSTEM, &self.a_connector.public());
        let mut b = self.b.trust.clone();
        b.opendsr_certificates = vec![hex::encode(sha256(&self.signing_cert))];
        trust.processors.insert(SYSTEM.into(), b);
        trust
    }

    /// A's certificate whose only system, SYSTEM, nests `proof`; verified with `trust`.
    fn verify(&self, proof: ProcessorProof, trust: &TrustStore) -> Verification {
        let mut acknowledged = ack("a-1", SYSTEM, Outcome::Erased);
        acknowledged.reference = SRID.into();
        acknowledged.processor_proof = Some(proof);
        let cert = Certificate {
            systems: vec![answer(&self.a_connector, &acknowledged)],
            coordinator_key_id: self.a_coordinator.key_id().into(),
            ..certificate(&self.b, "a-1")
        };
        let signed = sign_certificate(&self.a_coordinator, &cert);
        let a = Fixture {
            coordinator: KeyPair::from_seed([11; 32]),
            crm: KeyPair::from_seed([12; 32]),
            ledger: KeyPair::from_seed([13; 32]),
            partners: KeyPair::from_seed([14; 32]),
            trust: trust.clone(),
        };
        let file = crate::certificate::to_file(
            &signed,
            trust.clone(),
            Some(crate::testing::logged(&a, &signed)),
        )
        .expect("file");
        verify_file(&serde_json::to_string(&file).expect("json"), Some(trust))
    }
}

fn nested_check(v: &Verification) -> (bool, String) {
    let check = (v.checks.iter())
        .find(|c| c.name == format!("processor proof of {SYSTEM}"))
        .unwrap_or_else(|| panic!("no nested check in {:?}", v.checks));
    (check.ok, check.detail.clone())
}

#[test]
fn a_genuine_nested_proof_verifies_with_the_processors_trust_file() {
    let w = world();
    let v = w.verify(w.proof(), &w.trust());
    assert!(v.is_valid(), "{:?}", v.failures().collect::<Vec<_>>());
    let (ok, detail) = nested_check(&v);
    assert!(
        ok && detail.contains("processor request b-1 completed for controller ctrl-a"),
        "{detail}"
    );
}

#[test]
fn a_changed_status_fails_even_when_the_acknowledgment_is_signed_again() {
    let w = world();
    let mut proof = w.proof();
    proof.status_body = String::from_utf8(proof.status_body)
        .expect("utf-8")
        .replace("\"results_count\":4", "\"results_count\":40")
        .into_bytes();
    let (ok, detail) = nested_check(&w.verify(proof, &w.trust()));
    assert!(
        !ok && detail.contains("signed status does not verify"),
        "{detail}"
    );
}

#[test]
fn a_status_signed_by_a_certificate_the_trust_file_does_not_list_fails() {
    let w = world();
    let mut trust = w.trust();
    trust
        .processors
        .get_mut(SYSTEM)
        .expect("b")
        .opendsr_certificates = vec!["00".repeat(32)];
    let (ok, detail) = nested_check(&w.verify(w.proof(), &trust));
    assert!(!ok && detail.contains("does not list"), "{detail}");
}

#[test]
fn another_certificate_of_the_processor_does_not_pass_for_the_named_one() {
    let w = world();
    let mut proof = w.proof();
    proof.certificate_file = w.b_file("b-2").into_bytes();
    let (ok, detail) = nested_check(&w.verify(proof, &w.trust()));
    assert!(
        !ok && detail.contains("not the one the processor's signed status names"),
        "{detail}"
    );
}

#[test]
fn the_nested_certificate_is_checked_with_the_processors_keys_only() {
    let w = world();
    let mut trust = w.trust();
    let b = trust.processors.get_mut(SYSTEM).expect("b");
    b.coordinator = vec![(&KeyPair::from_seed([99; 32]).public()).into()];
    let (ok, detail) = nested_check(&w.verify(w.proof(), &trust));
    assert!(
        !ok && detail.starts_with("nested certificate: coordinator signature"),
        "{detail}"
    );
}

#[test]
fn a_status_about_another_request_or_not_completed_fails() {
    let w = world();
    let mut proof = w.proof();
    let text = String::from_utf8(proof.status_body.clone()).expect("utf-8");
    proof.status_body = text
        .replace(SRID, "b3551968-d5d6-44b2-9831-815ac9017798")
        .into_bytes();
    proof.status_signature = w.sign(&proof.status_body);
    let (ok, detail) = nested_check(&w.verify(proof, &w.trust()));
    assert!(!ok && detail.contains("another request"), "{detail}");
    let mut proof = w.proof();
    proof.status_body = text
        .replace("\"completed\"", "\"in_progress\"")
        .into_bytes();
    proof.status_signature = w.sign(&proof.status_body);
    let (ok, detail) = nested_check(&w.verify(proof, &w.trust()));
    assert!(!ok && detail.contains("not completed"), "{detail}");
}

#[test]
fn without_the_processors_trust_file_the_proof_is_not_taken_on_trust() {
    let w = world();
    let mut trust = w.trust();
    trust.processors.clear();
    let (ok, detail) = nested_check(&w.verify(w.proof(), &trust));
    assert!(
        !ok && detail.contains("--processor-trust processor-b=FILE"),
        "{detail}"
    );
}

#[test]
fn the_proof_round_trips_in_the_acknowledgment_encoding() {
    let w = world();
    let mut acknowledged = ack("a-1", SYSTEM, Outcome::Erased);
    acknowledged.processor_proof = Some(w.proof());
    let bytes = acknowledged.encode_to_vec();
    assert_eq!(
        Acknowledgment::decode(bytes.as_slice()).expect("decode"),
        acknowledged
    );
}
