//! Tampering with each part of a certificate file in turn: the verifier names the part.

use super::*;
use crate::ack::sign_ack;
use crate::keys::TrustedKey;
use crate::testing::{Fixture, ack, certificate_with_hold, failed_checks, file_json, fixture};
use erasure_proto::v1::{Acknowledgment, Outcome, SignedTreeHead, TreeHead};

/// A change to a file, and the check that must fail because of it.
struct Case {
    part: &'static str,
    tamper: fn(&Fixture, &mut CertificateFile),
    named: &'static str,
}

fn genuine(f: &Fixture) -> CertificateFile {
    serde_json::from_str(&file_json(f, &certificate_with_hold(f, "r1"))).expect("file")
}

fn signed_of(file: &CertificateFile) -> (SignedCertificate, Certificate) {
    let signed = SignedCertificate::decode(
        B64.decode(&file.signed_certificate)
            .expect("b64")
            .as_slice(),
    )
    .expect("signed");
    let cert = Certificate::decode(signed.certificate.as_slice()).expect("certificate");
    (signed, cert)
}

/// Changes the signed certificate but keeps the coordinator's signature (a forger
/// without the key), and the readable part in step so only the signature can tell.
fn forge(file: &mut CertificateFile, change: impl FnOnce(&mut Certificate)) {
    let (mut signed, mut cert) = signed_of(file);
    change(&mut cert);
    signed.certificate = cert.encode_to_vec();
    file.signed_certificate = B64.encode(signed.encode_to_vec());
    file.certificate = view(&cert).expect("view");
}

/// Changes the certificate and signs it again with the real coordinator key (a dishonest
/// coordinator): only the connectors' signatures can tell.
fn resign(f: &Fixture, file: &mut CertificateFile, change: impl FnOnce(&mut Certificate)) {
    let (_, mut cert) = signed_of(file);
    change(&mut cert);
    let signed = sign_certificate(&f.coordinator, &cert);
    file.signed_certificate = B64.encode(signed.encode_to_vec());
    file.certificate = view(&cert).expect("view");
}

fn change_ack(cert: &mut Certificate, system: usize, change: impl FnOnce(&mut Acknowledgment)) {
    let signed = cert.systems[system].acknowledgment.as_mut().expect("ack");
    let mut a = Acknowledgment::decode(signed.ack.as_slice()).expect("ack");
    change(&mut a);
    signed.ack = a.encode_to_vec();
}

fn change_head(file: &mut CertificateFile, change: impl FnOnce(&mut TreeHead)) {
    let log = file.log.as_mut().expect("log");
    let mut signed =
        SignedTreeHead::decode(B64.decode(&log.signed_tree_head).expect("b64").as_slice())
            .expect("signed head");
    let mut head = TreeHead::decode(signed.tree_head.as_slice()).expect("head");
    change(&mut head);
    signed.tree_head = head.encode_to_vec();
    log.signed_tree_head = B64.encode(signed.encode_to_vec());
    log.tree_head = (&head).into();
}

fn flip_hex(h: &mut String) {
    let mut bytes = hex::decode(&*h).expect("hex");
    bytes[0] ^= 1;
    *h = hex::encode(bytes);
}

