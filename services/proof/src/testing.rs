//! Test fixtures: a coordinator and two connectors, a certificate without holds, one with
//! a hold on accounting vouchers, and the supplement issued when that hold ends. Third
//! parties (a manual task, copies in backups, recipients) are in [`third_parties`].

use crate::ack::sign_ack;
use crate::certificate::{CERTIFICATE_FORMAT, sign_certificate, to_file};
use crate::merkle::MerkleTree;
use crate::supplement::{SUPPLEMENT_FORMAT, sign_supplement, supplement_to_file};
use crate::transparency::{LogProof, leaf_of, log_proof, sign_tree_head};
use crate::{KeyPair, TrustStore, Verification, sha256};
use erasure_proto::v1::{
    Acknowledgment, Certificate, CertificateSupplement, DeadlineExtension, Outcome, Retention,
    RetentionException, SignedCertificate, SystemResult,
};
use prost::Message;

mod third_parties;

pub(crate) use third_parties::*;

pub(crate) struct Fixture {
    pub coordinator: KeyPair,
    pub crm: KeyPair,
    pub ledger: KeyPair,
    /// The connector key of the backup catalog and of the recipients told through an API.
    pub partners: KeyPair,
    pub trust: TrustStore,
}

pub(crate) fn fixture() -> Fixture {
    let coordinator = KeyPair::from_seed([1; 32]);
    let crm = KeyPair::from_seed([2; 32]);
    let ledger = KeyPair::from_seed([3; 32]);
    let partners = KeyPair::from_seed([4; 32]);
    let mut trust = TrustStore::default();
    trust.add_coordinator(&coordinator.public());
    trust.add_connector("crm", &crm.public());
    trust.add_connector("ledger", &ledger.public());
    for system in ["catalog", "payments", "adtech"] {
        trust.add_connector(system, &partners.public());
    }
    Fixture {
        coordinator,
        crm,
        ledger,
        partners,
        trust,
    }
}

pub(crate) fn ack(request_id: &str, system_id: &str, outcome: Outcome) -> Acknowledgment {
    Acknowledgment {
        reference: String::new(),
        follow_up_at_ms: 0,
        backups: Vec::new(),
        request_id: request_id.into(),
        task_id: format!("{request_id}/{system_id}"),
        system_id: system_id.into(),
        attempt: 1,
        outcome: outcome as i32,
        items_affected: 4,
        evidence_digest: vec![9; 32],
        evidence_summary: "customers: 1 deleted; 0 remain".into(),
        completed_at_ms: 1_790_000_000_000,
        detail: String::new(),
        retained: Vec::new(),
        processor_proof: None,
    }
}

/// Three invoices kept six years after the financial year.
pub(crate) fn vouchers() -> Retention {
    Retention {
        rule_id: "fi-kpl-vouchers".into(),
        category: "invoices".into(),
        items: 3,
        latest_reference_date: "2025-06-30".into(),
        retained_until: "2031-12-31".into(),
    }
}

/// The coordinator's exception for a retained entry, with its rule's citation.
pub(crate) fn exception(system_id: &str, r: &Retention) -> RetentionException {
    RetentionException {
        system_id: system_id.into(),
        rule_id: r.rule_id.clone(),
        category: r.category.clone(),
        items: r.items,
        retained_until: r.retained_until.clone(),
        statute: "Kirjanpitolaki (Accounting Act) 1336/1997".into(),
        section: "ch. 2 § 10(2)".into(),
        ground: "legal-obligation".into(),
        source: "https://www.finlex.fi/fi/laki/ajantasa/1997/19971336".into(),
        title: "Accounting vouchers".into(),
    }
}

pub(crate) fn answer(key: &KeyPair, ack: &Acknowledgment) -> SystemResult {
    SystemResult {
        attestation: None,
        system_id: ack.system_id.clone(),
        outcome: ack.outcome,
        acknowledgment: Some(sign_ack(key, ack)),
    }
}

