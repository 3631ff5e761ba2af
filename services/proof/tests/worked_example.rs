//! The worked example of docs/proof-format.md, recomputed: every value the document shows
//! must be what this code produces, so the document cannot drift from the implementation.
//! To print the values (after a format change): `ERASURE_PRINT_EXAMPLE=1 cargo test -p
//! erasure-proof --test worked_example -- --nocapture`.

use erasure_proof::ack::sign_ack;
use erasure_proof::certificate::{CERTIFICATE_FORMAT, sign_certificate};
use erasure_proof::merkle::{MerkleTree, leaf_hash};
use erasure_proof::transparency::{leaf_of, sign_tree_head};
use erasure_proof::{KeyPair, identifier_commitment, sha256};
use erasure_proto::v1::{Acknowledgment, Certificate, Outcome, SystemResult};
use prost::Message;

const REQUEST: &str = "7f1c0e2a-5b7d-4c1e-9a3f-000000000001";

fn values() -> Vec<(&'static str, String)> {
    let coordinator = KeyPair::from_seed([0x01; 32]);
    let crm = KeyPair::from_seed([0x02; 32]);
    let ack = Acknowledgment {
        request_id: REQUEST.into(),
        task_id: format!("{REQUEST}/crm"),
        system_id: "crm".into(),
        attempt: 1,
        outcome: Outcome::Erased as i32,
        items_affected: 3,
        evidence_digest: sha256(b"example evidence").to_vec(),
        evidence_summary: "customers: 1 deleted".into(),
        completed_at_ms: 1_790_000_000_000,
        ..Default::default()
    };
    let signed_ack = sign_ack(&crm, &ack);
    let commitment = identifier_commitment(&[0x05; 32], b"email=person@example.com\n");
    let cert = Certificate {
        format: CERTIFICATE_FORMAT.into(),
        request_id: REQUEST.into(),
        jurisdiction: "FI".into(),
        received_at_ms: 1_789_900_000_000,
        deadline: "2026-10-20".into(),
        completed_at_ms: 1_790_000_000_000,
        identifier_commitment: commitment.to_vec(),
        systems: vec![SystemResult {
            attestation: None,
            system_id: "crm".into(),
            outcome: Outcome::Erased as i32,
            acknowledgment: Some(signed_ack.clone()),
        }],
        coordinator_key_id: coordinator.key_id().into(),
        issued_at_ms: 1_790_000_000_500,
        ..Default::default()
    };
    let signed_cert = sign_certificate(&coordinator, &cert);
    let signed_cert_bytes = signed_cert.encode_to_vec();
    let leaf = leaf_of(&signed_cert_bytes);
    let mut tree = MerkleTree::new();
    tree.push(&sha256(b"example leaf 0"));
    tree.push(&sha256(b"example leaf 1"));
    let index = tree.push(&leaf);
    let root2 = tree.root(2).expect("root");
    let root3 = tree.root(3).expect("root");
    let inclusion = tree.inclusion_proof(index, 3).expect("proof");
    let consistency = tree.consistency_proof(2, 3).expect("proof");
    let head = sign_tree_head(&coordinator, 3, &root3, 1_790_000_060_000);
    fn hx(bytes: impl AsRef<[u8]>) -> String {
        hex::encode(bytes)
    }
    vec![
        ("coordinator public key", coordinator.public().to_hex()),
        ("coordinator key id", coordinator.key_id().into()),
        ("crm public key", crm.public().to_hex()),
        ("crm key id", crm.key_id().into()),
        ("acknowledgment bytes", hx(&signed_ack.ack)),
        ("acknowledgment signature", hx(&signed_ack.signature)),
        ("identifier commitment", hx(commitment)),
        ("certificate bytes", hx(&signed_cert.certificate)),
        ("certificate signature", hx(&signed_cert.signature)),
        ("signed certificate bytes", hx(&signed_cert_bytes)),
        ("leaf", hx(leaf)),
        ("leaf hash", hx(leaf_hash(&leaf))),
        ("leaf 0", hx(sha256(b"example leaf 0"))),
        ("leaf 1", hx(sha256(b"example leaf 1"))),
        ("root of 2", hx(root2)),
        ("root of 3", hx(root3)),
        ("inclusion proof 0", hx(inclusion[0])),
        ("consistency proof 0", hx(consistency[0])),
        ("tree head bytes", hx(&head.tree_head)),
        ("tree head signature", hx(&head.signature)),
    ]
}

#[test]
fn the_documented_worked_example_is_what_the_code_computes() {
    let values = values();
    if std::env::var_os("ERASURE_PRINT_EXAMPLE").is_some() {
        for (name, value) in &values {
            println!("{name}: {value}");
        }
    }
    let doc_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/proof-format.md");
    let doc = std::fs::read_to_string(doc_path).expect("docs/proof-format.md");
    // Long hex values are wrapped in the document: compare without whitespace.
    let doc: String = doc.split_whitespace().collect();
    let missing: Vec<_> = values
        .iter()
        .filter(|(_, v)| !doc.contains(v.as_str()))
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/proof-format.md lacks {missing:#?}"
    );
}