const CASES: &[Case] = &[
    Case {
        part: "the file's format",
        tamper: |_, file| file.format = "erasure-certificate-file/v0".into(),
        named: "file format",
    },
    Case {
        part: "the signed request id",
        tamper: |_, file| forge(file, |c| c.request_id = "r2".into()),
        named: "coordinator signature",
    },
    Case {
        part: "the signed deadline",
        tamper: |_, file| forge(file, |c| c.deadline = "2027-01-01".into()),
        named: "coordinator signature",
    },
    Case {
        part: "the signed completion time",
        tamper: |_, file| forge(file, |c| c.completed_at_ms -= 86_400_000),
        named: "coordinator signature",
    },
    Case {
        part: "the signed identifier commitment",
        tamper: |_, file| forge(file, |c| c.identifier_commitment[0] ^= 1),
        named: "coordinator signature",
    },
    Case {
        part: "the signed extension reason",
        tamper: |_, file| {
            forge(file, |c| {
                c.extension.as_mut().expect("extension").reason = "none".into();
            })
        },
        named: "coordinator signature",
    },
    Case {
        part: "the signed exception's end date",
        tamper: |_, file| {
            forge(file, |c| {
                c.exceptions[0].retained_until = "2026-12-31".into()
            })
        },
        named: "coordinator signature",
    },
    Case {
        part: "the coordinator's signature",
        tamper: |_, file| {
            let (mut signed, _) = signed_of(file);
            signed.signature[10] ^= 1;
            file.signed_certificate = B64.encode(signed.encode_to_vec());
        },
        named: "coordinator signature",
    },
    Case {
        part: "the coordinator key id",
        tamper: |_, file| {
            let (mut signed, _) = signed_of(file);
            signed.key_id = "ed25519:0000000000000000".into();
            file.signed_certificate = B64.encode(signed.encode_to_vec());
        },
        named: "coordinator signature",
    },
    Case {
        part: "a connector's acknowledgment (re-signed by the coordinator)",
        tamper: |f, file| resign(f, file, |c| change_ack(c, 0, |a| a.items_affected = 0)),
        named: "acknowledgment of crm",
    },
    Case {
        part: "a connector's signature (re-signed by the coordinator)",
        tamper: |f, file| {
            resign(f, file, |c| {
                let signed = c.systems[1].acknowledgment.as_mut().expect("ack");
                signed.signature[0] ^= 1;
            })
        },
        named: "acknowledgment of ledger",
    },
    Case {
        part: "an acknowledgment signed with another system's key",
        tamper: |f, file| {
            resign(f, file, |c| {
                let a: Acknowledgment = ack("r1", "crm", Outcome::Erased);
                c.systems[0].acknowledgment = Some(sign_ack(&f.ledger, &a));
            })
        },
        named: "acknowledgment of crm",
    },
    Case {
        part: "the readable deadline",
        tamper: |_, file| file.certificate.deadline = "2027-01-01".into(),
        named: "readable certificate",
    },
    Case {
        part: "the readable outcome of a system",
        tamper: |_, file| file.certificate.systems[1].outcome = "erased".into(),
        named: "readable certificate",
    },
    Case {
        part: "the readable exception's end date",
        tamper: |_, file| file.certificate.exceptions[0].retained_until = "2026-12-31".into(),
        named: "readable certificate",
    },
    Case {
        part: "the readable extension reason",
        tamper: |_, file| {
            file.certificate.extension.as_mut().expect("ext").reason = "routine".into()
        },
        named: "readable certificate",
    },
    Case {
        part: "the leaf index",
        tamper: |_, file| file.log.as_mut().expect("log").leaf_index += 1,
        named: "inclusion proof",
    },
    Case {
        part: "a hash of the inclusion proof",
        tamper: |_, file| flip_hex(&mut file.log.as_mut().expect("log").inclusion_proof[0]),
        named: "inclusion proof",
    },
    Case {
        part: "the length of the inclusion proof",
        tamper: |_, file| {
            file.log.as_mut().expect("log").inclusion_proof.pop();
        },
        named: "inclusion proof",
    },
    Case {
        part: "the signed tree head's root",
        tamper: |_, file| change_head(file, |h| h.root_hash[0] ^= 1),
        named: "tree head signature",
    },
    Case {
        part: "the signed tree head's size",
        tamper: |_, file| change_head(file, |h| h.tree_size += 1),
        named: "tree head signature",
    },
    Case {
        part: "the readable tree head",
        tamper: |_, file| flip_hex(&mut file.log.as_mut().expect("log").tree_head.root_hash),
        named: "tree head signature",
    },
    Case {
        part: "the whole log section",
        tamper: |_, file| file.log = None,
        named: "transparency log",
    },
];

#[test]
fn each_tampered_part_is_named_by_the_verifier() {
    let f = fixture();
    let original = genuine(&f);
    let json = serde_json::to_string(&original).expect("json");
    assert!(verify_file(&json, Some(&f.trust)).is_valid());
    for case in CASES {
        let mut file = original.clone();
        (case.tamper)(&f, &mut file);
        assert_ne!(file, original, "{}: nothing changed", case.part);
        let v = verify_file(&serde_json::to_string(&file).expect("json"), Some(&f.trust));
        let failures = failed_checks(&v);
        assert!(!v.is_valid(), "{}: still valid", case.part);
        assert!(
            failures.iter().any(|c| c.starts_with(case.named)),
            "{}: expected {:?} to fail, failures: {failures:?}",
            case.part,
            case.named
        );
    }
}