/// A certificate whose only system, crm, erased everything.
pub(crate) fn certificate(f: &Fixture, request_id: &str) -> Certificate {
    Certificate {
        backups: vec![],
        recipients: vec![],
        recipients_requested: false,
        controller: String::new(),
        resolutions: Vec::new(),
        format: CERTIFICATE_FORMAT.into(),
        request_id: request_id.into(),
        jurisdiction: "FI".into(),
        received_at_ms: 1_789_000_000_000,
        deadline: "2026-09-09".into(),
        completed_at_ms: 1_790_000_000_000,
        identifier_commitment: vec![7; 32],
        systems: vec![answer(&f.crm, &ack(request_id, "crm", Outcome::Erased))],
        coordinator_key_id: f.coordinator.key_id().into(),
        issued_at_ms: 1_790_000_000_500,
        exceptions: Vec::new(),
        extension: None,
    }
}

/// Adds the ledger, which kept the vouchers, and an extended deadline.
pub(crate) fn certificate_with_hold(f: &Fixture, request_id: &str) -> Certificate {
    let mut cert = certificate(f, request_id);
    let mut kept = ack(request_id, "ledger", Outcome::Retained);
    kept.retained = vec![vouchers()];
    cert.systems.push(answer(&f.ledger, &kept));
    cert.exceptions = vec![exception("ledger", &vouchers())];
    cert.extension = Some(DeadlineExtension {
        months: 2,
        reason: "a complex request across many systems".into(),
        original_deadline: "2026-07-09".into(),
        extended_at_ms: 1_789_500_000_000,
    });
    cert
}

pub(crate) fn file_json(f: &Fixture, cert: &Certificate) -> String {
    let signed = sign_certificate(&f.coordinator, cert);
    let file = to_file(&signed, f.trust.clone(), Some(logged(f, &signed))).expect("file");
    serde_json::to_string_pretty(&file).expect("json")
}

/// Logs a signed document as leaf 2 of a log of 5, with a head signed by the coordinator.
pub(crate) fn logged(f: &Fixture, signed: &SignedCertificate) -> LogProof {
    let mut tree = MerkleTree::new();
    for other in [b"earlier-1".as_slice(), b"earlier-2"] {
        tree.push(&sha256(other));
    }
    let index = tree.push(&leaf_of(&signed.encode_to_vec()));
    for other in [b"later-1".as_slice(), b"later-2"] {
        tree.push(&sha256(other));
    }
    let size = tree.len();
    let root = tree.root(size).expect("root");
    let head = sign_tree_head(&f.coordinator, size, &root, 1_790_000_001_000);
    let proof = tree.inclusion_proof(index, size).expect("proof");
    log_proof(&head, index, &proof).expect("log proof")
}

/// The supplement issued when the vouchers' hold on the ledger ended and it erased them.
pub(crate) fn supplement(f: &Fixture, certificate: &Certificate) -> CertificateSupplement {
    let signed = sign_certificate(&f.coordinator, certificate);
    let mut erased = ack(&certificate.request_id, "ledger", Outcome::Erased);
    erased.attempt = 2;
    erased.completed_at_ms = 1_956_000_000_000;
    CertificateSupplement {
        aged_out: vec![],
        backups_remaining: vec![],
        format: SUPPLEMENT_FORMAT.into(),
        request_id: certificate.request_id.clone(),
        certificate_hash: sha256(&signed.encode_to_vec()).to_vec(),
        sequence: 1,
        systems: vec![answer(&f.ledger, &erased)],
        ended: vec![exception("ledger", &vouchers())],
        remaining: Vec::new(),
        coordinator_key_id: f.coordinator.key_id().into(),
        issued_at_ms: 1_956_000_000_500,
    }
}

pub(crate) fn supplement_json(f: &Fixture, s: &CertificateSupplement) -> String {
    signed_supplement_json(f, &sign_supplement(&f.coordinator, s))
}

pub(crate) fn signed_supplement_json(f: &Fixture, signed: &SignedCertificate) -> String {
    let file = supplement_to_file(signed, f.trust.clone(), Some(logged(f, signed))).expect("file");
    serde_json::to_string_pretty(&file).expect("json")
}

pub(crate) fn failed_checks(v: &Verification) -> Vec<String> {
    v.failures()
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect()
}
