//! The Merkle tree against a naive transcription of RFC 9162 §2.1's recursive
//! definitions, on trees longer than the sizes asked for, plus tampering.

use erasure_proof::merkle::{Hash, MerkleError, MerkleTree, verify_consistency, verify_inclusion};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

// --- The RFC's definitions, word for word, over leaf data. Hashing written out again. ---

fn sha256(parts: &[&[u8]]) -> Hash {
    parts
        .iter()
        .fold(Sha256::new(), |h, p| h.chain_update(p))
        .finalize()
        .into()
}

/// k: the largest power of two smaller than n.
fn k(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[Vec<u8>]) -> Hash {
    match d.len() {
        0 => sha256(&[]),
        1 => sha256(&[&[0x00], &d[0]]),
        n => sha256(&[&[0x01], &mth(&d[..k(n)]), &mth(&d[k(n)..])]),
    }
}

fn path(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
    let n = d.len();
    if n == 1 {
        return vec![];
    }
    let (mut p, sibling) = match m < k(n) {
        true => (path(m, &d[..k(n)]), mth(&d[k(n)..])),
        false => (path(m - k(n), &d[k(n)..]), mth(&d[..k(n)])),
    };
    p.push(sibling);
    p
}

fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let (mut p, sibling) = match m <= k(n) {
        true => (subproof(m, &d[..k(n)], b), mth(&d[k(n)..])),
        false => (subproof(m - k(n), &d[k(n)..], false), mth(&d[..k(n)])),
    };
    p.push(sibling);
    p
}

fn proof(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
    subproof(m, d, true)
}

// --- Helpers ---

/// Leaf data that is distinct per index (else a proof could verify for a twin leaf).
fn distinct(leaves: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let tag = |(i, mut leaf): (usize, Vec<u8>)| {
        leaf.splice(0..0, (i as u32).to_be_bytes());
        leaf
    };
    leaves.into_iter().enumerate().map(tag).collect()
}

fn tree_of(leaves: &[Vec<u8>]) -> MerkleTree {
    let mut tree = MerkleTree::new();
    for (i, leaf) in leaves.iter().enumerate() {
        assert_eq!(tree.push(leaf), i as u64);
    }
    tree
}

fn flipped(hash: &Hash, bit: usize) -> Hash {
    let mut h = *hash;
    h[bit / 8 % 32] ^= 1 << (bit % 8);
    h
}

/// Each proof with one hash changed, dropped or added.
fn tampered(proof: &[Hash]) -> Vec<Vec<Hash>> {
    let mut out = Vec::new();
    for i in 0..proof.len() {
        let mut p = proof.to_vec();
        p[i] = flipped(&p[i], i * 37 + 3);
        out.push(p);
    }
    if let Some((_, shorter)) = proof.split_last() {
        out.push(shorter.to_vec());
    }
    out.push([proof, &[[7; 32]]].concat());
    out.push([&[[7; 32]], proof].concat());
    out
}

// --- The checks ---

fn check_root(tree: &MerkleTree, d: &[Vec<u8>], size: usize) {
    assert_eq!(
        tree.root(size as u64),
        Ok(mth(&d[..size])),
        "root of size {size}"
    );
}

fn check_inclusion(tree: &MerkleTree, d: &[Vec<u8>], index: usize, size: usize) {
    let (i, n) = (index as u64, size as u64);
    let got = tree.inclusion_proof(i, n).expect("inclusion proof");
    assert_eq!(got, path(index, &d[..size]), "PATH({index}, D[{size}])");
    let leaf = tree.leaf_hash_at(i).expect("leaf");
    let root = mth(&d[..size]);
    assert_eq!(verify_inclusion(&leaf, i, n, &got, &root), Ok(()));
    for bad in tampered(&got) {
        assert!(
            verify_inclusion(&leaf, i, n, &bad, &root).is_err(),
            "{index}/{size} {bad:?}"
        );
    }
    let wrong_indices = [i.wrapping_sub(1), i + 1, i ^ 2, n];
    for wrong in wrong_indices {
        assert!(
            verify_inclusion(&leaf, wrong, n, &got, &root).is_err(),
            "index {wrong}"
        );
    }
    for wrong in [n * 2, n / 2, 0] {
        assert!(
            verify_inclusion(&leaf, i, wrong, &got, &root).is_err(),
            "size {wrong}"
        );
    }
    let other_leaf = flipped(&leaf, index);
    assert!(verify_inclusion(&other_leaf, i, n, &got, &root).is_err());
    assert!(verify_inclusion(&leaf, i, n, &got, &flipped(&root, size)).is_err());
}