#[test]
fn a_coordinator_key_used_after_its_rotation_is_named() {
    let f = fixture();
    let json = serde_json::to_string(&genuine(&f)).expect("json");
    let mut trust = f.trust.clone();
    // The key was rotated out before this certificate was issued (2026-09-22).
    trust.coordinator = vec![TrustedKey {
        valid_until: Some("2026-01-01T00:00:00Z".into()),
        ..TrustedKey::from(&f.coordinator.public())
    }];
    let v = verify_file(&json, Some(&trust));
    let failures = failed_checks(&v);
    assert!(
        failures
            .iter()
            .any(|c| c.starts_with("coordinator signature") && c.contains("was not valid")),
        "{failures:?}"
    );
    assert!(
        failures
            .iter()
            .any(|c| c.starts_with("tree head signature")),
        "{failures:?}"
    );
}

#[test]
fn a_log_proof_of_another_certificate_is_named() {
    let f = fixture();
    let mut file = genuine(&f);
    let other: CertificateFile =
        serde_json::from_str(&file_json(&f, &crate::testing::certificate(&f, "r9"))).expect("file");
    file.log = other.log;
    let v = verify_file(&serde_json::to_string(&file).expect("json"), Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("inclusion proof"), "{failures:?}");
}

/// Signed with the right key over bytes that are not the canonical encoding: the
/// signature holds, the encoding is refused (`docs/proof-format.md`, "Canonical encoding").
fn resign_bytes(f: &Fixture, file: &mut CertificateFile, bytes: Vec<u8>) {
    let signed = SignedCertificate {
        signature: f.coordinator.sign(crate::CERTIFICATE_CONTEXT, &bytes),
        certificate: bytes,
        key_id: f.coordinator.key_id().to_owned(),
    };
    file.signed_certificate = B64.encode(signed.encode_to_vec());
}

#[test]
fn a_certificate_with_a_field_encoded_twice_is_refused() {
    let f = fixture();
    let mut file = genuine(&f);
    let (_, cert) = signed_of(&file);
    let mut bytes = cert.encode_to_vec();
    // The jurisdiction again: a decoder that keeps the last value reads DE, one that keeps
    // the first reads FI.
    let again = Certificate {
        jurisdiction: "DE".into(),
        ..Default::default()
    };
    bytes.extend(again.encode_to_vec());
    resign_bytes(&f, &mut file, bytes);
    let v = verify_file(&serde_json::to_string(&file).expect("json"), Some(&f.trust));
    let failures = failed_checks(&v);
    assert!(!v.is_valid());
    assert!(
        failures
            .iter()
            .any(|c| c.starts_with("signed certificate encoding") && c.contains("canonical")),
        "{failures:?}"
    );
}

#[test]
fn an_acknowledgment_with_an_unknown_field_is_refused() {
    let f = fixture();
    let mut file = genuine(&f);
    let (_, mut cert) = signed_of(&file);
    let signed = cert.systems[0].acknowledgment.as_mut().expect("ack");
    let mut bytes = signed.ack.clone();
    prost::encoding::encode_key(1000, prost::encoding::WireType::Varint, &mut bytes);
    bytes.push(1);
    *signed = erasure_proto::v1::SignedAcknowledgment {
        signature: f.crm.sign(crate::ACK_CONTEXT, &bytes),
        ack: bytes,
        key_id: f.crm.key_id().to_owned(),
    };
    let signed = sign_certificate(&f.coordinator, &cert);
    file.signed_certificate = B64.encode(signed.encode_to_vec());
    let v = verify_file(&serde_json::to_string(&file).expect("json"), Some(&f.trust));
    let failures = failed_checks(&v);
    assert!(!v.is_valid());
    assert!(
        failures
            .iter()
            .any(|c| c.starts_with("acknowledgment of crm") && c.contains("canonical")),
        "{failures:?}"
    );
}
