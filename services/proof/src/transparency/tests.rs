//! Tree head files and `verify_tree_heads`: two heads of one log and the consistency
//! proof between them.

use super::*;
use crate::consistency::verify_tree_heads;
use crate::merkle::MerkleTree;
use crate::testing::{Fixture, certificate, failed_checks, file_json, fixture};

fn tree(leaves: &[&str]) -> MerkleTree {
    let mut t = MerkleTree::new();
    for l in leaves {
        t.push(&sha256(l.as_bytes()));
    }
    t
}

const LOG: &[&str] = &["a", "b", "c", "d", "e", "f", "g"];

fn head_json(f: &Fixture, t: &MerkleTree, size: u64) -> String {
    let root = t.root(size).expect("root");
    let signed = sign_tree_head(&f.coordinator, size, &root, 1_790_000_000_000 + size as i64);
    let file = tree_head_file(&signed, f.trust.clone()).expect("file");
    serde_json::to_string_pretty(&file).expect("json")
}

fn proof_json(t: &MerkleTree, from: u64, to: u64) -> String {
    let proof = t.consistency_proof(from, to).expect("proof");
    serde_json::to_string(&consistency_file(from, to, &proof)).expect("json")
}

#[test]
fn a_later_head_of_the_same_log_is_consistent_in_either_order() {
    let f = fixture();
    let t = tree(LOG);
    let (old, new) = (head_json(&f, &t, 3), head_json(&f, &t, 7));
    let proof = proof_json(&t, 3, 7);
    for (a, b) in [(&old, &new), (&new, &old)] {
        let v = verify_tree_heads(a, b, Some(&proof), Some(&f.trust));
        assert!(v.is_valid(), "{:?}", failed_checks(&v));
    }
}

#[test]
fn a_rewritten_history_is_named() {
    let f = fixture();
    let honest = tree(LOG);
    let mut rewritten_leaves = LOG.to_vec();
    rewritten_leaves[1] = "B";
    let rewritten = tree(&rewritten_leaves);
    let old = head_json(&f, &honest, 3);
    let new = head_json(&f, &rewritten, 7);
    // The best a rewriting log can offer is a proof from its own tree.
    let v = verify_tree_heads(
        &old,
        &new,
        Some(&proof_json(&rewritten, 3, 7)),
        Some(&f.trust),
    );
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("consistency proof"), "{failures:?}");
}

#[test]
fn two_roots_for_one_size_are_named_without_a_proof() {
    let f = fixture();
    let mut other = LOG.to_vec();
    other[0] = "z";
    let v = verify_tree_heads(
        &head_json(&f, &tree(LOG), 5),
        &head_json(&f, &tree(&other), 5),
        None,
        Some(&f.trust),
    );
    let failures = failed_checks(&v);
    assert!(
        failures.iter().any(|c| c.contains("the log was rewritten")),
        "{failures:?}"
    );
}

#[test]
fn a_missing_or_mismatched_proof_says_what_is_needed() {
    let f = fixture();
    let t = tree(LOG);
    let (old, new) = (head_json(&f, &t, 3), head_json(&f, &t, 7));
    let missing = failed_checks(&verify_tree_heads(&old, &new, None, Some(&f.trust)));
    assert!(
        missing[0].contains("erasure log consistency --from 3 --to 7"),
        "{missing:?}"
    );
    let wrong = verify_tree_heads(&old, &new, Some(&proof_json(&t, 2, 7)), Some(&f.trust));
    let wrong = failed_checks(&wrong);
    assert!(wrong[0].contains("the proof is from 2 to 7"), "{wrong:?}");
}

#[test]
fn a_head_with_a_bad_signature_is_named() {
    let f = fixture();
    let t = tree(LOG);
    let mut file: TreeHeadFile = serde_json::from_str(&head_json(&f, &t, 7)).expect("file");
    let mut signed =
        SignedTreeHead::decode(B64.decode(&file.signed_tree_head).expect("b64").as_slice())
            .expect("signed");
    signed.signature[3] ^= 1;
    file.signed_tree_head = B64.encode(signed.encode_to_vec());
    let tampered = serde_json::to_string(&file).expect("json");
    let v = verify_tree_heads(&head_json(&f, &t, 3), &tampered, None, Some(&f.trust));
    let failures = failed_checks(&v);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("second tree head: bad signature"),
        "{failures:?}"
    );
}

#[test]
fn a_certificate_file_stands_for_the_head_it_proves_against() {
    let f = fixture();
    // The fixture logs certificates in a log of 5 leaves.
    let cert = file_json(&f, &certificate(&f, "r1"));
    let v = verify_tree_heads(&cert, &cert, None, Some(&f.trust));
    assert!(v.is_valid(), "{:?}", failed_checks(&v));
    let v = verify_tree_heads(&cert, &head_json(&f, &tree(LOG), 7), None, Some(&f.trust));
    assert!(
        failed_checks(&v)[0].contains("--from 5 --to 7"),
        "{:?}",
        failed_checks(&v)
    );
}