fn check_consistency(tree: &MerkleTree, d: &[Vec<u8>], old: usize, new: usize) {
    let (m, n) = (old as u64, new as u64);
    let got = tree.consistency_proof(m, n).expect("consistency proof");
    assert_eq!(got, proof(old, &d[..new]), "PROOF({old}, D[{new}])");
    let (old_root, new_root) = (mth(&d[..old]), mth(&d[..new]));
    assert_eq!(verify_consistency(m, n, &old_root, &new_root, &got), Ok(()));
    for bad in tampered(&got) {
        assert!(
            verify_consistency(m, n, &old_root, &new_root, &bad).is_err(),
            "{old}->{new} {bad:?}"
        );
    }
    for (wm, wn) in [(m - 1, n), (m + 1, n), (m ^ 2, n), (m, n * 2), (m, n / 2)] {
        if (wm, wn) != (m, n) {
            let verdict = verify_consistency(wm, wn, &old_root, &new_root, &got);
            assert!(verdict.is_err(), "{old}->{new} passed as {wm}->{wn}");
        }
    }
    let (bad_old, bad_new) = (flipped(&old_root, old), flipped(&new_root, new));
    assert!(
        verify_consistency(m, n, &bad_old, &new_root, &got).is_err(),
        "old root"
    );
    assert!(
        verify_consistency(m, n, &old_root, &bad_new, &got).is_err(),
        "new root"
    );
}

/// On the longer log (a historical size) and on a log of exactly `size` leaves.
fn check_all(leaves: &[Vec<u8>], size: usize, index: usize, old: usize) {
    for tree in [tree_of(leaves), tree_of(&leaves[..size])] {
        check_root(&tree, leaves, size);
        check_inclusion(&tree, leaves, index, size);
        check_consistency(&tree, leaves, old, size);
    }
}

#[test]
fn every_size_index_and_pair_up_to_64_on_a_longer_log() {
    let leaves = distinct((0..70u8).map(|i| vec![i; usize::from(i % 5)]).collect());
    let tree = tree_of(&leaves);
    check_root(&tree, &leaves, 0);
    for size in 1..=64 {
        check_root(&tree, &leaves, size);
        for index in 0..size {
            check_inclusion(&tree, &leaves, index, size);
        }
        for old in 1..=size {
            check_consistency(&tree, &leaves, old, size);
        }
    }
}

#[test]
fn requests_outside_the_log_are_refused() {
    let tree = tree_of(&distinct(vec![vec![]; 5]));
    assert_eq!(
        tree.root(6),
        Err(MerkleError::SizeBeyondLog { size: 6, len: 5 })
    );
    assert_eq!(
        tree.inclusion_proof(0, 6),
        Err(MerkleError::SizeBeyondLog { size: 6, len: 5 })
    );
    assert_eq!(
        tree.inclusion_proof(5, 5),
        Err(MerkleError::IndexOutOfRange { index: 5, size: 5 })
    );
    assert_eq!(
        tree.consistency_proof(2, 6),
        Err(MerkleError::SizeBeyondLog { size: 6, len: 5 })
    );
    assert_eq!(tree.consistency_proof(0, 3), Err(MerkleError::ZeroOldSize));
    assert_eq!(
        tree.consistency_proof(4, 3),
        Err(MerkleError::OldSizeLarger {
            old_size: 4,
            new_size: 3
        })
    );
    let root = tree.root(3).expect("root");
    assert_eq!(
        verify_consistency(0, 3, &root, &root, &[]),
        Err(MerkleError::ZeroOldSize)
    );
    assert_eq!(
        verify_inclusion(&root, 0, 0, &[], &root),
        Err(MerkleError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert!(MerkleTree::new().is_empty() && !tree.is_empty() && tree.len() == 5);
}

#[test]
fn error_messages_name_the_numbers() {
    let (leaf, root) = ([1; 32], [2; 32]);
    let short = verify_inclusion(&leaf, 2, 5, &[root; 2], &root).map_err(|e| e.to_string());
    let want = "inclusion proof has 2 hashes, a leaf at index 2 of a tree of size 5 needs 3";
    assert_eq!(short, Err(want.into()));
    let long = verify_consistency(2, 5, &leaf, &root, &[root; 3]).map_err(|e| e.to_string());
    let want = "consistency proof has 3 hashes, one from size 2 to size 5 needs 2";
    assert_eq!(long, Err(want.into()));
}

/// A log of `size` plus 1..=40 more leaves, a leaf index below `size` and an old size.
fn log_and_sizes() -> impl Strategy<Value = (Vec<Vec<u8>>, usize, usize, usize)> {
    (1..=300usize, 1..=40usize).prop_flat_map(|(size, extra)| {
        let leaf = prop::collection::vec(any::<u8>(), 0..6);
        let log = prop::collection::vec(leaf, size + extra).prop_map(distinct);
        (log, Just(size), 0..size, 1..=size)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Sizes up to 300, a random leaf and a random old size.
    #[test]
    fn proofs_for_historical_sizes_match_the_rfc((leaves, size, index, old) in log_and_sizes()) {
        check_all(&leaves, size, index, old);
    }
}
